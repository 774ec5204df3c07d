/**
 * The time the key schedule runs on. A class token so that tests move time forward instead of sleeping
 * (CONVENTIONS: control the clock), and every node decides "which key signs now" the same way.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
