#!/usr/bin/env node
/**
 * idtoken-device: the simulated phone and issuance station (`npm run device -- <command>`).
 * Run `npm run device -- help` for the commands.
 */
import 'reflect-metadata'; // before @peculiar/x509 (tsyringe)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { X509Certificate } from '@peculiar/x509';
import { createTestCsca, createTestPassport, fixtureFromJson } from '#idtoken/issuance';
import { VdsError } from '#idtoken/vds';
import { Device, FaceMismatchError } from './device.js';
import { IdTokenClient, ServerError } from './idtoken-client.js';
import { FileKeystore } from './keystore.js';
import { DeviceLogin, QrRefusedError, type LoginRequest } from './login.js';
import { scanQrPngFile } from './qr.js';
import { PLACEHOLDER_PORTRAIT_WEBP, Station, type ChipRead } from './station.js';
import { TslTrust } from './tsl-trust.js';

const HELP = `idtoken-device — the phone and station side of the IDToken protocol

Usage: npm run device -- <command> [options]

Commands
  issue --synthetic   make a synthetic passport, register its CSCA and a station (admin key), issue an identity VDS
                      and keep it on this device. Options: --given-name, --surname, --birth-date YYYY-MM-DD,
                      --nationality (3 letters), --sex M|F|X, --document-number, --aa ecdsa|rsa|none (default ecdsa)
  issue --passport F  the same with a saved passport fixture (JSON, format idtoken-test-passport/1)
  enroll              face check on the device, then POST /enroll. --face HEX is the live template (default: the
                      template captured at issuance, i.e. the right face); --fcm-token T
  push-token --token T   PUT /devices/push-token (device-signed)
  trust --vds TEXT | --qr FILE.png | --service ID
                      scan a Service VDS (text, a QR image, or fetched from the server), verify it, show the service
                      and the scopes it may ask for, and trust it (POST /devices/trust)
  services            the services this phone trusts (GET /devices/services)
  untrust --service ID   stop trusting a service (DELETE /devices/trust/ID)
  status              what this device holds

Logging in (spec §6)
  inbox               pending login requests (GET /devices/inbox): the service, the code to compare, the scopes
  listen              wait on the /device socket and print each request as it arrives (Ctrl-C to stop);
                      --once stops after the first; --approve approves each (with --scopes / --face as below)
  approve             face check, then sign and POST /auth/verify. --session ID (default: the newest pending
                      request), --otp CODE (the code the browser shows: refused here if it differs),
                      --scopes a,b (default: all requested), --face HEX (default: the face captured at issuance)
  deny --session ID   POST /auth/deny
  scan-qr --qr FILE.png | --text IDTK1:…
                      read a claims-only QR (spec §6.5), verify the service's VDS, show what it asks for, and keep
                      the request for approve; --approve approves it at once

Options
  --server URL        IDToken server (default http://localhost:3000, or IDTOKEN_SERVER)
  --dir PATH          device folder: key, state (default ./.idtoken-device)
  --admin-key KEY     admin key for issue (default IDTOKEN_BOOTSTRAP_ADMIN_KEY)
  --anchor FILE       trust anchor PEM to pin (default: trust the server's anchor on first use)
  --issuer URL        the server's ISSUER_URL, as claims-only QRs name it (default: --server)
`;

interface Context {
  server: string;
  dir: string;
  values: Record<string, string | boolean | undefined>;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      dir: { type: 'string' },
      'admin-key': { type: 'string' },
      anchor: { type: 'string' },
      synthetic: { type: 'boolean' },
      passport: { type: 'string' },
      'given-name': { type: 'string' },
      surname: { type: 'string' },
      'birth-date': { type: 'string' },
      nationality: { type: 'string' },
      sex: { type: 'string' },
      'document-number': { type: 'string' },
      aa: { type: 'string' },
      face: { type: 'string' },
      'fcm-token': { type: 'string' },
      token: { type: 'string' },
      vds: { type: 'string' },
      qr: { type: 'string' },
      service: { type: 'string' },
      issuer: { type: 'string' },
      session: { type: 'string' },
      otp: { type: 'string' },
      scopes: { type: 'string' },
      text: { type: 'string' },
      once: { type: 'boolean' },
      approve: { type: 'boolean' },
    },
  });
  const context: Context = {
    server: values.server ?? process.env.IDTOKEN_SERVER ?? 'http://localhost:3000',
    dir: resolve(values.dir ?? '.idtoken-device'),
    values,
  };
  switch (positionals[0]) {
    case 'issue':
      return issue(context);
    case 'enroll':
      return enroll(context);
    case 'push-token':
      return pushToken(context);
    case 'status':
      return status(context);
    case 'trust':
      return trust(context);
    case 'services':
      return services(context);
    case 'untrust':
      return untrust(context);
    case 'inbox':
      return inbox(context);
    case 'listen':
      return listen(context);
    case 'approve':
      return approve(context);
    case 'deny':
      return deny(context);
    case 'scan-qr':
      return scanQr(context);
    case undefined:
    case 'help':
      process.stdout.write(HELP);
      return;
    default:
      throw new UsageError(`unknown command "${positionals[0]}"`);
  }
}

