import { makeTempDir, removeDir } from './paths';

/**
 * A stack of teardown steps. Register each resource right after it starts; `run()` (from
 * afterAll) undoes them in reverse order, runs every step even when one fails, then reports.
 */
export class Cleanup {
  private readonly steps: Array<{ label: string; fn: () => unknown }> = [];

  add(label: string, fn: () => unknown): void {
    this.steps.push({ label, fn });
  }

  /** Registers `resource.stop()` and hands the resource back: `wharf = cleanup.stopping('wharf', await Wharf.start(...))`. */
  stopping<T extends { stop(): unknown }>(label: string, resource: T): T {
    this.add(label, () => resource.stop());
    return resource;
  }

  /** A fresh temporary directory (makeTempDir), removed at cleanup unless WHARF_E2E_KEEP=1. */
  tempDir(label: string): string {
    const dir = makeTempDir(label);
    this.add('temp dir', () => removeDir(dir));
    return dir;
  }

  async run(): Promise<void> {
    const errors: Error[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.fn();
      } catch (err) {
        errors.push(new Error(`cleanup "${step.label}" failed: ${(err as Error)?.message ?? err}`));
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
  }
}
