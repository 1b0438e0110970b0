/**
 * A stack of teardown steps. Register each resource right after it starts; `run()` (from
 * afterAll) undoes them in reverse order, runs every step even when one fails, then reports.
 */
export class Cleanup {
  private readonly steps: Array<{ label: string; fn: () => unknown }> = [];

  add(label: string, fn: () => unknown): void {
    this.steps.push({ label, fn });
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
