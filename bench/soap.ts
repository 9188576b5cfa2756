import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import sax from 'sax';
import { SaxesParser } from 'saxes';
import { sampleSoapMessages } from '../src/arbitraries/samples.js';
import { chunked } from '../src/cli/bench-cases.js';
import { createRandom, type Random } from '../src/core/random.js';
import { MessageArrayReader, type SoapWriteRecord, writeMessageArray } from '../src/soap/index.js';
import {
  type BenchCase,
  checkTarget,
  formatTable,
  runBench,
  runScript,
  speedRatio,
  suiteMain,
  suiteOutput,
  targetRows,
} from './harness.js';

const CHUNK = 64 * 1024;
/** A UTF-8 array of about `megabytes` MB, with its closing envelope. */
export function makeArray(megabytes: number): { body: Uint8Array; messages: number } {
  const pool = sampleSoapMessages(2000);
  const one = writeMessageArray(pool).length;
  const repeats = Math.max(1, Math.round((megabytes * 1e6) / one));
  const records: SoapWriteRecord[] = [];
  for (let r = 0; r < repeats; r++) records.push(...pool);
  const messages = records.length;
  records.push({ kind: 'end', reason: 'Success' });
  return { body: new TextEncoder().encode(writeMessageArray(records)), messages };
}

/**
 * The same messages as the documentation writes them: indented, with the full header set the
 * docs show (Action, RelatesTo, To, RequestActionNS, UserDataNS, ResponseCallbackId).
 */
export function makeFullHeaderArray(megabytes: number): { body: Uint8Array; messages: number } {
  const pool = sampleSoapMessages(2000, { seed: 7 });
  const hpc = 'xmlns="http://www.microsoft.com/hpc"';
  const render = (m: SoapWriteRecord): string => {
    const message = m as {
      action: string;
      relatesTo: string;
      to: string;
      requestAction: string;
      userData: string;
      body: { name: string; namespace: string; result?: string; xml?: string };
    };
    const result =
      message.body.xml ??
      `<ComputeResult>${(message.body.result ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;')}</ComputeResult>`;
    return `
    <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">
        <s:Header>
            <a:Action s:mustUnderstand="1">${message.action}</a:Action>
            <a:RelatesTo>${message.relatesTo}</a:RelatesTo>
            <a:To s:mustUnderstand="1">${message.to}</a:To>
            <HPCPack2008_Broker_RequestActionNS ${hpc}>${message.requestAction}</HPCPack2008_Broker_RequestActionNS>
            <HPCPack2008_Broker_UserDataNS ${hpc}>${message.userData}</HPCPack2008_Broker_UserDataNS>
            <HPCPack2008_Broker_ResponseCallbackId ${hpc}/>
        </s:Header>
        <s:Body>
            <${message.body.name} xmlns="${message.body.namespace}">
                ${result}
            </${message.body.name}>
        </s:Body>
    </s:Envelope>`;
  };
  const one = pool.map(render).join('');
  const repeats = Math.max(1, Math.round((megabytes * 1e6) / one.length));
  const parts = ['<HPCPack2008_WebAPI_MessageArray>'];
  for (let r = 0; r < repeats; r++) parts.push(one);
  const messages = repeats * pool.length;
  const end = writeMessageArray([{ kind: 'end', count: messages, reason: 'Success' }]);
  parts.push(
    end.slice(end.indexOf('<s:Envelope'), end.lastIndexOf('</')),
    '\n</HPCPack2008_WebAPI_MessageArray>',
  );
  return { body: new TextEncoder().encode(parts.join('')), messages };
}

const ROW_NAMES = [
  'O&apos;Brien &amp; Sons',
  'M&#252;ller GmbH',
  '&#x65E5;&#x672C;&#x8A9E; &#x30C6;&#x30B9;&#x30C8;',
  'a &lt; b &amp;&amp; c &gt; d',
  '&quot;quoted&quot; name',
  'gr&#246;&#223;e',
  'plain-name',
  'tab&#x9;separated',
];

