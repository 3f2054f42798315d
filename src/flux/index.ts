/**
 * The Flux API over RPC: the API (api.ts), its wire model (model/), the tag-policy logic the
 * compatibility shims need (policy/, as a namespace), the daemon-side server (server.ts) and the
 * upstream-side clients V6…V11 (versions/). See README.md for the deviations from Go.
 */
export * from './api.js';
export * from './model/index.js';
export * as policy from './policy/index.js';
export {
  applicationErrorOf,
  createFluxRpcServer,
  DEFAULT_RPC_TIMEOUT_MS,
  DeadlineExceededError,
  serveFlux,
  type FluxServeOptions,
  type FluxServerOptions,
} from './server.js';
export * from './versions/index.js';
