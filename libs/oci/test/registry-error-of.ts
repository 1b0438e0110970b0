import { RegistryError } from '../src/errors';

/** The RegistryError that `fn` throws; anything else thrown, or nothing thrown, fails the test. */
export function registryErrorOf(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected a RegistryError to be thrown');
}
