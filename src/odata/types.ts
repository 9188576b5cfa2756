import type { BatchwireErrorCode } from '../core/errors.js';

/** Where a node sits in the filter text: `start` inclusive, `end` exclusive, in UTF-16 code units. */
export interface FilterSpan {
  start: number;
  end: number;
}

/** A comparison operator of the Batch `$filter` grammar. */
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** Everything a schema can allow on a property: the six comparisons and `startswith(prop, 'x')`. */
export type FilterOperator = ComparisonOperator | 'startswith';

/** The property types Batch documents for `$filter`. */
export type FilterPropertyType = 'String' | 'DateTime' | 'Int' | 'Boolean';

/** A property path such as `poolId` or `jobPreparationTaskExecutionInfo/exitCode`. */
export interface PropertyNode extends FilterSpan {
  kind: 'property';
  /** Segments joined with `/`, exactly as written (names are case-sensitive). */
  path: string;
}

/** `'text'`; `value` is unescaped (`''` in the source is one quote here). */
export interface StringLiteralNode extends FilterSpan {
  kind: 'string';
  value: string;
}

/** A decimal integer, possibly negative; always a safe integer. */
export interface IntLiteralNode extends FilterSpan {
  kind: 'int';
  value: number;
}

/** `true` or `false`. */
export interface BooleanLiteralNode extends FilterSpan {
  kind: 'boolean';
  value: boolean;
}

/** `DateTime'...'` in ISO 8601 or RFC 1123 form. */
export interface DateTimeLiteralNode extends FilterSpan {
  kind: 'datetime';
  /** The text between the quotes, as written (so formatting keeps the author's form). */
  value: string;
  /** The instant it denotes, in milliseconds since 1970-01-01T00:00:00Z (finer digits truncated). */
  time: number;
}

/** Any literal. */
export type LiteralNode = StringLiteralNode | IntLiteralNode | BooleanLiteralNode | DateTimeLiteralNode;

/** `property op literal`. */
export interface ComparisonNode extends FilterSpan {
  kind: 'comparison';
  operator: ComparisonOperator;
  property: PropertyNode;
  value: LiteralNode;
}

/** `startswith(property, 'prefix')`. */
export interface StartsWithNode extends FilterSpan {
  kind: 'startswith';
  property: PropertyNode;
  prefix: StringLiteralNode;
}

/**
 * `a and b and c` (or `or`): a flat list of two or more operands. A nested node of the same kind
 * only arises from parentheses in the source, and is written back with them.
 */
export interface LogicalNode extends FilterSpan {
  kind: 'and' | 'or';
  operands: FilterExpression[];
}

/** A whole `$filter` expression, or any boolean part of one. */
export type FilterExpression = ComparisonNode | StartsWithNode | LogicalNode;

/** What one filterable property allows. */
export interface FilterPropertySpec {
  readonly type: FilterPropertyType;
  readonly operators: readonly FilterOperator[];
}

/**
 * The filterable properties of one list operation. Plain data: build your own with
 * {@link defineFilterSchema} to keep the literal types the typed builder needs. Treat a schema as
 * immutable once used: the parser indexes it on first use (make a new object to change it).
 */
export interface FilterSchema {
  readonly name: string;
  readonly properties: { readonly [path: string]: FilterPropertySpec };
}

/** The codes a filter diagnostic can have. */
export type FilterDiagnosticCode = Extract<
  BatchwireErrorCode,
  | 'FILTER_SYNTAX'
  | 'FILTER_UNKNOWN_PROPERTY'
  | 'FILTER_OPERATOR_NOT_ALLOWED'
  | 'FILTER_TYPE_MISMATCH'
  | 'LIMIT_EXCEEDED'
>;

/** One problem in a filter, at the span of text it is about. */
export interface FilterDiagnostic extends FilterSpan {
  code: FilterDiagnosticCode;
  /** What is wrong; at most 240 characters. */
  message: string;
  /** How to fix it, where there is something useful to say; at most 240 characters. */
  hint?: string;
  /**
   * Set on the one summary entry that ends a report cut at `maxDiagnostics` (code
   * `LIMIT_EXCEEDED`): how many problems were left out. Its span runs from the first of them to
   * the end of the last.
   */
  omitted?: number;
}

/** Options of {@link parseFilter}; unknown keys are ignored, so `{ ...DEFAULT_LIMITS }` can be passed. */
export interface ParseFilterOptions {
  /** Check property names, operators and literal types against this schema. */
  schema?: FilterSchema | null | undefined;
  /** Longest accepted text, in characters. @defaultValue 32 768 (`DEFAULT_LIMITS.maxFilterLength`) */
  maxFilterLength?: number | undefined;
  /** Deepest parenthesis nesting. @defaultValue 100 (`DEFAULT_LIMITS.maxFilterDepth`) */
  maxFilterDepth?: number | undefined;
  /** Older name of `maxFilterLength`, read only when that is absent. */
  maxLength?: number | undefined;
  /** Older name of `maxFilterDepth`, read only when that is absent (so `DEFAULT_LIMITS.maxDepth`, the XML depth, never applies here). */
  maxDepth?: number | undefined;
}

/** Options of {@link validateFilter}: the limits of {@link ParseFilterOptions}, and how many problems to list. */
export interface ValidateFilterOptions extends Omit<ParseFilterOptions, 'schema'> {
  /**
   * Most problems listed; when there are more, a last entry with `omitted` counts the rest.
   * @defaultValue 100
   */
  maxDiagnostics?: number | undefined;
}
