// Not a measurement: puts the same content into every target before the scenarios run.
//  - bench/small:v1  — config + one small gzipped tar layer (the manifest the manifest scenario GETs)
//  - bench/warm:v1   — config + one random 64 MiB layer (the blob the throughput scenario GETs)
// The 1 GiB layer is pushed by the push-large scenario itself, because that push is measured.
import { RandomSource, smallImage, sha256, imageConfig, dockerManifest } from '../lib/content';
import { uploadSmallBlob, uploadChunked, putManifest } from '../lib/registry';
import type * as http from 'node:http';
import type { BenchContext, Scenario } from '../lib/context';
import type { Endpoint } from '../lib/registry';

/** The seed content (the same bytes on every call). */
export async function seedContent(warmBytes: number) {
  const small = smallImage();
  const warm = new RandomSource('warm-64MiB', warmBytes);
  const warmDigest = await warm.digest();
  const warmConfig = imageConfig([warmDigest], 'warm');
  const warmManifest = dockerManifest(warmConfig, [{ digest: warmDigest, size: warm.size }]);
  return { small, warm, warmDigest, warmConfig, warmManifest };
}

/** Pushes bench/small:v1 and bench/warm:v1 to one target (also to the servers lib/s3-env.ts starts). */
export async function seedTarget(ctx: BenchContext, target: Endpoint & { label: string }, agent: http.Agent, content: Awaited<ReturnType<typeof seedContent>>): Promise<void> {
  const { small, warm, warmDigest, warmConfig, warmManifest } = content;
  await uploadSmallBlob(target, 'bench/small', small.layer, sha256(small.layer), agent);
  await uploadSmallBlob(target, 'bench/small', small.config, sha256(small.config), agent);
  const digest = await putManifest(target, 'bench/small', 'v1', small.manifest, agent);
  if (digest && digest !== small.digest) throw new Error(`${target.name}: manifest stored as ${digest}, expected ${small.digest}`);
  await uploadChunked(target, 'bench/warm', warm, warmDigest, ctx.options.chunkBytes, agent);
  await uploadSmallBlob(target, 'bench/warm', warmConfig, sha256(warmConfig), agent);
  await putManifest(target, 'bench/warm', 'v1', warmManifest, agent);
  ctx.log(`seeded ${target.label}: bench/small:v1 (${small.digest.slice(0, 19)}…), bench/warm:v1 (64 MiB layer ${warmDigest.slice(0, 19)}…)`);
}

const scenario: Scenario = {
  id: 'seed',
  title: 'Seed: the same small image and 64 MiB blob pushed to every server',
  setup: true,
  async run(ctx) {
    const content = await seedContent(ctx.options.warmBytes);
    const { small, warmDigest } = content;
    for (const target of ctx.targets) await seedTarget(ctx, target, ctx.agentFor(target), content);
    ctx.state.small = { image: 'bench/small', tag: 'v1', manifestDigest: small.digest, manifestBytes: small.manifest.length };
    ctx.state.warm = { image: 'bench/warm', digest: warmDigest, size: content.warm.size };
    return {
      params: {
        smallImage: `bench/small:v1, manifest ${small.manifest.length} B, config ${small.config.length} B, layer ${small.layer.length} B`,
        warmImage: `bench/warm:v1, one ${ctx.options.warmBytes} B random layer ${warmDigest}`,
      },
    };
  },
};
export default scenario;
