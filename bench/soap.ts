import { XMLParser } from 'fast-xml-parser';
import sax from 'sax';
import { SaxesParser } from 'saxes';
import { MessageArrayReader, type SoapWriteRecord, writeMessageArray } from '../src/soap/index.js';
import {
  type BenchCase,
  checkTarget,
  formatTable,
  prng,
  runBench,
  speedRatio,
  suiteMain,
} from './harness.js';

const CHUNK = 64 * 1024;
const WORDS = ['result', 'value', 'pi', '3.14159', 'converged', 'a<b', 'x&y', 'größe', '日本語', 'ok', '🚀'];

function uuid(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Realistic responses as a WCF service answers them: three in five with a numeric `...Result`,
 * one in five with a text result of 3-40 words (markup characters and non-ASCII included), one
 * in five with a small structured result (a data contract with a few fields).
 */
export function sampleMessages(count: number, seed = 1): SoapWriteRecord[] {
  const random = prng(seed);
  const out: SoapWriteRecord[] = [];
  for (let i = 0; i < count; i++) {
    const words: string[] = [];
    const n = 3 + Math.floor(random() * 38);
    for (let w = 0; w < n; w++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
    const shape = random();
    const structured = shape < 0.2;
    const text = shape < 0.4 ? words.join(' ') : String(Math.round(random() * 1e9) / 1e3);
    out.push({
      action: 'http://tempuri.org/ICalculator/ComputeResponse',
      relatesTo: uuid(random),
      to: 'http://www.w3.org/2005/08/addressing/anonymous',
      requestAction: 'http://tempuri.org/ICalculator/Compute',
      userData: `task-${i}`,
      body: structured
        ? {
            name: 'ComputeResponse',
            namespace: 'http://tempuri.org/',
            xml:
              '<ComputeResult xmlns:b="http://schemas.datacontract.org/2004/07/Calc" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">' +
              `<b:Iterations>${Math.floor(random() * 1000)}</b:Iterations><b:Label>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</b:Label>` +
              `<b:Residual>${random()}</b:Residual><b:Error i:nil="true"/></ComputeResult>`,
          }
        : { name: 'ComputeResponse', namespace: 'http://tempuri.org/', result: text },
    });
  }
  return out;
}

/** A UTF-8 array of about `megabytes` MB, with its closing envelope. */
export function makeArray(megabytes: number): { body: Uint8Array; messages: number } {
  const pool = sampleMessages(2000);
  const one = writeMessageArray(pool).length;
  const repeats = Math.max(1, Math.round((megabytes * 1e6) / one));
  const records: SoapWriteRecord[] = [];
  for (let r = 0; r < repeats; r++) records.push(...pool);
  const messages = records.length;
  records.push({ kind: 'end', reason: 'Success' });
  return { body: new TextEncoder().encode(writeMessageArray(records)), messages };
}

function chunked(body: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < body.length; i += CHUNK) chunks.push(body.subarray(i, i + CHUNK));
  return chunks;
}

const OURS = 'batchwire MessageArrayReader';
const SAX = 'sax strict, xmlns off, count events';
const SAX_NS = 'sax strict, xmlns on, count events';
const SAXES = 'saxes, count events';
const FXP = 'fast-xml-parser, whole document';

function saxCount(chunks: Uint8Array[], xmlns: boolean): number {
  const parser = sax.parser(true, { xmlns, strictEntities: true });
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
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.write(decoder.decode(chunk, { stream: true }));
  parser.write(decoder.decode());
  parser.close();
  return n;
}

function cases(chunks: Uint8Array[]): BenchCase[] {
  return [
    {
      name: OURS,
      run() {
        const reader = new MessageArrayReader();
        let n = 0;
        for (const chunk of chunks) n += reader.write(chunk).length;
        return n + reader.end().length;
      },
    },
    { name: SAX, baseline: true, run: () => saxCount(chunks, false) },
    { name: SAX_NS, baseline: true, run: () => saxCount(chunks, true) },
    {
      name: SAXES,
      baseline: true,
      run() {
        const parser = new SaxesParser();
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
        const decoder = new TextDecoder();
        for (const chunk of chunks) parser.write(decoder.decode(chunk, { stream: true }));
        parser.write(decoder.decode());
        parser.close();
        return n;
      },
    },
    {
      name: FXP,
      baseline: true,
      run() {
        const decoder = new TextDecoder();
        const parts: string[] = [];
        for (const chunk of chunks) parts.push(decoder.decode(chunk, { stream: true }));
        parts.push(decoder.decode());
        const document = new XMLParser({ ignoreAttributes: false }).parse(parts.join(''));
        const root = document.HPCPack2008_WebAPI_MessageArray as { 's:Envelope': unknown[] };
        return root['s:Envelope'].length;
      },
    },
  ];
}

/** Runs the SOAP benchmark and returns the printed table. */
export async function run(quick: boolean): Promise<string> {
  // Quick runs still take 5 rounds: with fewer, the reader's handlers are measured half-optimised.
  const megabytes = quick ? 8 : 50;
  const rounds = 5;
  const { body } = makeArray(megabytes);
  const results = await runBench(cases(chunked(body)), { rounds });
  return [
    formatTable(
      'SOAP message array, UTF-8, 64 KiB chunks',
      results,
      { bytes: body.length, itemName: 'items' },
      OURS,
    ),
    '(items: records for batchwire, events for the sax/saxes baselines, envelopes for fast-xml-parser)',
    checkTarget('soap', 'vs raw sax, xmlns off', speedRatio(results, OURS, SAX), 0.85),
    checkTarget('soap', 'vs fast-xml-parser', speedRatio(results, OURS, FXP), 1.5),
    `vs raw sax, xmlns on: ${speedRatio(results, OURS, SAX_NS).toFixed(2)}x; vs saxes: ${speedRatio(results, OURS, SAXES).toFixed(2)}x`,
    '',
  ].join('\n');
}

suiteMain(import.meta.url, run);
