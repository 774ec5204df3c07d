// Real SAML peers for e2e tests: the IdP's output is judged by independent tools installed from
// Debian packages, never by the library that produced it.
//   xmlsec1 (1.2.37)             — XML-DSig verification
//   xmllint (libxml2-utils)      — XSD validation against the OASIS schemas shipped by opensaml-schemas
//   python3-saml (onelogin)      — a full, strict SP-side validation of a Response (test/support/saml-sp.py)
// Each tool runs through execFile (no shell) on temp files in a fresh mkdtemp folder that is removed afterwards.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const OPENSAML_SCHEMAS = '/usr/share/xml/opensaml';
const XMLTOOLING_SCHEMAS = '/usr/share/xml/xmltooling';
/** python3-onelogin-saml2 is installed for Debian's interpreter only (the `python3` on PATH may be another). */
const SYSTEM_PYTHON = '/usr/bin/python3';
const SP_SCRIPT = fileURLToPath(new URL('./saml-sp.py', import.meta.url));
const TOOL_TIMEOUT_MS = 20_000;

/**
 * The Debian packages these peers need that this machine lacks (`.ci/run` installs them). Without them the peer
 * checks are skipped with a warning — unless IDTOKEN_REQUIRE_SAML_PEERS=1 (set by `.ci/run`), where a missing peer
 * fails the run instead of silently checking less.
 */
export function missingSamlPeers(): string[] {
  const missing: string[] = [];
  const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (!onPath('xmlsec1')) missing.push('xmlsec1');
  if (!onPath('xmllint')) missing.push('libxml2-utils');
  if (!existsSync(`${OPENSAML_SCHEMAS}/saml-schema-metadata-2.0.xsd`)) missing.push('opensaml-schemas');
  if (!existsSync(`${XMLTOOLING_SCHEMAS}/xmldsig-core-schema.xsd`)) missing.push('xmltooling-schemas');
  if (spawnSync(SYSTEM_PYTHON, ['-c', 'import onelogin.saml2']).status !== 0) missing.push('python3-onelogin-saml2');
  return missing;
}

/** Whether the peer checks run here (see missingSamlPeers); warns once with what to install when they do not. */
export function samlPeersAvailable(): boolean {
  const missing = missingSamlPeers();
  if (missing.length === 0) return true;
  if (process.env.IDTOKEN_REQUIRE_SAML_PEERS === '1') {
    throw new Error(`SAML test peers missing: apt-get install ${missing.join(' ')}`);
  }
  console.warn(`SAML peer checks skipped: apt-get install ${missing.join(' ')} to run them (.ci/run does)`);
  return false;
}

