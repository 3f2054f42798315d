// rpcpeer is a Go net/rpc + net/rpc/jsonrpc peer used by the fluxrpc interop
// tests and benchmarks. It speaks over plain TCP or over Flux's own websocket
// adapter (github.com/fluxcd/flux/pkg/http/websocket) and prints
// machine-readable lines on stdout.
//
// Usage:
//
//	rpcpeer serve   --transport tcp --listen 127.0.0.1:0 [--report-rss]
//	rpcpeer serve   --transport ws  --dial ws://127.0.0.1:PORT/path [--report-rss]
//	rpcpeer client  --transport tcp --dial 127.0.0.1:PORT --scenario NAME [scenario flags]
//	rpcpeer client  --transport ws  --listen 127.0.0.1:0  --scenario NAME [scenario flags]
//	rpcpeer fixture statuses --n 50
//
// Lines printed on stdout:
//
//	LISTEN <host:port>   a listener is ready (serve tcp, client ws)
//	CONNECTED            the websocket dial succeeded (serve ws)
//	RSS <bytes>          peak RSS of this process (serve --report-rss, at the end)
//	SERVE_END            the RPC server stopped serving the websocket (serve ws)
//	RESULT <json>        the scenario result (client)
//	ERROR <text>         a set-up failure (listen/dial/upgrade); exit status 1
//
// Exit status: 0 on success, 1 on set-up failures, 2 on usage errors.
package main

import (
	"os"

	"fluxrpc/interop/internal/peerkit"
)

const usageText = `usage:
  rpcpeer serve   --transport tcp --listen 127.0.0.1:0 [--report-rss]
  rpcpeer serve   --transport ws  --dial ws://127.0.0.1:PORT/path [--report-rss]
  rpcpeer client  --transport tcp --dial 127.0.0.1:PORT --scenario NAME [scenario flags]
  rpcpeer client  --transport ws  --listen 127.0.0.1:0  --scenario NAME [scenario flags]
  rpcpeer fixture statuses [--n 50]

scenarios (client --scenario NAME):
  concurrent      [--n 200]
  out-of-order
  unknown-method
  method-error
  wrong-param
  vanish          [--n 5]
  bench           --method statuses|blob|echo [--inflight 1] [--duration-ms 3000]
                  [--warmup-ms 0] [--n 50] [--bytes 1048576]
`

var cli = peerkit.CLI{Name: "rpcpeer", Usage: usageText}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	return cli.Run(args, peerkit.Commands{
		"serve":   cmdServe,
		"client":  cmdClient,
		"fixture": cmdFixture,
	})
}
