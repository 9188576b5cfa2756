// Realistic samples: deterministic lists of what the services really exchange (reply actions,
// mostly-ASCII outputs, WCF data contracts, Batch filters), drawn from one seed. They are the
// inputs of `npm run bench` and of `batchwire bench` without FILE, and tests check that they
// decode, so benchmarks, tests and fuzzing share one source of fixtures. This file does not load
// fast-check: the CLI uses it in installs without the optional peer.

import { invalidArgument } from '../core/errors.js';
import { createRandom, type Random } from '../core/random.js';
import { schemas } from '../odata/schemas.js';
import type { FilterSchema } from '../odata/types.js';
import type { SoapWriteRecord } from '../soap/writer.js';
import { countOption, optionsObject } from './options.js';

/** The most samples one call draws: enough for any benchmark, small enough to never exhaust memory. */
const MAX_SAMPLES = 100_000;

/** Options of the sample functions. */
export interface SampleOptions {
  /** The seed: the same seed gives the same samples. @defaultValue 1 */
  seed?: number | undefined;
}

function checked(count: unknown, options: unknown, what: string): { count: number; random: Random } {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_SAMPLES) {
    throw invalidArgument(`${what}: count must be an integer from 0 to ${MAX_SAMPLES}`);
  }
  const seed = countOption(optionsObject(options, what), 'seed', 1, what);
  return { count, random: createRandom(seed) };
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function words(random: Random, list: readonly string[], min: number, spread: number): string {
  const out: string[] = [];
  const n = min + Math.floor(random() * spread);
  for (let w = 0; w < n; w++) out.push(pick(random, list));
  return out.join(' ');
}

const GENERIC_REPLY_ACTION =
  'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';
const GENERIC_WORDS = [
  'result',
  'value',
  'pi',
  '3.14159',
  'converged',
  'iteration',
  'größe',
  'naïve',
  '日本語',
  'ok',
  '🚀',
];

/**
 * Realistic generic-service responses: the generic reply action, outputs of 8-87 words (50-600
 * characters, mostly ASCII, some accents, CJK and an astral emoji), user data `task-{i}`.
 *
 * @throws `BatchwireError` `INVALID_ARGUMENT` for a count that is not an integer from 0 to
 *   100 000, or a bad seed
 * @example
 * ```ts
 * const body = encodeGenericResponses(sampleGenericResponses(2000), { encoding: 'utf-16le' });
 * ```
 */
export function sampleGenericResponses(
  count: number,
  options?: SampleOptions,
): { action: string; output: string; userData: string }[] {
  const { count: n, random } = checked(count, options, 'sampleGenericResponses');
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({
      action: GENERIC_REPLY_ACTION,
      output: words(random, GENERIC_WORDS, 8, 80),
      userData: `task-${i}`,
    });
  }
  return out;
}

const SOAP_WORDS = [
  'result',
  'value',
  'pi',
  '3.14159',
  'converged',
  'a<b',
  'x&y',
  'größe',
  '日本語',
  'ok',
  '🚀',
];

function uuid(random: Random): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Realistic SOAP responses as a WCF service answers them, ready for `writeMessageArray`: three in
 * five with a numeric `...Result`, one in five with a text result of 3-40 words (markup characters
 * and non-ASCII included), one in five with a small data contract (a few fields, an `i:nil`).
 *
 * @throws `BatchwireError` `INVALID_ARGUMENT` for a count that is not an integer from 0 to
 *   100 000, or a bad seed
 * @example
 * ```ts
 * const xml = writeMessageArray([...sampleSoapMessages(2000), { kind: 'end', reason: 'Success' }]);
 * ```
 */
export function sampleSoapMessages(count: number, options?: SampleOptions): SoapWriteRecord[] {
  const { count: n, random } = checked(count, options, 'sampleSoapMessages');
  const out: SoapWriteRecord[] = [];
  for (let i = 0; i < n; i++) {
    const text = words(random, SOAP_WORDS, 3, 38);
    const shape = random();
    const result = shape < 0.4 ? text : String(Math.round(random() * 1e9) / 1e3);
    out.push({
      action: 'http://tempuri.org/ICalculator/ComputeResponse',
      relatesTo: uuid(random),
      to: 'http://www.w3.org/2005/08/addressing/anonymous',
      requestAction: 'http://tempuri.org/ICalculator/Compute',
      userData: `task-${i}`,
      body:
        shape < 0.2
          ? {
              name: 'ComputeResponse',
              namespace: 'http://tempuri.org/',
              xml:
                '<ComputeResult xmlns:b="http://schemas.datacontract.org/2004/07/Calc" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">' +
                `<b:Iterations>${Math.floor(random() * 1000)}</b:Iterations><b:Label>${result.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</b:Label>` +
                `<b:Residual>${random()}</b:Residual><b:Error i:nil="true"/></ComputeResult>`,
            }
          : { name: 'ComputeResponse', namespace: 'http://tempuri.org/', result },
    });
  }
  return out;
}