class UsageError extends Error {}

/** The last claims-only request scanned, kept for `approve`. */
const SCANNED_QR_FILE = 'scanned-qr.json';

async function device(context: Context): Promise<Device> {
  const client = new IdTokenClient(context.server);
  const anchorFile = join(context.dir, 'anchor.pem');
  const pinned =
    typeof context.values.anchor === 'string'
      ? readFileSync(context.values.anchor, 'utf8')
      : existsSync(anchorFile)
        ? readFileSync(anchorFile, 'utf8')
        : undefined;
  const trust = await TslTrust.fetch(client, pinned);
  mkdirSync(context.dir, { recursive: true, mode: 0o700 });
  const [anchor] = trust.anchors;
  if (!pinned && anchor) writeFileSync(anchorFile, anchor.toString('pem'), { mode: 0o600 });
  return new Device({ client, keystore: new FileKeystore(context.dir), trust });
}

async function issue(context: Context): Promise<void> {
  const adminKey = (context.values['admin-key'] as string | undefined) ?? process.env.IDTOKEN_BOOTSTRAP_ADMIN_KEY;
  if (!adminKey) throw new UsageError('issue needs an admin key: --admin-key or IDTOKEN_BOOTSTRAP_ADMIN_KEY');
  const admin = new IdTokenClient(context.server, adminKey);

  let chip: ChipRead;
  let cscaPem: string | undefined;
  if (context.values.passport) {
    const loaded = fixtureFromJson(readFileSync(String(context.values.passport), 'utf8'));
    chip = { ...loaded, signChallenge: loaded.aaPrivateKey ? loaded.signChallenge : undefined };
    if (loaded.cscaCertificateDer) cscaPem = new X509Certificate(loaded.cscaCertificateDer).toString('pem');
  } else if (context.values.synthetic) {
    const csca = await createTestCsca({ commonName: `IDToken Simulator CSCA ${new Date().toISOString()}` });
    const aa = (context.values.aa as string | undefined) ?? 'ecdsa';
    if (!['ecdsa', 'rsa', 'none'].includes(aa)) throw new UsageError('--aa must be ecdsa, rsa or none');
    const passport = await createTestPassport({
      csca,
      aa: aa === 'none' ? false : (aa as 'ecdsa' | 'rsa'),
      photo: PLACEHOLDER_PORTRAIT_WEBP,
      mrz: {
        ...(context.values['given-name'] ? { givenNames: String(context.values['given-name']).toUpperCase() } : {}),
        ...(context.values.surname ? { surname: String(context.values.surname).toUpperCase() } : {}),
        ...(context.values['birth-date'] ? { birthDate: String(context.values['birth-date']) } : {}),
        ...(context.values.nationality
          ? {
              nationality: String(context.values.nationality).toUpperCase(),
              issuingState: String(context.values.nationality).toUpperCase(),
            }
          : {}),
        ...(context.values.sex ? { sex: String(context.values.sex).toUpperCase() as 'M' | 'F' | 'X' } : {}),
        ...(context.values['document-number']
          ? { documentNumber: String(context.values['document-number']).toUpperCase() }
          : {}),
      },
    });
    chip = { ...passport, signChallenge: passport.aaPrivateKey ? passport.signChallenge : undefined };
    cscaPem = csca.certificatePem;
  } else {
    throw new UsageError('issue needs --synthetic or --passport FILE');
  }

  if (cscaPem) await Station.registerCsca(admin, cscaPem);
  const station = await stationFor(context, admin);
  const faceTemplate = new Uint8Array(randomBytes(64));
  const issued = await station.issueFor(chip, {
    template: faceTemplate,
    livenessScore: 0.99,
    matchScore: 0.97,
    photoWebp: PLACEHOLDER_PORTRAIT_WEBP,
  });
  const phone = await device(context);
  const payload = await phone.receiveCredential(issued.vds);
  writeFileSync(join(context.dir, 'face-template.hex'), Buffer.from(faceTemplate).toString('hex'), { mode: 0o600 });
  print({
    tokenId: issued.tokenId,
    holder: `${payload.gn} ${payload.fn}`,
    trustLevel: payload.lvl,
    expiresAt: issued.expiresAt,
    vds: issued.vds,
  });
}

