// fluxpeer is the Go peer for fluxrpc's Flux-API interop tests. It runs flux's own code
// (github.com/fluxcd/flux v1.25.4, pkg/remote and pkg/remote/rpc) against the TypeScript
// implementation, on 127.0.0.1 only, and prints machine-readable lines on stdout.
//
// Usage:
//
//	fluxpeer battery --version N --server ts --dial 127.0.0.1:PORT [--rpc-timeout 10s]
//	fluxpeer battery --version N --server ts --transport ws --listen 127.0.0.1:0
//	fluxpeer battery --version N --server go|goflat
//	fluxpeer mockserver --listen 127.0.0.1:0 [--ws-dial ws://127.0.0.1:PORT/v11/daemon]
//	fluxpeer rollout-vectors
//	fluxpeer golden
//
// battery runs remote.ServerTestBattery (flux's conformance battery, with a real *testing.T via
// testing.Main) with the Go client rpc.NewClientVN. With --server ts the mock the battery builds
// is served by flux's rpc.NewServer on a back channel (MOCK line): the TS side connects its V11
// client there and serves createFluxRpcServer(thatClient) to the Go client under test. With
// --server go the Go client talks to flux's rpc.NewServer directly, with --server goflat to the
// reconstructed V6-era flat server (flat.go): the reference outcomes.
//
// mockserver serves a remote.MockServer with flux's rpc.NewServer (union replies, LISTEN union)
// and with a V6-era flat server (LISTEN flat), plus a control service (CONTROL) to set the mock's
// answers and errors, read back what it received, and make the same call with a real Go client
// (Control.GoCall) for differential tests.
//
// Lines printed on stdout:
//
//	LISTEN <host:port>        battery ws: the websocket listener is ready
//	LISTEN union|flat <addr>  mockserver: an RPC listener is ready
//	MOCK <host:port>          battery --server ts: the mock's back channel is ready (connect once)
//	CONTROL <host:port>       mockserver: the control service is ready
//	CONNECTED                 mockserver --ws-dial: the websocket dial succeeded
//	RESULT <json>             the outcome (battery)
//	ERROR <text>              a set-up failure; exit status 1
//
// rollout-vectors and golden print one JSON document on stdout.
package main

import (
	"os"

	"fluxrpc/interop/internal/peerkit"
)

const usageText = `usage:
  fluxpeer battery --version 6..11 --server ts --dial 127.0.0.1:PORT [--rpc-timeout 10s]
  fluxpeer battery --version 6..11 --server ts --transport ws --listen 127.0.0.1:0
  fluxpeer battery --version 6..11 --server go|goflat
  fluxpeer mockserver [--listen 127.0.0.1:0] [--ws-dial ws://127.0.0.1:PORT/path] [--rpc-timeout 10s]
  fluxpeer rollout-vectors
  fluxpeer golden
`

var cli = peerkit.CLI{Name: "fluxpeer", Usage: usageText}

func main() {
	os.Exit(cli.Run(os.Args[1:], peerkit.Commands{
		"battery":         cmdBattery,
		"mockserver":      cmdMockServer,
		"rollout-vectors": cmdRolloutVectors,
		"golden":          cmdGolden,
	}))
}
