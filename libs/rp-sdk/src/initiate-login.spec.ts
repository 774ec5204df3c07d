import { decodeJwt, generateKeyPair } from 'jose';
import { IdTokenError } from './errors.js';
import type { FetchLike } from './http.js';
import { initiateLogin } from './initiate-login.js';

/** What initiateLogin puts on the wire (spec §6.1), seen through a recording fetch. */
describe('initiateLogin request (spec §6.1)', () => {
  const answer = {
    sessionId: 'sess_AAAAAAAAAAAAAAAAAAAAAA',
    autoPassword: '123456',
    wsToken: 'A'.repeat(43),
    random: '0'.repeat(32),
    expiresAt: '2030-01-01T00:00:00.000Z',
  };
  const recording = (response: () => Response) => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push({ url, init });
      return response();
    };
    return { calls, fetch };
  };
  const ok = () => new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
  const headersOf = (init: RequestInit) => init.headers as Record<string, string>;
  const bodyOf = (init: RequestInit) => JSON.parse(init.body as string) as Record<string, unknown>;

  it('sends Basic base64(serviceId:secret) and {tokenId, serviceId, scopes}', async () => {
    const { calls, fetch } = recording(ok);
    const result = await initiateLogin({
      baseUrl: 'https://id.example/',
      serviceId: 'shop',
      secret: 'sé:cret',
      tokenId: 'tok',
      scopes: ['identity:name'],
      fetch,
    });
    expect(result).toEqual(answer);
    expect(calls[0]!.url).toBe('https://id.example/auth/initiate');
    expect(calls[0]!.init.method).toBe('POST');
    expect(headersOf(calls[0]!.init).authorization).toBe(
      `Basic ${Buffer.from('shop:sé:cret', 'utf8').toString('base64')}`,
    );
    expect(bodyOf(calls[0]!.init)).toEqual({ tokenId: 'tok', serviceId: 'shop', scopes: ['identity:name'] });
  });

  it('names the service by its Service VDS instead of serviceId when given one', async () => {
    const { calls, fetch } = recording(ok);
    await initiateLogin({ baseUrl: 'https://id.example', serviceId: 'shop', secret: 's', serviceVds: 'VDS1:x', fetch });
    expect(bodyOf(calls[0]!.init)).toEqual({ serviceVds: 'VDS1:x' });
  });

  it('sends an RFC 7523 client assertion in the body, addressed to the issuer, and no Authorization', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const { calls, fetch } = recording(ok);
    await initiateLogin({
      baseUrl: 'http://10.0.0.1:3000',
      issuer: 'https://id.example',
      serviceId: 'shop',
      clientAssertion: { privateKey, alg: 'ES256', kid: 'k1' },
      fetch,
    });
    expect(headersOf(calls[0]!.init).authorization).toBeUndefined();
    const body = bodyOf(calls[0]!.init);
    expect(body).toEqual({
      serviceId: 'shop',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: expect.any(String),
    });
    expect(decodeJwt(body.client_assertion as string)).toMatchObject({
      iss: 'shop',
      sub: 'shop',
      aud: 'https://id.example',
    });
  });

  it('addresses the client assertion to baseUrl when no issuer is given', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const { calls, fetch } = recording(ok);
    await initiateLogin({
      baseUrl: 'https://id.example',
      serviceId: 'shop',
      clientAssertion: { privateKey, alg: 'ES256' },
      fetch,
    });
    expect(decodeJwt(bodyOf(calls[0]!.init).client_assertion as string).aud).toBe('https://id.example');
  });

  it('refuses both a secret and a client assertion', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await expect(
      initiateLogin({
        baseUrl: 'https://id.example',
        serviceId: 'shop',
        secret: 's',
        clientAssertion: { privateKey, alg: 'ES256' },
      }),
    ).rejects.toThrow(TypeError);
  });

  it('throws IdTokenError with the problem fields and Retry-After seconds', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'slow down',
      code: 'rate_limited',
    };
    const { fetch } = recording(
      () =>
        new Response(JSON.stringify(problem), {
          status: 429,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '42' },
        }),
    );
    const error = await initiateLogin({ baseUrl: 'https://id.example', serviceId: 'shop', secret: 's', fetch }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IdTokenError);
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limited',
      title: 'Too Many Requests',
      detail: 'slow down',
      retryAfter: 42,
    });
  });
});
