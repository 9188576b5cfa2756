// HTTPS for the emulator: a certificate authority and a server certificate made at start for
// localhost, 127.0.0.1 and ::1 (or the caller's own PEM files). Keys come from node:crypto; the
// X.509 documents are built and signed with node-forge (one package, no dependencies, no global
// side effects), loaded only here and only when a certificate is made: no codec subpath loads it.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { invalidArgument } from '../core/errors.js';

/** The PEM documents a TLS listener needs, and the certificate a client should trust. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** The certificate to trust: the made CA, or the given certificate. */
  ca: string;
}

const WHAT = 'startEmulator: tls';

function rsaKeys(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

/** A CA and a server certificate it signed, for the loopback names, valid for 30 days. */
export async function makeLoopbackCertificate(): Promise<TlsMaterial> {
  const loaded = (await import('node-forge')) as unknown as { default?: typeof import('node-forge') };
  // node-forge is CommonJS: its exports are `default` when imported from ESM.
  const forge = loaded.default ?? (loaded as unknown as typeof import('node-forge'));
  const { pki, md } = forge;
  const now = Date.now();
  const validity = (cert: { validity: { notBefore: Date; notAfter: Date } }) => {
    // An hour back: a client whose clock is a little behind still accepts it.
    cert.validity.notBefore = new Date(now - 3_600_000);
    cert.validity.notAfter = new Date(now + 30 * 86_400_000);
  };
  const serial = () => `01${randomBytes(15).toString('hex')}`;
  const caPair = rsaKeys();
  const caKey = pki.privateKeyFromPem(caPair.privateKey);
  const caCert = pki.createCertificate();
  caCert.publicKey = pki.publicKeyFromPem(caPair.publicKey);
  caCert.serialNumber = serial();
  validity(caCert);
  const caName = [
    { name: 'commonName', value: 'batchwire emulator CA' },
    { name: 'organizationName', value: 'batchwire' },
  ];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKey, md.sha256.create());
  const pair = rsaKeys();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(pair.publicKey);
  cert.serialNumber = serial();
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, md.sha256.create());
  return { cert: pki.certificateToPem(cert), key: pair.privateKey, ca: pki.certificateToPem(caCert) };
}

/** The first certificate of a PEM text, checked by node:crypto; the message never quotes a key. */
function checkedCertificate(pem: string): string {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem);
  if (match === null) throw invalidArgument(`${WHAT}: cert holds no PEM certificate`);
  try {
    new X509Certificate(match[0]);
  } catch {
    throw invalidArgument(`${WHAT}: cert is not a readable X.509 certificate`);
  }
  return `${match[0]}\n`;
}

/**
 * The TLS material of the `tls` option: `undefined` for none (`false`, absent), a made one for
 * `true`, the given one for `{ cert, key }` (PEM text).
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for any other value
 */
export async function tlsMaterialOf(value: unknown): Promise<TlsMaterial | undefined> {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return await makeLoopbackCertificate();
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument(`${WHAT}: tls must be true or { cert, key } (PEM text)`);
  const { cert, key } = value as { cert?: unknown; key?: unknown };
  if (typeof cert !== 'string' || typeof key !== 'string')
    throw invalidArgument(`${WHAT}: tls must be true or { cert, key } (PEM text)`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key))
    throw invalidArgument(`${WHAT}: key holds no PEM private key`);
  return { cert, key, ca: checkedCertificate(cert) };
}
