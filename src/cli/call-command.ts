/**
 * `fluxrpc call`: one Flux API call against a hub (or a fluxd), through the HTTP API that fluxctl
 * uses. Tables for people, Go's JSON for scripts (`--json`); non-zero exit status on any error.
 */
import { goStringify } from '../codec/go-json.js';
import type { CallContext, FluxApi } from '../flux/api.js';
import {
  decodeUpdateSpec,
  encodeBytes,
  encodeControllerStatusList,
  encodeGitConfig,
  encodeImageStatusList,
  encodeJobId,
  encodeJobStatus,
  IMAGE_SPEC_LATEST,
  parseImageRef,
  RESOURCE_SPEC_ALL,
  ResourceId,
  type Change,
  type UpdateSpec,
} from '../flux/model/index.js';
import { FluxHttpClient } from '../http/client.js';
import { fluxdApiBase } from '../connector/relay.js';
import { DEFAULT_USER_AGENT } from '../runtime/version.js';
import { bool, helpText, list, parseDuration, parseFlags, parseHttpUrl, required, str, UsageError, type CommandSpec, type Parsed } from './flags.js';
import { gitConfigText, imagesTable, jobStatusText, servicesTable } from './format.js';
import type { Io } from './io.js';

interface Method {
  summary: string;
  args?: string;
  flags: string[];
  run(api: FluxApi, ctx: CallContext, p: Parsed, args: string[]): Promise<{ json: string; text: string }>;
}

const METHODS: Record<string, Method> = {
  ping: {
    summary: 'Check that the daemon answers.',
    flags: [],
    run: async (api, ctx) => (await api.ping(ctx), { json: 'null', text: 'ok\n' }),
  },
  version: {
    summary: "The daemon's version.",
    flags: [],
    run: async (api, ctx) => {
      const v = await api.version(ctx);
      return { json: goStringify(v), text: v + '\n' };
    },
  },
  'list-services': {
    summary: 'Workloads and their running images (fluxctl list-workloads).',
    flags: ['namespace', 'workload'],
    run: async (api, ctx, p) => {
      const ids = list(p, 'workload').map(parseId);
      const r = ids.length > 0 ? await api.listServicesWithOptions(ctx, { namespace: str(p, 'namespace') ?? '', services: ids }) : await api.listServices(ctx, str(p, 'namespace') ?? '');
      return { json: encodeControllerStatusList(r), text: servicesTable(r) };
    },
  },
  'list-images': {
    summary: 'Images running and available per container (fluxctl list-images).',
    flags: ['workload', 'namespace', 'fields'],
    run: async (api, ctx, p) => {
      const workloads = list(p, 'workload');
      if (workloads.length > 1) throw new UsageError('list-images: give at most one --workload (without it: every workload)');
      const spec = workloads.length === 0 ? RESOURCE_SPEC_ALL : parseId(workloads[0]!).toString();
      const fields = str(p, 'fields');
      const r = await api.listImagesWithOptions(ctx, { spec, namespace: str(p, 'namespace') ?? '', overrideContainerFields: fields ? fields.split(',') : null });
      return { json: encodeImageStatusList(r), text: imagesTable(r) };
    },
  },
  'update-manifests': {
    summary: 'Release images (or apply a raw update.Spec with --spec); prints the job ID.',
    flags: ['workload', 'all', 'image', 'update-all-images', 'exclude', 'dry-run', 'force', 'user', 'message', 'spec'],
    run: async (api, ctx, p) => {
      const id = await api.updateManifests(ctx, updateSpec(p));
      return { json: encodeJobId(id), text: `Job ${id} submitted; see: fluxrpc call job-status ${id}\n` };
    },
  },
  'job-status': {
    summary: 'The status of a job started by update-manifests.',
    args: 'JOB_ID',
    flags: [],
    run: async (api, ctx, _p, args) => {
      const s = await api.jobStatus(ctx, oneArg(args, 'job-status', 'JOB_ID'));
      return { json: encodeJobStatus(s), text: jobStatusText(s) };
    },
  },
  'sync-status': {
    summary: 'Commits not yet applied to the cluster, up to REF (default HEAD).',
    args: '[REF]',
    flags: [],
    run: async (api, ctx, _p, args) => {
      if (args.length > 1) throw new UsageError('sync-status: at most one REF');
      const r = await api.syncStatus(ctx, args[0] ?? 'HEAD');
      return { json: goStringify(r), text: (r ?? []).length === 0 ? 'in sync\n' : (r ?? []).join('\n') + '\n' };
    },
  },
  export: {
    summary: "The cluster's manifests as YAML.",
    flags: [],
    run: async (api, ctx) => {
      const r = await api.export(ctx);
      return { json: encodeBytes(r), text: Buffer.from(r ?? new Uint8Array()).toString('utf8') };
    },
  },
  'git-repo-config': {
    summary: "The daemon's git repository settings and public SSH key.",
    flags: ['regenerate'],
    run: async (api, ctx, p) => {
      const r = await api.gitRepoConfig(ctx, bool(p, 'regenerate'));
      return { json: encodeGitConfig(r), text: gitConfigText(r) };
    },
  },
  notify: {
    summary: 'Tell the daemon of a change: a git push (default) or a new image (--image-name).',
    flags: ['git-url', 'branch', 'image-name'],
    run: async (api, ctx, p) => {
      await api.notifyChange(ctx, change(p));
      return { json: 'null', text: 'notified\n' };
    },
  },
};

