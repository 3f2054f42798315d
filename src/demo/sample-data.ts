/**
 * The demo cluster's starting state: a few workloads in two namespaces, with the images a registry
 * would offer for each container and the tag policies that pick among them. Fixed dates, so that
 * output is the same on every run.
 */
export interface SampleContainer {
  name: string;
  /** Image repository without tag, e.g. `ghcr.io/stefanprodan/podinfo`. */
  repository: string;
  /** The running tag. */
  tag: string;
}

export interface SampleWorkload {
  id: string;
  containers: SampleContainer[];
  policies: Record<string, string>;
  replicas: number;
  labels?: Record<string, string>;
}

/** Tags a registry offers for each repository, with their creation dates. */
export const SAMPLE_IMAGES: Record<string, [tag: string, created: string][]> = {
  'ghcr.io/stefanprodan/podinfo': [
    ['5.0.0', '2020-09-25T09:12:45Z'],
    ['5.0.3', '2020-10-14T13:02:11Z'],
    ['5.1.0', '2021-01-06T08:30:00Z'],
    ['5.2.1', '2021-05-12T17:44:09Z'],
    ['6.0.0', '2021-06-16T10:00:00Z'],
  ],
  'quay.io/weaveworks/helloworld': [
    ['master-a000001', '2019-02-14T10:00:00Z'],
    ['master-a000002', '2019-02-21T10:00:00Z'],
    ['master-a000003', '2019-03-01T16:20:00Z'],
    ['dev-b000004', '2019-03-02T09:00:00Z'],
  ],
  'docker.io/library/redis': [
    ['6.0.9', '2020-10-28T00:00:00Z'],
    ['6.2.1', '2021-03-02T00:00:00Z'],
    ['6.2.6', '2021-10-04T00:00:00Z'],
    ['7.0.0', '2022-04-28T00:00:00Z'],
  ],
  'docker.io/library/nginx': [
    ['1.19.6', '2020-12-15T00:00:00Z'],
    ['1.21.6', '2022-01-25T00:00:00Z'],
  ],
};

export const SAMPLE_WORKLOADS: SampleWorkload[] = [
  {
    id: 'default:deployment/podinfo',
    containers: [{ name: 'podinfod', repository: 'ghcr.io/stefanprodan/podinfo', tag: '5.0.3' }],
    policies: { automated: 'true', 'tag.podinfod': 'semver:~5' },
    replicas: 2,
    labels: { app: 'podinfo' },
  },
  {
    id: 'default:deployment/helloworld',
    containers: [
      { name: 'helloworld', repository: 'quay.io/weaveworks/helloworld', tag: 'master-a000001' },
      { name: 'sidecar', repository: 'docker.io/library/nginx', tag: '1.19.6' },
    ],
    policies: { 'tag.helloworld': 'glob:master-*' },
    replicas: 1,
    labels: { app: 'helloworld' },
  },
  {
    id: 'shop:statefulset/redis',
    containers: [{ name: 'redis', repository: 'docker.io/library/redis', tag: '6.0.9' }],
    policies: { locked: 'true', 'tag.redis': 'semver:^6' },
    replicas: 3,
    labels: { app: 'redis', tier: 'cache' },
  },
];

export const SAMPLE_GIT = {
  url: 'git@github.com:example/demo-cluster',
  branch: 'main',
  path: 'clusters/demo',
};
