package main

import (
	"errors"
	"fmt"
	"math"
	"net/rpc"
	"sort"
	"sync"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
)

type benchOpts struct {
	method     string // "statuses" or "blob"
	inflight   int
	durationMs int
	warmupMs   int
	n          int // statuses per call
	bytes      int // blob size
}

func (b benchOpts) validate() error {
	switch b.method {
	case "statuses":
		if b.n > maxStatuses {
			return fmt.Errorf("bench: --n must be at most %d", maxStatuses)
		}
	case "blob":
	case "":
		return errors.New("bench: missing --method statuses|blob")
	default:
		return fmt.Errorf("bench: unknown --method %q", b.method)
	}
	if b.inflight < 1 {
		return errors.New("bench: --inflight must be at least 1")
	}
	if b.durationMs < 1 {
		return errors.New("bench: --duration-ms must be at least 1")
	}
	return nil
}

type BenchResult struct {
	Method         string   `json:"method"`
	Inflight       int      `json:"inflight"`
	Calls          int      `json:"calls"`
	Seconds        float64  `json:"seconds"`
	CallsPerSec    float64  `json:"callsPerSec"`
	SecondsPerCall *float64 `json:"secondsPerCall,omitempty"` // blob only
	P50ms          float64  `json:"p50ms"`
	P99ms          float64  `json:"p99ms"`
	MaxRssBytes    int64    `json:"maxRssBytes"`
	Errors         int      `json:"errors"`
	FirstError     *ErrInfo `json:"firstError,omitempty"`
}

// percentileMs returns the p-quantile (nearest rank) of sorted durations, in ms.
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

// runBench keeps exactly inflight calls outstanding (one goroutine each,
// looping) for warmup+duration. Calls that complete inside the measured
// window [start+warmup, start+warmup+duration] are counted.
func runBench(c *rpc.Client, o benchOpts) BenchResult {
	call := func() error {
		if o.method == "statuses" {
			var reply []v6.ControllerStatus
			return c.Call("Test.Statuses", o.n, &reply)
		}
		var reply string
		return c.Call("Test.Blob", o.bytes, &reply)
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		errCount  int
		firstErr  error
		wg        sync.WaitGroup
	)
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
				if err != nil {
					var se rpc.ServerError
					if !errors.As(err, &se) {
						return // the connection is gone
					}
				}
			}
		}()
	}
	wg.Wait()

	seconds := o.durationMs
	res := BenchResult{
		Method:      o.method,
		Inflight:    o.inflight,
		Calls:       len(latencies),
		Seconds:     float64(seconds) / 1000,
		MaxRssBytes: maxRSSBytes(),
		Errors:      errCount,
	}
	if firstErr != nil {
		info := describe(firstErr)
		res.FirstError = &info
	}
	res.CallsPerSec = round3(float64(res.Calls) / res.Seconds)
	if o.method == "blob" {
		var spc float64
		if res.Calls > 0 {
			spc = res.Seconds / float64(res.Calls)
		}
		res.SecondsPerCall = &spc
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	res.P50ms = percentileMs(latencies, 0.50)
	res.P99ms = percentileMs(latencies, 0.99)
	return res
}
