// The API-misuse target of the fuzz run (see misuse.ts). A failure in a function listed in
// KNOWN_FINDINGS is counted and printed at the end, not fatal: those are reported to their
// owners and leave the list once fixed. Anything else fails the run.
import type fc from 'fast-check';
import {
  type Callable,
  describeFailure,
  type MisuseCase,
  make,
  misuseCases,
  publicCallables,
  runMisuse,
  show,
} from './misuse.js';

/**
 * Foreign exceptions found by this target in code its owner has yet to fix: callable name (or
 * `subpath.*`) -> what goes wrong. Remove an entry once its owner has fixed it (the target then
 * guards it).
 */
export const KNOWN_FINDINGS: Readonly<Record<string, string>> = {};

/** Whether a callable's failures are known findings (by name, or by `subpath.*`). */
export function isKnown(name: string): boolean {
  const subpath = name.replace(/^new /, '').split('.')[0];
  return Object.hasOwn(KNOWN_FINDINGS, name) || Object.hasOwn(KNOWN_FINDINGS, `${subpath}.*`);
}

interface Target {
  name: string;
  cases: fc.Arbitrary<{ input: MisuseCase; labels: string[] }>;
  decode(input: MisuseCase): Promise<number>;
  show(input: MisuseCase): string;
  summary(): string | undefined;
}

export function misuseTarget(callables: Callable[] = publicCallables()): Target {
  const known = new Map<string, { count: number; first: string }>();
  return {
    name: `API misuse (${callables.length} public functions, constructors and methods)`,
    cases: misuseCases(callables.length).map((input) => ({
      input,
      labels: [callables[input.callable]!.name],
    })),
    async decode(input) {
      const callable = callables[input.callable]!;
      const made = make(input);
      const problems = await runMisuse(callable, made);
      if (problems.length === 0) return 0;
      const description = describeFailure(callable, made, problems[0]);
      if (isKnown(callable.name)) {
        const entry = known.get(callable.name) ?? { count: 0, first: description };
        entry.count++;
        known.set(callable.name, entry);
        return problems.length;
      }
      const error = new Error(description);
      error.cause = problems[0];
      throw error;
    },
    show(input) {
      const made = make(input);
      return `${callables[input.callable]!.name}(${made.args.map((a) => show(a)).join(', ')}), chunks [${made.chunks.map((a) => show(a)).join(', ')}]`;
    },
    summary() {
      if (known.size === 0) return undefined;
      const lines = [...known].map(
        ([name, { count, first }]) => `    ${name} x${count}: ${first.slice(0, 300)}`,
      );
      return `known findings (not failing; reported to their owners):\n${lines.join('\n')}`;
    },
  };
}
