// The DLI batch job state graph, beside DLI_BATCH_STATES: which state may follow which. The
// emulator moves its jobs along it and the fuzz runner checks the states a backend reports
// against it (shared/reference/dli.md: starting -> running -> success | dead, recovering back
// to running; success and dead are final).
import type { DliBatchStateName } from './types.js';

/** The states a DLI batch job may move to next from each state. */
export const DLI_STATE_TRANSITIONS: Readonly<Record<DliBatchStateName, readonly DliBatchStateName[]>> =
  Object.freeze({
    starting: Object.freeze(['running', 'dead'] as const),
    running: Object.freeze(['success', 'dead', 'recovering'] as const),
    recovering: Object.freeze(['running', 'dead'] as const),
    success: Object.freeze([] as const),
    dead: Object.freeze([] as const),
  });

function isStateName(state: unknown): state is DliBatchStateName {
  // A non-string (a caller's misuse) is no state; Object.hasOwn would coerce it and may throw.
  return typeof state === 'string' && Object.hasOwn(DLI_STATE_TRANSITIONS, state);
}

/** Whether `state` is final: no state follows it (`success`, `dead`). Unknown states are not. */
export function isFinalDliState(state: string): boolean {
  return isStateName(state) && DLI_STATE_TRANSITIONS[state].length === 0;
}

/**
 * Whether a job seen in state `from` may later be seen in state `to` (the same state, or one
 * reachable along {@link DLI_STATE_TRANSITIONS}). States compare as given (lower case); a state
 * the graph does not know may follow and be followed by anything.
 *
 * @example
 * ```ts
 * dliStateMayFollow('starting', 'success'); // true
 * dliStateMayFollow('success', 'running'); // false
 * ```
 */
export function dliStateMayFollow(from: string, to: string): boolean {
  if (!isStateName(from) || !isStateName(to) || from === to) return true;
  const seen = new Set<string>([from]);
  const queue: DliBatchStateName[] = [from];
  while (queue.length > 0) {
    for (const next of DLI_STATE_TRANSITIONS[queue.shift()!]) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}
