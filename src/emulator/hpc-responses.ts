// Get Responses: a cursor over one batch's stored responses that hands them out in order,
// waits for more as the service produces them, and ends with the closing record.

import type { SoapWriteRecord } from '../soap/index.js';
import { argumentFault, boolParam } from './hpc-documents.js';
import {
  ACKED,
  type Batch,
  changed,
  GENERIC_NAMESPACE,
  HANDED,
  notify,
  PENDING,
  type ResponseExtra,
  SEP,
  type Session,
} from './hpc-state.js';
import type { GenericPlanRecord, ParsedRequest, ResponsePlan } from './plan.js';
import { encodeText, type LogEncoding } from './record-log.js';
import { FAST_PIECES, type FastRecords, genericEndText, type Piece } from './wire.js';

export type Step =
  | { kind: 'run'; from: number; to: number }
  | { kind: 'end'; count: number; reason: string }
  | { kind: 'stop' };

/** One Get Responses call: hands out pending responses in order, waiting for more as they come. */
export class ResponseCursor {
  private remaining: number;
  private done = false;
  // The runs `[from, to)` this call handed out, to put back if its client goes away.
  private readonly runs: number[] = [];

  constructor(
    private readonly batch: Batch,
    private readonly session: Session,
    count: number,
    private filter: number,
    private readonly pair: string,
    private readonly refreshFilter: () => number,
  ) {
    this.remaining = count === -1 ? Number.POSITIVE_INFINITY : count;
  }

  private finished(): boolean {
    const b = this.batch;
    return b.committed && b.processed >= b.requestCount && !b.processing;
  }

  private endStep(reason: string): Step {
    this.done = true;
    return { kind: 'end', count: this.batch.pairs.get(this.pair) ?? 0, reason };
  }

  /** The next run of pending responses, or the end; waits while there is nothing yet. */
  async next(): Promise<Step> {
    const b = this.batch;
    for (;;) {
      if (this.done) return { kind: 'stop' };
      if (b.purged || this.session.closed) return this.endStep('ClientPurged');
      if (this.filter === -2) this.filter = this.refreshFilter();
      const total = b.responses?.length ?? 0;
      const states = b.states.array;
      const actions = b.actionIds.array;
      const filter = this.filter;
      let i = b.scanFrom.get(filter) ?? 0;
      // Without an action filter the scans are the engine's own (memchr-like) searches.
      if (filter === -1) i = firstWith(states, PENDING, i, total);
      else while (i < total && (states[i] !== PENDING || actions[i] !== filter)) i++;
      b.scanFrom.set(filter, i);
      if (this.remaining > 0 && i < total) {
        let j = i + 1;
        const max = Math.min(total, i + this.remaining);
        if (filter === -1) j = Math.min(firstWith(states, HANDED, j, max), firstWith(states, ACKED, j, max));
        else while (j < max && states[j] === PENDING && actions[j] === filter) j++;
        states.fill(HANDED, i, j);
        b.handed.push(i, j);
        this.runs.push(i, j);
        b.scanFrom.set(filter, j);
        this.remaining -= j - i;
        b.pairs.set(this.pair, (b.pairs.get(this.pair) ?? 0) + (j - i));
        return { kind: 'run', from: i, to: j };
      }
      const nothingLeft = i >= total;
      if (nothingLeft && this.finished()) return this.endStep('Success');
      if (this.remaining <= 0) {
        this.done = true;
        return { kind: 'stop' };
      }
      await changed(b);
    }
  }

  /**
   * The client went away before the body was written whole: it stops waiting, and what it
   * handed out goes back to pending (nobody received it, so the next call must not acknowledge it).
   */
  abandon(): void {
    if (this.done && this.runs.length === 0) return;
    const b = this.batch;
    const states = b.states.array;
    let lowest = Number.POSITIVE_INFINITY;
    let count = 0;
    for (let r = 0; r < this.runs.length; r += 2) {
      const from = this.runs[r]!;
      const to = this.runs[r + 1]!;
      for (let i = from; i < to; i++) {
        if (states[i] !== HANDED) continue;
        states[i] = PENDING;
        count++;
      }
      lowest = Math.min(lowest, from);
    }
    if (count > 0) {
      const mine = new Set<number>();
      for (let r = 0; r < this.runs.length; r += 2) mine.add(this.runs[r]!);
      const kept: number[] = [];
      for (let r = 0; r < b.handed.length; r += 2) {
        if (!mine.has(b.handed[r]!)) kept.push(b.handed[r]!, b.handed[r + 1]!);
      }
      b.handed = kept;
      b.pairs.set(this.pair, Math.max(0, (b.pairs.get(this.pair) ?? 0) - count));
      for (const [filter, from] of b.scanFrom) b.scanFrom.set(filter, Math.min(from, lowest));
    }
    this.runs.length = 0;
    this.close();
  }

