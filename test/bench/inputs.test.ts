// The benchmark inputs are the realistic samples of batchwire/arbitraries: they must decode to
// what was written, or the benchmarks would time error paths (and the ratios would mean nothing).
import { sampleFilters, sampleGenericResponses, sampleSoapMessages } from 'batchwire/arbitraries';
import { parseFault } from 'batchwire/faults';
import { decodeGenericBody, decodeGenericRequests } from 'batchwire/generic';
import { parseFilter, schemas, validateFilter } from 'batchwire/odata';
import { parseMessageArray } from 'batchwire/soap';
import { describe, expect, it } from 'vitest';
import { makeBody } from '../../bench/generic.js';
import { benchFilters } from '../../bench/odata.js';
import { makeArray, makeEntityArray, makeFullHeaderArray } from '../../bench/soap.js';
import { generatedBody } from '../../src/cli/bench-bodies.js';
import { BENCH_FORMATS } from '../../src/cli/bench-cases.js';
import { collect } from '../support/chunks.js';
import { thrownBy } from '../support/errors.js';

describe('realistic samples', () => {
  it('are deterministic per seed, and differ between seeds', () => {
    expect(sampleGenericResponses(20)).toEqual(sampleGenericResponses(20, { seed: 1 }));
    expect(sampleGenericResponses(20, { seed: 2 })).not.toEqual(sampleGenericResponses(20));
    expect(sampleSoapMessages(20, { seed: 3 })).toEqual(sampleSoapMessages(20, { seed: 3 }));
    expect(sampleFilters(20, { seed: 4 })).toEqual(sampleFilters(20, { seed: 4 }));
    // A longer draw starts with the shorter one (the bench relies on it to skip filters).
    expect(sampleFilters(40, { seed: 4 }).slice(0, 20)).toEqual(sampleFilters(20, { seed: 4 }));
  });

  it('refuse counts and seeds they cannot honour with INVALID_ARGUMENT', () => {
    for (const count of [-1, 1.5, Number.NaN, 100_001, '3', null]) {
      expect(thrownBy(() => sampleGenericResponses(count as number)).code).toBe('INVALID_ARGUMENT');
    }
    expect(thrownBy(() => sampleFilters(1, { seed: -2 })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => sampleSoapMessages(1, 7 as never)).code).toBe('INVALID_ARGUMENT');
  });

  it('filters are valid for their schema, and parse with it', () => {
    for (const { schema, schemaName, filter } of sampleFilters(300, { seed: 9 })) {
      expect(schemas[schemaName as keyof typeof schemas]).toBe(schema);
      expect(validateFilter(filter, schema), filter).toEqual([]);
      expect(parseFilter(filter, { schema }).kind).toBeDefined();
    }
  });
});

describe('npm run bench inputs decode to what was written', () => {
  it('generic bodies, UTF-16LE and UTF-8', () => {
    const pool = sampleGenericResponses(2000);
    for (const encoding of ['utf-16le', 'utf-8'] as const) {
      const { body, responses } = makeBody(1, encoding);
      const decoded = decodeGenericBody(body, { encoding });
      expect(decoded.responses).toHaveLength(responses);
      expect(decoded.end.count).toBe(responses);
      expect(decoded.responses.slice(0, pool.length)).toEqual(pool.map((r) => ({ kind: 'response', ...r })));
    }
  });

  it('the SOAP message array', () => {
    const { body, messages } = makeArray(1);
    const read = parseMessageArray(body);
    expect(read.messages).toHaveLength(messages);
    expect(read.end?.reason).toBe('Success');
    const first = sampleSoapMessages(1)[0]! as { userData: string; relatesTo: string };
    expect(read.messages[0]).toMatchObject({
      kind: 'response',
      userData: first.userData,
      relatesTo: first.relatesTo,
    });
  });

  it('the indented SOAP array with the full header set', () => {
    const { body, messages } = makeFullHeaderArray(1);
    const read = parseMessageArray(body);
    expect(read.messages).toHaveLength(messages);
    expect(read.end).toMatchObject({ count: messages, reason: 'Success' });
    const first = sampleSoapMessages(1, { seed: 7 })[0]! as { userData: string; action: string };
    expect(read.messages[0]).toMatchObject({
      kind: 'response',
      userData: first.userData,
      action: first.action,
    });
  });

  it('the SOAP array of long entity-heavy results (references decoded, not kept raw)', () => {
    const { body, messages } = makeEntityArray(1);
    const read = parseMessageArray(body);
    expect(read.messages).toHaveLength(messages);
    expect(read.end?.reason).toBe('Success');
    const results = read.messages.map((m) => (m as { body: { result?: string } }).body.result ?? '');
    for (const result of results) {
      expect(result.length).toBeGreaterThan(1000);
      expect(result).toMatch(/^<Table>\r\n<Row Id="\d+" Name="/);
      expect(result).not.toMatch(/&(amp|lt|gt|quot|apos|#x?[0-9A-Fa-f]+);/);
    }
    const all = results.join('');
    for (const decoded of [
      "O'Brien & Sons",
      'Müller',
      '日本語 テスト',
      'a < b && c > d',
      '"quoted"',
      'größe',
      'tab\tseparated',
    ]) {
      expect(all).toContain(decoded);
    }
  });

  it('the filters (valid for their schema; the baselines parse the bare-date forms)', () => {
    const { ours, bare, schema } = benchFilters(60);
    expect(ours).toHaveLength(60);
    expect(bare).toHaveLength(60);
    ours.forEach((filter, i) => {
      expect(validateFilter(filter, schema[i]!), filter).toEqual([]);
    });
  });
});

describe('batchwire bench without FILE: the generated bodies decode in their format', () => {
  for (const format of BENCH_FORMATS) {
    it(format, async () => {
      const { body } = generatedBody(format, 0.2);
      if (format === 'generic') {
        expect(decodeGenericBody(body).responses.length).toBeGreaterThanOrEqual(500);
      } else if (format === 'generic-requests') {
        expect((await collect(decodeGenericRequests(body))).length).toBeGreaterThanOrEqual(500);
      } else if (format === 'soap') {
        const read = parseMessageArray(body);
        expect(read.messages.length).toBeGreaterThan(100);
        expect(read.end?.reason).toBe('Success');
      } else if (format === 'filter') {
        const lines = new TextDecoder().decode(body).split('\n');
        expect(lines.length).toBeGreaterThan(50);
        for (const line of lines) parseFilter(line);
      } else {
        expect(parseFault({ body })).toMatchObject({ service: 'azure-batch', code: 'ServerBusy' });
      }
    });
  }
});
