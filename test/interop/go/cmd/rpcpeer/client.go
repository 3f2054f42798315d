package main

import (
	"fmt"
	"net/rpc"

	"fluxrpc/interop/internal/peerkit"
)

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
			BenchWindow: peerkit.BenchWindow{
				Inflight:   o.inflight,
				DurationMs: o.durationMs,
				WarmupMs:   o.warmupMs,
			},
			method: o.method,
			n:      nOr(50),
			bytes:  o.bytes,
		}
		if b.Inflight < 0 {
			b.Inflight = 1
		}
		if b.DurationMs < 0 {
			b.DurationMs = 3000
		}
		if b.WarmupMs < 0 {
			b.WarmupMs = 0
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
	fs := peerkit.NewFlagSet("client")
	transport := fs.String("transport", "tcp", "tcp or ws")
	listen := fs.String("listen", "127.0.0.1:0", "ws: address to listen on")
	dial := fs.String("dial", "", "tcp: address to dial")
	var o scenarioOpts
	fs.StringVar(&o.name, "scenario", "", "scenario name")
	fs.IntVar(&o.n, "n", -1, "count (concurrent: calls, vanish: pending calls, bench statuses: statuses)")
	fs.StringVar(&o.method, "method", "", "bench: statuses, blob or echo (Test.Echo(\"ping\"))")
	fs.IntVar(&o.inflight, "inflight", -1, "bench: calls kept in flight")
	fs.IntVar(&o.durationMs, "duration-ms", -1, "bench: measured duration")
	fs.IntVar(&o.warmupMs, "warmup-ms", -1, "bench: warm-up before measuring")
	fs.IntVar(&o.bytes, "bytes", -1, "bench blob: reply size")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("client: %v", err)
	}
	scenario, err := lookupScenario(o)
	if err != nil {
		return cli.UsageError("client: %v", err)
	}
	switch *transport {
	case "tcp":
		if *dial == "" {
			return cli.UsageError("client: --transport tcp needs --dial 127.0.0.1:PORT")
		}
		if err := peerkit.CheckLoopback(*dial); err != nil {
			return cli.UsageError("client: --dial %v", err)
		}
	case "ws":
		if err := peerkit.CheckLoopback(*listen); err != nil {
			return cli.UsageError("client: --listen %v", err)
		}
	default:
		return cli.UsageError("client: unknown transport %q", *transport)
	}

	client, err := connectClient(*transport, *listen, *dial)
	if err != nil {
		return peerkit.SetupError(err)
	}
	peerkit.EmitResult(scenario(client))
	// Closes the connection; over ws this sends close 1000 "ok".
	client.Close()
	return 0
}
