/** One line of the server's JSON log (pino), timed from the spawn of its process. */
export interface BootLogLine {
  atMs: number;
  msg: string;
}

/** A stretch of the start, named after what ends it. */
export interface BootStage {
  name: string;
  ms: number;
}

/** The log line `line` (a pino JSON line), timed from `spawnedAt` (epoch ms); `undefined` if it is not one. */
export function parseBootLogLine(line: string, spawnedAt: number): BootLogLine | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { time, msg } = parsed as { time?: unknown; msg?: unknown };
  const at = typeof time === 'string' ? Date.parse(time) : typeof time === 'number' ? time : Number.NaN;
  if (Number.isNaN(at) || typeof msg !== 'string') return undefined;
  return { atMs: at - spawnedAt, msg };
}

const NEST_STARTING = 'Starting Nest application...';
const MODULE_READY = / dependencies initialized$/;
const NEST_STARTED = 'Nest application successfully started';
const READY_LINE = /^IDToken is ready on port /;

/**
 * What the start spent its time on, from the info-level log of `main.ts` and Nest: until Nest starts (Node, the
 * imports, the configuration), each module's providers in the order Nest creates them (async factories such as the
 * database connection and its migrations run there), the routes and init hooks, listening, and then until the first
 * `GET /health/ready` answered 200 (`readyMs` from the spawn). `undefined` when the log lacks the lines (e.g. at
 * LOG_LEVEL=warn).
 */
export function bootStages(lines: BootLogLine[], readyMs: number): BootStage[] | undefined {
  const starting = lines.find((line) => line.msg === NEST_STARTING);
  const started = lines.find((line) => line.msg === NEST_STARTED);
  const readyLine = lines.find((line) => READY_LINE.test(line.msg));
  if (!starting || !started || !readyLine) return undefined;
  const stages: BootStage[] = [{ name: 'node, imports, config', ms: starting.atMs }];
  let previous = starting.atMs;
  for (const line of lines) {
    if (!MODULE_READY.test(line.msg) || line.atMs < starting.atMs || line.atMs > started.atMs) continue;
    stages.push({ name: line.msg.replace(MODULE_READY, ''), ms: line.atMs - previous });
    previous = line.atMs;
  }
  stages.push(
    { name: 'routes, init hooks', ms: started.atMs - previous },
    { name: 'listen, ready line', ms: readyLine.atMs - started.atMs },
    { name: 'first 200 /health/ready', ms: readyMs - readyLine.atMs },
  );
  return stages;
}
