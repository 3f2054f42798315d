// fleetload is the load generator of the fleet benchmark (bench/fleet.ts): it plays N Flux
// daemons against one hub (fluxrpc's or cmd/fleethub) and calls them through the hub's Flux HTTP
// API, the same way for either hub.
//
// Usage:
//
//	fleetload --url http://127.0.0.1:PORT --tokens FILE [--dial-concurrency 64]
//	          [--concurrency 64] [--latency-calls 2000] [--seed 1] [--timeout 10s]
//
// FILE is the hub's token file ({"<token>": "<instance>", ...}); one daemon per entry. Each
// daemon dials <url>/api/flux/v11/daemon with flux's websocket.Dial (User-Agent fluxd/test,
// Authorization: Scope-Probe token=<t>) and serves flux's rpc.NewServer over a MockServer whose
// Version answers the daemon's instance name. Every check below calls GET
// <url>/api/flux/v11/version with an instance's token and expects that instance's name, so a
// call routed to the wrong daemon is an error.
//
// Phases; the first runs at start, the others when their name arrives on stdin (one per line):
//
//	register  dials every daemon, at most --dial-concurrency at a time, then calls the instance
//	          whose handshake completed last (the probe). seconds: from the first dial to the
//	          probe's answer; dialSeconds: to the last handshake.
//	fanout    calls every instance once, --concurrency requests at a time (keep-alive).
//	latency   --latency-calls calls one at a time, each to an instance picked at random (--seed).
//	          Then the idle HTTP connections are closed.
//	check     how many daemons are still connected (their RPC server is still serving).
//	quit      exits at once (so does the end of stdin).
//
// Lines printed on stdout: "RESULT <phase> <json>" after each phase; ERROR <text> on a set-up
// failure (exit status 1). Exit status 2 on usage errors.
package main

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"sort"
	"time"

	"fluxrpc/interop/internal/peerkit"
)

const usageText = `usage:
  fleetload --url http://127.0.0.1:PORT --tokens FILE [--dial-concurrency 64]
            [--concurrency 64] [--latency-calls 2000] [--seed 1] [--timeout 10s]
then on stdin, one per line: fanout | latency | check | quit
`

var cli = peerkit.CLI{Name: "fleetload", Usage: usageText}

func main() {
	os.Exit(run(os.Args[1:]))
}

type options struct {
	base            *url.URL
	dialConcurrency int
	concurrency     int
	latencyCalls    int
	seed            int64
	timeout         time.Duration
}

func run(args []string) int {
	fs := peerkit.NewFlagSet("fleetload")
	rawURL := fs.String("url", "", "the hub's base URL, http://127.0.0.1:PORT")
	tokensPath := fs.String("tokens", "", "token file")
	var o options
	fs.IntVar(&o.dialConcurrency, "dial-concurrency", 64, "dials at a time")
	fs.IntVar(&o.concurrency, "concurrency", 64, "fan-out requests at a time")
	fs.IntVar(&o.latencyCalls, "latency-calls", 2000, "sequential calls of the latency phase")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the latency phase's instance picks")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of each dial and each HTTP call")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("%v", err)
	}
	u, err := url.Parse(*rawURL)
	if err != nil || u.Scheme != "http" || u.Hostname() != peerkit.Loopback || u.Port() == "" {
		return cli.UsageError("--url must be http://%s:PORT, got %q", peerkit.Loopback, *rawURL)
	}
	o.base = u
	if *tokensPath == "" {
		return cli.UsageError("missing --tokens FILE")
	}
	if o.dialConcurrency < 1 || o.concurrency < 1 || o.latencyCalls < 1 || o.timeout <= 0 {
		return cli.UsageError("--dial-concurrency, --concurrency, --latency-calls and --timeout must be positive")
	}
	tokens, err := peerkit.ReadTokens(*tokensPath)
	if err != nil {
		return peerkit.SetupError(err)
	}

	f := newFleet(o, sortedDaemons(tokens))
	peerkit.Emit("RESULT register %s", mustJSON(f.register()))
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "fanout":
			peerkit.Emit("RESULT fanout %s", mustJSON(f.fanout()))
		case "latency":
			peerkit.Emit("RESULT latency %s", mustJSON(f.latency()))
		case "check":
			peerkit.Emit("RESULT check %s", mustJSON(f.check()))
		case "quit":
			return 0
		default:
			fmt.Fprintf(os.Stderr, "fleetload: unknown command %q (fanout, latency, check, quit)\n", in.Text())
		}
	}
	return 0
}

// sortedDaemons lists the token file's entries by instance name (the dial order).
func sortedDaemons(tokens map[string]string) []daemon {
	out := make([]daemon, 0, len(tokens))
	for token, instance := range tokens {
		out = append(out, daemon{token: token, instance: instance})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].instance < out[j].instance })
	return out
}
