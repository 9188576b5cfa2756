// The formats `mutate` knows the structure of: its own file, so mutate.ts and places.ts both
// read it without importing each other.

/** The structure a mutation knows how to break. */
export type MutationFormat =
  | 'generic-utf-8'
  | 'generic-utf-16le'
  | 'generic-utf-16be'
  | 'xml'
  | 'json'
  | 'filter';
