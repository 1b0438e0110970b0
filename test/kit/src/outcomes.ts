/** The error `work` rejects with; throws when it resolves. */
export async function errorOf<E extends Error = Error & { kind?: string; status?: number; retryAfter?: string; code?: string }>(
  work: Promise<unknown>,
): Promise<E> {
  try {
    await work;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a rejection');
}
