// The model behind the HPC Pack sequences: the sessions and batches a sequence opened, what each
// batch's requests are owed (the broker's bookkeeping as shared/reference/hpc-pack-*.md
// describes it: responses handed out by one Get Responses are acknowledged by the next call, or
// put back by reset=true; a durable session rewinds to the first), and the readers of the
// answers (WebSessionInfo, Get Responses windows). The commands live in hpc-pack.ts.
import fc from 'fast-check';
import { charsetOf, detectEncoding } from '../core/charset.js';
import { type BatchwireError, isBatchwireError } from '../core/errors.js';
import { decodeGenericRequests, encodeGenericRequests, GenericResponseDecoder } from '../generic/index.js';
import { hpcPack } from '../requests/index.js';
import { MessageArrayReader, readMessageArray, type SoapRecord, writeMessageArray } from '../soap/index.js';
import { readJson, readXmlOutline, xmlText } from './documents.js';
import type { Reply, Sequence } from './sequence.js';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface Batch {
  name: string;
  /** Holds near-valid sends: only the format-level checks apply to it. */
  junk: boolean;
  format?: 'generic' | 'soap';
  encoding?: Encoding;
  committed: boolean;
  /** Requests the backend accepted; undefined once that is not known (a junk body batchwire cannot read). */
  requests: number | undefined;
  /** User data of the responses not yet handed out, as counts. */
  pending: Map<string, number>;
  pendingSize: number;
  /** Handed out by the previous Get Responses on this batch, not yet acknowledged. */
  handed: string[];
  acked: string[];
  /** Responses handed out per clientdata since its last reset. */
  pairs: Map<string, number>;
  finishedSeen: boolean;
  /** SOAP: the userData of each request, by its MessageID (a response's RelatesTo names it). */
  messages: Map<string, string>;
}

export interface Session {
  id: number;
  durable: boolean;
  closed: boolean;
  batches: Map<string, Batch>;
}

export interface HpcState {
  cluster: string | undefined;
  sessions: Session[];
  /** SOAP request MessageIDs handed out so far in the sequence. */
  messages: number;
}

export type Seq = Sequence<HpcState>;

export const CLEAN_BATCHES = ['b0', 'b1', 'b2'];
export const JUNK_BATCHES = ['x0', 'x1'];
export const SOAP_ACTION = 'http://tempuri.org/IEcho/Echo';
export const JSON_ACCEPT = 'application/json';

// Text both a generic record and XML 1.0 can carry (no separators, no C0 controls but tab and
// line ends, no U+FFFE/U+FFFF), biased towards what breaks naive servers.
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
export const field = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => !UNSAFE.test(s)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('"', "'", '<', '&', ' ', '\r\n', '\u00e9', '\ud83d\ude80', '%', '\\'),
      },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

export const accept = fc.constantFrom<string | undefined>(undefined, JSON_ACCEPT);

export function newBatch(name: string, junk: boolean): Batch {
  return {
    name,
    junk,
    committed: false,
    requests: 0,
    pending: new Map(),
    pendingSize: 0,
    handed: [],
    acked: [],
    pairs: new Map(),
    finishedSeen: false,
    messages: new Map(),
  };
}

export function add(batch: Batch, userData: string): void {
  batch.pending.set(userData, (batch.pending.get(userData) ?? 0) + 1);
  batch.pendingSize++;
}

export function take(batch: Batch, userData: string): boolean {
  const n = batch.pending.get(userData) ?? 0;
  if (n === 0) return false;
  if (n === 1) batch.pending.delete(userData);
  else batch.pending.set(userData, n - 1);
  batch.pendingSize--;
  return true;
}

export function shown(text: string): string {
  const json = JSON.stringify(text);
  return json.length > 60 ? `${json.slice(0, 57)}..."` : json;
}

