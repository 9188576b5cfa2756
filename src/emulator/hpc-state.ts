// The state of the HPC Pack emulator: sessions and batches (broker clients) with their request
// and response logs, and the signals that wake a waiting Get Responses.

import type { QualifiedName } from '../soap/index.js';
import type { HpcBatchInfo, HpcServiceFault, HpcServiceResult } from './hpc-types.js';
import { RecordLog } from './record-log.js';

/** The namespace of the generic service contract. */
export const GENERIC_NAMESPACE = 'http://hpc.microsoft.com/GenericService';

// Values that have to survive U+FFFF-joined storage: SOAP values cannot hold U+FFFF (XML
// forbids it) and generic fields cannot (it is their separator).
export const SEP = '\uFFFF';

export const PENDING = 0;
export const HANDED = 1;
export const ACKED = 2;

export class Grow<T extends Uint8Array | Uint32Array | Int32Array> {
  constructor(public array: T) {}
  set(i: number, value: number): void {
    if (i >= this.array.length) {
      const next = new (this.array.constructor as new (n: number) => T)(
        Math.max(i + 1, this.array.length * 2),
      );
      next.set(this.array);
      this.array = next;
    }
    this.array[i] = value;
  }
}

/** SOAP-only facts of a response, kept beside its generic form. */
export interface ResponseExtra {
  relatesTo?: string;
  bodyName?: string;
  bodyNamespace?: string;
  bodyXml?: string;
  fault?: Omit<HpcServiceFault, 'reason'>;
}

export interface Batch {
  name: string;
  format: 'generic' | 'soap' | undefined;
  committed: boolean;
  purged: boolean;
  /** Pending requests: `action FFFF input FFFF userData FFFF messageId FFFF bodyName FFFF bodyNamespace`. */
  requests: RecordLog;
  requestBase: number;
  requestCount: number;
  processed: number;
  processing: boolean;
  /** Responses in their generic form, in `responses.encoding`. */
  responses: RecordLog | undefined;
  states: Grow<Uint8Array>;
  actionIds: Grow<Uint32Array>;
  extraIds: Grow<Int32Array>;
  extras: RecordLog;
  actions: string[];
  actionIndex: Map<string, number>;
  /** Responses handed out, per (action, clientdata), since that pair's last reset. */
  pairs: Map<string, number>;
  /** No response before this index is pending. */
  /**
   * Per action filter (-1: none), an index before which no response matching it is pending.
   * Responses only go pending -> handed -> acknowledged until a reset, so these bounds only grow
   * and each Get Responses call scans what it hands out, not the whole batch.
   */
  scanFrom: Map<number, number>;
  /** Runs `[from, to)` handed out since the last call, to acknowledge or put back. */
  handed: number[];
  waiters: Set<() => void>;
  /** Send Requests calls on one batch run one after another. */
  flushing: Promise<unknown>;
}

export interface Session {
  id: number;
  serviceName: string;
  durable: boolean;
  closed: boolean;
  maxMessageSize: number;
  batches: Map<string, Batch>;
}

export function newBatch(name: string): Batch {
  return {
    name,
    format: undefined,
    committed: false,
    purged: false,
    requests: new RecordLog('utf-16le'),
    requestBase: 0,
    requestCount: 0,
    processed: 0,
    processing: false,
    responses: undefined,
    states: new Grow(new Uint8Array(64)),
    actionIds: new Grow(new Uint32Array(64)),
    extraIds: new Grow(new Int32Array(64)),
    extras: new RecordLog('utf-16le'),
    actions: [],
    actionIndex: new Map(),
    pairs: new Map(),
    scanFrom: new Map(),
    handed: [],
    waiters: new Set(),
    flushing: Promise.resolve(),
  };
}

/** A fault code as the SOAP writer takes it: QName text, or `{ namespace, name }`. */
export function codeOf(code: unknown): string | QualifiedName | undefined {
  if (typeof code === 'string') return code;
  if (typeof code === 'object' && code !== null) {
    const { namespace, name } = code as Partial<QualifiedName>;
    if (typeof namespace === 'string' && typeof name === 'string') return { namespace, name };
  }
  return undefined;
}

export function statusOf(batch: Batch): HpcBatchInfo['status'] {
  if (!batch.committed) return 'Ready';
  return batch.processed < batch.requestCount ? 'Processing' : 'Finished';
}

export function notify(batch: Batch): void {
  const waiters = [...batch.waiters];
  batch.waiters.clear();
  for (const wake of waiters) wake();
}

export function changed(batch: Batch): Promise<void> {
  return new Promise((resolve) => batch.waiters.add(resolve));
}

export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function isThenable(value: unknown): value is PromiseLike<HpcServiceResult> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
