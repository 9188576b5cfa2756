// Bytes as fetch takes them: `BodyInit` wants a view of a plain ArrayBuffer, so every byte output
// of the public API is typed `Uint8Array<ArrayBuffer>` and made so here.

/** Whether `buffer` is a plain ArrayBuffer (not shared, not resizable). */
export function isPlainArrayBuffer(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  return buffer instanceof ArrayBuffer && !(buffer as { resizable?: boolean }).resizable;
}

/** `bytes` itself when it views a plain ArrayBuffer (Node's Buffers do), else a copy that does. */
export function plainBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return isPlainArrayBuffer(bytes.buffer) ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
