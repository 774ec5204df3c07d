import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 (openssl), for a local HTTPS peer in a test. */
export function localhostCertificate(): { cert: string; key: string } {
  return selfSigned(
    ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-days', '1', '-subj', '/CN=127.0.0.1'],
    ['-addext', 'subjectAltName=IP:127.0.0.1'],
  );
}

/** An RSA 2048 key and a self-signed certificate for `commonName` (openssl): a peer's own keys (a SAML SP's, say). */
export function selfSignedRsa(commonName: string): { cert: string; key: string } {
  return selfSigned(['-newkey', 'rsa:2048', '-days', '2', '-subj', `/CN=${commonName}`]);
}

function selfSigned(keyAndSubject: string[], extensions: string[] = []): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idtoken-tls-'));
  try {
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-nodes', ...keyAndSubject, ...extensions, '-keyout', keyFile, '-out', certFile],
      {
        stdio: 'ignore',
      },
    );
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fetch over node:https that trusts exactly `ca` — what a server's outbound calls get in a test. */
export function fetchTrusting(ca: string): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init.headers);
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    if (body !== undefined && !headers.has('content-length'))
      headers.set('content-length', String(Buffer.byteLength(body)));
    return new Promise<Response>((resolve, reject) => {
      const request = httpsRequest(
        url,
        { method: init.method ?? 'GET', headers: Object.fromEntries(headers), ca },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (typeof value === 'string') responseHeaders.set(name, value);
            }
            const status = response.statusCode ?? 500;
            const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(payload, { status, headers: responseHeaders }));
          });
        },
      );
      request.on('error', reject);
      init.signal?.addEventListener('abort', () => request.destroy(new Error('aborted')));
      request.end(body);
    });
  };
}
