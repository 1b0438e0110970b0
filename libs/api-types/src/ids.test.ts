import { describe, expect, it } from 'vitest';
import { assetId, componentId } from './ids';

describe('component and asset ids', () => {
  it.each([
    ['docker-hosted', 'team/app', 'v1.2'],
    ['hub', 'library/busybox', 'latest'],
    ['a', 'b', '_-.'],
  ])('%s %s %s: base64url of the reference, without padding', (repository, image, tag) => {
    expect(componentId(repository, image, tag)).toBe(Buffer.from(`${repository}:${image}:${tag}`).toString('base64url'));
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(assetId(repository, image, digest)).toBe(Buffer.from(`${repository}:${image}@${digest}`).toString('base64url'));
  });
});
