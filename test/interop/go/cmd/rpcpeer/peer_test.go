package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http/httptest"
	"net/rpc"
	"net/rpc/jsonrpc"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"fluxrpc/interop/internal/peerkit"
)

// The test binary doubles as the rpcpeer command when this is set, so tests
// can run a peer in a separate process (needed for Test.Vanish, which exits).
const execEnv = "RPCPEER_TEST_EXEC"

func TestMain(m *testing.M) {
	if os.Getenv(execEnv) == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// inProcessService never exits the test process.
func inProcessService() *testService {
	svc := newTestService()
	svc.exit = func(int) {}
	return svc
}

// tcpClient serves the Test service over TCP in-process and returns a client.
func tcpClient(t *testing.T) *rpc.Client {
	t.Helper()
	server := newRPCServer(inProcessService())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go peerkit.AcceptLoop(ln, func(conn net.Conn) { server.ServeCodec(jsonrpc.NewServerCodec(conn)) })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client := rpc.NewClientWithCodec(jsonrpc.NewClientCodec(conn))
	t.Cleanup(func() { client.Close(); ln.Close() })
	return client
}

// wsUpstream starts an httptest server (127.0.0.1) that upgrades the first
// request with flux's websocket.Upgrade; it returns the daemon URL to dial
// and a function that waits for the upgraded websocket and makes the RPC
// client (upstream role) on it.
func wsUpstream(t *testing.T) (*url.URL, func() *rpc.Client) {
	t.Helper()
	acceptor := peerkit.NewWSAcceptor(cli.Name)
	srv := httptest.NewServer(acceptor)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.Scheme = "ws"
	u.Path = "/api/flux/v11/daemon"
	return u, func() *rpc.Client {
		select {
		case ws := <-acceptor.Conns():
			client := rpc.NewClientWithCodec(jsonrpc.NewClientCodec(ws))
			t.Cleanup(func() { client.Close() })
			return client
		case <-time.After(5 * time.Second):
			t.Fatal("no websocket connection")
			return nil
		}
	}
}

// wsClient runs the daemon role in-process (flux websocket.Dial + RPC server)
// and returns the upstream's RPC client.
func wsClient(t *testing.T) *rpc.Client {
	t.Helper()
	u, accept := wsUpstream(t)
	server := newRPCServer(inProcessService())
	ws, err := peerkit.DialWS(u)
	if err != nil {
		t.Fatal(err)
	}
	go server.ServeCodec(jsonrpc.NewServerCodec(ws))
	return accept()
}

var transports = []struct {
	name   string
	client func(t *testing.T) *rpc.Client
}{
	{"tcp", tcpClient},
	{"ws", wsClient},
}

func logJSON(t *testing.T, label string, v interface{}) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", label, b)
}

func errText(info ErrInfo) string {
	if info.Error == nil {
		return "<nil>"
	}
	return *info.Error
}

func wantErr(t *testing.T, label string, got ErrInfo, text string, serverError bool) {
	t.Helper()
	if errText(got) != text || got.ServerError != serverError {
		t.Errorf("%s: got error %q serverError=%v, want %q serverError=%v",
			label, errText(got), got.ServerError, text, serverError)
	}
}

