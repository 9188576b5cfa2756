import type { Emulator, EmulatorOptions } from 'batchwire/emulator';
import { startEmulator } from 'batchwire/emulator';
import type { RequestDescriptor } from 'batchwire/requests';
import { afterAll, beforeAll } from 'vitest';

/** Sends a request descriptor with global fetch. */
export function send(request: RequestDescriptor, init: RequestInit = {}): Promise<Response> {
  return fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body as BodyInit }),
    ...init,
  });
}

/** An emulator started before the file's tests and closed after them. */
export function useEmulator(options: EmulatorOptions = {}): {
  readonly emulator: Emulator;
  readonly url: string;
} {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  return {
    get emulator() {
      return emulator!;
    },
    get url() {
      return emulator!.url;
    },
  };
}

/** Reads a whole body into bytes. */
export async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** `{ contentType }` from a response's header, or nothing when it has none. */
export function contentTypeOf(response: Response): { contentType?: string } {
  const value = response.headers.get('content-type');
  return value === null ? {} : { contentType: value };
}
