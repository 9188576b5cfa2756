// Turns a plan's body into the pieces of bytes the server writes, each piece marking where the
// records (or envelopes) it completes end, so that faults can cut at format positions.
import { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import {
  HPC_NAMESPACE,
  type SoapWriteOptions,
  type SoapWriteRecord,
  writeMessageArray,
} from '../soap/index.js';
import type { GenericPlanRecord, PlanBody } from './plan.js';
import { encodeText, type LogEncoding } from './record-log.js';
import { escapeXml } from './xml.js';

/** Bytes to write, with the end offsets of the response records they complete. */
export interface Piece {
  bytes: Uint8Array;
  /**
   * End offsets, relative to `bytes`, of each response record or envelope that ends in this piece
   * (or a function that computes them, for pieces that rarely need them).
   */
  ends?: ArrayLike<number> | (() => ArrayLike<number>);
  /** This piece is the closing record (`EndOfGetResponse`), or starts with it. */
  closing?: boolean;
  /**
   * The bytes are a view of memory the emulator keeps anyway (stored responses): queuing them on
   * the socket without waiting for it to drain costs no memory, and keeps the socket busy.
   */
  retained?: boolean;
}

/** The end offsets of a piece's records. */
export function endsOf(piece: Piece): ArrayLike<number> {
  const ends = piece.ends;
  return ends === undefined ? [] : typeof ends === 'function' ? ends() : ends;
}

/** A plan body as pieces, with what the fault writer needs to know about its format. */
export interface PieceStream {
  pieces: AsyncIterable<Piece>;
  /** Text encoding of a record stream (for cuts inside records); `undefined` for other bodies. */
  encoding?: LogEncoding;
  /** `generic` or `soap` for record streams. */
  format?: 'generic' | 'soap';
  /** Whole length, when known before writing (bytes and JSON bodies). */
  length?: number;
}

/**
 * A generic record source may carry a faster way to produce its bytes: runs of records already
 * encoded (the emulator's own Get Responses). The server uses it unless the records were replaced.
 */
export const FAST_PIECES: unique symbol = Symbol('batchwire.emulator.fastPieces');

/** An async iterable of records that can also hand out pre-encoded pieces. */
export interface FastRecords<T> extends AsyncIterable<T> {
  [FAST_PIECES]?: () => AsyncIterable<Piece>;
}

const FIELD = '\uFFFF';
const END = '\u0000';

function checkField(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new BatchwireError('INVALID_FIELD', `${what} must be a string`, 0);
  const at = Math.max(value.indexOf(FIELD), value.indexOf(END));
  if (at >= 0)
    throw new BatchwireError(
      'INVALID_FIELD',
      `${what} contains U+FFFF or U+0000, which would split the record`,
      at,
    );
  return value;
}

/** The text of one generic response record; refuses fields that would change the record structure. */
export function genericRecordText(action: string, output: string, userData: string): string {
  checkField(action, 'action');
  if (action === END_OF_GET_RESPONSE_ACTION) {
    throw new BatchwireError('INVALID_FIELD', 'a response cannot carry the closing action', 0);
  }
  return action + FIELD + checkField(output, 'output') + FIELD + checkField(userData, 'userData') + END;
}

/** The text of the closing record. */
export function genericEndText(count: number, reason: string): string {
  if (!Number.isSafeInteger(count) || count < 0)
    throw new BatchwireError('INVALID_FIELD', 'the closing count must be a non-negative integer', 0);
  return END_OF_GET_RESPONSE_ACTION + FIELD + String(count) + FIELD + checkField(reason, 'reason') + END;
}

/** Whether `text` holds a UTF-16 surrogate that is not half of a pair. */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return true;
  }
  return false;
}

function encodeChecked(text: string, encoding: LogEncoding): Buffer {
  if (encoding === 'utf-8' && hasLoneSurrogate(text)) {
    throw new BatchwireError('INVALID_FIELD', 'an unpaired surrogate cannot be written as UTF-8', 0);
  }
  return encodeText(text, encoding);
}

const FAULT_ACTION = 'http://hpc.microsoft.com/session/SessionFault';

/** An error message as plain ASCII, safe in any field of any format. */
function plain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}

async function* genericPieces(
  records: AsyncIterable<GenericPlanRecord>,
  encoding: LogEncoding,
): AsyncIterable<Piece> {
  for await (const record of records) {
    if (record.kind === 'end') {
      yield { bytes: encodeChecked(genericEndText(record.count, record.reason), encoding), closing: true };
      return;
    }
    let bytes: Buffer;
    try {
      bytes = encodeChecked(genericRecordText(record.action, record.output, record.userData ?? ''), encoding);
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      // A record that cannot be written without breaking the stream goes out as a fault saying why.
      const reason = `the response cannot be written: ${plain(error)}`;
      bytes = encodeText(genericRecordText(FAULT_ACTION, reason, ''), encoding);
    }
    yield { bytes, ends: [bytes.length] };
  }
}

