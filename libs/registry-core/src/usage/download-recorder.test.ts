import { describe, expect, it } from 'vitest';
import type { ManifestDownload } from '../ports/manifest-index';
import { DownloadRecorder } from './download-recorder';

class Sink {
  readonly batches: ManifestDownload[][] = [];
  fail = false;
  async recordDownloads(downloads: ManifestDownload[]): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.fail) throw new Error('database is locked');
    this.batches.push(downloads);
  }
}

describe('DownloadRecorder', () => {
  it('writes nothing per pull and one entry per manifest per flush, with the last time', async () => {
    const sink = new Sink();
    let now = new Date('2030-01-01T00:00:00Z');
    const recorder = new DownloadRecorder(sink, { now: () => now });
    recorder.record('hub', 'library/busybox', 'sha256:a');
    now = new Date('2030-01-01T00:00:05Z');
    recorder.record('hub', 'library/busybox', 'sha256:a');
    recorder.record('hub', 'library/alpine', 'sha256:a');
    recorder.record('hosted', 'library/busybox', 'sha256:a');
    expect(sink.batches).toEqual([]);
    await recorder.flush();
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]).toEqual([
      { repository: 'hub', image: 'library/busybox', digest: 'sha256:a', at: new Date('2030-01-01T00:00:05Z') },
      { repository: 'hub', image: 'library/alpine', digest: 'sha256:a', at: now },
      { repository: 'hosted', image: 'library/busybox', digest: 'sha256:a', at: now },
    ]);
    await recorder.flush();
    expect(sink.batches).toHaveLength(1);
  });

  it('flushes early once too many pulls are pending', async () => {
    const sink = new Sink();
    const recorder = new DownloadRecorder(sink, { maxPending: 3 });
    for (let i = 0; i < 3; i += 1) recorder.record('r', 'i', `sha256:${i}`);
    expect(recorder.pendingCount).toBe(0);
    await recorder.flush();
    expect(sink.batches.map((b) => b.length)).toEqual([3]);
  });

  it('keeps recording while a flush is under way, and a later flush waits for the earlier one', async () => {
    const sink = new Sink();
    const recorder = new DownloadRecorder(sink);
    recorder.record('r', 'i', 'sha256:1');
    const first = recorder.flush();
    recorder.record('r', 'i', 'sha256:2');
    await recorder.flush();
    await first;
    expect(sink.batches.map((b) => b.map((d) => d.digest))).toEqual([['sha256:1'], ['sha256:2']]);
  });

  it('reports a failed write and carries on', async () => {
    const sink = new Sink();
    const errors: string[] = [];
    const recorder = new DownloadRecorder(sink, { onError: (err) => errors.push(err.message) });
    sink.fail = true;
    recorder.record('r', 'i', 'sha256:1');
    await recorder.flush();
    expect(errors).toEqual(['database is locked']);
    sink.fail = false;
    recorder.record('r', 'i', 'sha256:2');
    await recorder.stop();
    expect(sink.batches.map((b) => b.map((d) => d.digest))).toEqual([['sha256:2']]);
  });

  it('writes what is pending when stopped', async () => {
    const sink = new Sink();
    const recorder = new DownloadRecorder(sink, { flushIntervalMs: 60_000 });
    recorder.start();
    recorder.record('r', 'i', 'sha256:1');
    await recorder.stop();
    expect(sink.batches).toHaveLength(1);
  });
});
