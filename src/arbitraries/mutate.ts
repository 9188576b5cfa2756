import fc from 'fast-check';
import { plainBytes } from '../core/bytes.js';
import { isSpace } from '../core/chars.js';
import { BatchwireError } from '../core/errors.js';
import type { MutationFormat } from './mutation-format.js';
import { countOption, listOption, optionsObject } from './options.js';
import {
  filterPlaces,
  genericFields,
  indexOfSequence,
  jsonObjects,
  RPAREN,
  separatorPositions,
  xmlPlaces,
} from './places.js';

export type { MutationFormat } from './mutation-format.js';

/**
 * The ways a payload can be broken, each keeping most of its structure. `inject-hostile-name`
 * writes a name objects inherit (`__proto__`, `hasOwnProperty`, ...) where a parser makes keys.
 */
export type MutationStrategy =
  | 'truncate'
  | 'flip-byte'
  | 'duplicate-separator'
  | 'drop-separator'
  | 'drop-trailer'
  | 'inject-doctype'
  | 'nest-deeply'
  | 'grow-field'
  | 'inject-hostile-name';

/** A broken payload and what was done to it, so a failing case says what was broken. */
export interface Mutated {
  bytes: Uint8Array<ArrayBuffer>;
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
  'inject-hostile-name',
];

const ALL_STRATEGIES: readonly MutationStrategy[] = [
  'truncate',
  'flip-byte',
  'duplicate-separator',
  'drop-separator',
  'drop-trailer',
  'inject-doctype',
  'nest-deeply',
  'grow-field',
  'inject-hostile-name',
];

const APPLIES: Record<MutationFormat, MutationStrategy[]> = {
  'generic-utf-8': GENERIC,
  'generic-utf-16le': GENERIC,
  'generic-utf-16be': GENERIC,
  xml: [...ALL_STRATEGIES],
  json: [
    'truncate',
    'flip-byte',
    'duplicate-separator',
    'drop-separator',
    'drop-trailer',
    'nest-deeply',
    'grow-field',
    'inject-hostile-name',
  ],
  filter: [
    'truncate',
    'flip-byte',
    'duplicate-separator',
    'drop-separator',
    'nest-deeply',
    'grow-field',
    'inject-hostile-name',
  ],
};

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

// Names every JavaScript object inherits (or that reach its prototype): a parser that turns
// text into object keys (`attributes[name] = value`, `JSON.parse`, a lookup table indexed by a
// word) can read or overwrite the inherited member instead of an own key. sax threw a foreign
// TypeError on `<R hasOwnProperty="1" b="2"/>`, which only such a name finds.
const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
] as const;

// Where each syntax turns text into a key, one entry per place `inject-hostile-name` can use.
const HOSTILE_PLACES = {
  // The whole field (action, output, user data, count or reason) becomes the name.
  generic: ['field'],
  // ` NAME="1"` first or last in a start tag, `<NAME>`, `&NAME;`, `xmlns:NAME=".."` on a start
  // tag, `<NAME:x xmlns:NAME=".." NAME:a="1">`, and the same prefix unbound.
  xml: ['attribute-first', 'attribute-last', 'element', 'entity', 'xmlns', 'prefix', 'unbound-prefix'],
  // `"NAME":1` first or last in an object, `"NAME":{"prototype":1}`, `"NAME":{},"NAME":1`.
  json: ['key-first', 'key-last', 'nested', 'duplicate'],
  // A word (property, path segment, operator, function) replaced, `/NAME` after a word, and
  // `NAME eq 'x'` or `NAME(poolId,'x')` as a clause of its own.
  filter: ['word', 'segment', 'clause', 'call'],
} as const;

