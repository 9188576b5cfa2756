// The differential test against saxes (issue 22): every document goes through saxes (xmlns on;
// a DOCTYPE counts as refused, since batchwire forbids it by design) and through batchwire's
// public readers. batchwire must never accept a document saxes refuses as not well-formed; where
// it refuses one saxes accepts, the difference must belong to a named category below. Every
// deliberate difference is listed here, with its reason, and in the README.
import { isBatchwireError } from 'batchwire';
import { parseFault } from 'batchwire/faults';
import { MessageArrayReader, parseBrokerClientStatus, parseMessageArray } from 'batchwire/soap';
import { SaxesParser } from 'saxes';
import { type DiffCase, hasLoneSurrogate } from './differential-cases.js';

/** What one reader made of a document. */
export type Verdict = { accepted: true } | { accepted: false; code: string; message: string };

/**
 * The public readers the documents go through:
 * - `status`: `parseBrokerClientStatus` with an XML content type, the one reader that reads any
 *   document whole (a well-formed document that is no status is `UNKNOWN_STATUS`: accepted);
 * - `status-bytes`: the same over the document's UTF-8 bytes (decoding, byte order mark, sniffing);
 * - `soap`, `soap-chunked`, `soap-bytes`: `parseMessageArray` on the text, `MessageArrayReader` fed
 *   the text in random chunks (cut anywhere, also inside surrogate pairs and references), and
 *   `parseMessageArray` on the bytes;
 * - `fault`: `parseFault`, which never throws: a fault recognised is accepted, `unknown` refused.
 */
export type Leg = 'status' | 'status-bytes' | 'soap' | 'soap-chunked' | 'soap-bytes' | 'fault';

const ACCEPTED: Verdict = { accepted: true };

class DoctypeSeen extends Error {}

/** saxes' verdict (namespaces on): a DOCTYPE is refused as soon as saxes reports it. */
export function saxesVerdict(text: string | undefined): Verdict {
  if (text === undefined) return { accepted: false, code: 'NOT_UTF8', message: 'the bytes are not UTF-8' };
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('doctype', () => {
    throw new DoctypeSeen('DOCTYPE');
  });
  try {
    parser.write(text).close();
    return ACCEPTED;
  } catch (error) {
    if (error instanceof DoctypeSeen) return { accepted: false, code: 'DOCTYPE', message: 'a DOCTYPE' };
    return { accepted: false, code: 'SAXES', message: (error as Error).message };
  }
}

function refused(error: unknown): Verdict {
  // A foreign error is a bug of its own: let it fail the run.
  if (!isBatchwireError(error)) throw error;
  return { accepted: false, code: error.code, message: error.message };
}

function statusVerdict(body: string | Uint8Array): Verdict {
  try {
    parseBrokerClientStatus(body, 'application/xml');
    return ACCEPTED;
  } catch (error) {
    if (isBatchwireError(error) && error.code === 'UNKNOWN_STATUS') return ACCEPTED;
    return refused(error);
  }
}

function soapVerdict(body: string | Uint8Array): Verdict {
  try {
    parseMessageArray(body);
    return ACCEPTED;
  } catch (error) {
    return refused(error);
  }
}

/** The SOAP reader fed `text` cut at `cuts` (sorted positions). */
export function chunkedVerdict(text: string, cuts: number[]): Verdict {
  try {
    const reader = new MessageArrayReader();
    let from = 0;
    for (const cut of [...cuts, text.length]) {
      reader.write(text.slice(from, cut));
      from = cut;
    }
    reader.end();
    return ACCEPTED;
  } catch (error) {
    return refused(error);
  }
}

function faultVerdict(text: string): Verdict {
  const fault = parseFault({ status: 500, body: text, contentType: 'application/xml' });
  return fault.service === 'unknown'
    ? { accepted: false, code: 'UNKNOWN_FAULT', message: 'no fault recognised' }
    : ACCEPTED;
}

/** Cuts for the chunked leg, drawn from `seed`: 1 to 6 anywhere, or every character of short text. */
export function cutsFor(text: string, seed: number): number[] {
  if (text.length <= 200 && seed % 8 === 0) return Array.from({ length: text.length - 1 }, (_, i) => i + 1);
  const cuts = new Set<number>();
  let state = seed >>> 0 || 1;
  for (let n = 1 + (seed % 6); n > 0; n--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    cuts.add(state % (text.length + 1));
  }
  return [...cuts].sort((a, b) => a - b);
}

