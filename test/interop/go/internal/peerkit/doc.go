// Package peerkit holds what the Go interop peers (cmd/rpcpeer, cmd/fluxpeer, cmd/fluxbench,
// cmd/hubpeer, cmd/httppeer, cmd/modelvectors, cmd/policyvectors, cmd/gotext, cmd/fleethub,
// cmd/fleetload)
// have in common: the machine-readable stdout lines the TypeScript tests and the benchmark parse
// (LISTEN, CONNECTED, RSS, SERVE_END, RESULT, ERROR), usage errors and exit statuses, subcommand
// dispatch, flag parsing and loopback-only addresses, the hub's token file, TCP listeners, flux's
// websocket on both ends (dial as fluxd does, upgrade as the upstream does) and the bench loop.
//
// The websocket code is flux's own (github.com/fluxcd/flux/pkg/http/websocket): this package
// only calls it.
//
// Exit statuses, for every peer: 0 on success, 1 on set-up failures (after an ERROR line),
// 2 on usage errors.
package peerkit
