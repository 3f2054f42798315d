/** The demo cluster: a DaemonImplementation with sample workloads and images, served from memory. */
export { DemoCluster, type DemoClusterOptions } from './cluster.js';
export { SAMPLE_GIT, SAMPLE_IMAGES, SAMPLE_WORKLOADS, type SampleContainer, type SampleWorkload } from './sample-data.js';
