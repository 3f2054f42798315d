// fluxbench is the Go side of fluxrpc's Flux-API benchmark (bench/run.ts, runs listServices50@K):
// flux's own rpc.NewServer serving an api.Server, and flux's own rpc.NewClientV11 calling
// ListServices, over flux's websocket package on loopback. Its CLI and stdout lines are those of
// rpcpeer's bench roles (and of the TypeScript twin, bench/flux-peer.ts).
//
// Usage:
//
//	fluxbench serve  --transport ws --dial ws://127.0.0.1:PORT/path [--report-rss] [--statuses FILE]
//	fluxbench client --transport ws --listen 127.0.0.1:0 --scenario bench [--method listServices]
//	                 [--inflight 1] [--duration-ms 3000] [--warmup-ms 0] [--n 50] [--statuses FILE]
//
// serve dials with websocket.Dial (as fluxd does) and serves rpc.NewServer(impl, 10s) on the
// websocket, where impl is a remote.MockServer whose ListServicesAnswer is the statuses of FILE
// (default bench/fixtures/statuses-50.json), unmarshalled once: each call marshals them again.
//
// client accepts one websocket with websocket.Upgrade and keeps K rpc.NewClientV11(ws)
// ListServices(ctx, "") calls in flight (a reply without exactly n entries is an error); the first
// reply is checked afterwards against FILE (marshalled, it must be FILE's text).
//
// Lines printed on stdout:
//
//	LISTEN <host:port>   the websocket listener is ready (client)
//	CONNECTED            the websocket dial succeeded (serve)
//	RSS <bytes>          peak RSS of this process (serve --report-rss, at the end or on SIGTERM)
//	SERVE_END            the RPC server stopped serving the websocket (serve)
//	RESULT <json>        the bench result (client), rpcpeer's fields
//	ERROR <text>         a set-up failure (read fixture/dial/listen); exit status 1
//
// Exit status: 0 on success, 1 on set-up failures, 2 on usage errors.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	fluxclient "github.com/fluxcd/flux/pkg/http/client"
	"github.com/fluxcd/flux/pkg/http/websocket"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"
)

const usageText = `usage:
  fluxbench serve  --transport ws --dial ws://127.0.0.1:PORT/path [--report-rss] [--statuses FILE]
  fluxbench client --transport ws --listen 127.0.0.1:0 --scenario bench [--method listServices]
                   [--inflight 1] [--duration-ms 3000] [--warmup-ms 0] [--n 50] [--statuses FILE]
`

const (
	loopback = "127.0.0.1"
	// userAgent is what flux's websocket package test sends.
	userAgent = "fluxd/test"
	// rpcTimeout is fluxd's default --rpc-timeout.
	rpcTimeout = 10 * time.Second
)

var outMu sync.Mutex

// emit prints one whole line on stdout (unbuffered).
func emit(format string, args ...interface{}) {
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

func usageError(format string, args ...interface{}) int {
	fmt.Fprintf(os.Stderr, "fluxbench: "+format+"\n", args...)
	fmt.Fprint(os.Stderr, usageText)
	return 2
}

func setupError(err error) int {
	emit("ERROR %s", err.Error())
	return 1
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) < 1 {
		return usageError("missing command")
	}
	switch args[0] {
	case "serve":
		return cmdServe(args[1:])
	case "client":
		return cmdClient(args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(os.Stdout, usageText)
		return 0
	}
	return usageError("unknown command %q", args[0])
}

// defaultFixture is bench/fixtures/statuses-50.json of this checkout, found from this source
// file's location at build time, else from the working directory.
func defaultFixture() string {
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "..", "bench", "fixtures", "statuses-50.json")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join("bench", "fixtures", "statuses-50.json")
}

// fixture is the statuses file: its text (Go's json.Marshal output) and the statuses it holds.
type fixture struct {
	text     []byte
	statuses []v6.ControllerStatus
}

func loadFixture(path string) (fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return fixture{}, err
	}
	var f fixture
	f.text = bytes.TrimSpace(b)
	if err := json.Unmarshal(f.text, &f.statuses); err != nil {
		return fixture{}, fmt.Errorf("%s: %v", path, err)
	}
	return f, nil
}

// maxRSSBytes is this process's peak resident set size.
func maxRSSBytes() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) * 1024 // Linux reports KiB
}

func checkLoopbackHostPort(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host != loopback {
		return fmt.Errorf("%s: only %s is allowed", hostport, loopback)
	}
	return nil
}

func parseWSURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("%s: scheme must be ws", s)
	}
	if u.Hostname() != loopback {
		return nil, fmt.Errorf("%s: only %s is allowed", s, loopback)
	}
	return u, nil
}

// --- serve: the daemon role ------------------------------------------------------------------

