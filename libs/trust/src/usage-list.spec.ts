import { execFileSync } from 'node:child_process';
import { X509Certificate } from '@peculiar/x509';
import { issueCertificate } from './pki/issue-certificate.js';
import { USAGE_LIST_OID, decodeUsageList, encodeUsageList, readUsageList, usageListExtension } from './usage-list.js';

/** openssl's own reading of DER bytes: an independent peer for our encoder. */
function asn1parse(der: Buffer): string {
  return execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der }).toString();
}

describe('UsageList extension (spec §2)', () => {
  it('encodes [0x0A0001, 0x0A0002] as a DER SEQUENCE of two 3-byte OCTET STRINGs', () => {
    const der = encodeUsageList([0x0a0001, 0x0a0002]);
    expect(der.toString('hex')).toBe('300a04030a000104030a0002');
    const parsed = asn1parse(der);
    expect(parsed).toMatch(/0:d=0 {2}hl=2 l= {2}10 cons: SEQUENCE/);
    expect(parsed).toMatch(/2:d=1 {2}hl=2 l= {3}3 prim: OCTET STRING {6}\[HEX DUMP\]:0A0001/);
    expect(parsed).toMatch(/7:d=1 {2}hl=2 l= {3}3 prim: OCTET STRING {6}\[HEX DUMP\]:0A0002/);
  });

  it('round-trips, keeping order', () => {
    for (const ids of [[], [0x0a0001], [0x0a0002, 0x0a0001], [0, 0xffffff]]) {
      expect(decodeUsageList(encodeUsageList(ids))).toEqual(ids);
    }
  });

  it('refuses manifest IDs that do not fit in 3 bytes', () => {
    expect(() => encodeUsageList([0x1000000])).toThrow(RangeError);
    expect(() => encodeUsageList([-1])).toThrow(RangeError);
    expect(() => encodeUsageList([1.5])).toThrow(RangeError);
  });

  it('refuses an item that is not exactly 3 bytes', () => {
    expect(() => decodeUsageList(Buffer.from('300604040a000100', 'hex'))).toThrow(/4 bytes, not 3/);
    expect(() => decodeUsageList(Buffer.from('300404020a00', 'hex'))).toThrow(/2 bytes, not 3/);
  });

  it('refuses BER that is not DER (indefinite length), a bare OCTET STRING and garbage', () => {
    expect(() => decodeUsageList(Buffer.from('308004030a00010000', 'hex'))).toThrow();
    expect(() => decodeUsageList(Buffer.from('04030a0001', 'hex'))).toThrow();
    expect(() => decodeUsageList(Buffer.from('ffff', 'hex'))).toThrow();
  });

  it('is a non-critical extension with the private-arc OID, read back from a certificate openssl can parse', async () => {
    const extension = usageListExtension([0x0a0002]);
    expect(extension.type).toBe(USAGE_LIST_OID);
    expect(extension.critical).toBe(false);

    const now = new Date();
    const signer = await issueCertificate({
      role: 'anchor',
      subject: 'CN=UsageList test',
      notBefore: now,
      notAfter: new Date(now.getTime() + 60_000),
      usageList: [0x0a0002],
    });
    expect(readUsageList(new X509Certificate(signer.certificateDer))).toEqual([0x0a0002]);
    // openssl's view of the certificate: the OID, directly followed (no BOOLEAN critical) by the extnValue.
    const parsed = asn1parse(signer.certificateDer);
    expect(parsed).toMatch(
      /prim: OBJECT {12}:1\.3\.6\.1\.4\.1\.99999\.22376\.1\n.*prim: OCTET STRING {6}\[HEX DUMP\]:300504030A0002\n/,
    );
  });

  it('reports no UsageList for a certificate without one', async () => {
    const now = new Date();
    const plain = await issueCertificate({
      role: 'anchor',
      subject: 'CN=no UsageList',
      notBefore: now,
      notAfter: new Date(now.getTime() + 60_000),
    });
    expect(readUsageList(plain.certificate)).toBeUndefined();
  });
});
