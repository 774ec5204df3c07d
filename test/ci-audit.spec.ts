import { blockingAdvisories, judge, type AuditException } from '../.ci/audit.js';

// npm audit --json (report version 2), as npm 11 prints it: advisories nest under each package they reach.
const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    'fast-xml-parser': {
      name: 'fast-xml-parser',
      severity: 'high',
      via: [
        {
          source: 1,
          name: 'fast-xml-parser',
          title: 'Prototype pollution',
          url: 'https://github.com/advisories/GHSA-aaaa',
          severity: 'high',
        },
        {
          source: 2,
          name: 'fast-xml-parser',
          title: 'Regular expression DoS',
          url: 'https://github.com/advisories/GHSA-bbbb',
          severity: 'moderate',
        },
      ],
    },
    samlify: { name: 'samlify', severity: 'high', via: ['fast-xml-parser'] },
    jsonpath: {
      name: 'jsonpath',
      severity: 'critical',
      via: [
        {
          source: 3,
          name: 'jsonpath',
          title: 'Code injection',
          url: 'https://github.com/advisories/GHSA-cccc',
          severity: 'critical',
        },
      ],
    },
  },
  metadata: { vulnerabilities: { moderate: 1, high: 2, critical: 1 } },
};

describe('CI dependency audit (.ci/audit.js)', () => {
  it('takes each high or critical advisory once, not the packages that only depend on it, nor moderate ones', () => {
    expect(blockingAdvisories(report).map((advisory) => advisory.url)).toEqual([
      'https://github.com/advisories/GHSA-aaaa',
      'https://github.com/advisories/GHSA-cccc',
    ]);
    expect(blockingAdvisories({})).toEqual([]);
  });

  it('fails on an advisory no exception excuses, and on an exception past its date', () => {
    const advisories = blockingAdvisories(report);
    const excuse = (url: string, until: string): AuditException => ({
      advisory: url,
      package: 'x',
      reason: 'the vulnerable function is never called',
      until,
    });
    const today = new Date('2026-11-27');

    const none = judge(advisories, [], today);
    expect(none.unexcused).toHaveLength(2);

    const one = judge(advisories, [excuse('https://github.com/advisories/GHSA-aaaa', '2027-01-31')], today);
    expect(one.unexcused.map((advisory) => advisory.url)).toEqual(['https://github.com/advisories/GHSA-cccc']);
    expect(one.expired).toEqual([]);

    const stale = judge(advisories, [excuse('https://github.com/advisories/GHSA-aaaa', '2026-10-01')], today);
    expect(stale.unexcused).toHaveLength(2);
    expect(stale.expired).toHaveLength(1);
  });
});
