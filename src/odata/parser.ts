// The $filter parser: precedence `or` < `and` < comparison, with recovery after each problem and,
// given a schema, the checks of property names, operators and literal types (checks.ts).
// About 500 lines on purpose: FilterParser is also the lexer's token state (one object, one
// shape), and its operand, comparison and recovery steps share that state token by token.
import { isSpace } from '../core/chars.js';
import { checkComparison, checkStartsWith } from './checks.js';
import { clip, type DiagnosticSink, Stop } from './diagnostics.js';
import {
  nextToken,
  report,
  T_COMMA,
  T_DATETIME,
  T_EOF,
  T_ERROR,
  T_IDENT,
  T_INT,
  T_LPAREN,
  T_RPAREN,
  T_SLASH,
  T_STRING,
  T_SYMBOL,
  type TokenState,
} from './lexer.js';
import { MAX_COMPARED_IN_PLACE, type SchemaEntry, type SchemaIndex } from './schema-index.js';
import type {
  ComparisonOperator,
  FilterDiagnosticCode,
  FilterExpression,
  LiteralNode,
  PropertyNode,
} from './types.js';

const COMPARISONS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  'endswith',
  'contains',
  'substringof',
  'indexof',
  'length',
  'substring',
  'tolower',
  'toupper',
  'trim',
  'concat',
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'round',
  'floor',
  'ceiling',
  'isof',
  'cast',
  'any',
  'all',
]);

/** text[start, end) without its whitespace, in one join (a path of 10^6 spaced segments is no rope). */
function withoutSpaces(text: string, start: number, end: number): string {
  const parts: string[] = [];
  let from = start;
  for (let i = start; i < end; i++) {
    if (!isSpace(text.charCodeAt(i))) continue;
    if (i > from) parts.push(text.slice(from, i));
    from = i + 1;
  }
  if (end > from) parts.push(text.slice(from, end));
  return parts.join('');
}

/**
 * What a parse that only validates (`validateFilter`) keeps for each operand: a filter whose AST
 * nobody reads needs no tree, and 10^5 clauses of it would be scavenged again and again.
 */
const CHECKED: FilterExpression = Object.freeze({
  kind: 'and',
  operands: Object.freeze([]) as unknown as FilterExpression[],
  start: 0,
  end: 0,
});

/** `items[from..]` taken off as one operand: itself when alone, else an `and` or `or` of them. */
function group(kind: 'and' | 'or', items: FilterExpression[], from: number): FilterExpression {
  if (items.length - from === 1) return items.pop()!;
  if (items[from] === CHECKED) {
    items.length = from;
    return CHECKED;
  }
  const operands = items.splice(from);
  return { kind, operands, start: operands[0]!.start, end: operands[operands.length - 1]!.end };
}

/**
 * The operands waiting at one level of parentheses are `items[orStart..]`: first the finished
 * operands of its `or`, then, from `andStart`, those of the `and` being read. Ends the level:
 * the `and` becomes one operand of the `or`, and the `or` one operand (or none, after errors).
 */
function close(items: FilterExpression[], orStart: number, andStart: number): FilterExpression | undefined {
  if (items.length > andStart) items.push(group('and', items, andStart));
  return items.length > orStart ? group('or', items, orStart) : undefined;
}

/**
 * Recursive-descent in shape, but with an explicit stack of frames: input depth never uses the
 * call stack. The instance is also the lexer's {@link TokenState}: one object, one shape.
 */
export class FilterParser implements TokenState {
  type = T_EOF;
  start = 0;
  end = 0;
  str = '';
  kw = '';
  num = 0;
  time = 0;
  pos = 0;
  entry: SchemaEntry | undefined = undefined;
  spaced = false;
  /** The schema entry of the property last read by property(), if the schema has it. */
  private known: SchemaEntry | undefined = undefined;

  constructor(
    readonly text: string,
    readonly index: SchemaIndex | undefined,
    readonly sink: DiagnosticSink | null,
    /** Deepest parenthesis nesting allowed. */
    private readonly maxDepth: number,
    /** Build the AST (parseFilter); false when only the problems are wanted (validateFilter). */
    private readonly tree = true,
  ) {}

  private report(
    code: FilterDiagnosticCode,
    message: string,
    start: number,
    end: number,
    hint?: string,
  ): void {
    report(this, code, message, start, end, hint);
  }

