import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { sendFileToSocket } from '@wharf/native-io';
import type { BlobContent, ByteRange } from '../blob-store';
import { boundsOf, checkRange } from '../content';
import { copyRange, FileRangeStream } from './copy-range';
import type { Growth } from './growth';
import { endResponse, flushHead, plainSocketFd } from './http-socket';

/**
 * A blob in a local file, opened: a stored blob, or (with a `growth`) one still being received, which readers
 * follow. `deliver` sends it with sendfile(2) when the response is on a plain TCP connection and the addon is
 * here (the kernel moves the pages; a growing file is followed through its gate), else copies it through a few
 * reused buffers. Owns the handle.
 */
export class FileContent implements BlobContent {
  private used = false;

  constructor(
    readonly digest: string,
    readonly size: number,
    private readonly handle: FileHandle,
    readonly range: ByteRange | undefined = undefined,
    private readonly growth?: Growth,
  ) {}

  slice(range: ByteRange): BlobContent {
    this.use();
    try {
      checkRange(range, this.size, this.digest);
    } catch (err) {
      void this.handle.close().catch(() => undefined);
      throw err;
    }
    return new FileContent(this.digest, this.size, this.handle, range, this.growth);
  }

  async deliver(response: ServerResponse): Promise<void> {
    this.use();
    const { start, end } = boundsOf(this);
    try {
      if (!(await this.sendWithSendfile(response, start, end))) await copyRange(this.handle, start, end, response, this.growth);
    } catch (err) {
      // Part of the body may be out: the response can neither be completed nor the connection reused.
      if (response.headersSent) response.destroy();
      // 'ESOURCE': the followed write failed, and its own error says why.
      throw (err as { code?: unknown }).code === 'ESOURCE' && this.growth?.error ? this.growth.error : err;
    } finally {
      await this.handle.close().catch(() => undefined);
    }
  }

  stream(): Readable {
    this.use();
    const { start, end } = boundsOf(this);
    return new FileRangeStream(this.handle, start, end, this.growth);
  }

  async close(): Promise<void> {
    if (this.used) return;
    this.used = true;
    await this.handle.close().catch(() => undefined);
  }

  /**
   * sendfile(2) to the response's socket: false, having sent nothing of the body, when not possible here. A
   * growing file is followed only by a range that reaches its end: its gate holds back the blob's last byte
   * until the digest matched, which would not hold back a shorter range's last byte.
   */
  private async sendWithSendfile(response: ServerResponse, start: number, end: number): Promise<boolean> {
    const growing = this.growth && !this.growth.complete ? this.growth : undefined;
    if (end < start || (growing && end !== this.size - 1)) return false;
    const socketFd = plainSocketFd(response);
    if (socketFd === null) return false;
    await flushHead(response);
    if (!(await sendFileToSocket(socketFd, this.handle.fd, start, end - start + 1, growing?.gate))) return false;
    await endResponse(response);
    return true;
  }

  private use(): void {
    if (this.used) throw new Error(`blob content ${this.digest} was already used`);
    this.used = true;
  }
}
