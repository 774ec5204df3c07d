import { describeDependencyFault } from './support/dependency-fault.js';

// PostgreSQL (enrollments, services, keys, the audit trail) is stopped in immediate mode — every backend gone at once,
// no checkpoint — and started again on the same data (crash recovery).
describeDependencyFault({
  name: 'PostgreSQL',
  kill: (cluster) => cluster.postgres.kill(),
  restart: (cluster) => cluster.postgres.restart(),
  // Redis kept every result: a phone told "approved" means a page that saw it.
  resultsSurvive: true,
});
