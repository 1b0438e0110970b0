import { Readable } from 'node:stream';
import type { NativeConnection } from './connection';

export interface BodyStreamOptions {
  /** How long to wait for more of the body before failing. */
  idleMs: number;
  /** Largest piece read at a time. */
  pieceBytes?: number;
  /** Told once the whole body was read (the connection can serve what comes next). */
  onEnd(connection: NativeConnection): void;
  /** The error the stream fails with for a failure of the connection (named for the reader). */
  toError(err: unknown): Error;
}

/**
 * The body of a connection read a piece at a time on the addon's threads, as a stream (for a reader that wants
 * one: a store without a local file). Destroyed before the end, the connection is closed: it cannot be reused.
 * `connection` may still be on its way (a server request whose head is being parsed).
 */
export class BodyStream extends Readable {
  private connection: NativeConnection | null = null;
  private ended = false;
  private count = 0;
  private reading = false;

  constructor(
    private readonly open: NativeConnection | Promise<NativeConnection>,
    private readonly options: BodyStreamOptions,
  ) {
    super({ highWaterMark: options.pieceBytes ?? 256 * 1024 });
  }

  /** Body bytes read so far. */
  get bytes(): number {
    return this.count;
  }

  override _read(): void {
    if (this.reading || this.ended) return;
    this.reading = true;
    void (async () => {
      try {
        this.connection ??= await this.open;
        const piece = await this.connection.readChunk(this.options.pieceBytes ?? 256 * 1024, this.options.idleMs);
        this.reading = false;
        if (this.destroyed) return;
        this.count += piece.length;
        if (piece.length > 0) return void this.push(piece);
        this.ended = true;
        this.options.onEnd(this.connection);
        this.push(null);
      } catch (err) {
        this.reading = false;
        this.destroy(this.options.toError(err));
      }
    })();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.ended) {
      this.connection?.close();
      // Still opening: close it once it is there.
      if (!this.connection) Promise.resolve(this.open).then((c) => c.close(), () => undefined);
    }
    callback(err);
  }
}
