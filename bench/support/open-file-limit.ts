import { readFileSync } from 'node:fs';

/**
 * The soft limit on open file descriptors of a process (`ulimit -n`), from /proc/<pid>/limits (Linux);
 * `undefined` where there is no /proc or the limit is unlimited. Node raises its own soft limit to the hard one at
 * start, and a child process inherits it.
 */
export function openFileLimit(pid: number | 'self' = 'self'): number | undefined {
  let limits: string;
  try {
    limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
}

/** Descriptors beyond the sockets: the HTTP connections of the ramp, the database, logs, libraries. */
const SPARE_DESCRIPTORS = 256;

/**
 * Each held socket is one descriptor here and one in the server: the error to fail with, before anything starts,
 * when this process's limit cannot hold `sockets` of them plus `httpConnections` and some spare.
 */
export function openFileShortfall(
  sockets: number,
  httpConnections: number,
  limit = openFileLimit(),
): string | undefined {
  const needed = sockets + httpConnections + SPARE_DESCRIPTORS;
  if (limit === undefined || limit >= needed) return undefined;
  return (
    `${sockets} sockets need about ${needed} open files in this process and as many in the server, but the limit ` +
    `is ${limit}. Raise it (e.g. \`ulimit -n ${Math.ceil(needed / 4096) * 4096}\`, up to the hard limit ` +
    '`ulimit -Hn`) or ask for fewer --sessions.'
  );
}
