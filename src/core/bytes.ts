// Bytes as callers hand them over, read through the engine's own accessors; and bytes as fetch
// takes them: `BodyInit` wants a view of a plain ArrayBuffer, so every byte output of the public
// API is typed `Uint8Array<ArrayBuffer>` and made so here.
import { BatchwireError } from './errors.js';

type Getter = (this: unknown) => unknown;

function getterOf(prototype: object, key: PropertyKey): Getter {
  return Object.getOwnPropertyDescriptor(prototype, key)!.get as Getter;
}

// Captured once: an object that passes `instanceof Uint8Array` without being one, a subclass that
// overrides `buffer`, `subarray`, `slice` or its species, or a proxy cannot answer through these.
const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedBuffer = getterOf(TYPED_ARRAY, 'buffer');
const typedOffset = getterOf(TYPED_ARRAY, 'byteOffset');
const typedLength = getterOf(TYPED_ARRAY, 'byteLength');
const typedName = getterOf(TYPED_ARRAY, Symbol.toStringTag as unknown as string);
const viewBuffer = getterOf(DataView.prototype, 'buffer');
const viewOffset = getterOf(DataView.prototype, 'byteOffset');
const viewLength = getterOf(DataView.prototype, 'byteLength');
const bufferLength = getterOf(ArrayBuffer.prototype, 'byteLength');
// Absent where the page is not cross-origin isolated (browsers).
const sharedLength =
  typeof SharedArrayBuffer === 'function' ? getterOf(SharedArrayBuffer.prototype, 'byteLength') : undefined;

/** Whether `buffer` is a plain ArrayBuffer (not shared, not resizable). */
export function isPlainArrayBuffer(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  try {
    bufferLength.call(buffer);
  } catch {
    return false; // shared, or not a buffer at all
  }
  return !(buffer as { resizable?: boolean }).resizable;
}

/** Whether `value` really is a Uint8Array (a subclass, a Node `Buffer`), asked of the engine. */
export function isUint8Array(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && typedName.call(value) === 'Uint8Array';
}

/**
 * Bytes for a fetch body: a Uint8Array over a plain ArrayBuffer as it is (the caller's own
 * object), any other bytes as a plain copy or view (see {@link bytesOf}); `undefined` for
 * anything that holds no bytes.
 */
export function bodyBytes(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  const bytes = bytesOf(value);
  if (bytes === undefined) return undefined;
  if (isUint8Array(value) && isPlainArrayBuffer(typedBuffer.call(value) as ArrayBufferLike)) {
    return value as Uint8Array<ArrayBuffer>;
  }
  return plainBytes(bytes);
}

/** `bytes` itself when it views a plain ArrayBuffer (Node's Buffers do), else a copy that does. */
export function plainBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return isPlainArrayBuffer(bytes.buffer) ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function isShared(buffer: unknown): boolean {
  try {
    bufferLength.call(buffer);
    return false;
  } catch {
    return true;
  }
}

function unreadable(cause: unknown): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', 'the bytes cannot be read (a detached ArrayBuffer?)', 0, {
    cause,
  });
}

/** A plain `Uint8Array` over `length` bytes of `buffer` at `offset`: a copy when the memory is shared. */
function viewOf(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array {
  let view: Uint8Array;
  try {
    view = new Uint8Array(buffer, offset, length);
  } catch (error) {
    // A detached buffer (or one resized under the view): nothing left to read.
    throw unreadable(error);
  }
  // Another thread may write shared memory while a decoder reads it, and TextDecoder refuses it.
  return isShared(buffer) ? view.slice() : view;
}

/**
 * The bytes of a `Uint8Array` (any subclass, a Node `Buffer`), another typed array, a `DataView`,
 * an `ArrayBuffer` or a `SharedArrayBuffer`, as a plain `Uint8Array` view read through the
 * engine's own accessors (never the value's `buffer`, `subarray`, `slice` or species), or a copy
 * for shared memory; `undefined` when `value` holds no bytes (a string, a fake that only passes
 * `instanceof`, a proxy). Never runs a getter or a proxy trap of `value`.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a detached buffer, or a view over one
 */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  // False for proxies, fakes and plain objects, without running anything of theirs.
  if (ArrayBuffer.isView(value)) {
    let buffer: ArrayBufferLike;
    let offset: number;
    let length: number;
    try {
      buffer = typedBuffer.call(value) as ArrayBufferLike;
      offset = typedOffset.call(value) as number;
      length = typedLength.call(value) as number;
    } catch {
      // Not a typed array: a DataView.
      buffer = viewBuffer.call(value) as ArrayBufferLike;
      try {
        offset = viewOffset.call(value) as number;
        length = viewLength.call(value) as number;
      } catch (error) {
        throw unreadable(error); // a DataView over a detached buffer
      }
    }
    return viewOf(buffer, offset, length);
  }
  let length: number;
  try {
    length = bufferLength.call(value) as number;
  } catch {
    if (sharedLength === undefined) return undefined;
    try {
      length = sharedLength.call(value) as number;
    } catch {
      return undefined; // neither kind of buffer
    }
  }
  return viewOf(value as ArrayBufferLike, 0, length);
}
