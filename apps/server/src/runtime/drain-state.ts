/**
 * Whether this process is on its way out (SIGTERM, or close()): readiness then fails, so load
 * balancers and Kubernetes stop sending new requests while the ones in flight finish.
 */
export class DrainState {
  private since: Date | null = null;

  get draining(): boolean {
    return this.since !== null;
  }

  get drainingSince(): Date | null {
    return this.since;
  }

  begin(): void {
    this.since ??= new Date();
  }
}