export interface ToolVerdict {
  /** The tool accepted the input (exit status 0). */
  ok: boolean;
  /** What the tool printed (stdout then stderr), for assertion messages. */
  output: string;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args…` without a shell; resolves with its exit status, rejects only if it could not run to an exit. */
async function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  const running = execFileAsync(file, args, {
    env: options.env ?? process.env,
    timeout: TOOL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    encoding: 'utf8',
  });
  // A tool may exit before reading its input (xmlsec1 never reads it): the EPIPE that follows is no verdict, the
  // exit status is. Without this listener the pipe error would escape as an uncaught exception.
  running.child.stdin?.on('error', () => undefined);
  running.child.stdin?.end(options.input ?? '');
  try {
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    // A numeric code is the tool's exit status (a verdict); anything else (ENOENT, a signal, the timeout) is not.
    if (typeof failure.code === 'number') {
      return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
    }
    throw error;
  }
}

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'idtoken-saml-peers-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function verdict(result: RunResult): ToolVerdict {
  return { ok: result.code === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** `urn:…:Response` → `{ ns: 'urn:…', local: 'Response' }` (xmlsec1's `[<node-namespace-uri>:]<node-name>`). */
function splitQualifiedName(qualified: string): { ns: string; local: string } {
  const at = qualified.lastIndexOf(':');
  const ns = at < 0 ? '' : qualified.slice(0, at);
  const local = qualified.slice(at + 1);
  if (!/^[A-Za-z_][\w.-]*$/.test(local) || /['"]/.test(ns)) throw new Error(`bad element name: ${qualified}`);
  return { ns, local };
}

/**
 * XPath (1.0) of the enveloped signature of the first `element` (`<namespace-uri>:<local-name>`) in the document,
 * as SAML (saml-core §5.4.2) requires it: a `ds:Signature` that is a direct child of the signed element and whose
 * SignedInfo has exactly one Reference, pointing at that element's ID. Anything else selects no node, and xmlsec1
 * then fails — so a signature that covers some other element does not count as this element's signature.
 */
export function enclosedSignatureXPath(element: string): string {
  const { ns, local } = splitQualifiedName(element);
  const ds = (name: string) => `*[local-name()='${name}' and namespace-uri()='${DSIG_NS}']`;
  return (
    `/descendant-or-self::*[local-name()='${local}' and namespace-uri()='${ns}'][1]` +
    `/${ds('Signature')}` +
    `[count(${ds('SignedInfo')}/${ds('Reference')})=1]` +
    `[${ds('SignedInfo')}/${ds('Reference')}[@URI=concat('#', ../../../@ID)]]`
  );
}

/**
 * Verifies ONE XML signature of `xml` with xmlsec1, using ONLY `certificatePem`'s public key:
 *
 *   xmlsec1 --verify --pubkey-cert-pem <cert> --enabled-key-data key-name --id-attr:ID <idAttr>
 *           --node-xpath <signature> --enabled-reference-uris same-doc <file>
 *
 * Key selection. Neither `--pubkey-cert-pem` nor `--trusted-pem` alone stops xmlsec1 from taking the key out of the
 * document: xmlsec1 first reads <ds:KeyInfo> with every key-data class enabled, so a document signed with any key
 * that carries that key as <ds:KeyValue><ds:RSAKeyValue> verifies "OK" against an unrelated certificate given with
 * either option (tried on 1.2.37). `--trusted-pem` further makes KeyInfo's <ds:X509Certificate> the key, accepted
 * when it chains to the trusted certificate (PKIX, with validity dates) — not SAML metadata's key-pinning model.
 * So the certificate is loaded into the keys manager with `--pubkey-cert-pem` (its public key, no chain/date
 * checks, as SAML metadata interop intends), and `--enabled-key-data key-name` turns off every KeyInfo reader that
 * can produce a key from the document (key-value, x509, raw-x509-cert, retrieval-method, enc-key): a <ds:KeyName>
 * can only look a key up in the keys manager, which holds our certificate alone; failing that, xmlsec1 falls back
 * to the manager's only key. (An empty list means "all", hence key-name rather than nothing.)
 *
 * Which signature. A Response may carry two: the Response's and the Assertion's. Each is verified in the intact
 * document (nothing is removed: removing the other signature would change what the Response signature's digest
 * covers). `--node-xpath` selects the signature to check; by default `enclosedSignatureXPath(idAttr)`, i.e. the
 * enveloped signature of the first `idAttr` element, with its single Reference pointing at that element.
 * `--node-id` is not used: it starts at the element with that ID and verifies the first <ds:Signature> below it in
 * document order, which for a Response whose own signature is missing is the Assertion's.
 *
 * `idAttr` (e.g. `urn:oasis:names:tc:SAML:2.0:protocol:Response` or `urn:oasis:names:tc:SAML:2.0:assertion:Assertion`)
 * is registered with `--id-attr:ID` so `URI="#…"` resolves (SAML's `ID` attributes are not DTD IDs); only
 * same-document references are allowed. `node` overrides the XPath of the <ds:Signature> to verify.
 */
export async function xmlsec1Verify(
  xml: string,
  options: { certificatePem: string; idAttr: string; node?: string },
): Promise<ToolVerdict> {
  const { certificatePem, idAttr } = options;
  const node = options.node ?? enclosedSignatureXPath(idAttr);
  return withTempDir(async (dir) => {
    const certFile = join(dir, 'signer.pem');
    const xmlFile = join(dir, 'document.xml');
    await writeFile(certFile, certificatePem);
    await writeFile(xmlFile, xml);
    const result = await run('xmlsec1', [
      '--verify',
      '--pubkey-cert-pem',
      certFile,
      '--enabled-key-data',
      'key-name',
      '--id-attr:ID',
      idAttr,
      '--node-xpath',
      node,
      '--enabled-reference-uris',
      'same-doc',
      xmlFile,
    ]);
    return verdict(result);
  });
}

/**
 * The OASIS schemas import xmldsig, xenc and xml.xsd by their W3C URLs (`schemaLocation="http://www.w3.org/…"`).
 * The catalogs shipped by opensaml-schemas/xmltooling-schemas map namespace URIs (how Xerces looks schemas up),
 * which libxml2 never asks for: it resolves the schemaLocation URL. This catalog maps those URLs to the local
 * copies from xmltooling-schemas, then defers to the shipped catalogs.
 */
const SCHEMA_LOCATION_CATALOG = `<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <system systemId="http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd" uri="file://${XMLTOOLING_SCHEMAS}/xmldsig-core-schema.xsd"/>
  <system systemId="http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd" uri="file://${XMLTOOLING_SCHEMAS}/xenc-schema.xsd"/>
  <system systemId="http://www.w3.org/2001/xml.xsd" uri="file://${XMLTOOLING_SCHEMAS}/xml.xsd"/>
  <nextCatalog catalog="file://${OPENSAML_SCHEMAS}/saml20-catalog.xml"/>
  <nextCatalog catalog="file://${XMLTOOLING_SCHEMAS}/catalog.xml"/>
</catalog>
`;

const SCHEMAS = {
  metadata: `${OPENSAML_SCHEMAS}/saml-schema-metadata-2.0.xsd`,
  protocol: `${OPENSAML_SCHEMAS}/saml-schema-protocol-2.0.xsd`,
} as const;

/**
 * Validates `xml` against the SAML 2.0 metadata or protocol schema, offline:
 *
 *   XML_CATALOG_FILES=<catalog> xmllint --noout --nonet --schema /usr/share/xml/opensaml/saml-schema-<schema>-2.0.xsd <file>
 *
 * `--nonet` forbids any network fetch, so the imported schemas must come from the catalog (see above); a schema
 * that fails to load makes xmllint fail (exit 5), never silently pass. `ok` is exit status 0 ("<file> validates").
 */
export async function xmllintValidate(xml: string, schema: 'metadata' | 'protocol'): Promise<ToolVerdict> {
  return withTempDir(async (dir) => {
    const catalogFile = join(dir, 'catalog.xml');
    const xmlFile = join(dir, 'document.xml');
    await writeFile(catalogFile, SCHEMA_LOCATION_CATALOG);
    await writeFile(xmlFile, xml);
    const result = await run('xmllint', ['--noout', '--nonet', '--schema', SCHEMAS[schema], xmlFile], {
      env: { ...process.env, XML_CATALOG_FILES: catalogFile },
    });
    return verdict(result);
  });
}

export interface PythonSpInput {
  spEntityId: string;
  /** The SP's ACS URL; the request python3-saml sees is derived from it, so Destination/Recipient are checked. */
  acsUrl: string;
  idpEntityId: string;
  idpSsoUrl: string;
  /** The only certificate the SP accepts signatures from. */
  idpCertificatePem: string;
  samlResponseBase64: string;
  /** The AuthnRequest ID the SP sent; when given, InResponseTo must match it. */
  requestId?: string;
  wantAssertionsSigned?: boolean;
  wantMessagesSigned?: boolean;
  wantNameIdEncrypted?: boolean;
  /** Reject a response whose assertion is not encrypted (needs the SP key pair). Default false. */
  wantAssertionsEncrypted?: boolean;
  /** Require an AttributeStatement (python3-saml's default, true). */
  wantAttributeStatement?: boolean;
  /** The SP's key pair, so it can decrypt an EncryptedAssertion / EncryptedID. */
  spPrivateKeyPem?: string;
  spCertificatePem?: string;
}

export interface PythonSpResult {
  valid: boolean;
  /** python3-saml's reason for rejecting the response, or null when valid. */
  error: string | null;
  nameId: string | null;
  nameIdFormat: string | null;
  sessionIndex: string | null;
  attributes: Record<string, string[]>;
  issuers: string[];
}

/**
 * Has python3-saml (strict mode, no check disabled) validate a base64 SAMLResponse as the SP's ACS endpoint
 * would: `/usr/bin/python3 -I test/support/saml-sp.py`, input as JSON on stdin, one JSON object on stdout.
 * Resolves with the verdict (valid or not); rejects only if the script crashed (a harness problem).
 */
export async function pythonSpValidate(input: PythonSpInput): Promise<PythonSpResult> {
  // -I: isolated mode — no PYTHON* variables, user site-packages or script directory on sys.path.
  const result = await run(SYSTEM_PYTHON, ['-I', SP_SCRIPT], { input: JSON.stringify(input) });
  if (result.code !== 0) {
    throw new Error(`saml-sp.py crashed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
  }
  return JSON.parse(result.stdout) as PythonSpResult;
}