func TestScenarios(t *testing.T) {
	for _, tr := range transports {
		tr := tr
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			c := tr.client(t)

			t.Run("concurrent", func(t *testing.T) {
				res := runConcurrent(c, 200)
				logJSON(t, "RESULT", res)
				if res.OK != 200 || len(res.Errors) != 0 {
					t.Errorf("concurrent: %+v", res)
				}
			})
			t.Run("out-of-order", func(t *testing.T) {
				res := runOutOfOrder(c).(OutOfOrderResult)
				logJSON(t, "RESULT", res)
				if !reflect.DeepEqual(res.Order, []int{0, 100, 200, 300}) || len(res.Errors) != 0 {
					t.Errorf("out-of-order: %+v", res)
				}
			})
			t.Run("unknown-method", func(t *testing.T) {
				res := runUnknownMethod(c).(UnknownMethodResult)
				logJSON(t, "RESULT", res)
				wantErr(t, "method", res.Method, "rpc: can't find method Test.Nope", true)
				wantErr(t, "service", res.Service, "rpc: can't find service Nope.Echo", true)
				if res.After != "after" || res.AfterError != nil {
					t.Errorf("after: %+v", res)
				}
			})
			t.Run("method-error", func(t *testing.T) {
				res := runMethodError(c).(CallErrorResult)
				logJSON(t, "RESULT", res)
				wantErr(t, "Fail", res.ErrInfo, "boom <b>", true)
				if res.After != "after" || res.AfterError != nil {
					t.Errorf("after: %+v", res)
				}
			})
			t.Run("wrong-param", func(t *testing.T) {
				res := runWrongParam(c).(CallErrorResult)
				logJSON(t, "RESULT", res)
				wantErr(t, "Echo(42)", res.ErrInfo, "json: cannot unmarshal number into Go value of type string", true)
				if res.After != "after" || res.AfterError != nil {
					t.Errorf("after: %+v", res)
				}
			})
			t.Run("bench", func(t *testing.T) {
				for _, o := range []benchOpts{
					{method: "statuses", BenchWindow: peerkit.BenchWindow{Inflight: 4, DurationMs: 150, WarmupMs: 50}, n: 50},
					{method: "blob", BenchWindow: peerkit.BenchWindow{Inflight: 2, DurationMs: 150}, bytes: 100000},
					{method: "echo", BenchWindow: peerkit.BenchWindow{Inflight: 1, DurationMs: 150}},
				} {
					res := runBench(c, o)
					logJSON(t, "RESULT", res)
					// Statuses calls can be too slow for the short window under -race.
					if (res.Calls == 0 && o.method != "statuses") || res.Errors != 0 || res.MaxRssBytes <= 0 ||
						(res.Calls > 0 && (res.P50ms <= 0 || res.P99ms < res.P50ms)) ||
						(o.method == "blob") != (res.SecondsPerCall != nil) {
						t.Errorf("bench %s: %+v", o.method, res)
					}
				}
			})
		})
	}
}

func TestFixtureRoundTrip(t *testing.T) {
	a, err := json.Marshal(buildStatuses(maxStatuses))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(buildStatuses(maxStatuses))
	if string(a) != string(b) {
		t.Fatal("fixture is not deterministic")
	}
	var decoded []map[string]interface{}
	if err := json.Unmarshal(a, &decoded); err != nil || len(decoded) != maxStatuses {
		t.Fatalf("decoded %d statuses, err %v", len(decoded), err)
	}
	// Through the RPC path (decode into v6 types and re-encode): same bytes.
	c := tcpClient(t)
	var statuses []map[string]interface{}
	if err := c.Call("Test.Statuses", maxStatuses, &statuses); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(statuses, decoded) {
		t.Fatal("Test.Statuses differs from the fixture")
	}
}

// peerProcess runs this test binary as "rpcpeer args...".
type peerProcess struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
}

func startPeer(t *testing.T, args ...string) *peerProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), execEnv+"=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return &peerProcess{cmd: cmd, lines: bufio.NewScanner(stdout)}
}

// expect reads the next stdout line and checks it starts with prefix;
// it returns the rest of the line.
func (p *peerProcess) expect(t *testing.T, prefix string) string {
	t.Helper()
	if !p.lines.Scan() {
		t.Fatalf("peer: no %q line (err %v)", prefix, p.lines.Err())
	}
	line := p.lines.Text()
	if !strings.HasPrefix(line, prefix) {
		t.Fatalf("peer: got line %q, want prefix %q", line, prefix)
	}
	return strings.TrimPrefix(strings.TrimPrefix(line, prefix), " ")
}

