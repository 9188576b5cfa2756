import { createRequire } from 'node:module';
import { XMLParser } from 'fast-xml-parser';
import sax from 'sax';
import { sampleSoapMessages } from '../src/arbitraries/samples.js';
import { chunked } from '../src/cli/bench-cases.js';
import { MessageArrayReader, type SoapWriteRecord, writeMessageArray } from '../src/soap/index.js';
import { type BenchCase, checkTarget, formatTable, runBench, speedRatio, suiteMain } from './harness.js';

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

// The baseline gets a copy of saxes of its own: sharing one with the reader (whose parser is a
// subclass with other handlers) would make saxes' inline caches polymorphic and slow the
// baseline down, as if each ran alone in its own process it would not be.
const require = createRequire(import.meta.url);
delete require.cache[require.resolve('saxes')];
const { SaxesParser } = require('saxes') as typeof import('saxes');

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

function cases(chunks: Uint8Array[], root: string): BenchCase[] {
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
        const document = new XMLParser({ ignoreAttributes: false }).parse(parts.join(''));
        return (document[root] as { 's:Envelope': unknown[] })['s:Envelope'].length;
      },
    },
  ];
}

/** Runs the SOAP benchmark and returns the printed table. */
export async function run(quick: boolean): Promise<string> {
  // Quick runs still take 5 rounds: with fewer, the reader's handlers are measured half-optimised.
  const megabytes = quick ? 8 : 25;
  const rounds = quick ? 5 : 9;
  const out: string[] = [];
  for (const [label, suite, array] of [
    ['the bench array (writeMessageArray, no indentation)', 'soap', makeArray(megabytes)],
    [
      'the full header set, indented as the docs write it',
      'soap full headers',
      makeFullHeaderArray(megabytes),
    ],
  ] as const) {
    const results = await runBench(cases(chunked(array.body, CHUNK), 'HPCPack2008_WebAPI_MessageArray'), {
      rounds,
    });
    out.push(
      formatTable(
        `SOAP message array, ${label}, UTF-8, 64 KiB chunks`,
        results,
        { bytes: array.body.length, itemName: 'items' },
        OURS,
      ),
      '(items: records for batchwire, events for the sax/saxes baselines, envelopes for fast-xml-parser)',
      checkTarget(suite, 'vs raw saxes, xmlns off', speedRatio(results, OURS, SAXES), 0.75),
      checkTarget(suite, 'vs raw sax, xmlns off', speedRatio(results, OURS, SAX), 2.0),
      checkTarget(suite, 'vs fast-xml-parser', speedRatio(results, OURS, FXP), 2.5),
      '',
    );
  }
  return out.join('\n');
}

suiteMain(import.meta.url, run);