/** The station this folder registered before, or a new one. */
async function stationFor(context: Context, admin: IdTokenClient): Promise<Station> {
  const file = join(context.dir, 'station.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { server: string; apiKey: string };
    if (saved.server === context.server) return new Station(new IdTokenClient(context.server, saved.apiKey));
  }
  new FileKeystore(context.dir).open();
  const registered = await Station.register(admin, 'idtoken-device simulator');
  writeFileSync(
    file,
    JSON.stringify({ server: context.server, stationId: registered.stationId, apiKey: registered.apiKey }),
    { mode: 0o600 },
  );
  return registered.station;
}

/** The live face: --face HEX, or the template captured at issuance (the right face). */
function liveFace(context: Context, command: string): Uint8Array {
  const templateFile = join(context.dir, 'face-template.hex');
  const faceHex =
    (context.values.face as string | undefined) ??
    (existsSync(templateFile) ? readFileSync(templateFile, 'utf8').trim() : undefined);
  if (!faceHex || !/^(?:[0-9a-fA-F]{2})+$/.test(faceHex))
    throw new UsageError(`${command} needs --face HEX (the live face template)`);
  return new Uint8Array(Buffer.from(faceHex, 'hex'));
}

async function enroll(context: Context): Promise<void> {
  const liveFaceTemplate = liveFace(context, 'enroll');
  const phone = await device(context);
  const result = await phone.enroll({
    liveFaceTemplate,
    platform: 'simulator',
    ...(context.values['fcm-token'] ? { fcmToken: String(context.values['fcm-token']) } : {}),
  });
  print(result);
}

async function pushToken(context: Context): Promise<void> {
  if (typeof context.values.token !== 'string') throw new UsageError('push-token needs --token T');
  const phone = await device(context);
  print(await phone.updatePushToken(context.values.token));
}

async function trust(context: Context): Promise<void> {
  const { vds, qr, service } = context.values;
  let serviceVds: string;
  if (typeof vds === 'string') serviceVds = vds;
  else if (typeof qr === 'string') serviceVds = scanQrPngFile(qr);
  else if (typeof service === 'string') {
    const served = await new IdTokenClient(context.server).get<{ serviceVds: string }>(
      `/services/${encodeURIComponent(service)}/vds`,
    );
    serviceVds = served.serviceVds;
  } else throw new UsageError('trust needs --vds TEXT, --qr FILE.png or --service ID');
  const phone = await device(context);
  const shown = await phone.inspectService(serviceVds);
  process.stderr.write(
    `Trusting "${shown.name}" (${shown.url}), which may ask for: ${shown.scp.join(', ') || 'nothing'}\n`,
  );
  print(await phone.trustService(serviceVds));
}

async function services(context: Context): Promise<void> {
  print(await (await device(context)).listServices());
}

async function untrust(context: Context): Promise<void> {
  if (typeof context.values.service !== 'string') throw new UsageError('untrust needs --service ID');
  print(await (await device(context)).untrustService(context.values.service));
}

async function login(context: Context): Promise<DeviceLogin> {
  const issuer = typeof context.values.issuer === 'string' ? context.values.issuer : undefined;
  return new DeviceLogin(await device(context), context.server, issuer);
}

/** What the phone's screen shows for a request: who asks, the code to compare, what they ask for. */
function describeRequest(request: LoginRequest): string {
  const who = `${request.serviceName}${request.serviceUrl ? ` (${request.serviceUrl})` : ''}`;
  const verified = request.serviceVerified ? 'verified' : 'NOT verified';
  return (
    `${who}, ${verified}, asks to sign in — code ${request.otp}, until ${request.expiresAt}\n` +
    `  wants: ${request.scopes.join(', ') || 'nothing'}\n  session: ${request.sessionId}\n`
  );
}

