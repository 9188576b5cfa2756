// The runner reads WebSessionInfo and Get Clusters XML with batchwire's own feed, within limits: a
// backend's answer is hostile input. What it refuses is an undecodable-response finding with the
// feed's code (never a crash of the runner); valid XML in any form a real service may write is read.
import type { Interceptor, ResponsePlan } from 'batchwire/emulator';
import { describe, expect, it } from 'vitest';
import { emulatorWith } from './backends.js';
import { findingOf, fuzz } from './support.js';

const budget = { service: 'hpc-pack', seed: 1, runs: 15, timeLimitMs: 20_000 } as const;

// XML answers rewritten so far: a test of valid variants proves the runner met some.
let rewrites = 0;

/** Rewrites the XML answers of one operation (JSON answers are left alone). */
function rewriteXml(operation: string, change: (xml: string) => string): Interceptor {
  return async (request, next) => {
    const plan = await next();
    if (request.operation !== operation || plan.body?.kind !== 'bytes') return plan;
    if (!(plan.headers['content-type'] ?? '').includes('xml')) return plan;
    rewrites++;
    const xml = Buffer.from(plan.body.bytes).toString('utf8');
    const rewritten: ResponsePlan = {
      ...plan,
      body: { kind: 'bytes', bytes: new Uint8Array(Buffer.from(change(xml), 'utf8')) },
    };
    return rewritten;
  };
}

/** After the root's start tag of `xml`, `inner` (the rest of the document unchanged). */
function afterRootStart(xml: string, inner: string): string {
  const end = xml.indexOf('>') + 1;
  return xml.slice(0, end) + inner + xml.slice(end);
}

describe('the runner reads XML documents with the feed, within limits', () => {
  it('reports a DOCTYPE in WebSessionInfo as DOCTYPE_FORBIDDEN (an undecodable answer)', async () => {
    const report = await fuzz(
      await emulatorWith(rewriteXml('createSession', (xml) => `<!DOCTYPE WebSessionInfo>${xml}`)),
      budget,
    );
    const f = findingOf(report, 'undecodable-response', 'createSession');
    expect(f.code).toBe('DOCTYPE_FORBIDDEN');
    expect(f.message).toMatch(/^WebSessionInfo: /);
  });

  it('reports a DOCTYPE with an entity in Get Clusters the same way, nothing expanded', async () => {
    const report = await fuzz(
      await emulatorWith(
        rewriteXml(
          'getClusters',
          (xml) => `<!DOCTYPE a [<!ENTITY e "HEAD">]>${xml.replace('>HEAD<', '>&e;<')}`,
        ),
      ),
      { ...budget, runs: 40 },
    );
    const f = findingOf(report, 'undecodable-response', 'getClusters');
    expect(f.code).toBe('DOCTYPE_FORBIDDEN');
  });

  it.each([
    ['nesting deeper than 64', `${'<x>'.repeat(100)}${'</x>'.repeat(100)}`, /maxDepth \(64\)/],
    ['more than 65 536 elements', '<x/>'.repeat(70_000), /more than 65536 elements/],
    ['an element with over 1 MiB of text', `<x>${'a'.repeat(1024 * 1024 + 10)}</x>`, /longer than 1048576/],
  ])('refuses a WebSessionInfo with %s (LIMIT_EXCEEDED)', async (_what, inner, message) => {
    const report = await fuzz(
      await emulatorWith(rewriteXml('createSession', (xml) => afterRootStart(xml, inner))),
      budget,
    );
    const f = findingOf(report, 'undecodable-response', 'createSession');
    expect(f.code).toBe('LIMIT_EXCEEDED');
    expect(f.message).toMatch(message);
  });

  it('refuses XML that is not well-formed with the feed’s code', async () => {
    const report = await fuzz(
      await emulatorWith(rewriteXml('createSession', (xml) => xml.replace('<Id>', '<Id>&nbsp;'))),
      budget,
    );
    const f = findingOf(report, 'undecodable-response', 'createSession');
    expect(f.code).toBe('XML_SYNTAX');
    expect(f.message).toMatch(/&nbsp;/);
  });

  it('reads valid variants a service may write: prefixes, CDATA, comments, references, UTF-16', async () => {
    const variants: Interceptor[] = [
      rewriteXml('createSession', (xml) =>
        xml
          .replace('<WebSessionInfo xmlns=', '<w:WebSessionInfo xmlns:w=')
          .replace('</WebSessionInfo>', '</w:WebSessionInfo>')
          .replace(
            /<(\/?)(BrokerNode|Id|IsDurable|MaxMessageSize|ServiceOperationTimeout|ServiceVersion)\b/g,
            '<$1w:$2',
          ),
      ),
      rewriteXml('createSession', (xml) =>
        xml.replace(/<Id>(\d+)<\/Id>/, '<Id><!-- id --><![CDATA[$1]]></Id>'),
      ),
      rewriteXml('createSession', (xml) =>
        xml.replace(/<Id>(\d)/, (_m, d: string) => `<Id>&#${d.charCodeAt(0)};`),
      ),
      async (request, next) => {
        const plan = await next();
        if (request.operation !== 'createSession' || plan.body?.kind !== 'bytes') return plan;
        if (!(plan.headers['content-type'] ?? '').includes('xml')) return plan;
        rewrites++;
        const text = Buffer.from(plan.body.bytes).toString('utf8');
        const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
        return {
          ...plan,
          headers: { ...plan.headers, 'content-type': 'application/xml; charset=utf-16' },
          body: { kind: 'bytes', bytes: new Uint8Array(bytes) },
        };
      },
    ];
    for (const variant of variants) {
      rewrites = 0;
      const report = await fuzz(await emulatorWith(variant), { ...budget, runs: 20 });
      expect(report.findings.map((f) => `${f.signature}: ${f.message}`)).toEqual([]);
      expect(rewrites).toBeGreaterThan(0);
    }
  });
});
