import { BatchwireError, isBatchwireError } from '../core/errors.js';

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an exception';
  }
}

/**
 * Runs `work`, turning any exception that is not a BatchwireError into one (`INVALID_ARGUMENT`):
 * input built to misbehave (a throwing getter, a value structuredClone refuses) must not let a
 * foreign exception out of a public function.
 */
export function guarded<T>(what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw new BatchwireError('INVALID_ARGUMENT', `${what}: ${messageOf(error)}`, 0, { cause: error });
  }
}

/** {@link guarded} for async work. */
export async function guardedAsync<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw new BatchwireError('INVALID_ARGUMENT', `${what}: ${messageOf(error)}`, 0, { cause: error });
  }
}
