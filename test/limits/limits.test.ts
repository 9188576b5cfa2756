// Issue 12, finding 5: DEFAULT_LIMITS is shared by every caller in the process, so it is frozen
// at runtime: a caller cannot lower (or raise) a limit for everyone else.
import { DEFAULT_LIMITS } from 'batchwire';
import { decodeGenericBody, encodeGenericResponses } from 'batchwire/generic';
import { describe, expect, it } from 'vitest';

describe('DEFAULT_LIMITS', () => {
  it('is frozen, deeply', () => {
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
    for (const value of Object.values(DEFAULT_LIMITS)) {
      if (typeof value === 'object' && value !== null) expect(Object.isFrozen(value)).toBe(true);
    }
  });

  it('refuses assignment, deletion and redefinition, and decoding is unaffected', () => {
    const limits = DEFAULT_LIMITS as unknown as Record<string, unknown>;
    // Modules are strict code: writing to a frozen object throws a TypeError.
    expect(() => {
      limits.maxRecordBytes = 5;
    }).toThrow(TypeError);
    expect(() => delete limits.maxRecordBytes).toThrow(TypeError);
    expect(() => Object.defineProperty(limits, 'maxRecordBytes', { value: 5 })).toThrow(TypeError);
    expect(Reflect.set(limits, 'maxRecordBytes', 5)).toBe(false);
    expect(Reflect.set(limits, 'maxSomethingNew', 5)).toBe(false);
    expect(DEFAULT_LIMITS.maxRecordBytes).toBe(64 * 1024 * 1024);
    const body = encodeGenericResponses([{ action: 'http://a/b', output: 'x'.repeat(100) }]);
    expect(decodeGenericBody(body).responses[0]!.output).toHaveLength(100);
  });

  it('every limit is a positive integer', () => {
    for (const [name, value] of Object.entries(DEFAULT_LIMITS)) {
      expect(Number.isSafeInteger(value) && (value as number) > 0, name).toBe(true);
    }
  });
});