export const CALL_SPEC: CommandSpec = {
  name: 'call',
  usage: 'fluxrpc call --url URL [--token T] METHOD [ARGS...] [--json]',
  summary: 'Calls one Flux API method through a hub (or a fluxd) and prints the result.',
  flags: {
    url: { type: 'string', value: 'URL', help: 'The hub or fluxd, e.g. http://127.0.0.1:3030 (the API is under /api/flux).' },
    token: { type: 'string', value: 'T', help: "The instance's token (Authorization: Scope-Probe token=T); default $FLUXRPC_TOKEN, which keeps it out of ps." },
    json: { type: 'boolean', help: 'Print the result as JSON (as Go writes it) instead of a table.' },
    timeout: { type: 'string', value: 'DURATION', help: 'Give up after this long (0: no limit).', default: '30s' },
    namespace: { type: 'string', value: 'NS', help: 'list-services, list-images: only this namespace.' },
    workload: { type: 'string', value: 'ID', multiple: true, help: 'list-services, update-manifests: this workload (ns:kind/name), repeatable; list-images: one workload.' },
    fields: { type: 'string', value: 'F,G', help: 'list-images: container fields to compute (Name,Current,LatestFiltered,Available,…).' },
    all: { type: 'boolean', help: 'update-manifests: every workload.' },
    image: { type: 'string', value: 'REF', help: 'update-manifests: release this image (repo:tag).' },
    'update-all-images': { type: 'boolean', help: 'update-manifests: release the latest allowed image of each container.' },
    exclude: { type: 'string', value: 'ID', multiple: true, help: 'update-manifests: leave this workload alone; repeatable.' },
    'dry-run': { type: 'boolean', help: 'update-manifests: plan only, change nothing.' },
    force: { type: 'boolean', help: 'update-manifests: also release locked workloads.' },
    user: { type: 'string', value: 'NAME', help: 'update-manifests: who asks (recorded in the commit).' },
    message: { type: 'string', value: 'TEXT', help: 'update-manifests: why (recorded in the commit).' },
    spec: { type: 'string', value: 'JSON', help: "update-manifests: a raw update.Spec, e.g. '{\"type\":\"policy\",\"cause\":{},\"spec\":{…}}'." },
    regenerate: { type: 'boolean', help: 'git-repo-config: make a new SSH key first.' },
    'git-url': { type: 'string', value: 'URL', help: 'notify: the repository pushed to.' },
    branch: { type: 'string', value: 'NAME', help: 'notify: the branch pushed to.' },
    'image-name': { type: 'string', value: 'NAME', help: 'notify: an image repository that has a new tag.' },
  },
  notes: ['Methods:', ...Object.entries(METHODS).map(([name, m]) => `  ${(name + (m.args ? ' ' + m.args : '')).padEnd(24)}${m.summary}`)].join('\n'),
};

function parseId(text: string): ResourceId {
  try {
    return ResourceId.parse(text);
  } catch {
    throw new UsageError(`invalid workload ID ${JSON.stringify(text)}: use namespace:kind/name, e.g. default:deployment/podinfo`);
  }
}