// wait reads stdout to its end, waits for the process and checks it exited 0;
// it returns the remaining lines.
func (p *peerProcess) wait(t *testing.T) []string {
	t.Helper()
	done := make(chan []string, 1)
	go func() {
		var rest []string
		for p.lines.Scan() {
			rest = append(rest, p.lines.Text())
		}
		done <- rest
	}()
	var rest []string
	select {
	case rest = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("peer did not exit")
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("peer: %v (lines %q)", err, rest)
	}
	return rest
}

func checkVanish(t *testing.T, res VanishResult) {
	t.Helper()
	logJSON(t, "RESULT", res)
	if len(res.Pending) != 5 {
		t.Fatalf("pending: %d", len(res.Pending))
	}
	for _, p := range res.Pending {
		wantErr(t, "pending", p, "unexpected EOF", false)
	}
	wantErr(t, "vanish", res.Vanish, "unexpected EOF", false)
	wantErr(t, "later", res.Later, "connection is shut down", false)
}

// TestVanish runs the server in a separate process, which exits in Test.Vanish.
func TestVanish(t *testing.T) {
	t.Run("tcp", func(t *testing.T) {
		t.Parallel()
		peer := startPeer(t, "serve", "--transport", "tcp", "--listen", "127.0.0.1:0")
		addr := peer.expect(t, "LISTEN")
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c := rpc.NewClientWithCodec(jsonrpc.NewClientCodec(conn))
		defer c.Close()
		checkVanish(t, runVanish(c, 5))
		peer.wait(t)
	})
	t.Run("ws", func(t *testing.T) {
		t.Parallel()
		u, accept := wsUpstream(t)
		peer := startPeer(t, "serve", "--transport", "ws", "--dial", u.String())
		peer.expect(t, "CONNECTED")
		c := accept()
		checkVanish(t, runVanish(c, 5))
		if rest := peer.wait(t); len(rest) != 0 {
			t.Errorf("peer printed %q after vanishing", rest)
		}
	})
}

// TestCommands runs both sides as separate rpcpeer processes.
func TestCommands(t *testing.T) {
	t.Run("tcp", func(t *testing.T) {
		t.Parallel()
		server := startPeer(t, "serve", "--transport", "tcp", "--listen", "127.0.0.1:0", "--report-rss")
		addr := server.expect(t, "LISTEN")
		client := startPeer(t, "client", "--transport", "tcp", "--dial", addr, "--scenario", "concurrent", "--n", "50")
		result := client.expect(t, "RESULT")
		client.wait(t)
		t.Logf("RESULT %s", result)
		var res ConcurrentResult
		if err := json.Unmarshal([]byte(result), &res); err != nil || res.OK != 50 || len(res.Errors) != 0 {
			t.Errorf("result %s (%v)", result, err)
		}
		server.cmd.Process.Signal(os.Interrupt)
		if rss := server.expect(t, "RSS"); rss == "" || rss == "0" {
			t.Errorf("RSS %q", rss)
		}
		server.wait(t)
	})
	t.Run("ws", func(t *testing.T) {
		t.Parallel()
		client := startPeer(t, "client", "--transport", "ws", "--listen", "127.0.0.1:0", "--scenario", "method-error")
		addr := client.expect(t, "LISTEN")
		server := startPeer(t, "serve", "--transport", "ws", "--dial", "ws://"+addr+"/api/flux/v11/daemon", "--report-rss")
		server.expect(t, "CONNECTED")
		result := client.expect(t, "RESULT")
		client.wait(t)
		t.Logf("RESULT %s", result)
		if want := `{"error":"boom \u003cb\u003e","serverError":true,"after":"after"}`; result != want {
			t.Errorf("result %s, want %s", result, want)
		}
		if rss := server.expect(t, "RSS"); rss == "" || rss == "0" {
			t.Errorf("RSS %q", rss)
		}
		server.expect(t, "SERVE_END")
		server.wait(t)
	})
	t.Run("usage", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "client", "--transport", "tcp", "--dial", "127.0.0.1:1", "--scenario", "nope")
		cmd.Env = append(os.Environ(), execEnv+"=1")
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("usage error: got %v, want exit status 2", err)
		}
	})
}
