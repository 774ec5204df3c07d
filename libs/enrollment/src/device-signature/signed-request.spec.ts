import { createHash } from 'node:crypto';
import { deviceRequestMessage, enrollMessage } from './signed-request.js';

const b64url = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

describe('device-signed request messages (spec §5.1)', () => {
  it('hashes the canonical JSON of the other fields: keys sorted at every level, no whitespace', () => {
    const message = deviceRequestMessage('trust', 'tok-1', 1_700_000_000, { b: 1, a: { d: [1, 'x'], c: 'é' } });
    expect(message).toBe(`trust|tok-1|1700000000|${b64url('{"a":{"c":"é","d":[1,"x"]},"b":1}')}`);
  });

  it('hashes {} when there are no other fields', () => {
    expect(deviceRequestMessage('list-services', 'tok-1', 5, {})).toBe(`list-services|tok-1|5|${b64url('{}')}`);
  });

  it('includes path parameters by name (untrust)', () => {
    expect(deviceRequestMessage('untrust', 't', 1, { serviceId: 'shop' })).toBe(
      `untrust|t|1|${b64url('{"serviceId":"shop"}')}`,
    );
  });

  it('binds the action: the same fields give a different message per action', () => {
    expect(deviceRequestMessage('trust', 't', 1, {})).not.toBe(deviceRequestMessage('deny', 't', 1, {}));
  });

  it('builds the enrollment proof of possession of spec §4', () => {
    expect(enrollMessage('tid', 'kid', 42)).toBe('enroll|tid|kid|42');
  });
});
