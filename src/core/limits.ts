// Freezes an object and everything it holds, so no caller can change a default for everyone.
function freezeDeep<T extends object>(value: T): Readonly<T> {
  for (const key of Reflect.ownKeys(value)) {
    const inner = (value as Record<PropertyKey, unknown>)[key];
    if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) freezeDeep(inner);
  }
  return Object.freeze(value);
}

/**
 * Default limits. Every one can be raised per call; each exists so hostile input stays cheap.
 * Frozen (deeply, at runtime): assigning to it throws in strict mode and changes nothing.
 */
export const DEFAULT_LIMITS = /* @__PURE__ */ freezeDeep({
  /** Largest generic-service record, in input units (bytes, or characters for string input). */
  maxRecordBytes: 64 * 1024 * 1024,
  /** Largest single SOAP message, in characters. */
  maxMessageBytes: 16 * 1024 * 1024,
  /** Deepest XML element nesting. */
  maxDepth: 64,
  /** Longest single XML text node, in characters. */
  maxTextLength: 16 * 1024 * 1024,
  /** Longest `$filter`, in characters. */
  maxFilterLength: 32 * 1024,
  /** Deepest `$filter` nesting of parentheses. */
  maxFilterDepth: 100,
  /** Largest error or status body read whole, in bytes. */
  maxBodyBytes: 4 * 1024 * 1024,
  /** Most pages `paginate` fetches. */
  maxPages: 10_000,
  /** Longest `odata.nextLink` `paginate` follows, in characters. */
  maxLinkLength: 8192,
  /**
   * Deepest nesting of arrays and objects in a JSON status or error body. Real bodies nest a few
   * levels; the engine's JSON.parse slows down faster than linearly with depth.
   */
  maxJsonDepth: 1000,
} as const);

// V8 cannot build strings past about 2^29 characters; beyond that a join would throw RangeError.
export const MAX_STRING_LENGTH = (1 << 29) - 24;
