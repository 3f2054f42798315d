/**
 * The package's main entry point (`fluxrpc`): the RPC layer and the layers below it (runtime,
 * codec, transport). Every other layer is an entry point of its own (`fluxrpc/flux`,
 * `fluxrpc/http`, `fluxrpc/hub`, `fluxrpc/connector`, `fluxrpc/dashboard`, `fluxrpc/notify`; the
 * README's "As a library"), so that importing the RPC layer loads nothing above it. The source
 * tree, one directory per layer, is described in the README's "Layers".
 */
export * from './runtime/index.js';
export * from './codec/index.js';
export * from './rpc/index.js';
export * from './transport/index.js';