const FILTER_STRINGS: Record<string, string[]> = {
  poolId: ['mypool1', 'render-pool', 'gpu_pool-eastus'],
  nodeId: ['tvm-2167304207_1-20140905t174658z', 'tvm-1695681911_2-20161121t182739z'],
  state: ['completed', 'running', 'active', 'idle', 'steady'],
  result: ['success', 'failure'],
  id: ['renderTask', 'job-2024', "O'Brien-run"],
  vmSize: ['standard_d2s_v3'],
  allocationState: ['steady', 'resizing'],
};

function stringValue(path: string, random: Random): string {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return pick(random, FILTER_STRINGS[last] ?? FILTER_STRINGS.state!);
}

type Clause = { filter: string; plainDates: string };

// One comparison (or startswith) on a property of `schema`, with a value of its type.
function clause(schema: FilterSchema, random: Random): Clause {
  const [path, spec] = pick(random, Object.entries(schema.properties));
  const op = pick(random, spec.operators);
  let text: string;
  if (op === 'startswith') {
    text = `startswith(${path}, '${stringValue(path, random).slice(0, 4).replaceAll("'", "''")}')`;
  } else if (spec.type === 'String') {
    text = `${path} ${op} '${stringValue(path, random).replaceAll("'", "''")}'`;
  } else if (spec.type === 'Int') {
    text = `${path} ${op} ${Math.floor(random() * 5) - 1}`;
  } else if (spec.type === 'Boolean') {
    text = `${path} ${op} ${random() < 0.5}`;
  } else {
    const iso = new Date(Date.UTC(2015, 4, 1) + Math.floor(random() * 3e10)).toISOString().slice(0, 19);
    return { filter: `${path} ${op} DateTime'${iso}Z'`, plainDates: `${path} ${op} ${iso}Z` };
  }
  return { filter: text, plainDates: text };
}

/**
 * Realistic Azure Batch `$filter`s: for a schema drawn from `schemas`, 1-4 comparisons of its
 * properties with values of their types (sometimes an `or` group in parentheses), joined by
 * `and` (mostly) or `or`. Each is valid for its schema. `plainDates` is the same filter with bare
 * ISO dates instead of `DateTime'...'` literals, for parsers that cannot read those.
 *
 * @throws `BatchwireError` `INVALID_ARGUMENT` for a count that is not an integer from 0 to
 *   100 000, or a bad seed
 * @example
 * ```ts
 * for (const { filter, schema } of sampleFilters(100)) validateFilter(filter, schema); // []
 * ```
 */
export function sampleFilters(
  count: number,
  options?: SampleOptions,
): { schemaName: string; schema: FilterSchema; filter: string; plainDates: string }[] {
  const { count: n, random } = checked(count, options, 'sampleFilters');
  const all = Object.entries(schemas) as [string, FilterSchema][];
  const out = [];
  for (let k = 0; k < n; k++) {
    const [schemaName, schema] = pick(random, all);
    const clauses = 1 + Math.floor(random() * 4);
    const filter: string[] = [];
    const plainDates: string[] = [];
    for (let i = 0; i < clauses; i++) {
      if (clauses > 2 && i === 1 && random() < 0.5) {
        const a = clause(schema, random);
        const b = clause(schema, random);
        filter.push(`(${a.filter} or ${b.filter})`);
        plainDates.push(`(${a.plainDates} or ${b.plainDates})`);
      } else {
        const c = clause(schema, random);
        filter.push(c.filter);
        plainDates.push(c.plainDates);
      }
    }
    const joiner = random() < 0.8 ? ' and ' : ' or ';
    out.push({ schemaName, schema, filter: filter.join(joiner), plainDates: plainDates.join(joiner) });
  }
  return out;
}
