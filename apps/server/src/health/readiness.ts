import type { ReadinessCheck } from './readiness-check';

/** The checks readiness runs, in order; the composition root fills it (scale-out adds its own). */
export class Readiness {
  private readonly list: ReadinessCheck[] = [];

  constructor(checks: ReadinessCheck[] = []) {
    for (const check of checks) this.add(check);
  }

  add(check: ReadinessCheck): void {
    if (this.list.some((c) => c.name === check.name)) throw new Error(`readiness check ${check.name} is already registered`);
    this.list.push(check);
  }

  get checks(): readonly ReadinessCheck[] {
    return this.list;
  }
}