func cmdServe(args []string) int {
	fs := newFlagSet("serve")
	transport := fs.String("transport", "ws", "ws only")
	dial := fs.String("dial", "", "websocket URL to dial")
	reportRSS := fs.Bool("report-rss", false, "print RSS <peak bytes> before exiting")
	statuses := fs.String("statuses", defaultFixture(), "the ListServices answer (JSON []v6.ControllerStatus)")
	if err := fs.Parse(args); err != nil {
		return usageError("serve: %v", err)
	}
	if fs.NArg() != 0 {
		return usageError("serve: unexpected arguments %v", fs.Args())
	}
	if *transport != "ws" {
		return usageError("serve: only --transport ws is implemented")
	}
	if *dial == "" {
		return usageError("serve: needs --dial ws://127.0.0.1:PORT/path")
	}
	u, err := parseWSURL(*dial)
	if err != nil {
		return usageError("serve: --dial %v", err)
	}
	f, err := loadFixture(*statuses)
	if err != nil {
		return setupError(err)
	}
	// flux's mock daemon: ListServices (and ListServicesWithOptions) return the fixture; the
	// other methods return zero values.
	impl := &remote.MockServer{ListServicesAnswer: f.statuses}
	server, err := fluxrpc.NewServer(impl, rpcTimeout)
	if err != nil {
		return setupError(err)
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		if *reportRSS {
			emit("RSS %d", maxRSSBytes())
		}
		os.Exit(0)
	}()

	// As fluxd dials its upstream: flux's websocket.Dial with fluxd's 10 s http.Client timeout.
	ws, err := websocket.Dial(&http.Client{Timeout: 10 * time.Second}, userAgent, fluxclient.Token(""), u)
	if err != nil {
		return setupError(err)
	}
	emit("CONNECTED")
	// Returns when the stream ends; closes the websocket (close 1000 "ok").
	server.ServeConn(ws)
	if *reportRSS {
		emit("RSS %d", maxRSSBytes())
	}
	emit("SERVE_END")
	return 0
}

// --- client: the upstream role -----------------------------------------------------------------

// wsAcceptor upgrades the first request (any path) with flux's websocket.Upgrade and hands the
// websocket over; any later request gets 409.
type wsAcceptor struct {
	mu    sync.Mutex
	taken bool
	conns chan websocket.Websocket
}

func (a *wsAcceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.taken {
		http.Error(w, "already connected", http.StatusConflict)
		return
	}
	ws, err := websocket.Upgrade(w, r, nil)
	if err != nil {
		// Upgrade has already answered with an HTTP error; wait for a good one.
		fmt.Fprintln(os.Stderr, "fluxbench: upgrade:", err)
		return
	}
	a.taken = true
	a.conns <- ws
}

func cmdClient(args []string) int {
	fs := newFlagSet("client")
	transport := fs.String("transport", "ws", "ws only")
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	scenario := fs.String("scenario", "", "bench")
	var o benchOpts
	fs.StringVar(&o.method, "method", "listServices", "listServices")
	fs.IntVar(&o.inflight, "inflight", 1, "calls kept in flight")
	fs.IntVar(&o.durationMs, "duration-ms", 3000, "measured duration")
	fs.IntVar(&o.warmupMs, "warmup-ms", 0, "warm-up before measuring")
	fs.IntVar(&o.n, "n", 50, "statuses expected per reply")
	statuses := fs.String("statuses", defaultFixture(), "the expected answer (JSON []v6.ControllerStatus)")
	if err := fs.Parse(args); err != nil {
		return usageError("client: %v", err)
	}
	if fs.NArg() != 0 {
		return usageError("client: unexpected arguments %v", fs.Args())
	}
	if *transport != "ws" {
		return usageError("client: only --transport ws is implemented")
	}
	if *scenario != "bench" {
		return usageError("client: only --scenario bench is implemented")
	}
	if err := o.validate(); err != nil {
		return usageError("client: %v", err)
	}
	if err := checkLoopbackHostPort(*listen); err != nil {
		return usageError("client: --listen %v", err)
	}
	f, err := loadFixture(*statuses)
	if err != nil {
		return setupError(err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return setupError(err)
	}
	acceptor := &wsAcceptor{conns: make(chan websocket.Websocket, 1)}
	go (&http.Server{Handler: acceptor}).Serve(ln)
	emit("LISTEN %s", ln.Addr().String())
	ws := <-acceptor.conns

	client := fluxrpc.NewClientV11(ws)
	result := runBench(client, o, f.text)
	b, err := json.Marshal(result)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"marshalError": err.Error()})
	}
	emit("RESULT %s", b)
	// The client has no Close: close the websocket (close 1000 "ok").
	ws.Close()
	return 0
}
