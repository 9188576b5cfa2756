import fc from 'fast-check';

/** The structure a mutation knows how to break. */
export type MutationFormat =
  | 'generic-utf-8'
  | 'generic-utf-16le'
  | 'generic-utf-16be'
  | 'xml'
  | 'json'
  | 'filter';

/** The ways a payload can be broken, each keeping most of its structure. */
export type MutationStrategy =
  | 'truncate'
  | 'flip-byte'
  | 'duplicate-separator'
  | 'drop-separator'
  | 'drop-trailer'
  | 'inject-doctype'
  | 'nest-deeply'
  | 'grow-field';

/** A broken payload and what was done to it, so a failing case says what was broken. */
export interface Mutated {
  bytes: Uint8Array;
  /** One label per mutation applied, e.g. `truncate@17`, `flip-byte@3=0xff`. */
  labels: string[];
}

export interface MutateOptions {
  /** The strategies to draw from. @defaultValue every strategy that applies to the format */
  strategies?: MutationStrategy[];
  /** How many mutations to stack on one payload. @defaultValue 1..2 */
  maxMutations?: number;
  /** Size in bytes that `grow-field` inserts: pick one past the limit under test. @defaultValue 70 000 */
  growBy?: number;
  /** Nesting depth that `nest-deeply` creates. @defaultValue 10 000 */
  depth?: number;
}

// The three byte forms of the generic stream break the same ways.
const GENERIC: MutationStrategy[] = [
  'truncate',
  'flip-byte',
  'duplicate-separator',
  'drop-separator',
  'drop-trailer',
  'grow-field',
];

const APPLIES: Record<MutationFormat, MutationStrategy[]> = {
  'generic-utf-8': GENERIC,
  'generic-utf-16le': GENERIC,
  'generic-utf-16be': GENERIC,
  xml: [
    'truncate',
    'flip-byte',
    'duplicate-separator',
    'drop-separator',
    'drop-trailer',
    'inject-doctype',
    'nest-deeply',
    'grow-field',
  ],
  json: [
    'truncate',
    'flip-byte',
    'duplicate-separator',
    'drop-separator',
    'drop-trailer',
    'nest-deeply',
    'grow-field',
  ],
  filter: ['truncate', 'flip-byte', 'duplicate-separator', 'drop-separator', 'nest-deeply', 'grow-field'],
};

// The byte sequences that give each format its structure.
function separatorsOf(format: MutationFormat): number[][] {
  switch (format) {
    case 'generic-utf-8':
      return [[0xef, 0xbf, 0xbf], [0x00]];
    case 'generic-utf-16le':
    case 'generic-utf-16be':
      return [
        [0xff, 0xff],
        [0x00, 0x00],
      ];
    case 'xml':
      return [[0x3c], [0x3e], [0x2f], [0x22]];
    case 'json':
      return [[0x2c], [0x3a], [0x7b], [0x7d], [0x22]];
    case 'filter':
      return [[0x20], [0x28], [0x29], [0x27]];
  }
}

function indexOfSequence(bytes: Uint8Array, sequence: number[], from: number, unit: number): number {
  outer: for (let i = from; i + sequence.length <= bytes.length; i += unit) {
    for (let k = 0; k < sequence.length; k++) if (bytes[i + k] !== sequence[k]) continue outer;
    return i;
  }
  return -1;
}

// Every position of any separator (aligned to the code unit in UTF-16).
function separatorPositions(bytes: Uint8Array, format: MutationFormat): { at: number; length: number }[] {
  const unit = format === 'generic-utf-16le' || format === 'generic-utf-16be' ? 2 : 1;
  const start = unit === 2 && bytes[0] !== undefined && (bytes[0] === 0xff || bytes[0] === 0xfe) ? 2 : 0;
  const found: { at: number; length: number }[] = [];
  for (const sequence of separatorsOf(format)) {
    for (let i = indexOfSequence(bytes, sequence, start, unit); i >= 0 && found.length < 4096; ) {
      found.push({ at: i, length: sequence.length });
      i = indexOfSequence(bytes, sequence, i + unit, unit);
    }
  }
  return found.sort((a, b) => a.at - b.at);
}

function splice(
  bytes: Uint8Array,
  at: number,
  remove: number,
  insert: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

function encodeFor(format: MutationFormat, text: string): Uint8Array {
  if (format === 'generic-utf-16le' || format === 'generic-utf-16be') {
    const out = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out[i * 2 + (format === 'generic-utf-16le' ? 0 : 1)] = c & 0xff;
      out[i * 2 + (format === 'generic-utf-16le' ? 1 : 0)] = c >>> 8;
    }
    return out;
  }
  return new TextEncoder().encode(text);
}

function nested(format: MutationFormat, depth: number): string {
  if (format === 'xml') return `${'<d>'.repeat(depth)}x${'</d>'.repeat(depth)}`;
  if (format === 'json') return `${'['.repeat(depth)}0${']'.repeat(depth)}`;
  return `${'('.repeat(depth)}poolId eq 'x'${')'.repeat(depth)}`;
}

