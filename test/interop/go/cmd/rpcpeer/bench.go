package main

import (
	"errors"
	"fmt"
	"net/rpc"

	v6 "github.com/fluxcd/flux/pkg/api/v6"

	"fluxrpc/interop/internal/peerkit"
)

type benchOpts struct {
	peerkit.BenchWindow
	method string // "statuses", "blob" or "echo"
	n      int    // statuses per call
	bytes  int    // blob size
}

func (b benchOpts) validate() error {
	switch b.method {
	case "statuses":
		if b.n > maxStatuses {
			return fmt.Errorf("bench: --n must be at most %d", maxStatuses)
		}
	case "blob", "echo":
	case "":
		return errors.New("bench: missing --method statuses|blob|echo")
	default:
		return fmt.Errorf("bench: unknown --method %q", b.method)
	}
	return b.BenchWindow.Validate()
}

// echoText is what the echo bench sends and expects back: the smallest useful call.
const echoText = "ping"

// runBench keeps exactly inflight Test.Statuses, Test.Blob or Test.Echo("ping") calls
// outstanding for warmup+duration (peerkit.RunBench); a goroutine stops at an error other than
// an RPC error reply (the connection is gone). Blob results also carry secondsPerCall; an echo
// reply other than "ping" counts as an error.
func runBench(c *rpc.Client, o benchOpts) peerkit.BenchResult {
	call := func() error {
		switch o.method {
		case "statuses":
			var reply []v6.ControllerStatus
			return c.Call("Test.Statuses", o.n, &reply)
		case "echo":
			var reply string
			if err := c.Call("Test.Echo", echoText, &reply); err != nil {
				return err
			}
			if reply != echoText {
				return fmt.Errorf("echo: want %q, got %q", echoText, reply)
			}
			return nil
		}
		var reply string
		return c.Call("Test.Blob", o.bytes, &reply)
	}
	m := peerkit.RunBench(o.BenchWindow, call, func(err error) bool { return !isServerError(err) })
	res := m.Result(o.method, isServerError)
	if o.method == "blob" {
		var spc float64
		if res.Calls > 0 {
			spc = res.Seconds / float64(res.Calls)
		}
		res.SecondsPerCall = &spc
	}
	return res
}
