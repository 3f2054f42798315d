package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/rpc"
)

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// scenarioOpts holds the scenario flags; -1 means "the scenario's default".
type scenarioOpts struct {
	name       string
	n          int
	method     string
	inflight   int
	durationMs int
	warmupMs   int
	bytes      int
}

type scenarioFunc func(c *rpc.Client) interface{}

// lookupScenario validates the options and returns the scenario to run.
func lookupScenario(o scenarioOpts) (scenarioFunc, error) {
	nOr := func(def int) int {
		if o.n < 0 {
			return def
		}
		return o.n
	}
	switch o.name {
	case "concurrent":
		n := nOr(200)
		return func(c *rpc.Client) interface{} { return runConcurrent(c, n) }, nil
	case "out-of-order":
		return runOutOfOrder, nil
	case "unknown-method":
		return runUnknownMethod, nil
	case "method-error":
		return runMethodError, nil
	case "wrong-param":
		return runWrongParam, nil
	case "vanish":
		n := nOr(5)
		return func(c *rpc.Client) interface{} { return runVanish(c, n) }, nil
	case "bench":
		b := benchOpts{
			method:     o.method,
			inflight:   o.inflight,
			durationMs: o.durationMs,
			warmupMs:   o.warmupMs,
			n:          nOr(50),
			bytes:      o.bytes,
		}
		if b.inflight < 0 {
			b.inflight = 1
		}
		if b.durationMs < 0 {
			b.durationMs = 3000
		}
		if b.warmupMs < 0 {
			b.warmupMs = 0
		}
		if b.bytes < 0 {
			b.bytes = 1 << 20
		}
		if err := b.validate(); err != nil {
			return nil, err
		}
		return func(c *rpc.Client) interface{} { return runBench(c, b) }, nil
	case "":
		return nil, fmt.Errorf("missing --scenario")
	}
	return nil, fmt.Errorf("unknown scenario %q", o.name)
}

func cmdClient(args []string) int {
	fs := newFlagSet("client")
	transport := fs.String("transport", "tcp", "tcp or ws")
	listen := fs.String("listen", "127.0.0.1:0", "ws: address to listen on")
	dial := fs.String("dial", "", "tcp: address to dial")
	var o scenarioOpts
	fs.StringVar(&o.name, "scenario", "", "scenario name")
	fs.IntVar(&o.n, "n", -1, "count (concurrent: calls, vanish: pending calls, bench statuses: statuses)")
	fs.StringVar(&o.method, "method", "", "bench: statuses or blob")
	fs.IntVar(&o.inflight, "inflight", -1, "bench: calls kept in flight")
	fs.IntVar(&o.durationMs, "duration-ms", -1, "bench: measured duration")
	fs.IntVar(&o.warmupMs, "warmup-ms", -1, "bench: warm-up before measuring")
	fs.IntVar(&o.bytes, "bytes", -1, "bench blob: reply size")
	if err := fs.Parse(args); err != nil {
		return usageError("client: %v", err)
	}
	if fs.NArg() != 0 {
		return usageError("client: unexpected arguments %v", fs.Args())
	}
	scenario, err := lookupScenario(o)
	if err != nil {
		return usageError("client: %v", err)
	}
	switch *transport {
	case "tcp":
		if *dial == "" {
			return usageError("client: --transport tcp needs --dial 127.0.0.1:PORT")
		}
		if err := checkLoopbackHostPort(*dial); err != nil {
			return usageError("client: --dial %v", err)
		}
	case "ws":
		if err := checkLoopbackHostPort(*listen); err != nil {
			return usageError("client: --listen %v", err)
		}
	default:
		return usageError("client: unknown transport %q", *transport)
	}

	client, err := connectClient(*transport, *listen, *dial)
	if err != nil {
		return setupError(err)
	}
	result := scenario(client)
	b, err := json.Marshal(result)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"marshalError": err.Error()})
	}
	emit("RESULT %s", b)
	// Closes the connection; over ws this sends close 1000 "ok".
	client.Close()
	return 0
}
