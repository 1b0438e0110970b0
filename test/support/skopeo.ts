import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { runChecked, runCommand, type RunResult } from './process';

export interface SkopeoCreds {
  username: string;
  password: string;
}

export interface SkopeoContext {
  /** Temp dir for skopeo's private auth file, so the machine's credentials never leak in. */
  dir: string;
}

function baseEnv(ctx: SkopeoContext): NodeJS.ProcessEnv {
  const authFile = join(ctx.dir, 'skopeo-auth.json');
  if (!existsSync(authFile)) writeFileSync(authFile, '{"auths":{}}');
  return { ...process.env, REGISTRY_AUTH_FILE: authFile };
}

const isDocker = (ref: string) => ref.startsWith('docker://');

export interface CopyOptions {
  srcCreds?: SkopeoCreds;
  destCreds?: SkopeoCreds;
  /** Fail instead of silently changing the manifest (default true). */
  preserveDigests?: boolean;
  extraArgs?: string[];
}

/** skopeo copy between two references (oci:DIR:TAG, docker://HOST/NAME:TAG ...), TLS verification off for docker://. */
export function skopeoCopyArgs(src: string, dest: string, opts: CopyOptions = {}): string[] {
  const args = ['--insecure-policy', 'copy'];
  if (isDocker(src)) args.push('--src-tls-verify=false');
  if (isDocker(dest)) args.push('--dest-tls-verify=false');
  if (opts.srcCreds) args.push('--src-creds', `${opts.srcCreds.username}:${opts.srcCreds.password}`);
  if (opts.destCreds) args.push('--dest-creds', `${opts.destCreds.username}:${opts.destCreds.password}`);
  if (opts.preserveDigests ?? true) args.push('--preserve-digests');
  args.push(...(opts.extraArgs ?? []), src, dest);
  return args;
}

export function skopeoCopy(ctx: SkopeoContext, src: string, dest: string, opts: CopyOptions = {}): Promise<RunResult> {
  return runChecked('skopeo', skopeoCopyArgs(src, dest, opts), { env: baseEnv(ctx), timeoutMs: 600_000 });
}

/** skopeo copy that may fail: returns the exit code and output. */
export function trySkopeoCopy(ctx: SkopeoContext, src: string, dest: string, opts: CopyOptions = {}): Promise<RunResult> {
  return runCommand('skopeo', skopeoCopyArgs(src, dest, opts), { env: baseEnv(ctx), timeoutMs: 600_000 });
}

export interface SkopeoInspect {
  Name?: string;
  Digest: string;
  Tag?: string;
  Layers: string[];
  Labels?: Record<string, string> | null;
  Architecture?: string;
  Os?: string;
}

function inspectArgs(ref: string, creds: SkopeoCreds | undefined, raw: boolean): string[] {
  const args = ['--insecure-policy', 'inspect'];
  if (raw) args.push('--raw');
  if (isDocker(ref)) args.push('--tls-verify=false');
  if (creds) args.push('--creds', `${creds.username}:${creds.password}`);
  args.push(ref);
  return args;
}

/** skopeo inspect: the parsed summary (Digest, Layers, ...). */
export async function skopeoInspect(ctx: SkopeoContext, ref: string, creds?: SkopeoCreds): Promise<SkopeoInspect> {
  const r = await runChecked('skopeo', inspectArgs(ref, creds, false), { env: baseEnv(ctx), timeoutMs: 120_000 });
  return JSON.parse(r.stdout) as SkopeoInspect;
}

/** skopeo inspect --raw: the manifest bytes exactly as served. */
export async function skopeoInspectRaw(ctx: SkopeoContext, ref: string, creds?: SkopeoCreds): Promise<Buffer> {
  const r = await runChecked('skopeo', inspectArgs(ref, creds, true), { env: baseEnv(ctx), timeoutMs: 120_000 });
  return Buffer.from(r.stdout, 'utf8');
}
