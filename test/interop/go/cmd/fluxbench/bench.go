package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/rpc"
	"sync"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"

	"fluxrpc/interop/internal/peerkit"
)

type benchOpts struct {
	peerkit.BenchWindow
	method string // "listServices"
	n      int    // statuses expected per reply
}

func (b benchOpts) validate() error {
	if b.method != "listServices" {
		return fmt.Errorf("bench: unknown --method %q", b.method)
	}
	if err := b.BenchWindow.Validate(); err != nil {
		return err
	}
	if b.n < 0 {
		return errors.New("bench: --n must not be negative")
	}
	return nil
}

// isRemote is true for errors the daemon sent (an RPC error string or a Flux application error).
func isRemote(err error) bool {
	var se rpc.ServerError
	var fe *fluxerr.Error
	return errors.As(err, &se) || errors.As(err, &fe)
}

// isFatal is true when flux's client says the connection is unusable.
func isFatal(err error) bool {
	var fatal remote.FatalError
	return errors.As(err, &fatal)
}

// runBench keeps exactly inflight ListServices calls outstanding for warmup+duration
// (peerkit.RunBench, as rpcpeer's runBench); a goroutine stops when flux's client says the
// connection is unusable. Afterwards, off the clock, the first reply marshalled must be want.
func runBench(c *fluxrpc.RPCClientV11, o benchOpts, want []byte) peerkit.BenchResult {
	var (
		mu    sync.Mutex
		first []v6.ControllerStatus
	)
	call := func() error {
		list, err := c.ListServices(context.Background(), "")
		if err != nil {
			return err
		}
		if len(list) != o.n {
			return fmt.Errorf("listServices: want %d entries, got %d", o.n, len(list))
		}
		mu.Lock()
		if first == nil {
			first = list
		}
		mu.Unlock()
		return nil
	}
	m := peerkit.RunBench(o.BenchWindow, call, isFatal)
	if first != nil {
		if got, err := json.Marshal(first); err != nil || string(got) != string(want) {
			m.Errors++
			if m.FirstErr == nil {
				m.FirstErr = errors.New("listServices: the reply differs from the fixture")
			}
		}
	}
	return m.Result(o.method, isRemote)
}
