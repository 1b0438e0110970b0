import { describeReadContract } from '../../test/read-contract';
import { openProxyHarness } from '../../test/proxy-harness';
import { distributionAvailable } from '../../test/upstream/distribution';

// A proxy serves what its upstream (a real Distribution here) has, cold or cached, as any repository does.
if (distributionAvailable()) {
  describeReadContract('ProxyRepository (CNCF Distribution upstream, FileBlobStore, in-memory ports)', async () => {
    const harness = await openProxyHarness();
    return { repository: harness.repository(), seed: harness.seed, cleanup: harness.cleanup };
  });
}