// One row of a table a service serialised to XML and returned as a string: the row's markup
// arrives escaped, so nearly every tenth character is a reference, CRLF as `&#xD;` and a newline.
function escapedRow(random: Random, id: number): string {
  const name = ROW_NAMES[Math.floor(random() * ROW_NAMES.length)]!;
  const value = (random() * 1e4).toFixed(4);
  return `&lt;Row Id=&quot;${id}&quot; Name=&quot;${name}&quot; Value=&quot;${value}&quot; Ok=&apos;${random() < 0.9}&apos;/&gt;&#xD;\n`;
}

/**
 * Long results full of references: each message carries a 2.5-9 KB result, a serialised table whose
 * markup arrives escaped (the five predefined entities, decimal and hexadecimal character
 * references), so text and reference decoding dominate rather than tags.
 */
export function makeEntityArray(megabytes: number): { body: Uint8Array; messages: number } {
  const random = createRandom(23);
  const pool = sampleSoapMessages(400, { seed: 23 }).map((m, i): SoapWriteRecord => {
    const rows: string[] = [];
    const count = 20 + Math.floor(random() * 50);
    for (let r = 0; r < count; r++) rows.push(escapedRow(random, i * 100 + r));
    const xml = `<ComputeResult>&lt;Table&gt;&#xD;\n${rows.join('')}&lt;/Table&gt;</ComputeResult>`;
    return {
      ...(m as object),
      body: { name: 'ComputeResponse', namespace: 'http://tempuri.org/', xml },
    } as SoapWriteRecord;
  });
  const one = writeMessageArray(pool).length;
  const repeats = Math.max(1, Math.round((megabytes * 1e6) / one));
  const records: SoapWriteRecord[] = [];
  for (let r = 0; r < repeats; r++) records.push(...pool);
  const messages = records.length;
  records.push({ kind: 'end', reason: 'Success' });
  return { body: new TextEncoder().encode(writeMessageArray(records)), messages };
}

const OURS = 'batchwire MessageArrayReader';
const SAXES = 'saxes, xmlns off, count events';
const SAX = 'sax strict, xmlns off, count events';
const FXP = 'fast-xml-parser, whole document';

// The baselines decode with TextDecoder, chunk by chunk, as the reader's TextStream does.
function decoded(chunks: Uint8Array[], write: (text: string) => void): void {
  const decoder = new TextDecoder();
  for (const chunk of chunks) write(decoder.decode(chunk, { stream: true }));
  write(decoder.decode());
}

// Each case keeps its last parser alive until its next round. The harness forces a full GC
// before every case, and a GC that finds no parser alive collects the object shapes only parsers
// had, with them the type feedback, and throws the optimised code away: every round then ran
// half-warm (batchwire's reader read the indented array at 15-30 MB/s that way, 70-85 MB/s with
// the last reader kept; saxes about 2x too). A service reading array after array keeps its code warm.
const kept: unknown[] = [];

function cases(chunks: Uint8Array[], root: string): BenchCase[] {
  return [
    {
      name: OURS,
      run() {
        const reader = new MessageArrayReader();
        kept[0] = reader;
        let n = 0;
        for (const chunk of chunks) n += reader.write(chunk).length;
        return n + reader.end().length;
      },
    },
    {
      name: SAXES,
      baseline: true,
      run() {
        const parser = new SaxesParser();
        kept[1] = parser;
        let n = 0;
        parser.on('opentag', () => {
          n++;
        });
        parser.on('closetag', () => {
          n++;
        });
        parser.on('text', () => {
          n++;
        });
        decoded(chunks, (text) => parser.write(text));
        parser.close();
        return n;
      },
    },
    {
      name: SAX,
      baseline: true,
      run() {
        const parser = sax.parser(true, { strictEntities: true });
        kept[2] = parser;
        let n = 0;
        parser.onopentag = () => {
          n++;
        };
        parser.onclosetag = () => {
          n++;
        };
        parser.ontext = () => {
          n++;
        };
        decoded(chunks, (text) => parser.write(text));
        parser.close();
        return n;
      },
    },
    {
      name: FXP,
      baseline: true,
      run() {
        const parts: string[] = [];
        decoded(chunks, (text) => parts.push(text));
        const parser = new XMLParser({ ignoreAttributes: false });
        kept[3] = parser;
        const document = parser.parse(parts.join(''));
        return (document[root] as { 's:Envelope': unknown[] })['s:Envelope'].length;
      },
    },
  ];
}

