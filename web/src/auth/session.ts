import type { Credentials } from '../api/client';

const KEY = 'wharf.session';

/** The signed-in user, kept in sessionStorage: a reload keeps it, closing the tab forgets it. */
export function loadSession(storage: Storage = window.sessionStorage): Credentials | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Credentials>;
    if (typeof parsed.username === 'string' && typeof parsed.authorization === 'string' && parsed.authorization.startsWith('Basic ')) {
      return { username: parsed.username, authorization: parsed.authorization };
    }
  } catch {
    // unreadable or blocked storage: signed out
  }
  return null;
}

export function saveSession(credentials: Credentials, storage: Storage = window.sessionStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify(credentials));
  } catch {
    // storage blocked: the session lasts until reload
  }
}

export function clearSession(storage: Storage = window.sessionStorage): void {
  try {
    storage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
