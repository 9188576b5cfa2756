import { BatchwireError } from '../core/errors.js';

/**
 * The emulator's clock, which drives DLI job states (and the journal's timestamps). `'real'`
 * follows `Date.now()`; `'manual'` stands still until {@link EmulatorClock.advance} moves it.
 * `advance` works on both: on a real clock it adds an offset, so time runs ahead from there.
 */
export interface EmulatorClock {
  readonly mode: 'real' | 'manual';
  /** Milliseconds since the epoch, as the emulator sees them. */
  now(): number;
  /** Moves the clock forward by `ms` (a non-negative number). */
  advance(ms: number): void;
}

/** Creates a clock; `start` is the manual clock's first reading. */
export function createClock(mode: 'real' | 'manual', start: number): EmulatorClock & { restart(): void } {
  let offset = 0;
  let manual = start;
  return {
    mode,
    now: () => (mode === 'manual' ? manual : Date.now() + offset),
    advance(ms: number) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new BatchwireError(
          'INVALID_ARGUMENT',
          'clock.advance needs a finite, non-negative number of milliseconds',
          0,
        );
      }
      if (mode === 'manual') manual += ms;
      else offset += ms;
    },
    restart() {
      offset = 0;
      manual = start;
    },
  };
}