export function base(seq: Seq, useCluster: boolean | undefined, acceptType?: string) {
  const options: { baseUrl: string; cluster?: string; apiVersion?: string; accept?: string } = {
    baseUrl: seq.env.target,
  };
  if (useCluster && seq.state.cluster !== undefined) options.cluster = seq.state.cluster;
  if (seq.env.apiVersion !== undefined) options.apiVersion = seq.env.apiVersion;
  if (acceptType !== undefined) options.accept = acceptType;
  return options;
}

export function batchOf(session: Session, name: string, junk: boolean): Batch {
  let batch = session.batches.get(name);
  if (!batch) {
    batch = newBatch(name, junk);
    session.batches.set(name, batch);
  }
  return batch;
}

export function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** Reads a WebSessionInfo (JSON or XML) and returns its Id. */
export function sessionIdOf(seq: Seq, reply: Reply): number {
  const id = seq.decoding(reply, 'WebSessionInfo', (): number | undefined => {
    if ((reply.contentType ?? '').toLowerCase().includes('json')) {
      const value = readJson(reply.body, reply.contentType) as { Id?: unknown } | null;
      if (typeof value === 'object' && value !== null && Number.isSafeInteger(value.Id))
        return value.Id as number;
      return undefined;
    }
    const outline = readXmlOutline(reply.body, reply.contentType);
    const text = outline.root === 'WebSessionInfo' ? xmlText(outline, 'Id', 1) : undefined;
    return text !== undefined && /^\s*[0-9]{1,15}\s*$/.test(text) ? Number(text) : undefined;
  });
  if (id !== undefined) return id;
  return seq.undecodable(reply, {
    code: 'MALFORMED_DOCUMENT',
    message: 'the answer is not a WebSessionInfo with an integer Id',
  });
}

export function startInfo(serviceName: string, json: boolean): string {
  if (json) {
    return JSON.stringify({
      ServiceName: serviceName,
      Username: 'fuzz',
      Password: 'fuzz',
      MaxMessageSize: 2147483647,
      Runtime: -1,
    });
  }
  const escaped = serviceName.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return (
    '<WebSessionStartInfo xmlns="http://hpc.microsoft.com/"><MaxMessageSize>2147483647</MaxMessageSize>' +
    `<Password>fuzz</Password><Runtime>-1</Runtime><ServiceName>${escaped}</ServiceName><Username>fuzz</Username></WebSessionStartInfo>`
  );
}

/** The decoded records of a Get Responses answer. */
export interface Window {
  userData: string[];
  /** Each response's WS-Addressing RelatesTo (SOAP), in order; undefined where it has none. */
  relatesTo: (string | undefined)[];
  end?: { count: number; reason: string };
}

/** Decodes a Get Responses body; a window may lack the closing record (the caller decides whether it may). */
export function readWindow(seq: Seq, reply: Reply, generic: boolean): Window {
  const window: Window = { userData: [], relatesTo: [] };
  const what = generic ? 'generic record stream' : 'SOAP message array';
  const fail = (error: BatchwireError) =>
    seq.undecodable(
      reply,
      { code: error.code, message: `${error.message} (at offset ${error.offset})` },
      what,
    );
  if (generic) {
    const decoder = new GenericResponseDecoder({ verifyCount: false, contentType: reply.contentType });
    const take = (records: ReturnType<GenericResponseDecoder['write']>) => {
      for (const r of records) {
        if (r.kind === 'response') window.userData.push(r.userData);
        else window.end = { count: r.count, reason: r.reason };
      }
    };
    try {
      take(decoder.write(reply.body));
      take(decoder.end());
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      // A body that stops at a record boundary without the closing record is a window; any
      // other cut is a truncated body.
      if (error.code !== 'TRUNCATED' || window.end !== undefined || !endsAtRecord(reply)) fail(error);
    }
    return window;
  }
  const reader = new MessageArrayReader({
    verifyCount: false,
    requireEnd: false,
    contentType: reply.contentType,
  });
  const takeSoap = (records: SoapRecord[]) => {
    for (const r of records) {
      if (r.kind === 'end') window.end = { count: r.count, reason: r.reason };
      else {
        window.userData.push(r.userData ?? '');
        window.relatesTo.push(r.relatesTo);
      }
    }
  };
  try {
    takeSoap(reader.write(reply.body));
    takeSoap(reader.end());
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    fail(error);
  }
  return window;
}

