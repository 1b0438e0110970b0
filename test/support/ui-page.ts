import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { HeadlessChromium, type PageProblems, type Screenshots, watchPage } from './browser';
import type { Cleanup } from './cleanup';

// The page of a UI test, and what the tests read off it: sizes as the UI shows them, facts (<dt>/<dd>) and visible text.

export const DESKTOP = { width: 1280, height: 800 };

/** A page of a headless Chromium stopped by `cleanup`, with timeouts for a busy machine and its problems watched. */
export async function openUiPage(dir: string, cleanup: Cleanup, viewport = DESKTOP): Promise<{ page: Page; problems: PageProblems }> {
  const chrome = await HeadlessChromium.start({ dir });
  cleanup.add('chromium', () => chrome.stop());
  const page = await chrome.newPage(viewport);
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(90_000);
  return { page, problems: watchPage(page) };
}

/** After a UI test: where its screenshots are. */
export function listScreenshots(label: string, shots: Screenshots | undefined): void {
  if (shots && shots.taken.length > 0) console.log(`[${label}] screenshots in ${shots.dir}:\n  ${shots.taken.join('\n  ')}`);
}

const UNIT_BYTES: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/**
 * A size as the UI shows it ("742 B", "1.23 MB") must stand for `bytes`: exact below 1000, else
 * within half of the last digit shown and within 0.5 % (decimal units, as `docker images`).
 */
export function expectShownSize(shown: string, bytes: number, what: string): void {
  const m = /^(\d+(?:\.\d+)?) (B|kB|MB|GB)$/.exec(shown.trim());
  expect(m, `${what}: "${shown}" is not a size`).not.toBeNull();
  const value = Number(m![1]);
  const unit = m![2]!;
  if (unit === 'B') {
    expect(value, `${what}: "${shown}"`).toBe(bytes);
    return;
  }
  const decimals = m![1]!.split('.')[1]?.length ?? 0;
  const shownBytes = value * UNIT_BYTES[unit]!;
  const halfDigit = 0.5 * 10 ** -decimals * UNIT_BYTES[unit]!;
  expect(Math.abs(shownBytes - bytes), `${what}: "${shown}" for ${bytes} bytes`).toBeLessThanOrEqual(halfDigit + 1e-6);
  expect(Math.abs(shownBytes - bytes) / bytes, `${what}: "${shown}" for ${bytes} bytes (too coarse)`).toBeLessThanOrEqual(0.005);
  expect(value, `${what}: "${shown}" uses too large a unit`).toBeGreaterThanOrEqual(1);
}

/** The <dd> right after the <dt> named `term`, inside `scope`. */
export function fact(scope: Page | Locator, term: string): Locator {
  return scope.locator('dt', { hasText: new RegExp(`^${term}$`) }).first().locator('xpath=following-sibling::dd[1]');
}

export async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}
