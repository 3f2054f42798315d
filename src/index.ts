export * from './runtime/index.js';
export * from './codec/index.js';
export * from './rpc/index.js';
export * from './transport/index.js';