  /** The whole filter; undefined when a problem was reported (the sink holds it). */
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: and/or grouping with error recovery in one loop over an explicit stack of parenthesis frames (so no nesting can overflow the call stack)
  parse(): FilterExpression | undefined {
    nextToken(this);
    if (this.type === T_EOF) {
      this.report('FILTER_SYNTAX', 'empty filter', 0, this.text.length);
      return undefined;
    }
    // The operands of every open level in one array, and per enclosing level three numbers
    // (where its '(' was, where its operands start in `items`): a level of nesting allocates
    // no object, so 10^6 nested parentheses cost no more per level than one.
    const items: FilterExpression[] = [];
    let levels: number[] | undefined;
    let depth = 0;
    let open = -1;
    let orStart = 0;
    let andStart = 0;
    for (;;) {
      // Expecting an operand.
      while (this.type === T_LPAREN) {
        if (depth + 1 > this.maxDepth) this.tooDeep();
        depth++;
        levels ??= [];
        levels.push(open, orStart, andStart);
        open = this.start;
        orStart = andStart = items.length;
        nextToken(this);
      }
      const operand = this.operand();
      if (operand !== undefined) items.push(operand);
      // Expecting an operator, a closing parenthesis or the end.
      for (;;) {
        const t = this.type;
        if (t === T_EOF || t === T_RPAREN) {
          if (depth === 0) {
            if (t === T_EOF) return close(items, orStart, andStart);
            this.report('FILTER_SYNTAX', "unmatched ')'", this.start, this.end);
            nextToken(this);
            continue;
          }
          if (t === T_EOF) this.report('FILTER_SYNTAX', "missing ')'", open, open + 1, "close this '('");
          const inner = close(items, orStart, andStart);
          depth--;
          andStart = levels!.pop()!;
          orStart = levels!.pop()!;
          open = levels!.pop()!;
          if (inner !== undefined) items.push(inner);
          if (t === T_RPAREN) nextToken(this);
          continue;
        }
        const w = this.word();
        if (w === 'and') {
          nextToken(this);
          break;
        }
        if (w === 'or') {
          if (items.length > andStart) items.push(group('and', items, andStart));
          andStart = items.length;
          nextToken(this);
          break;
        }
        if (t !== T_ERROR) {
          this.report(
            'FILTER_SYNTAX',
            `expected and, or, ')' or the end, found ${this.tokenText()}`,
            this.start,
            this.end,
          );
        }
        this.recover();
      }
    }
  }

  /** A limit breach ends the parse, in both modes. */
  private tooDeep(): never {
    throw new Stop({
      code: 'LIMIT_EXCEEDED',
      message: `parentheses nested deeper than ${this.maxDepth}`,
      start: this.start,
      end: this.end,
      hint: 'raise maxFilterDepth if this filter is legitimate',
    });
  }

  /** The keyword the current token is (lowercase), or ''. */
  private word(): string {
    return this.type === T_IDENT || this.type === T_SYMBOL ? this.kw : '';
  }

  private identText(): string {
    return this.text.slice(this.start, this.end);
  }

  private tokenText(): string {
    return this.type === T_EOF ? 'the end' : `'${clip(this.text.slice(this.start, this.end))}'`;
  }

  /** Skips to the next `and`, `or` or `)` at this level (or the end), after a reported error. */
  private recover(): void {
    let level = 0;
    for (;;) {
      const t = this.type;
      if (t === T_EOF) return;
      if (t === T_RPAREN) {
        if (level === 0) return;
        level--;
      } else if (t === T_LPAREN) {
        level++;
      } else if (level === 0 && (t === T_IDENT || t === T_SYMBOL)) {
        const w = this.word();
        if (w === 'and' || w === 'or') return;
      }
      nextToken(this);
    }
  }

