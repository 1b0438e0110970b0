import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './paths';
import { ManagedProcess } from './process';
import { GiveUp, waitFor } from './wait';

/** Debian's Chromium (`apt-get install chromium`); WHARF_E2E_CHROMIUM overrides. */
export const CHROMIUM_BIN = process.env.WHARF_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** The flags of the shared design's TESTING.md: headless, no sandbox (root), nothing that calls out. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export interface ChromiumOptions {
  /** The test's temporary directory; profile and log go below <dir>/<name>. */
  dir: string;
  name?: string;
}

/**
 * Headless Chromium started by the harness itself (a `ManagedProcess`, so it is stopped by pid and
 * its process group, like every other daemon of a test), with a fresh --user-data-dir, and driven
 * by playwright-core over the DevTools protocol on a loopback port the browser picks.
 */
export class HeadlessChromium {
  private constructor(
    readonly home: string,
    readonly profileDir: string,
    private readonly proc: ManagedProcess,
    readonly browser: Browser,
  ) {}

  static async start(opts: ChromiumOptions): Promise<HeadlessChromium> {
    const home = join(opts.dir, opts.name ?? 'chromium');
    const profileDir = join(home, 'profile');
    if (existsSync(profileDir)) throw new Error(`${profileDir} exists: every browser gets a fresh profile`);
    mkdirSync(profileDir, { recursive: true });
    const proc = ManagedProcess.start({
      name: 'chromium',
      command: CHROMIUM_BIN,
      args: [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${profileDir}`,
        '--remote-debugging-address=127.0.0.1',
        '--remote-debugging-port=0',
        'about:blank',
      ],
      logFile: join(home, 'chromium.log'),
      // Nothing of the browser lands in the real home directory.
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') },
    });
    try {
      // Chromium writes the port it chose (and the browser target's path) once DevTools listens.
      const portFile = join(profileDir, 'DevToolsActivePort');
      const endpoint = await waitFor(
        `chromium to write ${portFile}`,
        () => {
          if (!proc.running) throw new GiveUp(`chromium exited: ${JSON.stringify(proc.exit)}`);
          if (!existsSync(portFile)) return false;
          const [port, path] = readFileSync(portFile, 'utf8').split('\n').map((l) => l.trim());
          return port && path ? `ws://127.0.0.1:${port}${path}` : false;
        },
        { timeoutMs: 90_000, intervalMs: 100 },
      );
      const browser = await chromium.connectOverCDP(endpoint, { timeout: 60_000 });
      return new HeadlessChromium(home, profileDir, proc, browser);
    } catch (err) {
      await proc.kill9();
      throw new Error(`${(err as Error).message}\n--- ${proc.logFile} (tail) ---\n${proc.logTail(30)}`);
    }
  }

  get pid(): number {
    return this.proc.pid;
  }

  get logFile(): string {
    return this.proc.logFile;
  }

  /** A page in a new browser context (own storage) with the given viewport. */
  async newPage(viewport: { width: number; height: number }): Promise<Page> {
    const context = await this.browser.newContext({ viewport, deviceScaleFactor: 1 });
    return context.newPage();
  }

  /** Disconnects playwright, then stops the browser by pid (SIGTERM, then SIGKILL of its group). */
  async stop(): Promise<void> {
    try {
      await Promise.race([this.browser.close(), new Promise((r) => setTimeout(r, 10_000))]);
    } catch {
      /* the browser may be gone already */
    }
    await this.proc.stop(10_000);
  }
}

/** Where the UI suite's screenshots go (gitignored). */
export const UI_SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts', 'ui');

/** Numbered screenshots, one per step: `01-sign-in.png`, `02-sign-in-wrong-password.png`, ... */
export class Screenshots {
  readonly taken: string[] = [];

  /** Starts from an empty set: earlier runs' PNGs in `dir` are removed. */
  constructor(readonly dir: string = UI_SCREENSHOT_DIR) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith('.png')) rmSync(join(dir, f), { force: true });
  }

  /** A full-page screenshot at the page's current viewport width (scrolled to the top); returns the file name. */
  async take(page: Page, step: string): Promise<string> {
    const slug = step
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-+|-+$/g, '');
    const file = `${String(this.taken.length + 1).padStart(2, '0')}-${slug}.png`;
    // From the top, so the sticky top bar is drawn at the top of a full-page capture, not mid-page.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(this.dir, file), fullPage: true, animations: 'disabled', caret: 'hide' });
    this.taken.push(file);
    return file;
  }
}

/** What went wrong inside the page while a test drove it. */
export interface PageProblems {
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** console.error messages. */
  consoleErrors: string[];
  /** Responses with status >= 500, and requests that failed without an answer. */
  serverErrors: string[];
  /** Requests that got an answer whose body the page dropped unread (not a failure). */
  abandonedBodies: string[];
}

/** Records uncaught page errors, console errors and server errors of a page from now on. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { pageErrors: [], consoleErrors: [], serverErrors: [], abandonedBodies: [] };
  page.on('pageerror', (err) => problems.pageErrors.push(`${err.name}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 500) problems.serverErrors.push(`${res.request().method()} ${res.url()} -> ${res.status()}`);
  });
  page.on('requestfailed', (req) => {
    const failure = `${req.method()} ${req.url()} failed: ${req.failure()?.errorText ?? 'unknown'}`;
    // A request whose answer arrived, but whose body the page never read (Chromium reports it as
    // ERR_ABORTED once the unread body is dropped), did not fail on the server's side.
    void req
      .response()
      .then((res) => {
        if (res === null) problems.serverErrors.push(failure);
        else problems.abandonedBodies.push(`${failure} after HTTP ${res.status()}`);
      })
      .catch(() => problems.serverErrors.push(failure));
  });
  return problems;
}
