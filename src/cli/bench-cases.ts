// The cases `batchwire bench` (and `npm run bench`) time for each format: batchwire's decoder,
// then each baseline whose package is installed (iconv-lite, sax, saxes, fast-xml-parser, the
// OData parsers), and the helpers both share: chunking, the split baseline, the separator scan.
import { createRequire } from 'node:module';
import { parseFault } from '../faults/parse.js';
import { GenericRequestDecoder, GenericResponseDecoder } from '../generic/index.js';
import { parseFilter } from '../odata/index.js';
import { MessageArrayReader } from '../soap/index.js';

/** The formats `bench` measures. */
export const BENCH_FORMATS = ['generic', 'generic-requests', 'soap', 'filter', 'fault'] as const;
/** One of {@link BENCH_FORMATS}. */
export type BenchFormat = (typeof BENCH_FORMATS)[number];

/** One thing to time: `run` returns a count (records, events...) that must not change between rounds. */
export interface BenchCase {
  name: string;
  baseline: boolean;
  run(): number;
}

const requireHere = createRequire(import.meta.url);

// A baseline package, if installed where batchwire is (the caller's project, or this repository).
function optional<T>(name: string): T | undefined {
  try {
    return requireHere(name) as T;
  } catch {
    return undefined;
  }
}

/** `body` in chunks of `size` bytes (one empty chunk for an empty body). */
export function chunked(body: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
  if (chunks.length === 0) chunks.push(body);
  return chunks;
}

/**
 * The split baseline: records and fields of `carry + text` by U+0000 and U+FFFF, each record's
 * fields to `count`; returns the unfinished rest to carry into the next chunk.
 */
export function splitRecords(text: string, carry: string, count: (fields: string[]) => void): string {
  const records = (carry + text).split('\u0000');
  const rest = records.pop()!;
  for (const record of records) count(record.split('\uffff'));
  return rest;
}

function genericEncoding(body: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
  const [a, b] = body;
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  if (body.length >= 2 && a !== 0 && b === 0) return 'utf-16le';
  if (body.length >= 2 && a === 0 && b !== 0) return 'utf-16be';
  return 'utf-8';
}

// The bound of `npm run bench`: a scan that only counts separators, decoding nothing. UTF-16
// code units can straddle chunks, so the odd byte is carried as a decoder must.
export function countSeparators(chunks: Uint8Array[], encoding: 'utf-8' | 'utf-16le' | 'utf-16be'): number {
  return encoding === 'utf-8' ? countUtf8Separators(chunks) : countUtf16Separators(chunks);
}

// 00 00 or FF FF on a code unit boundary, in either byte order.
function countUtf16Separators(chunks: Uint8Array[]): number {
  let n = 0;
  let odd = -1;
  for (const chunk of chunks) {
    let i = 0;
    if (odd >= 0 && chunk.length > 0) {
      if (odd === chunk[0] && (odd === 0 || odd === 0xff)) n++;
      i = 1;
      odd = -1;
    }
    const end = chunk.length - ((chunk.length - i) & 1);
    for (; i < end; i += 2) {
      const lo = chunk[i]!;
      if ((lo === 0 || lo === 0xff) && chunk[i + 1] === lo) n++;
    }
    if (end < chunk.length) odd = chunk[end]!;
  }
  return n;
}

// U+0000 is one 00 byte; U+FFFF is EF BF BF.
function countUtf8Separators(chunks: Uint8Array[]): number {
  let n = 0;
  let pending = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (pending > 0) {
        pending = b === 0xbf ? pending - 1 : 0;
        if (pending === 0 && b === 0xbf) n++;
      } else if (b === 0) n++;
      else if (b === 0xef) pending = 2;
    }
  }
  return n;
}

type Sax = {
  parser(
    strict: boolean,
    options: object,
  ): {
    onopentag: () => void;
    onclosetag: () => void;
    ontext: () => void;
    write(text: string): unknown;
    close(): unknown;
  };
};
type Saxes = {
  SaxesParser: new () => {
    on(event: string, f: () => void): void;
    write(t: string): unknown;
    close(): unknown;
  };
};
type Fxp = { XMLParser: new (options: object) => { parse(text: string): unknown } };
type Iconv = { getDecoder(encoding: string): { write(b: Uint8Array): string; end(): string | undefined } };
type FilterParser = { filter(text: string): unknown };

function decodeAll(chunks: Uint8Array[], encoding = 'utf-8'): string {
  const decoder = new TextDecoder(encoding);
  const parts: string[] = [];
  for (const chunk of chunks) parts.push(decoder.decode(chunk, { stream: true }));
  parts.push(decoder.decode());
  return parts.join('');
}

// The cases of one format: batchwire first, then each baseline whose package is installed
// (the others are named in `missing`).
type CaseList = { cases: BenchCase[]; missing: string[] };