/** What `inject-hostile-name` inserts where, before encoding: `remove` bytes at `at` give way to `text`. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one arm per format of where a hostile key or element name can go; each arm is short and format-specific
function hostileEdit(
  format: MutationFormat,
  bytes: Uint8Array,
  name: string,
  place: string,
  spot: number,
): { place: string; at: number; remove: number; text: string } {
  const choose = <T>(items: readonly T[]): T | undefined => items[spot % items.length];
  if (format === 'xml') {
    const { tags, content } = xmlPlaces(bytes);
    // Next to an existing attribute where there is one: `hasOwnProperty` broke sax only when
    // another attribute followed it.
    const withAttributes = tags.filter((t) => t.attributes);
    const tag = choose(withAttributes.length > 0 ? withAttributes : tags);
    const inside = choose(content);
    if (tag !== undefined && place === 'attribute-first')
      return { place, at: tag.nameEnd, remove: 0, text: ` ${name}="1"` };
    if (tag !== undefined && place === 'attribute-last')
      return { place, at: tag.close, remove: 0, text: ` ${name}="1"` };
    if (tag !== undefined && place === 'xmlns')
      return { place, at: tag.nameEnd, remove: 0, text: ` xmlns:${name}="urn:batchwire:hostile"` };
    const at = inside ?? bytes.length;
    if (place === 'entity') return { place, at, remove: 0, text: `&${name};` };
    if (place === 'prefix') {
      const declared = `<${name}:x xmlns:${name}="urn:batchwire:hostile" ${name}:a="1">1</${name}:x>`;
      return { place, at, remove: 0, text: declared };
    }
    if (place === 'unbound-prefix')
      return { place, at, remove: 0, text: `<${name}:x ${name}:a="1">1</${name}:x>` };
    // 'element', and the places on a start tag when there is none.
    return { place: 'element', at, remove: 0, text: `<${name}>1</${name}>` };
  }
  if (format === 'json') {
    const { open, close, empty } = jsonObjects(bytes);
    if (place === 'key-last' && close.length > 0) {
      const at = choose(close)!;
      return { place, at, remove: 0, text: `${empty.has(at) ? '' : ','}"${name}":1` };
    }
    const at = choose(open);
    // No object at all: the whole document becomes the value of the name.
    if (at === undefined) return { place: 'wrap', at: 0, remove: 0, text: `{"${name}":` };
    const comma = empty.has(at) ? '' : ',';
    const member =
      place === 'nested'
        ? `"${name}":{"prototype":1}`
        : place === 'duplicate'
          ? `"${name}":{},"${name}":1`
          : `"${name}":1`;
    return { place: place === 'key-last' ? 'key-first' : place, at: at + 1, remove: 0, text: member + comma };
  }
  if (format === 'filter') {
    const { words, opens } = filterPlaces(bytes);
    const word = choose(words);
    if (word !== undefined && place === 'word')
      return { place, at: word.start, remove: word.end - word.start, text: name };
    if (word !== undefined && place === 'segment')
      return { place, at: word.end, remove: 0, text: `/${name}` };
    const at = choose(opens)!;
    let next = at;
    while (isSpace(bytes[next])) next++;
    // Joined to what follows with `and`, unless nothing follows in this group.
    const join = next >= bytes.length || bytes[next] === RPAREN ? '' : ' and ';
    const clause = place === 'call' ? `${name}(poolId,'x')` : `${name} eq 'x'`;
    return { place: place === 'call' ? 'call' : 'clause', at, remove: 0, text: clause + join };
  }
  const field = choose(genericFields(bytes, format))!;
  return { place, at: field.start, remove: field.end - field.start, text: name };
}

/**
 * Applies one strategy, with `pick` (0..1) choosing the place (`spot`, a non-negative integer, for
 * `inject-hostile-name`); returns the bytes and a label.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a switch over the closed list of mutation strategies, one short arm each
function applyStrategy(
  strategy: MutationStrategy,
  format: MutationFormat,
  bytes: Uint8Array,
  pick: number,
  value: number,
  spot: number,
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
    case 'inject-hostile-name': {
      // `value` picks the name and the kind of place, `spot` one place of that kind.
      const name = HOSTILE_NAMES[value % HOSTILE_NAMES.length]!;
      const places: readonly string[] = format.startsWith('generic')
        ? HOSTILE_PLACES.generic
        : HOSTILE_PLACES[format as 'xml' | 'json' | 'filter'];
      const edit = hostileEdit(
        format,
        bytes,
        name,
        places[Math.floor(value / HOSTILE_NAMES.length) % places.length]!,
        spot,
      );
      // Encoded like the payload: UTF-16 code units in a UTF-16 generic body.
      let out = splice(bytes, edit.at, edit.remove, encodeFor(format, edit.text));
      if (edit.place === 'wrap') out = splice(out, out.length, 0, encodeFor(format, '}'));
      return { bytes: out, label: `inject-hostile-name(${edit.place},${name})@${edit.at}` };
    }
  }
}

/**
 * Near-valid broken payloads: takes valid payloads of a format and applies one or more labelled
 * strategies (truncate, flip a byte, duplicate or drop a separator, drop the trailer, inject a
 * DOCTYPE, nest deeply, grow a field past a limit, inject a hostile name). Each result says what
 * was broken.
 *
 * `inject-hostile-name` (every format) puts a name objects inherit (`__proto__`, `constructor`,
 * `prototype`, `hasOwnProperty`, `toString`, `valueOf`, `isPrototypeOf`) where a parser turns
 * text into object keys, labelled `inject-hostile-name(place,name)@offset`:
 * - generic bodies: a whole field (`field`), written in the body's encoding (UTF-16 code units
 *   in a UTF-16 body);
 * - XML: an attribute first or last in a start tag (`attribute-first`: `<x __proto__="1" a="1">`,
 *   `attribute-last`), an element (`<constructor>1</constructor>`), an entity reference
 *   (`&constructor;`), a namespace prefix declared on a start tag (`xmlns`), declared and used
 *   (`prefix`: `<__proto__:x xmlns:__proto__=".." __proto__:a="1">`) or used unbound
 *   (`unbound-prefix`);
 * - JSON: a key first or last in an object (`key-first`, `key-last`), a key holding
 *   `{"prototype":1}` (`nested`), the same key twice (`duplicate`), or, with no object, the
 *   whole document wrapped as the name's value (`wrap`);
 * - filters: a word replaced (`word`: property, path segment, operator or function), `/name`
 *   after a word (`segment`), `name eq 'x'` or `name(poolId,'x')` as a clause of its own
 *   (`clause`, `call`).
 *
 * The name and the place come from fast-check's random values: the same seed gives the same bytes.
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
  const what = 'mutate';
  if (typeof format !== 'string' || !Object.hasOwn(APPLIES, format)) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      `mutate: format must be one of ${Object.keys(APPLIES).join(', ')}`,
      0,
    );
  }
  if (!(valid instanceof fc.Arbitrary)) {
    throw new BatchwireError('INVALID_ARGUMENT', 'mutate: valid must be a fast-check arbitrary of bytes', 0);
  }
  const o = optionsObject(options, what);
  const strategies = listOption(o, 'strategies', ALL_STRATEGIES, APPLIES[format], what).filter((s) =>
    APPLIES[format].includes(s),
  );
  if (strategies.length === 0) {
    throw new BatchwireError('INVALID_ARGUMENT', `mutate: no mutation strategy applies to ${format}`, 0);
  }
  const maxMutations = countOption(o, 'maxMutations', 2, what, 1);
  const settings = {
    growBy: countOption(o, 'growBy', 70_000, what),
    depth: countOption(o, 'depth', 10_000, what),
  };
  const step = fc.record({
    strategy: fc.constantFrom(...strategies),
    // From an integer: fast-check spreads doubles over their bit patterns, so a double in [0, 1)
    // is nearly always about 0 or about 1 and every mutation would land at an end.
    pick: fc.integer({ min: 0, max: 0x7fff_ffff }).map((n) => n / 0x8000_0000),
    value: fc.integer({ min: 0, max: 255 }),
    // A place among many (a start tag, a field), for the strategies that count places.
    spot: fc.integer({ min: 0, max: 0x7fff_ffff }),
  });
  return fc.tuple(valid, fc.array(step, { minLength: 1, maxLength: maxMutations })).map(([bytes, steps]) => {
    let current = bytes;
    const labels: string[] = [];
    for (const { strategy, pick, value, spot } of steps) {
      const result = applyStrategy(strategy, format, current, pick, value, spot, settings);
      current = result.bytes;
      labels.push(result.label);
    }
    return { bytes: plainBytes(current), labels };
  });
}
