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
	"io"
	"net"
	"os"
	"sync"
)

var (
	outMu sync.Mutex
	out   io.Writer = os.Stdout
)

func emit(format string, args ...interface{}) {
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Fprintf(out, format+"\n", args...)
}

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
	emit("RESULT %s", b)
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

func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host != "127.0.0.1" {
		return fmt.Errorf("%s: only 127.0.0.1 is allowed", hostport)
	}
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hubpeer daemon|client|hub|fluxd [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "daemon":
		err = runDaemon(os.Args[2:])
	case "client":
		err = runClient(os.Args[2:])
	case "hub":
		err = runHub(os.Args[2:])
	case "fluxd":
		err = runFluxd(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "unknown mode "+os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		emit("ERROR %s", err.Error())
		os.Exit(1)
	}
}
