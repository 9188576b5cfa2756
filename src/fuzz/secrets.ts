// Secrets never reach an artifact. A header is secret by its name (the credential headers of the
// three services and their gateways, and any the caller names); the run remembers every value it
// sent under a secret name, from the transport, after anything that adds headers per request
// (a signer) has run, so a value a signer made is known as well as one the caller gave. Every
// artifact (case files, reproducer, report, JUnit, messages) is written through `scrub`: secret
// headers become placeholders naming an environment variable, and a remembered value found
// anywhere else (an error body that echoes the token) is replaced.

/** Header names always treated as secret (lower case). */
export const SECRET_HEADER_NAMES: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-subject-token',
  'x-api-key',
  'api-key',
]);

// Azure's Ocp-* keys (Ocp-Apim-Subscription-Key, ...), and names that say what they hold.
const SECRET_PATTERN = /^ocp-.*key|token|secret|password|api-?key|signature/;

/** Values shorter than this are replaced in headers by name only, not searched for in text. */
const MIN_SCRUBBED = 6;
/** At most this many values are remembered (a signer making one per request stops adding then). */
const MAX_VALUES = 4096;

/** The environment variable a reproducer reads a secret header from: `BATCHWIRE_HEADER_AUTHORIZATION`. */
export function secretEnvName(header: string): string {
  return `BATCHWIRE_HEADER_${header.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The text a secret header's value is replaced with in every artifact. */
export function secretPlaceholder(header: string): string {
  return `<redacted: set ${secretEnvName(header)}>`;
}

/** The secret policy and memory of one run. */
export class Secrets {
  private readonly extra: Set<string>;
  private readonly values = new Set<string>();
  /** Sorted longest first, so a value holding another is replaced whole. */
  private sorted: string[] | undefined;

  constructor(extraNames: Iterable<string> = []) {
    this.extra = new Set([...extraNames].map((n) => n.toLowerCase()));
  }

  /** Makes one more header name secret (a header a per-request signer wrote). */
  addName(name: string): void {
    this.extra.add(name.toLowerCase());
  }

  /** Whether a header of this name holds a secret. */
  isSecret(name: string): boolean {
    const lower = name.toLowerCase();
    return SECRET_HEADER_NAMES.includes(lower) || this.extra.has(lower) || SECRET_PATTERN.test(lower);
  }

  /** Remembers the values of the secret headers of a request that is being sent. */
  note(headers: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(headers)) {
      if (!this.isSecret(name)) continue;
      this.remember(value);
      // `Bearer TOKEN`, `SharedKey account:signature`, `a=1; b=2`: the parts are secrets too.
      for (const part of value.split(/[\s;,]+/)) {
        this.remember(part);
        const eq = part.indexOf('=');
        if (eq > 0) this.remember(part.slice(eq + 1));
        const colon = part.indexOf(':');
        if (colon > 0) this.remember(part.slice(colon + 1));
      }
    }
  }

  private remember(value: string): void {
    const v = value.trim();
    if (v.length < MIN_SCRUBBED || this.values.has(v) || this.values.size >= MAX_VALUES) return;
    this.values.add(v);
    this.sorted = undefined;
  }

  private list(): string[] {
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    return this.sorted;
  }

  /** A copy of headers with every secret one's value replaced by its placeholder. */
  redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[name] = this.isSecret(name) ? secretPlaceholder(name) : this.scrub(value);
    }
    return out;
  }

  /** The names of the secret headers among `headers`, with the environment variable of each. */
  secretNames(headers: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(headers)) if (this.isSecret(name)) out[name] = secretEnvName(name);
    return out;
  }

  /** `text` with every remembered secret value replaced. */
  scrub(text: string): string {
    let out = text;
    for (const value of this.list()) if (out.includes(value)) out = out.split(value).join('<redacted>');
    return out;
  }

  /** `bytes` with every remembered secret value replaced, in UTF-8 and in UTF-16 (either order). */
  scrubBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
    let out = Buffer.from(bytes);
    for (const value of this.list()) {
      for (const [encoded, mask] of forms(value)) {
        let at = out.indexOf(encoded);
        if (at < 0) continue;
        const parts: Buffer[] = [];
        let from = 0;
        while (at >= 0) {
          parts.push(out.subarray(from, at), mask);
          from = at + encoded.length;
          at = out.indexOf(encoded, from);
        }
        parts.push(out.subarray(from));
        out = Buffer.concat(parts);
      }
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.length) as Uint8Array<ArrayBuffer>;
  }
}

/** A value's byte forms, each with what replaces it (the same length is not needed: files are rewritten). */
function forms(value: string): [Buffer, Buffer][] {
  const le = Buffer.from(value, 'utf16le');
  const be = Buffer.from(le).swap16();
  return [
    [Buffer.from(value, 'utf8'), Buffer.from('<redacted>', 'utf8')],
    [le, Buffer.from('<redacted>', 'utf16le')],
    [be, Buffer.from(Buffer.from('<redacted>', 'utf16le')).swap16()],
  ];
}
