import type { ServerResponse } from 'node:http';
import { type Readable, PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobContent, ByteRange } from '../blob-store';
import { boundsOf, checkRange } from '../content';
import { StorageError } from '../storage-error';
import { endResponse, flushHead, plainSocketFd } from '../fs/http-socket';
import type { ObjectBody, S3ObjectReader } from './s3-object-reader';

/**
 * An object of the S3 store, opened through the native reader: the whole object's GET is answered already
 * (`whole`: one round trip, and a later delete does not cut it short); a slice asks for its range when it is
 * used. `deliver` relays the body to a plain-TCP response's socket on the addon's thread (the bytes never enter
 * JavaScript); on a TLS response, or for `stream`, it comes a piece at a time.
 */
export class S3Content implements BlobContent {
  private used = false;

  constructor(
    readonly digest: string,
    readonly size: number,
    private readonly key: string,
    private readonly reader: S3ObjectReader,
    private whole: ObjectBody | null,
    readonly range: ByteRange | undefined = undefined,
  ) {}

  slice(range: ByteRange): BlobContent {
    this.use();
    const whole = this.takeWhole();
    try {
      checkRange(range, this.size, this.digest);
    } catch (err) {
      whole?.drop();
      throw err;
    }
    const all = range.start === 0 && range.end === this.size - 1;
    if (!all) whole?.drop();
    return new S3Content(this.digest, this.size, this.key, this.reader, all ? whole : null, range);
  }

  async deliver(response: ServerResponse): Promise<void> {
    this.use();
    try {
      const body = await this.body();
      if (!body) return void (await endResponse(response));
      const socketFd = plainSocketFd(response);
      if (socketFd === null) return void (await pipeline(body.stream(), response));
      await flushHead(response);
      await body.relay(socketFd);
      await endResponse(response);
    } catch (err) {
      // Part of the body may be out: the client must see a cut connection, never a short body.
      response.destroy();
      throw err;
    }
  }

  stream(): Readable {
    this.use();
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    void (async () => {
      const body = await this.body();
      if (body) await pipeline(body.stream(), out);
      else out.end();
    })().catch((err: unknown) => out.destroy(err as Error));
    return out;
  }

  async close(): Promise<void> {
    if (this.used) return;
    this.used = true;
    this.takeWhole()?.drop();
  }

  /** The body of this content's bytes, or null when there are none to send (an empty blob or range). */
  private async body(): Promise<ObjectBody | null> {
    const whole = this.takeWhole();
    const { start, end } = boundsOf(this);
    if (end < start) {
      whole?.drop();
      return null;
    }
    if (whole) return whole;
    const body = await this.reader.get(this.key, { start, end });
    if (!body) throw new StorageError(`S3 GetObject failed: blob ${this.digest} is no longer in the store (HTTP 404)`);
    return body;
  }

  private takeWhole(): ObjectBody | null {
    const whole = this.whole;
    this.whole = null;
    return whole;
  }

  private use(): void {
    if (this.used) throw new Error(`blob content ${this.digest} was already used`);
    this.used = true;
  }
}
