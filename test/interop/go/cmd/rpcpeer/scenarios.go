package main

import (
	"errors"
	"fmt"
	"net/rpc"
	"sync"
	"time"

	"fluxrpc/interop/internal/peerkit"
)

// ErrInfo describes the outcome of one call: Error is err.Error() (null when
// the call succeeded), ServerError whether err is an rpc.ServerError.
type ErrInfo = peerkit.ErrInfo

func isServerError(err error) bool {
	var se rpc.ServerError
	return errors.As(err, &se)
}

func describe(err error) ErrInfo {
	return peerkit.NewErrInfo(err, isServerError)
}

// concurrentArg is the i-th Echo argument: HTML-sensitive characters, a
// quote, a backslash, U+2028, non-ASCII and control characters.
func concurrentArg(i int) string {
	return fmt.Sprintf("msg-%d <&> \"q\" \\ \u2028 é ✓ \x01\x08\t\x1f", i)
}

type ConcurrentResult struct {
	OK     int      `json:"ok"`
	Errors []string `json:"errors"`
}

func runConcurrent(c *rpc.Client, n int) ConcurrentResult {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		res = ConcurrentResult{Errors: []string{}}
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			arg := concurrentArg(i)
			var reply string
			err := c.Call("Test.Echo", arg, &reply)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				res.Errors = append(res.Errors, err.Error())
			case reply != arg:
				res.Errors = append(res.Errors, fmt.Sprintf("call %d: wrong reply %q", i, reply))
			default:
				res.OK++
			}
		}(i)
	}
	wg.Wait()
	return res
}

type OutOfOrderResult struct {
	Order  []int    `json:"order"`
	Errors []string `json:"errors,omitempty"`
}

func runOutOfOrder(c *rpc.Client) interface{} {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		res = OutOfOrderResult{Order: []int{}}
	)
	for k, ms := range []int{300, 200, 100, 0} {
		if k > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		wg.Add(1)
		go func(ms int) {
			defer wg.Done()
			var reply int
			err := c.Call("Test.Sleep", ms, &reply)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("Sleep(%d): %v", ms, err))
				return
			}
			res.Order = append(res.Order, reply)
		}(ms)
	}
	wg.Wait()
	return res
}

// afterCall shows whether the connection still works: Echo("after").
func afterCall(c *rpc.Client) (string, *ErrInfo) {
	var reply string
	if err := c.Call("Test.Echo", "after", &reply); err != nil {
		info := describe(err)
		return "", &info
	}
	return reply, nil
}

type UnknownMethodResult struct {
	Method     ErrInfo  `json:"method"`
	Service    ErrInfo  `json:"service"`
	After      string   `json:"after"`
	AfterError *ErrInfo `json:"afterError,omitempty"`
}

func runUnknownMethod(c *rpc.Client) interface{} {
	var res UnknownMethodResult
	var reply string
	res.Method = describe(c.Call("Test.Nope", "x", &reply))
	res.Service = describe(c.Call("Nope.Echo", "x", &reply))
	res.After, res.AfterError = afterCall(c)
	return res
}

type CallErrorResult struct {
	ErrInfo
	After      string   `json:"after"`
	AfterError *ErrInfo `json:"afterError,omitempty"`
}

func runMethodError(c *rpc.Client) interface{} {
	var res CallErrorResult
	var reply struct{}
	res.ErrInfo = describe(c.Call("Test.Fail", "boom <b>", &reply))
	res.After, res.AfterError = afterCall(c)
	return res
}

func runWrongParam(c *rpc.Client) interface{} {
	var res CallErrorResult
	var reply string
	res.ErrInfo = describe(c.Call("Test.Echo", 42, &reply))
	res.After, res.AfterError = afterCall(c)
	return res
}

type VanishResult struct {
	Pending []ErrInfo `json:"pending"`
	Vanish  ErrInfo   `json:"vanish"`
	Later   ErrInfo   `json:"later"`
}

func runVanish(c *rpc.Client, n int) VanishResult {
	res := VanishResult{Pending: make([]ErrInfo, n)}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var reply int
			res.Pending[i] = describe(c.Call("Test.Sleep", 60000, &reply))
		}(i)
	}
	time.Sleep(200 * time.Millisecond)
	var reply struct{}
	res.Vanish = describe(c.Call("Test.Vanish", struct{}{}, &reply))
	wg.Wait()
	var later string
	res.Later = describe(c.Call("Test.Echo", "later", &later))
	return res
}
