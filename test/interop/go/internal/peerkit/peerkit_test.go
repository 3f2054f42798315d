package peerkit

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:0":  "",
		"10.0.0.1:0":   "10.0.0.1:0: only 127.0.0.1 is allowed",
		"localhost:80": "localhost:80: only 127.0.0.1 is allowed",
		"nohostport":   "address nohostport: missing port in address",
	} {
		got := ""
		if err := CheckLoopback(addr); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckLoopback(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestParseWSURL(t *testing.T) {
	for s, want := range map[string]string{
		"ws://127.0.0.1:1/v11/daemon": "",
		"http://127.0.0.1:1/x":        "http://127.0.0.1:1/x: scheme must be ws",
		"ws://localhost:1/x":          "ws://localhost:1/x: only 127.0.0.1 is allowed",
	} {
		got := ""
		if _, err := ParseWSURL(s); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ParseWSURL(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestCommandsRun(t *testing.T) {
	var got []string
	cs := Commands{"a": func(args []string) int { got = args; return 7 }}
	if code := cs.Run([]string{"a", "x", "y"}, nil); code != 7 || len(got) != 2 || got[0] != "x" {
		t.Errorf("a: code %d, args %q", code, got)
	}
	for _, args := range [][]string{nil, {"b"}, {""}} {
		var seen []string
		if code := cs.Run(args, func(a []string) int { seen = a; return 2 }); code != 2 || len(seen) != len(args) {
			t.Errorf("%q: code %d, otherwise got %q", args, code, seen)
		}
	}
}

func TestParseFlags(t *testing.T) {
	fs := NewFlagSet("x")
	fs.Int("n", 0, "")
	if err := ParseFlags(fs, []string{"--n", "3", "extra", "more"}); err == nil || err.Error() != "unexpected arguments [extra more]" {
		t.Errorf("positional arguments: %v", err)
	}
	if err := ParseFlags(NewFlagSet("y"), []string{"--bogus"}); err == nil || err.Error() != "flag provided but not defined: -bogus" {
		t.Errorf("unknown flag: %v", err)
	}
}

func TestPercentileMs(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	sorted := []time.Duration{ms(1), ms(2), ms(3), ms(4)}
	if p := percentileMs(sorted, 0.5); p != 2 {
		t.Errorf("p50 = %v, want 2", p)
	}
	if p := percentileMs(sorted, 0.99); p != 4 {
		t.Errorf("p99 = %v, want 4", p)
	}
	if p := percentileMs(nil, 0.5); p != 0 {
		t.Errorf("p50 of nothing = %v", p)
	}
	if p := percentileMs([]time.Duration{1234567}, 0); p != 1.235 {
		t.Errorf("rounding: %v", p)
	}
}

func TestRunBench(t *testing.T) {
	w := BenchWindow{Inflight: 3, DurationMs: 60, WarmupMs: 10}
	m := RunBench(w, func() error { time.Sleep(time.Millisecond); return nil }, func(error) bool { return true })
	res := m.Result("sleep", nil)
	if res.Calls == 0 || res.Errors != 0 || res.FirstError != nil || res.Inflight != 3 || res.Seconds != 0.06 ||
		res.P50ms <= 0 || res.P99ms < res.P50ms || res.MaxRssBytes <= 0 {
		t.Errorf("sleep: %+v", res)
	}
	for i := 1; i < len(m.Latencies); i++ {
		if m.Latencies[i] < m.Latencies[i-1] {
			t.Fatal("latencies not sorted")
		}
	}

	// Every goroutine stops at its first error when stop says so.
	boom := errors.New("boom")
	m = RunBench(w, func() error { return boom }, func(err error) bool { return err == boom })
	res = m.Result("fail", func(error) bool { return true })
	if res.Calls != 0 || res.Errors != 3 || res.FirstError == nil || *res.FirstError.Error != "boom" || !res.FirstError.ServerError {
		t.Errorf("fail: %+v", res)
	}
}

func TestValidate(t *testing.T) {
	for w, want := range map[BenchWindow]string{
		{Inflight: 1, DurationMs: 1}: "",
		{Inflight: 0, DurationMs: 1}: "bench: --inflight must be at least 1",
		{Inflight: 1, DurationMs: 0}: "bench: --duration-ms must be at least 1",
	} {
		got := ""
		if err := w.Validate(); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%+v: %q, want %q", w, got, want)
		}
	}
}

// TestWebsocket runs both roles over flux's websocket: ListenWS (upstream) and DialAndServe
// (daemon) echoing one message, and checks the lines printed.
func TestWebsocket(t *testing.T) {
	var buf bytes.Buffer
	prev := SetOutput(&buf)
	defer SetOutput(prev)

	addr, conns, err := ListenWS("peerkit-test", Loopback+":0")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse("ws://" + addr + "/api/flux/v11/daemon")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() {
		served <- DialAndServe(u, true, func(conn io.ReadWriteCloser) {
			b := make([]byte, 5)
			if _, err := io.ReadFull(conn, b); err == nil {
				conn.Write(b)
			}
			io.Copy(io.Discard, conn) // until the upstream closes
		})
	}()
	var ws io.ReadWriteCloser
	select {
	case ws = <-conns:
	case <-time.After(5 * time.Second):
		t.Fatal("no websocket")
	}
	if _, err := ws.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 5)
	if _, err := io.ReadFull(ws, b); err != nil || string(b) != "hello" {
		t.Fatalf("echo %q, %v", b, err)
	}
	ws.Close()
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("DialAndServe did not return")
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != 3 || string(lines[0]) != "CONNECTED" || !bytes.HasPrefix(lines[1], []byte("RSS ")) || string(lines[2]) != "SERVE_END" {
		t.Errorf("lines %q", lines)
	}
}
