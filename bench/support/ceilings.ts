import { createHmac, createSign, createVerify, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { INestApplicationContext } from '@nestjs/common';
import { SignJWT } from 'jose';
import { SessionService, approvalHash } from '#idtoken/sessions';
import type { BenchService, Phone } from './population.js';
import { Tally } from './stats.js';

/** Operations per second of one primitive on this thread (one core), measured for `seconds`. */
async function rate(seconds: number, operation: () => unknown | Promise<unknown>): Promise<number> {
  // Warm the JIT and any lazy initialisation first.
  for (let i = 0; i < 50; i += 1) await operation();
  let count = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    // Batches keep the clock reads out of the measurement.
    for (let i = 0; i < 20; i += 1) await operation();
    count += 20;
  }
  return count / ((performance.now() - started) / 1000);
}

export interface CryptoCeiling {
  opsPerSecond: {
    ecdsaP256VerifyDer: number;
    ecdsaP256SignDer: number;
    es256JwtSign: number;
    hkdfSha256: number;
    hmacSha256: number;
  };
  /** What one login costs in each primitive (counted from the code: initiate, verify, the result, the phone). */
  perLogin: Record<keyof CryptoCeiling['opsPerSecond'], number>;
  /** 1 / (Σ count ÷ rate): the logins/s one core could do if crypto were all a login did. */
  loginsPerSecondPerCore: number;
}

/**
 * Ceiling 1, the crypto bound: ops/s on one core of each primitive a login uses, and the logins/s they allow. Per
 * login (spec §6.1, §6.2, §6.4, §7), counted from the code: the phone signs once (ECDSA P-256, DER); the server
 * checks the service secret (HMAC with a pepper), derives the OTP (HKDF + HMAC) and the wsToken (HKDF for K_ws +
 * HMAC), verifies the phone's signature, signs the ES256 JWT and the approval hash (HMAC); the relying party
 * recomputes the hash (HMAC). The OTP check at verify compares the stored code: no derivation.
 */
export async function measureCryptoCeiling(secondsPerPrimitive = 1): Promise<CryptoCeiling> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const message = Buffer.from(`sess_${randomBytes(16).toString('base64url')}|123456|1764200000|identity:name`);
  const signature = createSign('sha256').update(message).sign(privateKey);
  const master = randomBytes(32);
  const salt = randomBytes(16);
  const opsPerSecond = {
    ecdsaP256VerifyDer: await rate(secondsPerPrimitive, () =>
      createVerify('sha256').update(message).verify(publicKey, signature),
    ),
    ecdsaP256SignDer: await rate(secondsPerPrimitive, () => createSign('sha256').update(message).sign(privateKey)),
    es256JwtSign: await rate(secondsPerPrimitive, () =>
      new SignJWT({ sub: 'x', aud: 'shop', scope: 'identity:name', given_name: 'Ada' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
    ),
    hkdfSha256: await rate(secondsPerPrimitive, () => hkdfSync('sha256', master, salt, 'IDToken/v1/otp|t|s', 32)),
    hmacSha256: await rate(secondsPerPrimitive, () => createHmac('sha256', master).update(message).digest()),
  };
  const perLogin = { ecdsaP256VerifyDer: 1, ecdsaP256SignDer: 1, es256JwtSign: 1, hkdfSha256: 2, hmacSha256: 5 };
  const secondsPerLogin = (Object.keys(perLogin) as (keyof typeof perLogin)[]).reduce(
    (sum, primitive) => sum + perLogin[primitive] / opsPerSecond[primitive],
    0,
  );
  return { opsPerSecond, perLogin, loginsPerSecondPerCore: 1 / secondsPerLogin };
}

export interface BareLoopOutcome {
  loginsCompleted: number;
  elapsedSeconds: number;
  loginsPerSecond: number;
  cpuSecondsPerLogin: number;
  errors: Tally;
}

/**
 * Ceiling 2, the bare loop: the same logins through the server's own SessionService — its checks, crypto, PostgreSQL
 * and Redis (or in-process) calls, the result published for the browser channel — with no HTTP and no WebSocket.
 * The phone still signs each verify, as in the HTTP benchmark.
 */
export async function runBareLoop(
  app: INestApplicationContext,
  plan: { service: BenchService; phones: Phone[]; concurrency: number },
  durationSeconds: number,
): Promise<BareLoopOutcome> {
  const sessions = app.get(SessionService);
  const { service } = plan;
  const authorization = `Basic ${Buffer.from(`${service.serviceId}:${service.secret}`).toString('base64')}`;
  const errors = new Tally();
  let completed = 0;
  const login = async (worker: number) => {
    const phone = plan.phones[worker % plan.phones.length];
    const ip = `10.200.${(worker >> 8) & 255}.${worker & 255}`;
    const answer = await sessions.initiate({
      tokenId: phone.device.tokenId,
      serviceId: service.serviceId,
      scopes: service.scopes,
      authorization,
      ip,
    });
    if (!answer.autoPassword) throw new Error('no autoPassword');
    const body = phone.login.verifyBody({ sessionId: answer.sessionId, otp: answer.autoPassword }, service.scopes);
    const verified = await sessions.verify(body, { ip });
    if (verified.status !== 'approved') throw new Error(`verify answered ${verified.status}`);
    // What the browser's poll or socket delivers, and what the relying party checks.
    const result = await sessions.status(answer.sessionId, answer.wsToken);
    if (result.status !== 'approved' || !result.jwt) throw new Error(`status ${result.status}`);
    if (result.hash !== approvalHash(answer.wsToken, answer.sessionId, answer.random, result.jwt)) {
      throw new Error('approval hash mismatch');
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        try {
          await login(worker);
          completed += 1;
        } catch (error) {
          errors.add(error instanceof Error ? error.message.slice(0, 80) : String(error));
        }
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    loginsCompleted: completed,
    elapsedSeconds,
    loginsPerSecond: completed / elapsedSeconds,
    cpuSecondsPerLogin: completed === 0 ? Number.NaN : (cpu.user + cpu.system) / 1e6 / completed,
    errors,
  };
}