interface ArrayShape {
  title: string;
  suite: string;
  /** Tags and short texts rather than long text: where the 1.5x-saxes moonshot applies. */
  markupDense: boolean;
  make: (megabytes: number) => { body: Uint8Array; messages: number };
}

const ARRAYS: Record<string, ArrayShape> = {
  compact: {
    title: 'compact (writeMessageArray, no indentation)',
    suite: 'soap compact',
    markupDense: true,
    make: makeArray,
  },
  indented: {
    title: 'indented as the docs write it, full header set',
    suite: 'soap indented',
    markupDense: true,
    make: makeFullHeaderArray,
  },
  entities: {
    title: 'long entity-heavy results (escaped XML tables, 2.5-9 KB each)',
    suite: 'soap entities',
    markupDense: false,
    make: makeEntityArray,
  },
};

// Issue 22's targets: batchwire's speed over each baseline's, from same-run medians.
const TARGETS: [baseline: string, what: string, atLeast: number][] = [
  [SAXES, 'vs raw saxes, xmlns off', 1.0],
  [SAX, 'vs raw sax strict, xmlns off', 2.2],
  [FXP, 'vs fast-xml-parser', 4],
];

async function runArray(key: string, quick: boolean): Promise<string> {
  const shape = ARRAYS[key];
  if (!shape) throw new Error(`--array must be one of ${Object.keys(ARRAYS).join(', ')}`);
  // Quick runs still take 5 rounds: with fewer, the reader's handlers are measured half-optimised.
  const array = shape.make(quick ? 8 : 16);
  const rounds = quick ? 5 : 9;
  // Two warm-up rounds: the reader reaches its speed in its third to fourth pass over 8 MB.
  const results = await runBench(cases(chunked(array.body, CHUNK), 'HPCPack2008_WebAPI_MessageArray'), {
    rounds,
    warmup: 2,
  });
  const out = [
    formatTable(
      `SOAP message array, ${shape.title}, UTF-8, 64 KiB chunks`,
      results,
      { bytes: array.body.length, itemName: 'items' },
      OURS,
    ),
    '(items: records for batchwire, events for the sax/saxes baselines, envelopes for fast-xml-parser)',
  ];
  for (const [baseline, what, atLeast] of TARGETS) {
    out.push(checkTarget(shape.suite, what, speedRatio(results, OURS, baseline), atLeast));
  }
  if (shape.markupDense) {
    out.push(checkTarget(shape.suite, 'vs raw saxes (moonshot)', speedRatio(results, OURS, SAXES), 1.5));
  }
  return `${out.join('\n')}\n`;
}

/**
 * Runs the SOAP benchmark and returns the printed tables: `--array NAME` runs one array, else
 * each array runs in a process of its own. In one process the baselines carried the JIT state of
 * the array before: raw saxes read the indented array at 12 MB/s after the compact one, and at
 * 75-83 MB/s alone.
 */
export async function run(quick: boolean): Promise<string> {
  const at = process.argv.indexOf('--array');
  if (at >= 0) return runArray(process.argv[at + 1] ?? '', quick);
  const out: string[] = [];
  for (const key of Object.keys(ARRAYS)) {
    const args = ['--array', key, ...(quick ? ['--quick'] : [])];
    const { text, targets } = suiteOutput(await runScript(fileURLToPath(import.meta.url), args));
    targetRows.push(...targets);
    out.push(text);
  }
  return out.join('\n');
}

suiteMain(import.meta.url, run);
