import { DEFAULT_LIMITS } from '../core/limits.js';
import { isResponseLike, type ResponseLike, readWhole, signalOf } from '../core/source.js';
import type { ParseFaultOptions, ServiceFault } from './types.js';

function isReadableStream(value: unknown): boolean {
  return typeof (value as { getReader?: unknown } | null)?.getReader === 'function';
}

/**
 * True for a fetch `Response` (its body a stream, or none): what `parseFault` reads
 * asynchronously. A `{ status, headers, body }` object whose body is text or bytes is not one.
 */
export function isFetchResponse(value: unknown): value is ResponseLike {
  if (!isResponseLike(value)) return false;
  try {
    const body = (value as { body: unknown }).body;
    return (
      isReadableStream(body) ||
      (body === null && typeof (value as { arrayBuffer?: unknown }).arrayBuffer === 'function')
    );
  } catch {
    return false;
  }
}

function limitOf(options: ParseFaultOptions | undefined): number {
  const value = options?.maxBodyBytes ?? options?.maxBytes;
  return typeof value === 'number' && value > 0 ? value : DEFAULT_LIMITS.maxBodyBytes;
}

/**
 * Reads a fetch `Response`'s body (at most the body limit; the rest is cancelled unread) and
 * parses it as a fault with the response's status and headers. Resolves to a fault whatever the
 * body holds; rejects only when `options.signal` is aborted (with its reason).
 */
export async function parseFaultResponse(
  response: ResponseLike,
  options: ParseFaultOptions | undefined,
  parse: (response: {
    status: number | undefined;
    headers: ResponseLike['headers'] | undefined;
    body: string | Uint8Array;
  }) => ServiceFault,
): Promise<ServiceFault> {
  let status: number | undefined;
  let headers: ResponseLike['headers'] | undefined;
  try {
    status = response.status;
    headers = response.headers;
  } catch {
    // A response whose getters throw: a fault without them.
  }
  const signal = signalOf(options);
  let body: string | Uint8Array = '';
  try {
    body = await readWhole(response, limitOf(options), { truncate: true, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    // The body could not be read (a network error mid-body): the status and headers still tell.
  }
  return parse({ status, headers, body });
}