/** Applies one strategy, with `pick` (0..1) choosing the place; returns the bytes and a label. */
function applyStrategy(
  strategy: MutationStrategy,
  format: MutationFormat,
  bytes: Uint8Array,
  pick: number,
  value: number,
  options: Required<Pick<MutateOptions, 'growBy' | 'depth'>>,
): { bytes: Uint8Array; label: string } {
  const unit = format === 'generic-utf-16le' || format === 'generic-utf-16be' ? 2 : 1;
  const at = Math.floor(pick * (bytes.length + 1));
  switch (strategy) {
    case 'truncate':
      return { bytes: bytes.slice(0, at), label: `truncate@${at}` };
    case 'flip-byte': {
      if (bytes.length === 0) return { bytes, label: 'flip-byte@none' };
      const where = Math.min(at, bytes.length - 1);
      const out = bytes.slice();
      out[where] = value === out[where] ? value ^ 0xff : value;
      return { bytes: out, label: `flip-byte@${where}=0x${out[where]!.toString(16).padStart(2, '0')}` };
    }
    case 'duplicate-separator':
    case 'drop-separator': {
      const positions = separatorPositions(bytes, format);
      if (positions.length === 0) return { bytes, label: `${strategy}@none` };
      const { at: where, length } = positions[Math.floor(pick * positions.length)]!;
      return strategy === 'drop-separator'
        ? { bytes: splice(bytes, where, length), label: `drop-separator@${where}` }
        : {
            bytes: splice(bytes, where, 0, bytes.slice(where, where + length)),
            label: `duplicate-separator@${where}`,
          };
    }
    case 'drop-trailer': {
      // Generic: the closing record is the last one; XML and JSON: the last element or member.
      const positions = separatorPositions(bytes, format);
      const marker = format === 'xml' ? 0x3c : format === 'json' ? 0x7d : -1;
      const candidates = marker < 0 ? positions : positions.filter((p) => bytes[p.at] === marker);
      const cut = format.startsWith('generic')
        ? (candidates.filter((p) => p.length === unit && bytes[p.at] === 0x00).at(-2)?.at ?? -unit) + unit
        : (candidates.at(-1)?.at ?? bytes.length);
      return { bytes: bytes.slice(0, cut), label: `drop-trailer@${cut}` };
    }
    case 'inject-doctype': {
      const doctype = encodeFor(
        format,
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
      );
      const declarationEnd =
        bytes[0] === 0x3c && bytes[1] === 0x3f ? indexOfSequence(bytes, [0x3f, 0x3e], 0, 1) : -1;
      const where = declarationEnd >= 0 ? declarationEnd + 2 : 0;
      return { bytes: splice(bytes, where, 0, doctype), label: `inject-doctype@${where}` };
    }
    case 'nest-deeply': {
      const where =
        format === 'xml' ? Math.max(0, indexOfSequence(bytes, [0x3c], 1, 1)) : format === 'json' ? 0 : 0;
      const insert = encodeFor(format, nested(format, options.depth));
      if (format === 'json' || format === 'filter') {
        return { bytes: insert, label: `nest-deeply(${options.depth})` };
      }
      return { bytes: splice(bytes, where, 0, insert), label: `nest-deeply(${options.depth})@${where}` };
    }
    case 'grow-field': {
      const positions = separatorPositions(bytes, format);
      const where =
        positions.length > 0
          ? positions[Math.floor(pick * positions.length)]!.at
          : Math.floor(at / unit) * unit;
      const filler = encodeFor(format, 'x'.repeat(Math.ceil(options.growBy / unit)));
      return { bytes: splice(bytes, where, 0, filler), label: `grow-field(+${filler.length})@${where}` };
    }
  }
}

/**
 * Near-valid broken payloads: takes valid payloads of a format and applies one or more labelled
 * strategies (truncate, flip a byte, duplicate or drop a separator, drop the trailer, inject a
 * DOCTYPE, nest deeply, grow a field past a limit). Each result says what was broken.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { genericResponsesBody, mutate } from 'batchwire/arbitraries';
 * fc.assert(
 *   fc.property(mutate('generic-utf-8', genericResponsesBody({ encodings: ['utf-8'] }).map((b) => b.bytes)), ({ bytes, labels }) => {
 *     try { decodeGenericBody(bytes); } catch (e) { if (!isBatchwireError(e)) throw new Error(labels.join(', ')); }
 *   }),
 * );
 * ```
 */
export function mutate(
  format: MutationFormat,
  valid: fc.Arbitrary<Uint8Array>,
  options: MutateOptions = {},
): fc.Arbitrary<Mutated> {
  const strategies = (options.strategies ?? APPLIES[format]).filter((s) => APPLIES[format].includes(s));
  if (strategies.length === 0) throw new TypeError(`no mutation strategy applies to ${format}`);
  const settings = { growBy: options.growBy ?? 70_000, depth: options.depth ?? 10_000 };
  const step = fc.record({
    strategy: fc.constantFrom(...strategies),
    pick: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    value: fc.integer({ min: 0, max: 255 }),
  });
  return fc
    .tuple(valid, fc.array(step, { minLength: 1, maxLength: options.maxMutations ?? 2 }))
    .map(([bytes, steps]) => {
      let current = bytes;
      const labels: string[] = [];
      for (const { strategy, pick, value } of steps) {
        const result = applyStrategy(strategy, format, current, pick, value, settings);
        current = result.bytes;
        labels.push(result.label);
      }
      return { bytes: current, labels };
    });
}
