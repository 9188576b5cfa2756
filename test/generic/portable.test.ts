import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { fromHex, run } from '../support/chunks.js';

// Browsers have no Buffer: load the public entry point with Buffer hidden, so the portable
// UTF-16 paths (TextDecoder, then a code-unit loop for lone surrogates) are the ones exercised.
async function loadWithoutBuffer(): Promise<typeof import('batchwire/generic')> {
  vi.resetModules();
  const saved = globalThis.Buffer;
  (globalThis as { Buffer?: unknown }).Buffer = undefined;
  try {
    return await import('batchwire/generic');
  } finally {
    globalThis.Buffer = saved;
  }
}

describe('generic codec without Node Buffer (browser paths)', async () => {
  const generic = await loadWithoutBuffer();
  const vectors = JSON.parse(
    readFileSync(new URL('../vectors/generic/responses.json', import.meta.url), 'utf8'),
  ) as { name: string; hex: string; options: object; records: unknown[]; error?: object }[];

  for (const vector of vectors) {
    it(vector.name, () => {
      const outcome = run(new generic.GenericResponseDecoder(vector.options), [fromHex(vector.hex)]);
      expect(outcome).toEqual(
        vector.error ? { records: vector.records, error: vector.error } : { records: vector.records },
      );
    });
  }

  it('round-trips lone surrogates in both byte orders', () => {
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      const responses = [{ action: 'a', output: '\ud800x\udfff', userData: '\ud83d\ude80' }];
      const body = generic.encodeGenericResponses(responses, { encoding });
      expect(generic.decodeGenericBody(body).responses).toEqual([{ kind: 'response', ...responses[0] }]);
    }
  });
});
