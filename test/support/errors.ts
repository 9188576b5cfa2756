import { type BatchwireError, isBatchwireError } from 'batchwire';

/** The BatchwireError `action` throws; fails the test when it throws nothing or another error. */
export function thrownBy(action: () => unknown): BatchwireError {
  try {
    action();
  } catch (error) {
    if (isBatchwireError(error)) return error;
    throw error;
  }
  throw new Error('expected a BatchwireError');
}

/** The BatchwireError `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<BatchwireError> {
  try {
    await promise;
  } catch (error) {
    if (isBatchwireError(error)) return error;
    throw error;
  }
  throw new Error('expected a BatchwireError');
}
