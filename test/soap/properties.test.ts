import { readFileSync } from 'node:fs';
import { fc, mutate, soapMessageArray, soapText } from 'batchwire/arbitraries';
import { isBatchwireError, MessageArrayReader, parseMessageArray, writeMessageArray } from 'batchwire/soap';
import { describe, expect, it } from 'vitest';
import { run, splitAt } from '../support/chunks.js';

const RUNS = { numRuns: 150 };
const cuts = fc.array(fc.nat({ max: 6000 }), { maxLength: 16 });

function utf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const out = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
  const view = new DataView(out.buffer);
  let at = 0;
  if (bom) {
    view.setUint16(0, 0xfeff, littleEndian);
    at = 2;
  }
  for (let i = 0; i < text.length; i++) view.setUint16(at + i * 2, text.charCodeAt(i), littleEndian);
  return out;
}

describe('soap message array properties', () => {
  it('read(write(x)) = x over messages, faults and the closing record', () => {
    fc.assert(
      fc.property(soapMessageArray(), ({ xml, records }) => {
        const outcome = run(new MessageArrayReader(), [xml]);
        expect(outcome.error).toBeUndefined();
        expect(outcome.records).toEqual(records);
      }),
      RUNS,
    );
  });

  it('is chunk invariant: any cuts in UTF-8 bytes (inside multi-byte characters too) give the same records', () => {
    fc.assert(
      fc.property(soapMessageArray({ maxMessages: 4 }), cuts, ({ xml, records }, points) => {
        const bytes = new TextEncoder().encode(xml);
        const outcome = run(new MessageArrayReader(), splitAt(bytes, points));
        expect(outcome.error).toBeUndefined();
        expect(outcome.records).toEqual(records);
      }),
      RUNS,
    );
  });

  it('is chunk invariant in UTF-16 (BOM or sniffed, split inside code units and surrogate pairs)', () => {
    fc.assert(
      fc.property(
        soapMessageArray({ maxMessages: 3 }),
        cuts,
        fc.boolean(),
        fc.boolean(),
        ({ xml, records }, points, littleEndian, bom) => {
          const bytes = utf16(xml, littleEndian, bom);
          const outcome = run(new MessageArrayReader(), splitAt(bytes, points));
          expect(outcome.error).toBeUndefined();
          expect(outcome.records).toEqual(records);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reads 1-byte chunks and 1-character string chunks alike', () => {
    fc.assert(
      fc.property(soapMessageArray({ maxMessages: 2 }), ({ xml, records }) => {
        const bytes = new TextEncoder().encode(xml);
        const pieces: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i++) pieces.push(bytes.subarray(i, i + 1));
        expect(run(new MessageArrayReader(), pieces).records).toEqual(records);
        expect(run(new MessageArrayReader(), [...xml]).records).toEqual(records);
      }),
      { numRuns: 25 },
    );
  });

  it('a body re-parses on its own: every body.xml is a well-formed fragment that round-trips', () => {
    fc.assert(
      fc.property(soapMessageArray({ maxMessages: 3 }), ({ records }) => {
        for (const record of records) {
          if (record.kind !== 'response') continue;
          const again = parseMessageArray(writeMessageArray([record], {}), { requireEnd: false });
          expect(again.messages[0]).toEqual(record);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('mutated arrays give records or a BatchwireError, never another exception or a hang', () => {
    const valid = soapMessageArray({ maxMessages: 3 }).map(({ xml }) => new TextEncoder().encode(xml));
    fc.assert(
      fc.property(
        mutate('xml', valid, { growBy: 20_000, depth: 2_000 }),
        cuts,
        ({ bytes, labels }, points) => {
          try {
            run(new MessageArrayReader({ maxMessageBytes: 1 << 20 }), splitAt(bytes, points));
          } catch (error) {
            throw new Error(`foreign error after ${labels.join(', ')}: ${String(error)}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('mutations of the samples (faults, prefixes, CDATA, UTF-16) give records or a BatchwireError', () => {
    const samples = ['soap-runtime-mixed.xml', 'soap-responses.xml'].map(
      (name) => new Uint8Array(readFileSync(new URL(`../../samples/${name}`, import.meta.url))),
    );
    const utf16 = samples.map(
      (bytes) => new Uint8Array(Buffer.from(new TextDecoder().decode(bytes), 'utf16le')),
    );
    const valid = fc.constantFrom(...samples, ...utf16);
    fc.assert(
      fc.property(mutate('xml', valid, { growBy: 5_000, depth: 500 }), cuts, ({ bytes, labels }, points) => {
        try {
          run(new MessageArrayReader({ maxMessageBytes: 1 << 16 }), splitAt(bytes, points));
        } catch (error) {
          throw new Error(`foreign error after ${labels.join(', ')}: ${String(error)}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random text and random bytes never raise a foreign error', () => {
    fc.assert(
      fc.property(fc.oneof(soapText({ maxLength: 200 }), fc.string({ unit: 'binary' })), (text) => {
        for (const input of [
          text,
          `<a>${text}</a>`,
          `<a><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">${text}`,
        ]) {
          try {
            parseMessageArray(input);
          } catch (error) {
            expect(isBatchwireError(error)).toBe(true);
          }
        }
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseMessageArray(bytes);
        } catch (error) {
          expect(isBatchwireError(error)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('the writer escapes every value: no text can add markup', () => {
    fc.assert(
      fc.property(soapText({ maxLength: 80 }), (text) => {
        const xml = writeMessageArray(
          [{ action: text, userData: text, body: { name: 'EchoResponse', namespace: text, result: text } }],
          {},
        );
        const { messages } = parseMessageArray(xml, { requireEnd: false });
        expect(messages).toHaveLength(1);
        const [message] = messages;
        if (message?.kind !== 'response') throw new Error('expected a response');
        expect(message.action).toBe(text);
        expect(message.userData).toBe(text);
        expect(message.body.result).toBe(text);
        expect(message.body.namespace).toBe(text);
      }),
      RUNS,
    );
  });
});

describe('soap writer: the end cannot be forged, and what it accepts reads back exactly', () => {
  it('refuses the closing action on a message or a fault, with or without spaces', () => {
    for (const action of [
      'http://hpc.microsoft.com/EndOfGetResponse',
      '  http://hpc.microsoft.com/EndOfGetResponse\n',
    ]) {
      const message = { action, body: { name: 'R', namespace: 'urn:r', result: '1' } };
      const fault = { kind: 'fault' as const, action, code: 's:Receiver', reason: 'x' };
      for (const record of [message, fault]) {
        let code: string | undefined;
        try {
          writeMessageArray([record]);
        } catch (error) {
          code = isBatchwireError(error) ? error.code : 'foreign';
        }
        expect(code).toBe('INVALID_FIELD');
      }
    }
  });

  it('parseMessageArray(writeMessageArray(x)) = x for records with their namespace maps', () => {
    const prefix = fc.constantFrom('p', 'q', 'd', 'i');
    const uri = fc.constantFrom('urn:a', 'urn:b', 'http://tempuri.org/');
    let accepted = 0;
    fc.assert(
      fc.property(
        prefix,
        uri,
        uri,
        fc.boolean(),
        soapText({ maxLength: 20 }),
        (p, inner, outer, useDefault, text) => {
          const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
          const xml = useDefault ? `<V ${p}:t="1">${escaped}</V>` : `<${p}:V>${escaped}</${p}:V>`;
          const namespaces: Record<string, string> = useDefault ? { '': inner, [p]: outer } : { [p]: inner };
          const record = {
            kind: 'response' as const,
            action: 'urn:act',
            body: { name: 'R', namespace: outer, xml, namespaces },
          };
          let written: string;
          try {
            written = writeMessageArray([record]);
          } catch (error) {
            // Refused inputs are fine; accepted ones must read back exactly.
            expect(isBatchwireError(error)).toBe(true);
            return;
          }
          accepted++;
          const { messages } = parseMessageArray(written, { requireEnd: false });
          expect(messages).toEqual([record]);
        },
      ),
      RUNS,
    );
    // The property is about accepted arrays: most generated ones must be.
    expect(accepted).toBeGreaterThan(RUNS.numRuns / 2);
  });
});