  /** A comparison or `startswith(...)`; undefined after a reported error (the tokens are skipped). */
  private operand(): FilterExpression | undefined {
    const t = this.type;
    if (t === T_IDENT) {
      const w = this.kw;
      if (this.peekParen()) {
        if (w === 'startswith') return this.startsWith();
        const name = this.identText();
        this.report(
          'FILTER_SYNTAX',
          `${UNSUPPORTED_FUNCTIONS.has(name.toLowerCase()) ? 'function' : 'unknown function'} ${clip(name)}() is not supported`,
          this.start,
          this.end,
          "Batch filters support startswith(property, 'prefix') only",
        );
        this.recover();
        return undefined;
      }
      if (w === 'not') {
        this.report(
          'FILTER_SYNTAX',
          "'not' is not supported by Batch",
          this.start,
          this.end,
          'negate the comparison instead (eq <-> ne, gt <-> le, lt <-> ge)',
        );
        this.recover();
        return undefined;
      }
      if (w === 'and' || w === 'or') {
        // A missing operand: report it and leave the keyword to the caller.
        this.report(
          'FILTER_SYNTAX',
          `expected a comparison or startswith(...), found '${this.identText()}'`,
          this.start,
          this.end,
        );
        return undefined;
      }
      if (w === 'true' || w === 'false' || w === 'null') {
        this.literalFirst();
        return undefined;
      }
      return this.comparison();
    }
    if (t === T_STRING || t === T_INT || t === T_DATETIME) {
      this.literalFirst();
      return undefined;
    }
    if (t === T_ERROR) {
      this.recover();
      return undefined;
    }
    const w = this.word();
    // A missing operand before and/or/')'/the end: report, and let the caller handle that token.
    this.report(
      'FILTER_SYNTAX',
      `expected a comparison or startswith(...), found ${this.tokenText()}`,
      this.start,
      this.end,
    );
    if (t !== T_EOF && t !== T_RPAREN && w !== 'and' && w !== 'or') {
      nextToken(this);
      this.recover();
    }
    return undefined;
  }

  private peekParen(): boolean {
    let i = this.pos;
    while (i < this.text.length && isSpace(this.text.charCodeAt(i))) i++;
    return this.text.charCodeAt(i) === 0x28; // (
  }

  private literalFirst(): void {
    this.report(
      'FILTER_SYNTAX',
      `expected a property name, found the value ${this.tokenText()}`,
      this.start,
      this.end,
      'write the property first: property eq value',
    );
    nextToken(this);
    this.recover();
  }

  /**
   * `a/b/c` from the current identifier; leaves the token after it current and its schema entry
   * in `known`. Undefined after a reported error (nothing skipped).
   */
  private property(): PropertyNode | undefined {
    const start = this.start;
    let end = this.end;
    const entry = this.entry;
    if (entry !== undefined) {
      this.known = entry;
      nextToken(this);
      return { kind: 'property', path: entry.path, start, end };
    }
    // Sliced once at the end; with spaces around a '/', the text between them left out.
    let spaced = false;
    nextToken(this);
    while (this.type === T_SLASH) {
      spaced ||= this.spaced;
      nextToken(this);
      if (this.type !== T_IDENT) {
        if (this.type !== T_ERROR) {
          this.report('FILTER_SYNTAX', "expected a property name after '/'", this.start, this.end);
        }
        return undefined;
      }
      spaced ||= this.spaced;
      end = this.end;
      nextToken(this);
    }
    let path: string | undefined;
    if (spaced) {
      path = withoutSpaces(this.text, start, end);
      // Once per path, however many segments: a hint per segment would repeat the path each time.
      this.report(
        'FILTER_SYNTAX',
        "spaces are not allowed around '/' in a property path",
        start,
        end,
        `write ${clip(path)}`,
      );
    }
    this.known = undefined;
    const index = this.index;
    if (path === undefined) {
      const bucket = index?.byLength.get(end - start);
      if (bucket !== undefined && bucket.length > MAX_COMPARED_IN_PLACE) {
        // Many paths of this length: one lookup, not a compare per path.
        path = this.text.slice(start, end);
        this.known = index!.byPath.get(path);
        return { kind: 'property', path, start, end };
      }
      if (bucket !== undefined) {
        for (const known of bucket) {
          if (this.text.startsWith(known.path, start)) {
            this.known = known;
            // The schema's own string: no allocation for a known property.
            return { kind: 'property', path: known.path, start, end };
          }
        }
      }
      path = this.text.slice(start, end);
    } else if (index !== undefined) {
      this.known = index.byPath.get(path);
    }
    return { kind: 'property', path, start, end };
  }

