// Issue 22, the SOAP reader's hostile round: memory. A value handed to the caller holds about its
// own characters, never the decoded chunk it was cut from (V8 makes a cut of 13 or more
// characters a view of its parent); and after one huge envelope the reader keeps nothing of it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MessageArrayReader, type SoapRecord, writeMessageArray } from 'batchwire/soap';
import { describe, expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heap(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const MiB = 1024 * 1024;
const A = 'http://www.w3.org/2005/08/addressing';
const S = 'http://www.w3.org/2003/05/soap-envelope';

// ~45-character actions, ids and names in messages of about 10 KB each (the body carries the bulk).
function message(i: number) {
  const n = String(i).padStart(6, '0');
  return {
    action: `http://tempuri.org/ICompute/Response-${n}`,
    messageId: `urn:uuid:${n}-0000-4000-8000-000000000000`,
    userData: `task-${n}-user-data-kept-by-the-caller`,
    body: {
      name: `ComputeStatisticsResponse${n}`,
      namespace: 'http://tempuri.org/',
      result: `${'r'.repeat(10_000)}${n}`,
    },
  };
}

// The array of `count` messages, and where to cut it: every 64 KiB and in the middle of every
// action, id and user data (each arrives in two pieces, each cut from a large decoded chunk).
function cutArray(count: number): { xml: string; cuts: number[] } {
  const xml = writeMessageArray([
    ...Array.from({ length: count }, (_, i) => message(i)),
    { kind: 'end', reason: 'Success' },
  ]);
  const cuts: number[] = [];
  let next = 64 * 1024;
  // Inside each action, message id and user data.
  const inside = /\/Response-|uuid:|-user-data/g;
  for (let match = inside.exec(xml); match !== null; match = inside.exec(xml)) {
    for (; next < match.index + 4; next += 64 * 1024) cuts.push(next);
    cuts.push(match.index + 4);
  }
  cuts.push(xml.length);
  return { xml, cuts };
}

describe('what a kept SOAP field holds alive', () => {
  it('2000 actions (and ids, user data, body names) kept from a 20 MB stream hold about themselves', () => {
    const { xml, cuts } = cutArray(2000);
    const reader = new MessageArrayReader();
    const before = heap();
    const kept: string[][] = [];
    let last = 0;
    for (const cut of cuts) {
      // Each chunk is encoded when it is written and dropped after, as a socket's would be.
      const records: SoapRecord[] = reader.write(new TextEncoder().encode(xml.slice(last, cut)));
      last = cut;
      for (const r of records) {
        if (r.kind === 'response') kept.push([r.action, r.messageId!, r.userData!, r.body.name]);
      }
    }
    reader.end();
    const growth = heap() - before;
    expect(kept).toHaveLength(2000);
    expect(kept[1234]![0]).toBe('http://tempuri.org/ICompute/Response-001234');
    const flatBefore = heap();
    const flat = kept.map((row) => row.map((s) => JSON.parse(JSON.stringify(s)) as string));
    const flatGrowth = heap() - flatBefore;
    expect(flat).toHaveLength(2000);
    // A view per value would hold a decoded chunk each: tens of MiB here.
    expect(growth).toBeLessThan(2 * flatGrowth + 1 * MiB);
  });
});

// One envelope of about 15 MiB whose body element has a million attributes (half of them
// prefixed, each prefix declared on it), then small messages.
function hugeEnvelope(attributes: number): string {
  const parts: string[] = [];
  for (let i = 0; i < attributes; i++) parts.push(i % 2 === 0 ? `a${i}="${i}"` : `p${i % 64}:b${i}="v"`);
  const declarations = Array.from({ length: 64 }, (_, p) => `xmlns:p${p}="urn:p${p}"`).join(' ');
  return `<s:Envelope xmlns:s="${S}" xmlns:a="${A}"><s:Header><a:Action>urn:huge</a:Action></s:Header><s:Body><R xmlns="urn:r" ${declarations} ${parts.join(' ')}><RResult>1</RResult></R></s:Body></s:Envelope>`;
}

function smallEnvelopes(count: number): string {
  const xml = writeMessageArray(Array.from({ length: count }, (_, i) => message(i)));
  return xml.slice(xml.indexOf('<s:Envelope'), xml.lastIndexOf('</'));
}

function feed(reader: MessageArrayReader, text: string, sample?: () => void): number {
  let records = 0;
  for (let i = 0; i < text.length; i += 64 * 1024) {
    records += reader.write(text.slice(i, i + 64 * 1024)).length;
    sample?.();
  }
  return records;
}

describe('no retention after a huge envelope', () => {
  it('after a 15 MiB envelope with a million attributes, memory returns to what small messages need', () => {
    const huge = hugeEnvelope(1_000_000);
    expect(huge.length).toBeGreaterThan(14 * MiB);
    const small = smallEnvelopes(200);
    const open = '<HPCPack2008_WebAPI_MessageArray>';
    const options = { maxMessageBytes: 32 * MiB, requireEnd: false };

    // The reader that never saw the huge envelope: the baseline.
    const plain = new MessageArrayReader(options);
    feed(plain, open + small);
    const baseline = heap();

    const reader = new MessageArrayReader(options);
    feed(reader, open);
    const start = heap();
    let peak = 0;
    const sample = () => {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.heapUsed + usage.arrayBuffers - start);
    };
    expect(feed(reader, huge, sample)).toBe(1);
    expect(feed(reader, small, sample)).toBe(200);
    const after = heap();
    // What the reader holds after it: within 1 MiB of the reader that never saw it (once 81 MiB).
    expect(after - baseline).toBeLessThan(1 * MiB);
    // The peak while reading it: a small constant times the envelope (8x measured; once +211 MiB for 15.5 MiB).
    expect(peak).toBeLessThan(10 * huge.length);
    expect(plain.messagesRead + reader.messagesRead).toBe(401);
  });
});
