package peerkit

import (
	"math"
	"time"
)

// ErrInfo describes an error in a RESULT line: Error is err.Error() (null when there was no
// error), ServerError whether the remote peer sent it (an RPC error reply).
type ErrInfo struct {
	Error       *string `json:"error"`
	ServerError bool    `json:"serverError"`
}

// NewErrInfo describes err (the zero ErrInfo for nil); serverError classifies it.
func NewErrInfo(err error, serverError func(error) bool) ErrInfo {
	if err == nil {
		return ErrInfo{}
	}
	text := err.Error()
	return ErrInfo{Error: &text, ServerError: serverError(err)}
}

// BenchResult is the RESULT line of a bench client (rpcpeer's, fluxbench's and the TypeScript
// twins'; bench/lib parses it).
type BenchResult struct {
	Method         string   `json:"method"`
	Inflight       int      `json:"inflight"`
	Calls          int      `json:"calls"`
	Seconds        float64  `json:"seconds"`
	CallsPerSec    float64  `json:"callsPerSec"`
	SecondsPerCall *float64 `json:"secondsPerCall,omitempty"` // rpcpeer blob only
	P50ms          float64  `json:"p50ms"`
	P99ms          float64  `json:"p99ms"`
	MaxRssBytes    int64    `json:"maxRssBytes"`
	Errors         int      `json:"errors"`
	FirstError     *ErrInfo `json:"firstError,omitempty"`
}

// Result is the RESULT of a run of method: calls and rate over the measured duration,
// nearest-rank p50/p99 in ms (rounded to µs), the first error classified by serverError.
func (m Measured) Result(method string, serverError func(error) bool) BenchResult {
	res := BenchResult{
		Method:      method,
		Inflight:    m.Window.Inflight,
		Calls:       len(m.Latencies),
		Seconds:     float64(m.Window.DurationMs) / 1000,
		MaxRssBytes: m.MaxRSS,
		Errors:      m.Errors,
	}
	if m.FirstErr != nil {
		info := NewErrInfo(m.FirstErr, serverError)
		res.FirstError = &info
	}
	res.CallsPerSec = round3(float64(res.Calls) / res.Seconds)
	res.P50ms = percentileMs(m.Latencies, 0.50)
	res.P99ms = percentileMs(m.Latencies, 0.99)
	return res
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

// PercentileMs is the p-quantile (nearest rank) of sorted durations in ms, rounded to µs, as
// in RESULT lines.
func PercentileMs(sorted []time.Duration, p float64) float64 {
	return percentileMs(sorted, p)
}
