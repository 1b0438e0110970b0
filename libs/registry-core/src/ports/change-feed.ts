/**
 * What another process may hold in memory and must refresh when it changes. The detail names the
 * item (a user id, a role id, a setting key, a repository or blob store name), or is {@link EVERYTHING}.
 */
export type ChangeTopic = 'users' | 'roles' | 'settings' | 'repositories' | 'blob-stores' | 'content' | 'token-keys';

/** The detail a subscriber gets when it may have missed changes (the feed reconnected): refresh it all. */
export const EVERYTHING = '*';

export type ChangeListener = (detail: string) => void | Promise<void>;

/**
 * Port: tells the other Wharf processes that share this database that something changed, so that
 * what they keep in memory (the security model, repository instances and their connector ports,
 * caches) follows within a second. A process is never told about its own changes (it applied them
 * already); a listener is called for one topic at a time, in order. Announce a change only after it
 * is committed: listeners read the database again.
 */
export abstract class ChangeFeed {
  /** Tells the other processes; never throws (a change not announced is logged by the feed). */
  abstract publish(topic: ChangeTopic, detail: string): Promise<void>;
  abstract subscribe(topic: ChangeTopic, listener: ChangeListener): void;
}
