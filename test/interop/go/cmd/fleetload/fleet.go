package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	fluxclient "github.com/fluxcd/flux/pkg/http/client"
	"github.com/fluxcd/flux/pkg/http/websocket"
	"github.com/fluxcd/flux/pkg/remote"
	"github.com/fluxcd/flux/pkg/remote/rpc"

	"fluxrpc/interop/internal/peerkit"
)

// daemon is one token file entry.
type daemon struct {
	token    string
	instance string
}

type fleet struct {
	o        options
	daemons  []daemon
	wsURL    *url.URL
	callURL  string
	http     *http.Client
	dialHTTP *http.Client
	// served counts daemons whose dial succeeded; ended those whose RPC server then stopped
	// serving (their connection ended).
	served, ended atomic.Int64
}

func newFleet(o options, daemons []daemon) *fleet {
	ws := *o.base
	ws.Scheme = "ws"
	ws.Path = "/api/flux/v11/daemon"
	transport := &http.Transport{
		MaxIdleConns:        2 * o.concurrency,
		MaxIdleConnsPerHost: 2 * o.concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &fleet{
		o:        o,
		daemons:  daemons,
		wsURL:    &ws,
		callURL:  o.base.String() + "/api/flux/v11/version",
		http:     &http.Client{Transport: transport, Timeout: o.timeout},
		dialHTTP: &http.Client{Timeout: o.timeout}, // what websocket.Dial reads: its timeout
	}
}

// errorCount counts failures and keeps the first.
type errorCount struct {
	mu    sync.Mutex
	n     int
	first error
}

func (e *errorCount) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if e.first == nil {
		e.first = err
	}
}

func (e *errorCount) text() *string {
	if e.first == nil {
		return nil
	}
	s := e.first.Error()
	return &s
}

type registerResult struct {
	Daemons         int     `json:"daemons"`
	DialConcurrency int     `json:"dialConcurrency"`
	Seconds         float64 `json:"seconds"`
	DialSeconds     float64 `json:"dialSeconds"`
	Probe           string  `json:"probe"`
	Errors          int     `json:"errors"`
	FirstError      *string `json:"firstError"`
}

// register dials every daemon (at most dialConcurrency at a time), serves each with flux's RPC
// server, then probes the instance whose handshake completed last.
func (f *fleet) register() registerResult {
	var errs errorCount
	var mu sync.Mutex
	last := -1
	start := time.Now()
	forEach(len(f.daemons), f.o.dialConcurrency, func(i int) {
		d := f.daemons[i]
		ws, err := websocket.Dial(f.dialHTTP, peerkit.UserAgent, fluxclient.Token(d.token), f.wsURL)
		if err != nil {
			errs.add(fmt.Errorf("dial %s: %v", d.instance, err))
			return
		}
		mu.Lock()
		last = i
		mu.Unlock()
		server, err := rpc.NewServer(&remote.MockServer{VersionAnswer: d.instance}, f.o.timeout)
		if err != nil {
			errs.add(err)
			ws.Close()
			return
		}
		f.served.Add(1)
		go func() {
			server.ServeConn(ws)
			f.ended.Add(1)
		}()
	})
	dialed := time.Since(start)
	res := registerResult{Daemons: len(f.daemons), DialConcurrency: f.o.dialConcurrency, DialSeconds: dialed.Seconds()}
	if last >= 0 {
		res.Probe = f.daemons[last].instance
		if _, err := f.call(f.daemons[last]); err != nil {
			errs.add(fmt.Errorf("probe: %v", err))
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.Errors, res.FirstError = errs.n, errs.text()
	return res
}

type callsResult struct {
	Calls       int     `json:"calls"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	CallsPerSec float64 `json:"callsPerSec"`
	P50ms       float64 `json:"p50ms"`
	P99ms       float64 `json:"p99ms"`
	Errors      int     `json:"errors"`
	FirstError  *string `json:"firstError"`
}

// fanout calls every instance once, concurrency calls at a time.
func (f *fleet) fanout() callsResult {
	return f.calls(len(f.daemons), f.o.concurrency, func(i int) daemon { return f.daemons[i] })
}

// latency makes latencyCalls calls one at a time, to instances picked at random, then closes
// the idle HTTP connections (the hub is left with the daemons only).
func (f *fleet) latency() callsResult {
	pick := rand.New(rand.NewSource(f.o.seed))
	order := make([]int, f.o.latencyCalls)
	for i := range order {
		order[i] = pick.Intn(len(f.daemons))
	}
	res := f.calls(len(order), 1, func(i int) daemon { return f.daemons[order[i]] })
	f.http.CloseIdleConnections()
	return res
}

// calls makes n calls, the i-th to target(i), concurrency at a time.
func (f *fleet) calls(n, concurrency int, target func(i int) daemon) callsResult {
	var errs errorCount
	latencies := make([]time.Duration, n)
	start := time.Now()
	forEach(n, concurrency, func(i int) {
		took, err := f.call(target(i))
		if err != nil {
			errs.add(err)
		}
		latencies[i] = took
	})
	seconds := time.Since(start).Seconds()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	return callsResult{
		Calls:       n,
		Concurrency: concurrency,
		Seconds:     seconds,
		CallsPerSec: float64(n) / seconds,
		P50ms:       peerkit.PercentileMs(latencies, 0.50),
		P99ms:       peerkit.PercentileMs(latencies, 0.99),
		Errors:      errs.n,
		FirstError:  errs.text(),
	}
}

// maxBody bounds what is read of an answer (a Version answer is a short JSON string).
const maxBody = 64 << 10

// call asks the hub for d's Version with d's token; the answer must be d's instance name.
func (f *fleet) call(d daemon) (time.Duration, error) {
	req, err := http.NewRequest("GET", f.callURL, nil)
	if err != nil {
		return 0, err
	}
	fluxclient.Token(d.token).Set(req)
	start := time.Now()
	resp, err := f.http.Do(req)
	if err != nil {
		return time.Since(start), fmt.Errorf("%s: %v", d.instance, err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, fmt.Errorf("%s: reading the answer: %v", d.instance, err)
	}
	if resp.StatusCode != http.StatusOK {
		return took, fmt.Errorf("%s: status %d: %.200s", d.instance, resp.StatusCode, body)
	}
	var version string
	if err := json.Unmarshal(body, &version); err != nil || version != d.instance {
		return took, fmt.Errorf("%s: answered %.200s", d.instance, body)
	}
	return took, nil
}

type checkResult struct {
	Daemons   int   `json:"daemons"`
	Connected int64 `json:"connected"`
}

// check counts the daemons still served (dialled and not ended).
func (f *fleet) check() checkResult {
	return checkResult{Daemons: len(f.daemons), Connected: f.served.Load() - f.ended.Load()}
}

// forEach runs fn(0) … fn(n-1), at most concurrency at a time, and waits for all.
func forEach(n, concurrency int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < concurrency && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func mustJSON(v interface{}) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