function oneArg(args: string[], method: string, name: string): string {
  if (args.length !== 1) throw new UsageError(`${method}: exactly one ${name} is needed`);
  return args[0]!;
}

function updateSpec(p: Parsed): UpdateSpec {
  const raw = str(p, 'spec');
  if (raw !== undefined) {
    try {
      return decodeUpdateSpec(JSON.parse(raw));
    } catch (e) {
      throw new UsageError(`invalid --spec: ${(e as Error).message}`);
    }
  }
  const workloads = list(p, 'workload');
  workloads.forEach(parseId);
  if (workloads.length === 0 && !bool(p, 'all')) throw new UsageError('update-manifests: give --workload ID (repeatable) or --all');
  if (workloads.length > 0 && bool(p, 'all')) throw new UsageError('update-manifests: --all does not go with --workload (use --exclude ID to leave workloads out)');
  const image = str(p, 'image');
  if ((image === undefined) === !bool(p, 'update-all-images')) throw new UsageError('update-manifests: give either --image REF or --update-all-images');
  if (image !== undefined) {
    try {
      parseImageRef(image);
    } catch (e) {
      throw new UsageError(`invalid --image: ${(e as Error).message}`);
    }
  }
  return {
    type: 'image',
    cause: { user: str(p, 'user') ?? '', message: str(p, 'message') ?? '' },
    spec: {
      serviceSpecs: bool(p, 'all') ? [RESOURCE_SPEC_ALL] : workloads,
      imageSpec: image ?? IMAGE_SPEC_LATEST,
      kind: bool(p, 'dry-run') ? 'plan' : 'execute',
      excludes: list(p, 'exclude').length === 0 ? null : list(p, 'exclude').map(parseId),
      force: bool(p, 'force'),
    },
  };
}

function change(p: Parsed): Change {
  const name = str(p, 'image-name');
  if (name !== undefined) {
    if (str(p, 'git-url') !== undefined || str(p, 'branch') !== undefined) throw new UsageError('notify: --image-name does not go with --git-url/--branch');
    let ref;
    try {
      ref = parseImageRef(name);
    } catch (e) {
      throw new UsageError(`invalid --image-name: ${(e as Error).message}`);
    }
    return { kind: 'image', source: { name: { domain: ref.domain, image: ref.image } } };
  }
  return { kind: 'git', source: { url: str(p, 'git-url') ?? '', branch: str(p, 'branch') ?? '' } };
}

export async function callCommand(argv: string[], io: Io): Promise<number> {
  const p = parseFlags(CALL_SPEC, argv, true);
  const [methodName, ...args] = p.positionals;
  if (p.help || methodName === undefined) {
    if (!p.help) throw new UsageError('which METHOD? (see fluxrpc call --help)');
    io.out(helpText(CALL_SPEC));
    return 0;
  }
  const method = METHODS[methodName];
  if (!method) throw new UsageError(`unknown method ${JSON.stringify(methodName)}; methods: ${Object.keys(METHODS).join(', ')}`);
  const common = ['url', 'token', 'json', 'timeout', 'help'];
  for (const [flag, v] of Object.entries(p.values)) {
    if (v !== undefined && !common.includes(flag) && !method.flags.includes(flag)) throw new UsageError(`${methodName}: --${flag} does not apply (see fluxrpc call --help)`);
  }
  if (!method.args && args.length > 0) throw new UsageError(`${methodName}: unexpected argument ${JSON.stringify(args[0])}`);
  const url = parseHttpUrl(required(CALL_SPEC, p, 'url'), 'url');
  const timeoutMs = parseDuration(str(p, 'timeout') ?? '30s', 'timeout');
  const token = str(p, 'token') ?? (io.env.FLUXRPC_TOKEN || undefined);
  // The client's own timeout (not an AbortSignal.timeout as well), so that the error says what
  // timed out; the signal is for Ctrl+C/SIGTERM.
  const api = new FluxHttpClient({ baseUrl: fluxdApiBase(url.href), token, userAgent: DEFAULT_USER_AGENT, ...(timeoutMs > 0 ? { timeoutMs } : {}) });
  const stop = new AbortController();
  void io.stopped.then(() => stop.abort(new Error('interrupted')));
  const r = await method.run(api, { signal: stop.signal }, p, args);
  io.out(bool(p, 'json') ? r.json + '\n' : r.text);
  return 0;
}
