// hubpeer holds the Go sides of the fluxrpc hub and connector interop tests, all
// built from the real flux v1.25.4 packages:
//
//	hubpeer daemon --connect URL --token T [--route /v11/daemon] [--version-answer S]
//	    flux's daemon.NewUpstream (what fluxd --connect runs) serving a MockServer.
//	    stdin: "event" posts an event with Upstream.LogEvent; "quit" closes it.
//	hubpeer client --url URL --token T
//	    flux's pkg/http/client (what fluxctl uses) calling every API route once.
//	hubpeer hub --listen 127.0.0.1:PORT --token T [--gone]
//	    a Go upstream: websocket.Upgrade + rpc.NewClientV<N> by route, token check.
//	    stdin: "calls" runs every method on the newest connection; "close" closes it.
//	hubpeer fluxd --listen 127.0.0.1:0
//	    flux's daemon.NewHandler (fluxd's HTTP API) over a MockServer.
//
// Lines printed on stdout: LISTEN <host:port>, CONNECTED <n> <version> <user-agent>,
// DISCONNECTED <n> <error>, LOG <logfmt>, RESULT <json>, EVENT <json>, ERROR <text>.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"fluxrpc/interop/internal/peerkit"
)

// result prints one RESULT line: the method, its value (JSON) and its error text.
func result(method string, value interface{}, err error) {
	r := map[string]interface{}{"method": method, "value": value, "error": ""}
	if err != nil {
		r["error"] = err.Error()
		r["errorType"] = fmt.Sprintf("%T", err)
	}
	b, mErr := json.Marshal(r)
	if mErr != nil {
		b, _ = json.Marshal(map[string]interface{}{"method": method, "error": "marshal: " + mErr.Error()})
	}
	peerkit.Emit("RESULT %s", b)
}

// stdinLines calls f for every line read from stdin, then done at EOF.
func stdinLines(f func(string), done func()) {
	go func() {
		s := bufio.NewScanner(os.Stdin)
		for s.Scan() {
			f(s.Text())
		}
		done()
	}()
}

func main() {
	os.Exit(peerkit.Commands{
		"daemon": peerkit.Fallible(runDaemon),
		"client": peerkit.Fallible(runClient),
		"hub":    peerkit.Fallible(runHub),
		"fluxd":  peerkit.Fallible(runFluxd),
	}.Run(os.Args[1:], func(args []string) int {
		if len(args) == 0 {
			fmt.Fprintln(os.Stderr, "usage: hubpeer daemon|client|hub|fluxd [flags]")
		} else {
			fmt.Fprintln(os.Stderr, "unknown mode "+args[0])
		}
		return 2
	}))
}
