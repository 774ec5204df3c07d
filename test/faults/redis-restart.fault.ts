import { describeDependencyFault } from './support/dependency-fault.js';

// Redis (sessions, counters, the nodes' pub/sub) is killed with SIGKILL and started again — empty, as a Redis without
// persistence comes back.
describeDependencyFault({
  name: 'Redis',
  kill: (cluster) => cluster.redis.kill(),
  restart: (cluster) => cluster.redis.restart(),
  resultsSurvive: false,
});
