import { unavailableDependency } from './dependency-unavailable.js';
import { toProblem } from './problem.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('unavailableDependency', () => {
  it.each([
    [
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      'ephemeral store',
    ],
    [new Error('Connection is closed.'), 'ephemeral store'],
    [withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'database'],
    [withCode('terminating connection due to administrator command', '57P01'), 'database'],
    [withCode('the database system is starting up', '57P03'), 'database'],
    [new Error('Connection terminated unexpectedly'), 'database'],
    [Object.assign(new Error('Query failed'), { driverError: withCode('read ECONNRESET', 'ECONNRESET') }), 'database'],
  ])('recognises %s', (error, dependency) => {
    expect(unavailableDependency(error)).toBe(dependency);
  });

  it.each([
    new Error('Cannot read properties of undefined'),
    withCode('duplicate key value violates unique constraint', '23505'),
    'a string',
    undefined,
  ])('leaves other errors alone: %s', (error) => {
    expect(unavailableDependency(error)).toBeUndefined();
  });

  it('makes them a 503 problem with Retry-After, naming the dependency and nothing internal', () => {
    const problem = toProblem(withCode('connect ECONNREFUSED 10.0.0.7:5432', 'ECONNREFUSED'));
    expect(problem).toMatchObject({ status: 503, code: 'service_unavailable', retryAfter: 5 });
    expect(problem.detail).toBe('The database is not answering; try again shortly.');
    expect(toProblem(new Error('boom')).status).toBe(500);
  });
});
