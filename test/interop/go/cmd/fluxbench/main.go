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
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"

	"fluxrpc/interop/internal/peerkit"
)

const usageText = `usage:
  fluxbench serve  --transport ws --dial ws://127.0.0.1:PORT/path [--report-rss] [--statuses FILE]
  fluxbench client --transport ws --listen 127.0.0.1:0 --scenario bench [--method listServices]
                   [--inflight 1] [--duration-ms 3000] [--warmup-ms 0] [--n 50] [--statuses FILE]
`

// rpcTimeout is fluxd's default --rpc-timeout.
const rpcTimeout = 10 * time.Second

var cli = peerkit.CLI{Name: "fluxbench", Usage: usageText}

func main() {
	os.Exit(cli.Run(os.Args[1:], peerkit.Commands{
		"serve":  cmdServe,
		"client": cmdClient,
	}))
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

// --- serve: the daemon role ------------------------------------------------------------------

func cmdServe(args []string) int {
	fs := peerkit.NewFlagSet("serve")
	transport := fs.String("transport", "ws", "ws only")
	dial := fs.String("dial", "", "websocket URL to dial")
	reportRSS := fs.Bool("report-rss", false, "print RSS <peak bytes> before exiting")
	statuses := fs.String("statuses", defaultFixture(), "the ListServices answer (JSON []v6.ControllerStatus)")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("serve: %v", err)
	}
	if *transport != "ws" {
		return cli.UsageError("serve: only --transport ws is implemented")
	}
	if *dial == "" {
		return cli.UsageError("serve: needs --dial ws://127.0.0.1:PORT/path")
	}
	u, err := peerkit.ParseWSURL(*dial)
	if err != nil {
		return cli.UsageError("serve: --dial %v", err)
	}
	f, err := loadFixture(*statuses)
	if err != nil {
		return peerkit.SetupError(err)
	}
	// flux's mock daemon: ListServices (and ListServicesWithOptions) return the fixture; the
	// other methods return zero values.
	impl := &remote.MockServer{ListServicesAnswer: f.statuses}
	server, err := fluxrpc.NewServer(impl, rpcTimeout)
	if err != nil {
		return peerkit.SetupError(err)
	}

	peerkit.ExitOnSignal(*reportRSS)
	// As fluxd dials its upstream. ServeConn returns when the stream ends; it closes the
	// websocket (close 1000 "ok").
	if err := peerkit.DialAndServe(u, *reportRSS, func(ws io.ReadWriteCloser) { server.ServeConn(ws) }); err != nil {
		return peerkit.SetupError(err)
	}
	return 0
}

// --- client: the upstream role -----------------------------------------------------------------

func cmdClient(args []string) int {
	fs := peerkit.NewFlagSet("client")
	transport := fs.String("transport", "ws", "ws only")
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	scenario := fs.String("scenario", "", "bench")
	var o benchOpts
	fs.StringVar(&o.method, "method", "listServices", "listServices")
	fs.IntVar(&o.Inflight, "inflight", 1, "calls kept in flight")
	fs.IntVar(&o.DurationMs, "duration-ms", 3000, "measured duration")
	fs.IntVar(&o.WarmupMs, "warmup-ms", 0, "warm-up before measuring")
	fs.IntVar(&o.n, "n", 50, "statuses expected per reply")
	statuses := fs.String("statuses", defaultFixture(), "the expected answer (JSON []v6.ControllerStatus)")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("client: %v", err)
	}
	if *transport != "ws" {
		return cli.UsageError("client: only --transport ws is implemented")
	}
	if *scenario != "bench" {
		return cli.UsageError("client: only --scenario bench is implemented")
	}
	if err := o.validate(); err != nil {
		return cli.UsageError("client: %v", err)
	}
	if err := peerkit.CheckLoopback(*listen); err != nil {
		return cli.UsageError("client: --listen %v", err)
	}
	f, err := loadFixture(*statuses)
	if err != nil {
		return peerkit.SetupError(err)
	}

	ws, err := peerkit.AcceptWS(cli.Name, *listen)
	if err != nil {
		return peerkit.SetupError(err)
	}
	client := fluxrpc.NewClientV11(ws)
	peerkit.EmitResult(runBench(client, o, f.text))
	// The client has no Close: close the websocket (close 1000 "ok").
	ws.Close()
	return 0
}
