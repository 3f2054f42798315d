/**
 * The demo daemon (`fluxrpc demo`, `daemon --demo`, `npm start`): a sample Kubernetes cluster as a
 * Flux daemon sees it (`DemoCluster`, a DaemonImplementation answering as fluxd v1.25.4 does), with
 * sample workloads, images and tag policies (sample-data.ts), an image registry (registry.ts), a
 * git history (git-history.ts), the workloads in the repository and as the last sync applied them (workloads.ts),
 * releases (release.ts), exports (export.ts) and a deploy key (ssh-key.ts), all in memory. Not to be confused with the hub's cluster mode (src/hub/cluster: hub replicas).
 */
export { DemoCluster, type DemoClusterOptions } from './cluster.js';
export { SAMPLE_GIT, SAMPLE_IMAGES, SAMPLE_WORKLOADS, type SampleContainer, type SampleWorkload } from './sample-data.js';