/** Whether a generic body ends with a record terminator (or is empty), in its own encoding. */
export function endsAtRecord(reply: Reply): boolean {
  const bytes = reply.body;
  if (bytes.length === 0) return true;
  const { encoding } = detectEncoding(bytes, charsetOf(reply.contentType));
  if (encoding === 'utf-8') return bytes[bytes.length - 1] === 0;
  return bytes.length % 2 === 0 && bytes[bytes.length - 1] === 0 && bytes[bytes.length - 2] === 0;
}

/** Open sessions' batches that can be read: committed, with a known format. */
export function readable(seq: Seq): { session: Session; batch: Batch }[] {
  const out: { session: Session; batch: Batch }[] = [];
  for (const session of seq.state.sessions) {
    if (session.closed) continue;
    for (const batch of session.batches.values()) {
      if (batch.committed && batch.format !== undefined) out.push({ session, batch });
    }
  }
  return out;
}

export function requestBody(
  format: 'generic' | 'soap',
  encoding: Encoding,
  bom: boolean,
  requests: readonly { input: string; userData: string }[],
  ids: readonly string[],
) {
  if (format === 'generic') {
    return encodeGenericRequests(requests, { encoding, bom });
  }
  const xml = writeMessageArray(
    requests.map((r, i) => ({
      action: SOAP_ACTION,
      messageId: `urn:uuid:${ids[i % ids.length] ?? '00000000-0000-4000-8000-000000000000'}`,
      userData: r.userData,
      body: { name: 'Echo', namespace: 'http://tempuri.org/', result: r.input },
    })),
  );
  return new TextEncoder().encode(xml);
}

export function decodedCount(
  format: 'generic' | 'soap',
  body: Uint8Array,
  contentType: string | undefined,
): Promise<string[] | undefined> {
  const collect = async () => {
    const userData: string[] = [];
    if (format === 'generic') {
      for await (const r of decodeGenericRequests([body], contentType === undefined ? {} : { contentType }))
        userData.push(r.userData);
    } else {
      for await (const r of readMessageArray([body], {
        requireEnd: false,
        ...(contentType === undefined ? {} : { contentType }),
      })) {
        if (r.kind !== 'response') return undefined;
        userData.push(r.userData ?? '');
      }
    }
    return userData;
  };
  return collect().catch((error: unknown) => {
    if (isBatchwireError(error)) return undefined;
    throw error;
  });
}

/** Creates a session (a valid WebSessionStartInfo) and adds it to the bookkeeping. */
export async function openSession(
  seq: Seq,
  p: { accept: string | undefined; json: boolean; durable: boolean; cluster: boolean },
): Promise<Session> {
  const descriptor = hpcPack.createSession({
    ...base(seq, p.cluster, p.accept),
    durable: p.durable,
    body: startInfo(seq.env.serviceName, p.json),
  });
  const reply = await seq.send('createSession', descriptor, { outcome: 'success', success: [201] });
  const id = sessionIdOf(seq, reply);
  const session: Session = { id, durable: p.durable, closed: false, batches: new Map() };
  seq.state.sessions.push(session);
  return session;
}

/** The picked session; the first operation that needs one opens it (so no sequence is wasted waiting for one). */
export async function sessionAt(seq: Seq, n: number): Promise<Session> {
  return (
    pick(seq.state.sessions, n) ??
    (await openSession(seq, { accept: undefined, json: true, durable: false, cluster: false }))
  );
}