/** Every leg's verdict on one case (legs that do not apply, or that `skip` names, are left out). */
export function batchwireVerdicts(
  c: DiffCase,
  seed: number,
  skip: (leg: Leg) => boolean = () => false,
): Partial<Record<Leg, Verdict>> {
  const out: Partial<Record<Leg, Verdict>> = {};
  const bytes =
    c.bytes ??
    (c.text !== undefined && !hasLoneSurrogate(c.text) ? new TextEncoder().encode(c.text) : undefined);
  const run = (leg: Leg, verdict: () => Verdict) => {
    if (!skip(leg)) out[leg] = verdict();
  };
  const text = c.text;
  if (text !== undefined) {
    run('status', () => statusVerdict(text));
    run('soap', () => soapVerdict(text));
    run('soap-chunked', () => chunkedVerdict(text, cutsFor(text, seed)));
    run('fault', () => faultVerdict(text));
  }
  if (bytes !== undefined) {
    run('status-bytes', () => statusVerdict(bytes));
    run('soap-bytes', () => soapVerdict(bytes));
  }
  return out;
}

/** What a category is shown: the document, one leg's verdict on it, saxes' verdict. */
export interface Difference {
  text: string | undefined;
  bytes: Uint8Array | undefined;
  leg: Leg;
  saxes: Verdict;
  batchwire: Verdict;
}

/**
 * A deliberate difference. `stricter`: batchwire refuses what saxes accepts; `looser`: batchwire
 * accepts what saxes refuses (each one is a place where saxes is not an XML 1.0 processor, or
 * reads what batchwire reads as bytes differently). `example` is a document that shows it.
 */
export interface Category {
  name: string;
  direction: 'stricter' | 'looser';
  reason: string;
  explains(d: Difference): boolean;
  example: { text: string; leg: Leg };
}

function message(v: Verdict): string {
  return v.accepted ? '' : v.message;
}

// The version an XML declaration at the very start gives, or undefined.
function declaredVersion(text: string | undefined): string | undefined {
  return /^\uFEFF?<\?xml\s+version\s*=\s*["']([^"']*)["']/.exec(text ?? '')?.[1];
}

