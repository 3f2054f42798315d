// httppeer is the Go side of the fluxrpc interop tests for Flux's daemon HTTP
// API (what fluxctl speaks): flux's real pkg/http/client and flux's real
// pkg/http/daemon handler, both from github.com/fluxcd/flux v1.25.4.
//
// Usage:
//
//	httppeer daemon  --listen 127.0.0.1:0 [--mode ok|nil|flux|plain] [--token T]
//	httppeer client  --url http://127.0.0.1:PORT/api/flux [--token T]
//	httppeer fixture
//
// daemon serves daemon.NewHandler(server, daemon.NewRouter()) at /api/flux/
// behind http.StripPrefix, as fluxd does, over a remote.MockServer whose
// answers depend on --mode (see fixture.go). With --token, a request whose
// Authorization is not "Scope-Probe token=T" gets 401 (as an auth proxy in
// front of the API would answer).
//
// Lines printed on stdout:
//
//	LISTEN <host:port>     the daemon is ready
//	REQUEST <json>         (daemon) a request as received: method, URI, headers, body
//	CALL <json>            (daemon) an api.Server call: method and arguments
//	RESULT <json>          (client) the outcome of every call, in order
//	FIXTURE <json>         (fixture) the answers and errors of every mode
//	ERROR <text>           a set-up failure; exit status 1
package main

import (
	"fmt"
	"os"

	"fluxrpc/interop/internal/peerkit"
)

func usage() int {
	fmt.Fprint(os.Stderr, `usage:
  httppeer daemon  --listen 127.0.0.1:0 [--mode ok|nil|flux|plain] [--token T]
  httppeer client  --url http://127.0.0.1:PORT/api/flux [--token T]
  httppeer fixture
`)
	return 2
}

func main() {
	os.Exit(peerkit.Commands{
		"daemon":  cmdDaemon,
		"client":  cmdClient,
		"fixture": cmdFixture,
	}.Run(os.Args[1:], func([]string) int { return usage() }))
}