  private comparison(): FilterExpression | undefined {
    const property = this.property();
    if (property === undefined) {
      this.recover();
      return undefined;
    }
    const known = this.known;
    const opStart = this.start;
    const opEnd = this.end;
    const w = this.word();
    if (!COMPARISONS.has(w)) {
      if (w === 'startswith') {
        this.report(
          'FILTER_SYNTAX',
          'startswith is a function, not an infix operator',
          opStart,
          opEnd,
          `write startswith(${clip(property.path)}, 'prefix')`,
        );
      } else if (this.type !== T_ERROR) {
        this.report(
          'FILTER_SYNTAX',
          `expected an operator (eq, ne, gt, ge, lt, le) after ${clip(property.path)}, found ${this.tokenText()}`,
          opStart,
          opEnd,
        );
      }
      this.recover();
      return undefined;
    }
    const operator = w as ComparisonOperator;
    nextToken(this);
    const value = this.literal();
    if (value === undefined) {
      this.recover();
      return undefined;
    }
    checkComparison(this, property, known, operator, opStart, opEnd, value);
    if (!this.tree) return CHECKED;
    return { kind: 'comparison', operator, property, value, start: property.start, end: value.end };
  }

  /** The literal at the current token, which is consumed; undefined after a reported error (the caller skips on). */
  private literal(): LiteralNode | undefined {
    const start = this.start;
    const end = this.end;
    let node: LiteralNode | undefined;
    switch (this.type) {
      case T_STRING:
        node = { kind: 'string', value: this.str, start, end };
        break;
      case T_INT:
        node = { kind: 'int', value: this.num, start, end };
        break;
      case T_DATETIME:
        node = { kind: 'datetime', value: this.str, time: this.time, start, end };
        break;
      case T_IDENT: {
        const w = this.kw;
        if (w === 'true' || w === 'false') {
          node = { kind: 'boolean', value: w === 'true', start, end };
          break;
        }
        if (w === 'null') {
          this.report('FILTER_SYNTAX', 'null is not supported in Batch filters', start, end);
        } else {
          this.report(
            'FILTER_SYNTAX',
            `expected a value, found ${this.tokenText()}`,
            start,
            end,
            'a property can only be compared with a literal: a string, integer, true/false or DateTime',
          );
        }
        return undefined;
      }
      case T_ERROR:
        return undefined;
      default:
        this.report('FILTER_SYNTAX', `expected a value, found ${this.tokenText()}`, start, end);
        return undefined;
    }
    nextToken(this);
    return node;
  }

  private startsWith(): FilterExpression | undefined {
    const start = this.start;
    const nameEnd = this.end;
    nextToken(this); // (
    nextToken(this);
    if (this.type !== T_IDENT) {
      if (this.type !== T_ERROR) {
        this.report(
          'FILTER_SYNTAX',
          `expected a property name, found ${this.tokenText()}`,
          this.start,
          this.end,
        );
      }
      this.skipCall();
      return undefined;
    }
    const property = this.property();
    if (property === undefined) {
      this.skipCall();
      return undefined;
    }
    const known = this.known;
    if (this.type !== T_COMMA) {
      this.report('FILTER_SYNTAX', `expected ',' found ${this.tokenText()}`, this.start, this.end);
      this.skipCall();
      return undefined;
    }
    nextToken(this);
    const prefix = this.literal();
    if (prefix === undefined) {
      this.skipCall();
      return undefined;
    }
    if (this.type !== T_RPAREN) {
      this.report('FILTER_SYNTAX', `expected ')' found ${this.tokenText()}`, this.start, this.end);
      this.skipCall();
      return undefined;
    }
    const end = this.end;
    nextToken(this);
    const node = checkStartsWith(this, property, known, start, nameEnd, prefix);
    if (node === undefined) return undefined;
    return this.tree ? { kind: 'startswith', property, prefix: node, start, end } : CHECKED;
  }

  /** After an error inside `startswith(...)`: skip to its `)` (consumed), or to the end. */
  private skipCall(): void {
    let level = 0;
    for (;;) {
      const t = this.type;
      if (t === T_EOF) return;
      if (t === T_LPAREN) level++;
      if (t === T_RPAREN) {
        if (level === 0) {
          nextToken(this);
          return;
        }
        level--;
      }
      nextToken(this);
    }
  }
}