async function inbox(context: Context): Promise<void> {
  const requests = await (await login(context)).inbox();
  for (const request of requests) process.stderr.write(describeRequest(request));
  print({ requests });
}

async function listen(context: Context): Promise<void> {
  const phone = await login(context);
  const face = context.values.approve ? liveFace(context, 'listen --approve') : undefined;
  await new Promise<void>((resolve, reject) => {
    let handling = Promise.resolve();
    const listener = phone.listen((request) => {
      handling = handling
        .then(async () => {
          process.stderr.write(describeRequest(request));
          print(request);
          if (face)
            print(
              await phone.approve(request, { liveFaceTemplate: face, grantedScopes: grantedScopes(context, request) }),
            );
          if (context.values.once) {
            (await listener).close();
            resolve();
          }
        })
        .catch(reject);
    });
    listener.then(() => process.stderr.write('Listening for login requests (Ctrl-C to stop)…\n'), reject);
  });
}

function grantedScopes(context: Context, request: LoginRequest): string[] {
  if (typeof context.values.scopes !== 'string') return request.scopes;
  return context.values.scopes
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
}

async function approve(context: Context): Promise<void> {
  const phone = await login(context);
  const request = await chosenRequest(context, phone);
  process.stderr.write(describeRequest(request));
  // The user's comparison (spec §6, X.1280): the code on the phone must be the one the browser shows.
  if (typeof context.values.otp === 'string' && context.values.otp !== request.otp) {
    throw new UsageError(
      `the browser shows ${context.values.otp}, this request's code is ${request.otp}: not approved`,
    );
  }
  const liveFaceTemplate = liveFace(context, 'approve');
  print(await phone.approve(request, { liveFaceTemplate, grantedScopes: grantedScopes(context, request) }));
  rmSync(join(context.dir, SCANNED_QR_FILE), { force: true });
}

/** --session ID from the inbox or the last scanned QR; without it, the newest pending request. */
async function chosenRequest(context: Context, phone: DeviceLogin): Promise<LoginRequest> {
  const scannedFile = join(context.dir, SCANNED_QR_FILE);
  const scanned = existsSync(scannedFile) ? (JSON.parse(readFileSync(scannedFile, 'utf8')) as LoginRequest) : undefined;
  const wanted = context.values.session;
  if (scanned && (wanted === undefined || wanted === scanned.sessionId)) return scanned;
  const pending = await phone.inbox();
  const found = wanted === undefined ? pending.at(-1) : pending.find((request) => request.sessionId === wanted);
  if (!found) throw new UsageError(wanted ? `no pending request for session ${String(wanted)}` : 'no pending request');
  return found;
}

async function deny(context: Context): Promise<void> {
  if (typeof context.values.session !== 'string') throw new UsageError('deny needs --session ID');
  print(await (await login(context)).deny(context.values.session));
}

async function scanQr(context: Context): Promise<void> {
  const { qr, text } = context.values;
  const content = typeof text === 'string' ? text : typeof qr === 'string' ? scanQrPngFile(qr) : undefined;
  if (!content) throw new UsageError('scan-qr needs --qr FILE.png or --text IDTK1:…');
  const phone = await login(context);
  const request = await phone.scanQr(content);
  process.stderr.write(describeRequest(request));
  if (context.values.approve) {
    const liveFaceTemplate = liveFace(context, 'scan-qr --approve');
    print(await phone.approve(request, { liveFaceTemplate, grantedScopes: grantedScopes(context, request) }));
    return;
  }
  writeFileSync(join(context.dir, SCANNED_QR_FILE), JSON.stringify(request), { mode: 0o600 });
  print(request);
}

async function status(context: Context): Promise<void> {
  const { state } = new FileKeystore(context.dir).open();
  print({
    folder: context.dir,
    deviceId: state.deviceId,
    tokenId: state.tokenId ?? null,
    enrolledAt: state.enrolledAt ?? null,
  });
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ServerError) process.stderr.write(`server refused: ${error.message}\n`);
  else if (
    error instanceof FaceMismatchError ||
    error instanceof UsageError ||
    error instanceof VdsError ||
    error instanceof QrRefusedError
  )
    process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