  /**
   * Every response the cursor hands out, as `record(i)` makes it, then the closing record (when
   * the call reaches the end); the cursor is closed however the reader stops.
   */
  async *walk<T>(
    record: (i: number) => T,
  ): AsyncGenerator<T | { kind: 'end'; count: number; reason: string }> {
    try {
      for (;;) {
        const step = await this.next();
        if (step.kind === 'stop') return;
        if (step.kind === 'end') {
          yield { kind: 'end', count: step.count, reason: step.reason };
          return;
        }
        for (let i = step.from; i < step.to; i++) yield record(i);
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    this.done = true;
    notify(this.batch);
  }

  fields(i: number): string[] {
    const text = this.batch.responses!.text(i);
    return text.slice(0, -1).split(SEP);
  }

  extra(i: number): ResponseExtra | undefined {
    const id = this.batch.extraIds.array[i]!;
    return id < 0 ? undefined : (JSON.parse(this.batch.extras.text(id)) as ResponseExtra);
  }

  genericRecords(encoding: LogEncoding): FastRecords<GenericPlanRecord> {
    const cursor = this;
    const records: FastRecords<GenericPlanRecord> = {
      [Symbol.asyncIterator]: () =>
        cursor.walk((i): GenericPlanRecord => {
          const [action = '', output = '', userData = ''] = cursor.fields(i);
          return { action, output, userData };
        }),
      async *[FAST_PIECES](): AsyncIterable<Piece> {
        try {
          for (;;) {
            const step = await cursor.next();
            if (step.kind === 'stop') return;
            if (step.kind === 'end') {
              yield { bytes: encodeText(genericEndText(step.count, step.reason), encoding), closing: true };
              return;
            }
            // A run is only handed out from an existing log.
            const log = cursor.batch.responses!;
            if (log.encoding === encoding) {
              for (const run of log.runs(step.from, step.to))
                yield { bytes: run.bytes, ends: run.ends, retained: true };
              continue;
            }
            // Responses stored in another encoding than the call's (it began before the first flush).
            for (let i = step.from; i < step.to; i++) {
              const text = log.text(i);
              // (Node writes an unpaired surrogate as U+FFFD in UTF-8.)
              const bytes = encodeText(text, encoding);
              yield { bytes, ends: [bytes.length] };
            }
          }
        } finally {
          cursor.close();
        }
      },
    };
    return records;
  }

  soapRecords(): AsyncIterable<SoapWriteRecord> {
    const batch = this.batch;
    return {
      [Symbol.asyncIterator]: () =>
        this.walk((i): SoapWriteRecord => {
          const [action = '', output = '', userData = ''] = this.fields(i);
          const requestAction = batch.actions[batch.actionIds.array[i]!];
          return soapRecordOf(action, output, userData, requestAction, this.extra(i));
        }),
    };
  }
}

function soapRecordOf(
  action: string,
  output: string,
  userData: string,
  requestAction: string | undefined,
  extra: ResponseExtra | undefined,
): SoapWriteRecord {
  if (extra?.fault) {
    const fault: SoapWriteRecord = {
      kind: 'fault',
      action,
      code: extra.fault.code ?? 's:Receiver',
      subcodes: extra.fault.subcodes ?? [],
      reason: output,
    };
    if (extra.fault.detail !== undefined) fault.detail = extra.fault.detail;
    if (extra.relatesTo !== undefined) fault.relatesTo = extra.relatesTo;
    if (userData !== '') fault.userData = userData;
    return fault;
  }
  const name = extra?.bodyName ?? 'GenericOperationResponse';
  const namespace = extra?.bodyNamespace ?? GENERIC_NAMESPACE;
  const record: SoapWriteRecord = {
    action,
    body:
      extra?.bodyXml !== undefined
        ? { name, namespace, xml: extra.bodyXml }
        : { name, namespace, result: output },
  };
  if (extra?.relatesTo !== undefined) record.relatesTo = extra.relatesTo;
  if (requestAction !== undefined) record.requestAction = requestAction;
  if (userData !== '') record.userData = userData;
  return record;
}

/**
 * Get Responses on a batch: the previous call's responses acknowledged (or put back by
 * `reset=true`), then a plan that streams pending responses as the service produces them.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: Get Responses' query semantics (count, reset, action, clientdata, waiting, closing record) in the order the broker applies them
export function getResponsesPlan(
  request: ParsedRequest,
  session: Session,
  batch: Batch,
  flavour: 'HPCPack2008' | 'HPCServer2008',
): ResponsePlan {
  const countText = request.query.get('count');
  const count =
    countText === undefined || countText === ''
      ? -1
      : /^-?[0-9]{1,10}$/.test(countText)
        ? Number(countText)
        : Number.NaN;
  if (!(count === -1 || (count >= 1 && count <= 2147483647))) {
    return argumentFault(request, 'count', countText ?? '', 'count is -1 (all) or a positive number');
  }
  const reset = boolParam(request.query.get('reset'));
  const generic = boolParam(request.query.get('genericservice'));
  if (reset === 'invalid' || generic === 'invalid') {
    const key = reset === 'invalid' ? 'reset' : 'genericservice';
    return argumentFault(request, key, request.query.get(key) ?? '', `${key} is true or false`);
  }
  const action = request.query.get('action') ?? '';
  const clientData = request.query.get('clientdata') ?? '';
  const pair = `${action}\u0000${clientData}`;
  // Responses handed out by the previous call are acknowledged (reset=false) or put back (reset=true).
  const states = batch.states.array;
  const total = batch.responses?.length ?? 0;
  const runs = batch.handed;
  batch.handed = [];
  if (reset === true) {
    let lowest = total;
    for (let r = 0; r < runs.length; r += 2) {
      setRun(states, runs[r]!, runs[r + 1]!, HANDED, PENDING);
      lowest = Math.min(lowest, runs[r]!);
    }
    // A durable session rewinds to the first response, acknowledged ones included.
    if (session.durable) {
      for (let i = 0; i < total; i++) if (states[i] === ACKED) states[i] = PENDING;
      lowest = 0;
    }
    for (const [filter, from] of batch.scanFrom) batch.scanFrom.set(filter, Math.min(from, lowest));
    batch.pairs.set(pair, 0);
  } else {
    for (let r = 0; r < runs.length; r += 2) {
      for (let i = runs[r]!; i < runs[r + 1]!; i++) if (states[i] === HANDED) states[i] = ACKED;
    }
  }
  if (!batch.pairs.has(pair)) batch.pairs.set(pair, 0);
  const filter = action === '' ? -1 : (batch.actionIndex.get(action) ?? -2);
  const cursor = new ResponseCursor(batch, session, count, filter, pair, () => actionIdOf(batch, action));
  if (generic === true) {
    const encoding: LogEncoding = batch.responses?.encoding ?? 'utf-8';
    const records = cursor.genericRecords(encoding);
    return {
      status: 200,
      headers: { 'content-type': `application/octet-stream; charset=${encoding}` },
      body: { kind: 'generic', encoding, records, abandon: () => cursor.abandon() },
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml; charset=utf-8' },
    body: {
      kind: 'soap',
      records: cursor.soapRecords(),
      options: { flavour },
      callbackId: clientData,
      abandon: () => cursor.abandon(),
    },
  };
}

/** The first index from `from` (before `to`) whose state is `state`, else `to`; searches that range only. */
function firstWith(states: Uint8Array, state: number, from: number, to: number): number {
  if (from >= to) return to;
  const at = states.subarray(from, to).indexOf(state);
  return at < 0 ? to : from + at;
}

const STATES = [PENDING, HANDED, ACKED];

/** States `from` to `to` that are `was` become `now`: one fill when all are (as runs handed out whole are). */
function setRun(states: Uint8Array, from: number, to: number, was: number, now: number): void {
  if (STATES.every((state) => state === was || firstWith(states, state, from, to) === to)) {
    states.fill(now, from, to);
    return;
  }
  for (let i = from; i < to; i++) if (states[i] === was) states[i] = now;
}

function actionIdOf(batch: Batch, action: string): number {
  return action === '' ? -1 : (batch.actionIndex.get(action) ?? -2);
}
