import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { describeOnEachDialect } from '../../test/database';
import { TypeOrmUploadSessions } from './typeorm-upload-sessions';

describeOnEachDialect('TypeOrmUploadSessions', (db) => {
  let sessions: TypeOrmUploadSessions;

  beforeEach(() => {
    sessions = new TypeOrmUploadSessions(db());
  });

  const session = (createdAt: string, image = 'app', repository = 'docker-hosted') => ({
    id: randomUUID(),
    repository,
    image,
    createdAt: new Date(createdAt),
  });

  it('stores a session and reads it back', async () => {
    const s = session('2030-01-02T03:04:05.678Z', 'team/app');
    await sessions.create(s);
    const got = await sessions.get(s.id);
    expect(got).toEqual(s);
    expect(got!.createdAt).toBeInstanceOf(Date);
    expect(got!.createdAt.toISOString()).toBe('2030-01-02T03:04:05.678Z');
    expect(await sessions.get(randomUUID())).toBeNull();
  });

  it('deletes a session, and deleting an unknown one is fine', async () => {
    const s = session('2030-01-01T00:00:00Z');
    await sessions.create(s);
    await sessions.delete(s.id);
    expect(await sessions.get(s.id)).toBeNull();
    await expect(sessions.delete(s.id)).resolves.toBeUndefined();
  });

  it('refuses a second session with the same id', async () => {
    const s = session('2030-01-01T00:00:00Z');
    await sessions.create(s);
    await expect(sessions.create({ ...s, image: 'other' })).rejects.toBeDefined();
    expect((await sessions.get(s.id))?.image).toBe('app');
  });

  it('finds the sessions started strictly before a time (abandoned-upload cleanup)', async () => {
    const old = session('2030-01-01T00:00:00.000Z');
    const justBefore = session('2030-01-01T11:59:59.999Z', 'other', 'repo2');
    const atCut = session('2030-01-01T12:00:00.000Z');
    const fresh = session('2030-01-02T00:00:00.000Z');
    for (const s of [old, justBefore, atCut, fresh]) await sessions.create(s);

    const found = await sessions.olderThan(new Date('2030-01-01T12:00:00.000Z'));
    expect(found.map((s) => s.id).sort()).toEqual([old.id, justBefore.id].sort());
    expect(found.find((s) => s.id === justBefore.id)).toEqual(justBefore);
    expect(await sessions.olderThan(new Date('2029-12-31T23:59:59.999Z'))).toEqual([]);
    expect((await sessions.olderThan(new Date('2031-01-01T00:00:00Z'))).length).toBe(4);
  });
});