// Namespace declarations' values trimmed as saxes trims them (String.prototype.trim: XML
// whitespace, and also U+FEFF, U+00A0, U+2028...), or undefined when none changes.
function trimNamespaceValues(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.replace(
    /(\sxmlns(?::[^\s=]*)?\s*=\s*)(["'])([^"'<]*)\2/g,
    (_, head: string, quote: string, value: string) => `${head}${quote}${value.trim()}${quote}`,
  );
  return trimmed === text ? undefined : trimmed;
}

// The document with its declared version made 1.0, or undefined when it declares none other.
function asVersion10(text: string | undefined): string | undefined {
  const version = declaredVersion(text);
  if (text === undefined || version === undefined || version === '1.0') return undefined;
  return text.replace(/version\s*=\s*["'][^"']*["']/, 'version="1.0"');
}

/**
 * Whether a difference goes once its cause is taken out of the document (`changed`): saxes and
 * the leg then agree, or what still differs is explained by another category.
 */
function vanishes(d: Difference, changed: string | undefined, except: string): boolean {
  if (changed === undefined) return false;
  const saxes = saxesVerdict(changed);
  const batchwire = legVerdict(d.leg, changed);
  if (saxes.accepted === batchwire.accepted) return true;
  const next: Difference = { text: changed, bytes: undefined, leg: d.leg, saxes, batchwire };
  const direction = batchwire.accepted ? 'looser' : 'stricter';
  return CATEGORIES.some((c) => c.name !== except && c.direction === direction && c.explains(next));
}

const SOAP_LEGS: readonly Leg[] = ['soap', 'soap-chunked', 'soap-bytes'];
// What the SOAP reader refuses in well-formed XML: the shape of a message array.
const FORMAT_CODES = new Set(['MALFORMED_RECORD', 'COUNT_MISMATCH', 'TRAILING_DATA']);

/** The deliberate differences, each with its reason. */
export const CATEGORIES: readonly Category[] = [
  {
    name: 'not-a-message-array',
    direction: 'stricter',
    reason:
      'the SOAP reader reads message arrays: well-formed XML that is no array of envelopes, or lacks the closing EndOfGetResponse envelope or its count, is refused (MALFORMED_RECORD, COUNT_MISMATCH, TRAILING_DATA, TRUNCATED)',
    explains: (d) =>
      SOAP_LEGS.includes(d.leg) &&
      !d.batchwire.accepted &&
      (FORMAT_CODES.has(d.batchwire.code) ||
        (d.batchwire.code === 'TRUNCATED' && d.batchwire.message.includes('EndOfGetResponse'))),
    example: { text: '<a><b/></a>', leg: 'soap' },
  },
  {
    name: 'not-a-fault',
    direction: 'stricter',
    reason: 'parseFault recognises fault bodies only: well-formed XML of another shape is service "unknown"',
    explains: (d) => d.leg === 'fault' && !d.batchwire.accepted && d.batchwire.code === 'UNKNOWN_FAULT',
    example: { text: '<a/>', leg: 'fault' },
  },
  {
    name: 'limits',
    direction: 'stricter',
    reason:
      'depth and size limits (maxDepth: 64 for message arrays, 32 for fault bodies, 8 for BrokerClientStatus) bound what a hostile document costs',
    explains: (d) => !d.batchwire.accepted && d.batchwire.code === 'LIMIT_EXCEEDED',
    example: { text: '<a><a><a><a><a><a><a><a><a/></a></a></a></a></a></a></a></a>', leg: 'status' },
  },
  {
    name: 'version-1.1-read-as-1.0',
    direction: 'stricter',
    reason:
      'batchwire is an XML 1.0 processor: a document declaring version 1.1 (or any 1.x) is read by the 1.0 rules, as XML 1.0 section 2.8 says, so references to C0 controls, xmlns:p="" and U+0085 or U+2028 as whitespace stay errors; saxes applies the XML 1.1 rules',
    explains: (d) => vanishes(d, asVersion10(d.text), 'version-1.1-read-as-1.0'),
    example: { text: '<?xml version="1.1"?><a>&#x1;</a>', leg: 'status' },
  },
  {
    name: 'version-1.1-restricted-characters',
    direction: 'looser',
    reason:
      'the same rule the other way: XML 1.0 allows U+007F-U+009F as characters, XML 1.1 only as references; batchwire reads a 1.1 document by the 1.0 rules and accepts them raw',
    explains: (d) => vanishes(d, asVersion10(d.text), 'version-1.1-restricted-characters'),
    example: { text: '<?xml version="1.1"?><a>\u0080</a>', leg: 'status' },
  },
  {
    name: 'pi-target-then-question-mark',
    direction: 'stricter',
    reason:
      "XML 1.0 production [16] requires whitespace or '?>' after a processing instruction's target; saxes also accepts '<?pi?x?>'",
    explains: (d) =>
      message(d.batchwire).includes('a processing instruction target must be followed by whitespace') &&
      /<\?[^\s?>]+\?[^>]/.test(d.text ?? ''),
    example: { text: '<a><?pi?x?></a>', leg: 'status' },
  },
  {
    name: 'namespace-uri-as-written',
    direction: 'looser',
    reason:
      'a namespace name is the attribute value as normalized, compared character for character (Namespaces 1.0 sections 2.2-2.3); saxes trims it, so xmlns:p=" " is an undeclaration and " http://www.w3.org/2000/xmlns/" the reserved namespace to saxes, and neither to batchwire',
    explains: (d) => vanishes(d, trimNamespaceValues(d.text), 'namespace-uri-as-written'),
    example: { text: '<a xmlns:p=" "/>', leg: 'status' },
  },
  {
    name: 'namespace-uri-as-written',
    direction: 'stricter',
    reason:
      'the same rule the other way: xmlns:xml=" http://www.w3.org/XML/1998/namespace" binds xml to another name than its own, which batchwire refuses and saxes, trimming, accepts',
    explains: (d) => vanishes(d, trimNamespaceValues(d.text), 'namespace-uri-as-written'),
    example: { text: '<a xmlns:xml=" http://www.w3.org/XML/1998/namespace"/>', leg: 'status' },
  },
  {
    name: 'lone-surrogate',
    direction: 'stricter',
    reason:
      'a surrogate half alone is no XML character (production [2]); saxes lets a lone high surrogate through when a character other than a low surrogate follows it',
    explains: (d) =>
      message(d.batchwire).includes('half of a surrogate pair alone') && hasLoneSurrogate(d.text ?? ''),
    example: { text: '<a>\uD800x</a>', leg: 'status' },
  },
  {
    name: 'declared-encoding-of-bytes',
    direction: 'stricter',
    reason:
      'batchwire decodes bytes as UTF-8 or UTF-16 only: bytes whose XML declaration names another encoding are INVALID_ENCODING (saxes reads text and never decodes)',
    explains: (d) =>
      (d.leg === 'status-bytes' || d.leg === 'soap-bytes') &&
      !d.batchwire.accepted &&
      d.batchwire.code === 'INVALID_ENCODING' &&
      d.batchwire.message.includes('the XML declaration names encoding'),
    example: { text: '<?xml version="1.0" encoding="latin1"?><a/>', leg: 'status-bytes' },
  },
];

/**
 * Known bugs: batchwire accepts a document that is not well-formed, or never returns. Each stays
 * visible as an `it.fails` in the test until fixed. `matches` sets aside the cases that would
 * meet it (batchwire is not run on them, they are counted apart), so that the run can look for
 * anything else; remove the entry with the fix and the run checks those cases again.
 */
/** A bug the differential run found, kept as a regression case once fixed. */
export type DiffBug = {
  name: string;
  what: string;
  /** Whether the bug can meet this document on this leg (`cuts`: the chunked leg's cuts). */
  matches(text: string, leg: Leg, cuts: number[]): boolean;
  /** A document batchwire accepts, though it is not well-formed. */
  accepted?: { text: string; leg: Leg };
  /** A document on which batchwire never returns. */
  hangs?: { text: string; leg: Leg };
  /** Chunks on which the SOAP reader never returns. */
  chunkHangs?: string[];
  /** Chunks whose verdict differs from the whole document's. */
  chunks?: string[];
};

/** Bugs found and fixed (issue 22): their examples stay as regression tests. */
export const FIXED_BUGS: readonly DiffBug[] = [
  {
    name: 'reference-cut-by-markup',
    what: "a reference still open when '<' comes is never finished (src/core/xml-scanner.ts, scanContent/textSlow): '&' right before '<' in one piece leaves it open across the markup, so the characters after the markup complete it, or the scan loops forever when markup follows; a piece that ends inside a reference ('&#x', '&am') followed by a piece that starts with '<' loops forever",
    // Whole text: '&' right before '<'. Chunked: any reference prefix before '<' (a cut may fall
    // anywhere in it).
    matches: (text, leg) =>
      leg === 'soap-chunked' ? /&(?:#x?[0-9A-Fa-f]*|[A-Za-z_:][\w.:-]*)?</.test(text) : text.includes('&<'),
    accepted: { text: '<a>&<b/>amp;</a>', leg: 'status' },
    hangs: { text: '<a><b>&</b></a>', leg: 'status' },
    chunkHangs: ['<a>&#x', '</a>'],
  },
  {
    name: 'byte-order-mark-after-empty-chunk',
    what: 'a string whose U+FEFF comes in the second chunk, after an empty one, keeps the mark as text: "text before the root element", where the whole string reads',
    matches: (text, leg, cuts) => leg === 'soap-chunked' && text.startsWith('\uFEFF') && cuts[0] === 0,
    chunks: ['', '\uFEFF<a/>'],
  },
];

/** Open bugs whose cases the run sets aside (none today; add one with its owner, remove it with its fix). */
export const KNOWN_BUGS: readonly DiffBug[] = [];

/** The verdict of `leg` on `text` alone (for the examples; `cuts` for the chunked leg, else every character). */
export function legVerdict(leg: Leg, text: string, cuts?: number[]): Verdict {
  switch (leg) {
    case 'status':
      return statusVerdict(text);
    case 'status-bytes':
      return statusVerdict(new TextEncoder().encode(text));
    case 'soap':
      return soapVerdict(text);
    case 'soap-chunked':
      return chunkedVerdict(text, cuts ?? Array.from({ length: text.length - 1 }, (_, i) => i + 1));
    case 'soap-bytes':
      return soapVerdict(new TextEncoder().encode(text));
    default:
      return faultVerdict(text);
  }
}

/** A difference no category explains, or a chunking-dependent verdict. */
export interface Finding {
  kind: 'accepts-not-well-formed' | 'unexplained-refusal' | 'chunking-changes-verdict' | 'hang';
  leg: Leg;
  labels: string[];
  saxes: Verdict;
  batchwire: Verdict;
  /** The document, JSON-quoted (cut at 2 000 characters), or its bytes in hex. */
  document: string;
}

/** Counts and findings of a run. */
export interface DiffSummary {
  cases: number;
  /** Verdicts compared (one per leg per case). */
  comparisons: number;
  saxesRefused: number;
  /** How many differences each category explained, by `direction:name`. */
  categories: Record<string, number>;
  /** Verdicts set aside for each known bug (that leg not run on that case). */
  knownBugs: Record<string, number>;
  /** Refusals on both sides, by batchwire's code (for the record). */
  bothRefused: Record<string, number>;
  findings: Finding[];
}

export function emptySummary(): DiffSummary {
  const categories: Record<string, number> = {};
  for (const c of CATEGORIES) categories[`${c.direction}:${c.name}`] = 0;
  const knownBugs: Record<string, number> = {};
  for (const bug of KNOWN_BUGS) knownBugs[bug.name] = 0;
  return { cases: 0, comparisons: 0, saxesRefused: 0, categories, knownBugs, bothRefused: {}, findings: [] };
}

function documentOf(c: DiffCase): string {
  if (c.text === undefined)
    return `bytes ${Buffer.from(c.bytes ?? [])
      .toString('hex')
      .slice(0, 4000)}`;
  return JSON.stringify(c.text.length > 2000 ? `${c.text.slice(0, 2000)}...` : c.text);
}

/** Checks one case into `summary`. */
export function checkCase(c: DiffCase, seed: number, summary: DiffSummary): void {
  summary.cases++;
  const saxes = saxesVerdict(c.text);
  if (!saxes.accepted) summary.saxesRefused++;
  const text = c.text ?? new TextDecoder().decode(c.bytes);
  const cuts = cutsFor(text, seed);
  const skip = (leg: Leg) => {
    const bug = KNOWN_BUGS.find((b) => b.matches(text, leg, cuts));
    if (bug !== undefined) summary.knownBugs[bug.name]!++;
    return bug !== undefined;
  };
  const verdicts = batchwireVerdicts(c, seed, skip);
  const add = (kind: Finding['kind'], leg: Leg, batchwire: Verdict) =>
    summary.findings.push({ kind, leg, labels: c.labels, saxes, batchwire, document: documentOf(c) });
  for (const [leg, batchwire] of Object.entries(verdicts) as [Leg, Verdict][]) {
    summary.comparisons++;
    if (saxes.accepted === batchwire.accepted) {
      if (!batchwire.accepted)
        summary.bothRefused[batchwire.code] = (summary.bothRefused[batchwire.code] ?? 0) + 1;
      continue;
    }
    // parseFault refuses what is no fault; whether the XML itself is well-formed, the status leg says.
    if (leg === 'fault' && !batchwire.accepted && verdicts.status?.accepted === false) continue;
    const difference: Difference = { text: c.text, bytes: c.bytes, leg, saxes, batchwire };
    const direction = batchwire.accepted ? 'looser' : 'stricter';
    const category = CATEGORIES.find((k) => k.direction === direction && k.explains(difference));
    if (category !== undefined) summary.categories[`${direction}:${category.name}`]!++;
    else add(batchwire.accepted ? 'accepts-not-well-formed' : 'unexplained-refusal', leg, batchwire);
  }
  const whole = verdicts.soap;
  const chunked = verdicts['soap-chunked'];
  if (whole !== undefined && chunked !== undefined) {
    const same = whole.accepted ? chunked.accepted : !chunked.accepted && chunked.code === whole.code;
    if (!same) add('chunking-changes-verdict', 'soap-chunked', chunked);
  }
}
