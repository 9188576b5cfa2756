// The shapes of a schema's index, apart from the code that builds it (schema-index.ts), so the
// lexer reads them without importing that code (which imports the lexer).
import type { FilterOperator, FilterPropertyType } from './types.js';

/** One filterable property, as read when the index was built. */
export interface SchemaEntry {
  readonly path: string;
  readonly type: FilterPropertyType;
  /** The allowed operators, each once (at most seven, whatever the schema's array held). */
  readonly allowed: readonly FilterOperator[];
  /** The allowed operators for a hint: `eq, ne`. */
  readonly allowedText: string;
  /** The lexer may read this path as one token (a path, not a keyword such as `and`). */
  readonly whole: boolean;
}

/** A checked snapshot of one schema, with the lookups the lexer and parser need. */
export interface SchemaIndex {
  readonly name: string;
  readonly byPath: ReadonlyMap<string, SchemaEntry>;
  /**
   * By path length, so the parser compares a path in place (`startsWith` at its offset): no
   * slice. A length shared by more than MAX_COMPARED_IN_PLACE paths is looked up in byPath.
   */
  readonly byLength: ReadonlyMap<number, readonly SchemaEntry[]>;
  /**
   * By first character (ASCII), longest first: the lexer matches whole known paths at once. A
   * letter shared by more than 32 paths has no entry (those are read token by token).
   */
  readonly byFirst: readonly (readonly SchemaEntry[] | undefined)[];
  /** Every path, for did-you-mean hints. */
  readonly paths: readonly string[];
  // What the index was built from, to tell whether the schema has changed since.
  readonly properties: object;
  readonly specs: readonly unknown[];
  readonly operators: readonly (readonly unknown[])[];
  readonly operatorLists: readonly string[][];
  /** The schema and everything in it was frozen: it cannot change, so it is never re-checked. */
  readonly frozen: boolean;
}
