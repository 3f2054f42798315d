package peerkit

import (
	"errors"
	"sort"
	"sync"
	"time"
)

// BenchWindow is how a bench client loads its peer: Inflight calls kept outstanding, WarmupMs
// of warm-up, then DurationMs measured (--inflight, --warmup-ms, --duration-ms).
type BenchWindow struct {
	Inflight   int
	DurationMs int
	WarmupMs   int
}

// Validate checks the flags every bench client shares.
func (w BenchWindow) Validate() error {
	if w.Inflight < 1 {
		return errors.New("bench: --inflight must be at least 1")
	}
	if w.DurationMs < 1 {
		return errors.New("bench: --duration-ms must be at least 1")
	}
	return nil
}

// Measured is what RunBench saw.
type Measured struct {
	Window BenchWindow
	// Latencies of the calls that succeeded and completed inside the measured window, sorted.
	Latencies []time.Duration
	// Errors counts every failed call (warm-up included); FirstErr is the first of them.
	Errors   int
	FirstErr error
	// MaxRSS is the peak RSS, read as soon as the last call returned.
	MaxRSS int64
}

// RunBench keeps exactly w.Inflight calls outstanding (one goroutine each, looping) for
// warm-up plus duration. Calls that complete inside the measured window [start+warmup,
// start+warmup+duration] are counted. A goroutine stops early after an error for which
// stop(err) is true (the connection is gone).
func RunBench(w BenchWindow, call func() error, stop func(err error) bool) Measured {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errCount  int
		firstErr  error
		wg        sync.WaitGroup
	)
	start := time.Now()
	measureFrom := start.Add(time.Duration(w.WarmupMs) * time.Millisecond)
	measureTo := measureFrom.Add(time.Duration(w.DurationMs) * time.Millisecond)

	for g := 0; g < w.Inflight; g++ {
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
				if err != nil && stop(err) {
					return
				}
			}
		}()
	}
	wg.Wait()

	m := Measured{Window: w, Errors: errCount, FirstErr: firstErr, MaxRSS: MaxRSSBytes()}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	m.Latencies = latencies
	return m
}
