package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/rpc"
	"sort"
	"sync"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"
)

type benchOpts struct {
	method     string // "listServices"
	inflight   int
	durationMs int
	warmupMs   int
	n          int // statuses expected per reply
}

func (b benchOpts) validate() error {
	if b.method != "listServices" {
		return fmt.Errorf("bench: unknown --method %q", b.method)
	}
	if b.inflight < 1 {
		return errors.New("bench: --inflight must be at least 1")
	}
	if b.durationMs < 1 {
		return errors.New("bench: --duration-ms must be at least 1")
	}
	if b.n < 0 {
		return errors.New("bench: --n must not be negative")
	}
	return nil
}

// ErrInfo describes an error in a RESULT line (rpcpeer's fields).
type ErrInfo struct {
	Error       *string `json:"error"`
	ServerError bool    `json:"serverError"`
}

// BenchResult is rpcpeer's RESULT line.
type BenchResult struct {
	Method      string   `json:"method"`
	Inflight    int      `json:"inflight"`
	Calls       int      `json:"calls"`
	Seconds     float64  `json:"seconds"`
	CallsPerSec float64  `json:"callsPerSec"`
	P50ms       float64  `json:"p50ms"`
	P99ms       float64  `json:"p99ms"`
	MaxRssBytes int64    `json:"maxRssBytes"`
	Errors      int      `json:"errors"`
	FirstError  *ErrInfo `json:"firstError,omitempty"`
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

func percentileMs(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	idx := int(math.Ceil(p*float64(len(sorted)))) - 1
	if idx < 0 {
		idx = 0
	}
	return round3(float64(sorted[idx]) / float64(time.Millisecond))
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// runBench keeps exactly inflight ListServices calls outstanding (one goroutine each, looping)
// for warmup+duration; calls that complete inside the measured window [start+warmup,
// start+warmup+duration] are counted (as rpcpeer's runBench). Afterwards, off the clock, the
// first reply marshalled must be want.
func runBench(c *fluxrpc.RPCClientV11, o benchOpts, want []byte) BenchResult {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errCount  int
		firstErr  error
		first     []v6.ControllerStatus
		wg        sync.WaitGroup
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

	start := time.Now()
	measureFrom := start.Add(time.Duration(o.warmupMs) * time.Millisecond)
	measureTo := measureFrom.Add(time.Duration(o.durationMs) * time.Millisecond)
	for g := 0; g < o.inflight; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t0 := time.Now()
				if !t0.Before(measureTo) {
					return
				}
				err := call()
				t1 := time.Now()
				inWindow := !t1.Before(measureFrom) && !t1.After(measureTo)
				mu.Lock()
				if err != nil {
					errCount++
					if firstErr == nil {
						firstErr = err
					}
				} else if inWindow {
					latencies = append(latencies, t1.Sub(t0))
				}
				mu.Unlock()
				if err != nil && isFatal(err) {
					return // the connection is gone
				}
			}
		}()
	}
	wg.Wait()

	res := BenchResult{
		Method:      o.method,
		Inflight:    o.inflight,
		Calls:       len(latencies),
		Seconds:     float64(o.durationMs) / 1000,
		MaxRssBytes: maxRSSBytes(),
		Errors:      errCount,
	}
	if first != nil {
		if got, err := json.Marshal(first); err != nil || string(got) != string(want) {
			res.Errors++
			if firstErr == nil {
				firstErr = errors.New("listServices: the reply differs from the fixture")
			}
		}
	}
	if firstErr != nil {
		text := firstErr.Error()
		res.FirstError = &ErrInfo{Error: &text, ServerError: isRemote(firstErr)}
	}
	res.CallsPerSec = round3(float64(res.Calls) / res.Seconds)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	res.P50ms = percentileMs(latencies, 0.50)
	res.P99ms = percentileMs(latencies, 0.99)
	return res
}