function genericCases(
  { cases, missing }: CaseList,
  format: 'generic' | 'generic-requests',
  body: Uint8Array,
  chunks: Uint8Array[],
): void {
  const Decoder = format === 'generic' ? GenericResponseDecoder : GenericRequestDecoder;
  cases.push({
    name: `batchwire ${Decoder.name}`,
    baseline: false,
    run() {
      const decoder = new Decoder();
      let n = 0;
      for (const chunk of chunks) n += decoder.write(chunk).length;
      return n + decoder.end().length;
    },
  });
  const encoding = genericEncoding(body);
  const count = (counter: { n: number }) => (fields: string[]) => {
    if (fields.length > 0) counter.n++;
  };
  cases.push({
    name: '(a) TextDecoder stream + split',
    baseline: true,
    run() {
      const decoder = new TextDecoder(encoding);
      const counter = { n: 0 };
      let carry = '';
      for (const chunk of chunks)
        carry = splitRecords(decoder.decode(chunk, { stream: true }), carry, count(counter));
      splitRecords(decoder.decode(), carry, count(counter));
      return counter.n;
    },
  });
  cases.push({
    name: '(c) scan limit: count separators',
    baseline: true,
    run: () => countSeparators(chunks, encoding),
  });
  const iconv = optional<Iconv>('iconv-lite');
  if (iconv && encoding !== 'utf-16be') {
    cases.push({
      name: '(b) iconv-lite decoder + split',
      baseline: true,
      run() {
        const decoder = iconv.getDecoder(encoding === 'utf-8' ? 'utf8' : 'utf16le');
        const counter = { n: 0 };
        let carry = '';
        for (const chunk of chunks)
          carry = splitRecords(decoder.write(Buffer.from(chunk)), carry, count(counter));
        splitRecords(decoder.end() ?? '', carry, count(counter));
        return counter.n;
      },
    });
  } else if (!iconv) missing.push('iconv-lite');
}

function soapCases({ cases, missing }: CaseList, chunks: Uint8Array[]): void {
  cases.push({
    name: 'batchwire MessageArrayReader',
    baseline: false,
    run() {
      const reader = new MessageArrayReader();
      let n = 0;
      for (const chunk of chunks) n += reader.write(chunk).length;
      return n + reader.end().length;
    },
  });
  const sax = optional<Sax>('sax');
  if (sax) {
    for (const xmlns of [false, true]) {
      cases.push({
        name: `sax strict, xmlns ${xmlns ? 'on' : 'off'}, count events`,
        baseline: true,
        run() {
          const parser = sax.parser(true, { xmlns, strictEntities: true });
          let n = 0;
          parser.onopentag = () => void n++;
          parser.onclosetag = () => void n++;
          parser.ontext = () => void n++;
          const decoder = new TextDecoder();
          for (const chunk of chunks) parser.write(decoder.decode(chunk, { stream: true }));
          parser.write(decoder.decode());
          parser.close();
          return n;
        },
      });
    }
  } else missing.push('sax');
  const saxes = optional<Saxes>('saxes');
  if (saxes) {
    cases.push({
      name: 'saxes, count events',
      baseline: true,
      run() {
        const parser = new saxes.SaxesParser();
        let n = 0;
        for (const event of ['opentag', 'closetag', 'text']) parser.on(event, () => void n++);
        const decoder = new TextDecoder();
        for (const chunk of chunks) parser.write(decoder.decode(chunk, { stream: true }));
        parser.write(decoder.decode());
        parser.close();
        return n;
      },
    });
  } else missing.push('saxes');
  const fxp = optional<Fxp>('fast-xml-parser');
  if (fxp) {
    cases.push({
      name: 'fast-xml-parser, whole document',
      baseline: true,
      run() {
        new fxp.XMLParser({ ignoreAttributes: false }).parse(decodeAll(chunks));
        return 1;
      },
    });
  } else missing.push('fast-xml-parser');
}

function filterCases({ cases, missing }: CaseList, chunks: Uint8Array[]): void {
  // One filter per non-empty line.
  const filters = decodeAll(chunks)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  cases.push({
    name: 'batchwire parseFilter',
    baseline: false,
    run() {
      for (const filter of filters) parseFilter(filter);
      return filters.length;
    },
  });
  const v4 = optional<FilterParser>('odata-v4-parser');
  const soontao = optional<{ defaultParser: FilterParser }>('@odata/parser');
  for (const [name, parser, pkg] of [
    ['odata-v4-parser filter()', v4, 'odata-v4-parser'],
    ['@odata/parser filter()', soontao?.defaultParser, '@odata/parser'],
  ] as const) {
    if (!parser) {
      missing.push(pkg);
      continue;
    }
    cases.push({
      name,
      baseline: true,
      run() {
        let n = 0;
        for (const filter of filters) {
          try {
            if (parser.filter(filter)) n++;
          } catch {
            // A filter the other parser cannot read (DateTime'...' literals): counted as not read.
          }
        }
        return n;
      },
    });
  }
}

/** The batchwire case and the baselines for a body of `format`, and the baselines left out. */
export function casesFor(format: BenchFormat, body: Uint8Array, chunkBytes: number): CaseList {
  const chunks = chunked(body, chunkBytes);
  const list: CaseList = { cases: [], missing: [] };
  if (format === 'generic' || format === 'generic-requests') genericCases(list, format, body, chunks);
  else if (format === 'soap') soapCases(list, chunks);
  else if (format === 'filter') filterCases(list, chunks);
  else {
    list.cases.push({
      name: 'batchwire parseFault',
      baseline: false,
      run() {
        parseFault({ body });
        return 1;
      },
    });
  }
  return list;
}