const RESPONSE_CALLBACK = 'Broker_ResponseCallbackId';

/** Splits what writeMessageArray writes around one record into the envelope alone. */
function envelopeOf(
  record: SoapWriteRecord,
  options: SoapWriteOptions,
  callbackId: string | undefined,
): string {
  const flavour = options.flavour ?? 'HPCPack2008';
  const root = options.root ?? `${flavour}_WebAPI_MessageArray`;
  const single = writeMessageArray([record], { ...options, declaration: false });
  let envelope = single.slice(root.length + 2, single.length - root.length - 3);
  // The broker echoes clientdata in every envelope; writeMessageArray writes the header empty on the closing envelope only.
  const element = `${flavour}_${RESPONSE_CALLBACK}`;
  const filled =
    callbackId === undefined || callbackId === ''
      ? `<${element} xmlns="${HPC_NAMESPACE}"/>`
      : `<${element} xmlns="${HPC_NAMESPACE}">${escapeXml(callbackId)}</${element}>`;
  const empty = `<${element} xmlns="${HPC_NAMESPACE}"/>`;
  if (envelope.includes(empty)) envelope = envelope.replace(empty, () => filled);
  else {
    const headerEnd = envelope.indexOf('</s:Header>');
    if (headerEnd >= 0) envelope = envelope.slice(0, headerEnd) + filled + envelope.slice(headerEnd);
  }
  return envelope;
}

async function* soapPieces(
  records: AsyncIterable<SoapWriteRecord>,
  options: SoapWriteOptions,
  callbackId: string | undefined,
): AsyncIterable<Piece> {
  const flavour = options.flavour ?? 'HPCPack2008';
  const root = options.root ?? `${flavour}_WebAPI_MessageArray`;
  const open = `${options.declaration ? '<?xml version="1.0" encoding="utf-8"?>' : ''}<${root}>`;
  // Checks the root name and options before the first byte goes out.
  writeMessageArray([], options);
  yield { bytes: Buffer.from(open, 'utf8') };
  for await (const record of records) {
    let envelope: string;
    try {
      envelope = envelopeOf(record, options, callbackId);
    } catch (error) {
      if (!isBatchwireError(error) || record.kind === 'end') throw error;
      // Text XML cannot carry (a control character, say) or a body that is not well-formed XML.
      const fault: SoapWriteRecord = {
        kind: 'fault',
        action: FAULT_ACTION,
        code: 's:Receiver',
        subcodes: [],
        reason: `the response cannot be written as XML: ${plain(error)}`,
      };
      envelope = envelopeOf(fault, options, callbackId);
    }
    const bytes = Buffer.from(envelope, 'utf8');
    if (record.kind === 'end') {
      yield { bytes, closing: true };
      break;
    }
    yield { bytes, ends: [bytes.length] };
  }
  yield { bytes: Buffer.from(`</${root}>`, 'utf8') };
}

async function* single(bytes: Uint8Array): AsyncIterable<Piece> {
  if (bytes.length > 0) yield { bytes };
}

/** The pieces of a plan body. */
export function piecesOf(body: PlanBody | undefined): PieceStream {
  if (body === undefined) return { pieces: single(new Uint8Array(0)), length: 0 };
  if (typeof body !== 'object' || body === null) {
    throw new BatchwireError('INVALID_ARGUMENT', 'a plan body must be an object with a kind', 0);
  }
  switch (body.kind) {
    case 'bytes':
      if (!(body.bytes instanceof Uint8Array))
        throw new BatchwireError('INVALID_ARGUMENT', 'a bytes body needs a Uint8Array', 0);
      return { pieces: single(body.bytes), length: body.bytes.length };
    case 'json': {
      const bytes = Buffer.from(JSON.stringify(body.value) ?? 'null', 'utf8');
      return { pieces: single(bytes), length: bytes.length };
    }
    case 'generic': {
      const fast = (body.records as FastRecords<GenericPlanRecord>)[FAST_PIECES];
      return {
        pieces: fast ? fast() : genericPieces(body.records, body.encoding),
        encoding: body.encoding,
        format: 'generic',
      };
    }
    case 'soap':
      return {
        pieces: soapPieces(body.records, body.options ?? {}, body.callbackId),
        encoding: 'utf-8',
        format: 'soap',
      };
    default:
      throw new BatchwireError('INVALID_ARGUMENT', 'a plan body kind is bytes, json, generic or soap', 0);
  }
}
