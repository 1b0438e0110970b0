import type { ChangeFeed, ChangeTopic } from '@wharf/registry-core';

type Method = (...args: never[]) => Promise<unknown>;

/** For each write method of a store: the detail of the change it makes (a user id, a repository name...). */
export type WriteDetails<S> = { [K in keyof S]?: S[K] extends Method ? (...args: Parameters<S[K]>) => string : never };

/**
 * A store (users, roles, settings, repositories, blob stores: what other replicas keep in memory) whose
 * writes are announced on the change feed once they are committed. The services using the store change
 * nothing: whoever writes through it tells the others. Reads pass through untouched.
 */
export function announceWrites<S extends object>(store: S, changes: ChangeFeed, topic: ChangeTopic, writes: WriteDetails<S>): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      const detailOf = writes[property as keyof S] as ((...args: unknown[]) => string) | undefined;
      if (!detailOf || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await changes.publish(topic, detailOf(...args));
        return result;
      };
    },
  });
}
