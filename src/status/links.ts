// Where paging may go: every link resolved exactly as the WHATWG URL parser (and so fetch)
// resolves it, the origin of that URL checked, and that URL, absolute, handed to the caller.
import { BatchwireError, invalidArgument } from '../core/errors.js';

function malformed(message: string): BatchwireError {
  return new BatchwireError('MALFORMED_DOCUMENT', message, 0);
}

function quoted(text: string): string {
  return JSON.stringify(text.slice(0, 200));
}

/** The origin of an absolute http(s) URL, or `undefined`. */
export function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A 64-bit digest of a link (two independent 32-bit lanes), so a seen-link set costs 16
 * characters per page whatever the links' length, and lookups do not depend on how the engine
 * hashes long strings (some hash only a string's length past a size, making a Set quadratic).
 */
export function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x3b9aca07 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  // Final avalanche of each lane.
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 16;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The caller's allowed origins, normalised. */
export function allowedOriginsOf(value: unknown, what: string): Set<string> {
  const origins = new Set<string>();
  if (value === undefined) return origins;
  if (!Array.isArray(value)) throw invalidArgument(`${what}: allowedOrigins must be a list of origins`);
  for (const entry of value) {
    const origin = typeof entry === 'string' ? originOf(entry) : undefined;
    if (origin === undefined) {
      const shown = typeof entry === 'string' ? quoted(entry) : typeof entry;
      throw invalidArgument(`${what}: allowedOrigins: ${shown} is not an http(s) origin`);
    }
    origins.add(origin);
  }
  return origins;
}

/** Where links may go: the first request's origin (once known) and the caller's extra origins. */
export class LinkPolicy {
  private base: URL | undefined;

  constructor(
    first: string | undefined,
    private readonly allowed: ReadonlySet<string>,
  ) {
    if (first !== undefined) this.pin(first);
  }

  get pinned(): boolean {
    return this.base !== undefined;
  }

  /** The pinned URL (the first request's), as an absolute string. */
  get href(): string | undefined {
    return this.base?.href;
  }

  pin(url: string): void {
    if (this.base !== undefined) return;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') this.base = parsed;
    } catch {
      // Not an absolute URL: nothing to pin to yet.
    }
  }

  /**
   * The absolute URL `link` leads to from the page at `from` (else the first request), resolved
   * as `new URL(link, base)` does (C0 controls and spaces around it dropped, tabs and newlines
   * removed, `\` read as `/`), after checking that it is http(s), carries no credentials, and
   * is on the pinned origin or an allowed one. The first absolute link pins the origin when
   * nothing else has. `where` names the link in messages (`page 3`, `startAt`).
   */
  resolve(link: string, from: string | undefined, where: string): string {
    const base = from ?? this.base?.href;
    let url: URL;
    try {
      url = base === undefined ? new URL(link) : new URL(link, base);
    } catch {
      if (base === undefined) {
        throw malformed(
          `${where} links to the relative ${quoted(link)}, and the first request's URL is unknown: pass the url option or return the Response`,
        );
      }
      throw malformed(`${where} links to ${quoted(link)}, which is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw malformed(`${where} links to a ${url.protocol} URL; only http(s) links are followed`);
    }
    if (url.username !== '' || url.password !== '') {
      throw malformed(`${where} links to a URL with credentials in it; it is not followed`);
    }
    if (this.base === undefined) this.base = url;
    const origin = url.origin;
    if (origin !== this.base.origin && !this.allowed.has(origin)) {
      throw malformed(
        `${where} links to ${origin}, not the origin of the first request (${this.base.origin}): the link is not followed (list the origin in allowedOrigins to allow it)`,
      );
    }
    return url.href;
  }
}

/**
 * `url` with its `maxresults` query parameter set to `size` (replaced where present, appended
 * otherwise). The rest of the URL is kept byte for byte: re-serialising the query would change
 * how `$filter` and `$skiptoken` are encoded.
 */
export function withMaxResults(url: string, size: number): string {
  const hash = url.indexOf('#');
  const fragment = hash < 0 ? '' : url.slice(hash);
  const head = hash < 0 ? url : url.slice(0, hash);
  const mark = head.indexOf('?');
  const path = mark < 0 ? head : head.slice(0, mark);
  const query = mark < 0 ? '' : head.slice(mark + 1);
  const parts: string[] = [];
  let set = false;
  for (const part of query === '' ? [] : query.split('&')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    if (name !== 'maxresults') {
      parts.push(part);
    } else if (!set) {
      parts.push(`maxresults=${size}`);
      set = true;
    }
  }
  if (!set) parts.push(`maxresults=${size}`);
  return `${path}?${parts.join('&')}${fragment}`;
}
