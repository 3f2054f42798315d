package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/flux/pkg/api"
	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	"github.com/fluxcd/flux/pkg/http/websocket"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

// The steps of remote.ServerTestBattery (flux v1.25.4 pkg/remote/mock.go), numbered as docs/rpc.md §9.
// Steps are told apart by the calls the battery makes through the client it gets from wrap:
// each call writes a marker line into the captured test output just before it goes out, so
// every t.Error line that follows belongs to that call's step. Step 6 calls the mock directly
// (no marker): its failures are those after step 5's call other than step 5's own message.
var batterySteps = []struct {
	step   int
	name   string
	method string // the client method the step calls ("" for step 6)
}{
	{1, "Ping", "Ping"},
	{2, "ListServices answer", "ListServices"},
	{3, "ListServices error", "ListServices"},
	{4, "ListImagesWithOptions answer", "ListImagesWithOptions"},
	{5, "ListImagesWithOptions error", "ListImagesWithOptions"},
	{6, "UpdateManifests on the mock directly", ""},
	{7, "UpdateManifests error", "UpdateManifests"},
	{8, "NotifyChange", "NotifyChange"},
	{9, "SyncStatus answer", "SyncStatus"},
}

// step5Failure is the only message step 5 can fail with.
const step5Failure = "expected error from ListImages, got nil"

// markerPrefix starts the marker lines written into the captured go test output.
const markerPrefix = "@@fluxpeer-marker "

type batteryCall struct {
	Method string   `json:"method"`
	Error  *ErrInfo `json:"error"`
}

type batteryStep struct {
	Step     int           `json:"step"`
	Name     string        `json:"name"`
	Reached  bool          `json:"reached"`
	Passed   bool          `json:"passed"`
	Failures []string      `json:"failures"`
	Calls    []batteryCall `json:"calls"`
}

type batteryResult struct {
	Version int    `json:"version"`
	Server  string `json:"server"`
	// Passed is the go test verdict for the battery test (no t.Error/t.Fatal at all).
	Passed      bool          `json:"passed"`
	FailedSteps []int         `json:"failedSteps"`
	Steps       []batteryStep `json:"steps"`
	// Unattributed holds failure lines written before the first call (wrap's own set-up).
	Unattributed []string `json:"unattributed"`
	Output       string   `json:"output"`
}

// batteryRun holds one battery run's state, shared by the test goroutine and the output reader.
type batteryRun struct {
	version    int
	server     string // "ts", "go" or "goflat"
	transport  string // ts: "tcp" or "ws"
	dial       string
	rpcTimeout time.Duration
	mockLn     net.Listener
	wsConns    <-chan websocket.Websocket

	mu        sync.Mutex
	calls     []batteryCall
	callSteps []int
	closers   []io.Closer
	testOK    bool

	// written by the output reader
	output       strings.Builder
	failures     map[int][]string
	unattributed []string
	endSeen      chan struct{}
}

func cmdBattery(args []string) int {
	fs := peerkit.NewFlagSet("battery")
	version := fs.Int("version", 0, "client protocol version 6..11")
	server := fs.String("server", "ts", "ts (our server, relayed to the mock), go (flux's own server) or goflat (the reconstructed V6-era flat server, flat.go)")
	transport := fs.String("transport", "tcp", "ts: tcp (dial our server) or ws (listen; our side dials and serves)")
	dial := fs.String("dial", "", "ts tcp: our server's address")
	listen := fs.String("listen", "127.0.0.1:0", "ts ws: address to listen on")
	rpcTimeout := fs.Duration("rpc-timeout", 10*time.Second, "flux rpc.NewServer timeout for the mock")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("battery: %v", err)
	}
	if *version < 6 || *version > 11 {
		return cli.UsageError("battery: --version must be 6..11")
	}
	b := &batteryRun{
		version:    *version,
		server:     *server,
		transport:  *transport,
		dial:       *dial,
		rpcTimeout: *rpcTimeout,
		failures:   map[int][]string{},
		endSeen:    make(chan struct{}),
	}
	switch *server {
	case "go", "goflat":
	case "ts":
		switch *transport {
		case "tcp":
			if *dial == "" {
				return cli.UsageError("battery: --server ts --transport tcp needs --dial 127.0.0.1:PORT")
			}
			if err := peerkit.CheckLoopback(*dial); err != nil {
				return cli.UsageError("battery: --dial %v", err)
			}
		case "ws":
			if err := peerkit.CheckLoopback(*listen); err != nil {
				return cli.UsageError("battery: --listen %v", err)
			}
			addr, conns, err := peerkit.ListenWS(cli.Name, *listen)
			if err != nil {
				return peerkit.SetupError(err)
			}
			b.wsConns = conns
			peerkit.Emit("LISTEN %s", addr)
		default:
			return cli.UsageError("battery: unknown transport %q", *transport)
		}
		ln, err := peerkit.Listen("MOCK", peerkit.Loopback+":0")
		if err != nil {
			return peerkit.SetupError(err)
		}
		b.mockLn = ln
	default:
		return cli.UsageError("battery: unknown server %q", *server)
	}
	return b.runTests()
}

// runTests runs the battery under testing.Main with os.Stdout captured, so that the go test
// output (-test.v) can be split into steps. testing.Main exits the process.
func (b *batteryRun) runTests() int {
	peerkit.SetOutput(os.Stdout) // the peer's lines keep going to the real stdout
	r, w, err := os.Pipe()
	if err != nil {
		return peerkit.SetupError(err)
	}
	os.Stdout = w
	go b.readOutput(r)

	os.Args = []string{os.Args[0], "-test.v", "-test.timeout", "3m"}
	testing.Main(
		func(pat, str string) (bool, error) { return regexp.MatchString(pat, str) },
		[]testing.InternalTest{
			{Name: "TestServerTestBattery", F: b.testBattery},
			{Name: "TestZReport", F: b.testReport},
		},
		nil, nil,
	)
	return 0 // not reached
}

var failureLine = regexp.MustCompile(`^    (\S+\.go:\d+): (.*)$`)

// readOutput copies the go test output into b.output (and stderr) and attributes failure lines
// to steps by the markers.
func (b *batteryRun) readOutput(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	current := 0
	var open *string // the failure being continued
	closeOpen := func() { open = nil }
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, markerPrefix) {
			closeOpen()
			arg := strings.TrimPrefix(line, markerPrefix)
			if arg == "end" {
				close(b.endSeen)
				continue
			}
			current, _ = strconv.Atoi(arg)
			continue
		}
		b.mu.Lock()
		b.output.WriteString(line + "\n")
		fmt.Fprintln(os.Stderr, line)
		if m := failureLine.FindStringSubmatch(line); m != nil {
			step := current
			if step == 5 && m[2] != step5Failure {
				step = 6
			}
			if step == 0 {
				b.unattributed = append(b.unattributed, m[2])
				open = &b.unattributed[len(b.unattributed)-1]
			} else {
				b.failures[step] = append(b.failures[step], m[2])
				open = &b.failures[step][len(b.failures[step])-1]
			}
		} else if open != nil && strings.HasPrefix(line, "        ") {
			*open += "\n" + line[8:]
		} else {
			closeOpen()
		}
		b.mu.Unlock()
	}
}

func (b *batteryRun) testBattery(t *testing.T) {
	remote.ServerTestBattery(t, func(mock api.Server) api.Server {
		conn, err := b.connect(mock)
		if err != nil {
			t.Fatal(err)
		}
		client, err := newClient(b.version, conn)
		if err != nil {
			t.Fatal(err)
		}
		return &recorder{b: b, s: client}
	})
	b.mu.Lock()
	b.testOK = !t.Failed()
	b.mu.Unlock()
}

// connect serves mock with flux's rpc.NewServer and returns the connection the client under test
// uses: straight to that server (--server go) or to the flat server (--server goflat), or to our
// server (--server ts), whose implementation reaches the mock's rpc.NewServer over the back
// channel.
func (b *batteryRun) connect(mock api.Server) (io.ReadWriteCloser, error) {
	srv, err := fluxrpc.NewServer(mock, b.rpcTimeout)
	if err != nil {
		return nil, err
	}
	if b.server == "go" || b.server == "goflat" {
		serverEnd, clientEnd := net.Pipe()
		if b.server == "go" {
			go srv.ServeConn(serverEnd)
		} else {
			go serveFlat(newFlatServer(mock, b.rpcTimeout), serverEnd)
		}
		b.addCloser(clientEnd)
		return clientEnd, nil
	}
	back, err := peerkit.AcceptOne(b.mockLn)
	if err != nil {
		return nil, fmt.Errorf("back channel: %v", err)
	}
	b.addCloser(back)
	go srv.ServeConn(back)
	var conn io.ReadWriteCloser
	if b.transport == "ws" {
		select {
		case conn = <-b.wsConns:
		case <-time.After(60 * time.Second):
			return nil, fmt.Errorf("no websocket connection within 60 s")
		}
	} else {
		c, err := net.Dial("tcp", b.dial)
		if err != nil {
			return nil, err
		}
		conn = c
	}
	b.addCloser(conn)
	return conn, nil
}

func (b *batteryRun) addCloser(c io.Closer) {
	b.mu.Lock()
	b.closers = append(b.closers, c)
	b.mu.Unlock()
}

// testReport runs after the battery: it closes the connections, waits for the output reader
// to see everything the battery printed, and prints RESULT.
func (b *batteryRun) testReport(t *testing.T) {
	b.mu.Lock()
	closers := b.closers
	b.mu.Unlock()
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i].Close()
	}
	fmt.Fprintln(os.Stdout, markerPrefix+"end")
	select {
	case <-b.endSeen:
	case <-time.After(30 * time.Second):
		t.Fatal("output reader did not reach the end marker")
	}
	res := b.result()
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	peerkit.Emit("RESULT %s", data)
}

func (b *batteryRun) result() batteryResult {
	b.mu.Lock()
	defer b.mu.Unlock()
	res := batteryResult{
		Version:      b.version,
		Server:       b.server,
		Passed:       b.testOK,
		FailedSteps:  []int{},
		Unattributed: append([]string{}, b.unattributed...),
		Output:       b.output.String(),
	}
	reached := map[int]bool{}
	for _, s := range b.callSteps {
		reached[s] = true
	}
	reached[6] = reached[5]
	for _, s := range batterySteps {
		st := batteryStep{
			Step:     s.step,
			Name:     s.name,
			Reached:  reached[s.step],
			Failures: append([]string{}, b.failures[s.step]...),
			Calls:    []batteryCall{},
		}
		for i, cs := range b.callSteps {
			if cs == s.step {
				st.Calls = append(st.Calls, b.calls[i])
			}
		}
		st.Passed = st.Reached && len(st.Failures) == 0
		if !st.Passed {
			res.FailedSteps = append(res.FailedSteps, s.step)
		}
		res.Steps = append(res.Steps, st)
	}
	return res
}

// begin writes the marker for the next call through the client and returns its index.
func (b *batteryRun) begin(method string) int {
	b.mu.Lock()
	index := len(b.callSteps)
	step := 0
	// The battery's calls through the client, in order (steps 1..5, 7..9).
	order := []int{1, 2, 3, 4, 5, 7, 8, 9}
	if index < len(order) && batterySteps[order[index]-1].method == method {
		step = order[index]
	} else {
		step = 100 + index // not the battery as known: never attributed to a real step
	}
	b.callSteps = append(b.callSteps, step)
	b.calls = append(b.calls, batteryCall{Method: method})
	b.mu.Unlock()
	fmt.Fprintf(os.Stdout, "%s%d\n", markerPrefix, step)
	return index
}

func (b *batteryRun) end(index int, err error) {
	b.mu.Lock()
	b.calls[index].Error = describeError(err)
	b.mu.Unlock()
}

// recorder is the api.Server handed to the battery: the Go client under test, with a marker
// written before each call and the error recorded after it.
type recorder struct {
	b *batteryRun
	s api.Server
}

func (r *recorder) Ping(ctx context.Context) error {
	i := r.b.begin("Ping")
	err := r.s.Ping(ctx)
	r.b.end(i, err)
	return err
}

func (r *recorder) Version(ctx context.Context) (string, error) {
	i := r.b.begin("Version")
	v, err := r.s.Version(ctx)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) Export(ctx context.Context) ([]byte, error) {
	i := r.b.begin("Export")
	v, err := r.s.Export(ctx)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) ListServices(ctx context.Context, ns string) ([]v6.ControllerStatus, error) {
	i := r.b.begin("ListServices")
	v, err := r.s.ListServices(ctx, ns)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) ListServicesWithOptions(ctx context.Context, o v11.ListServicesOptions) ([]v6.ControllerStatus, error) {
	i := r.b.begin("ListServicesWithOptions")
	v, err := r.s.ListServicesWithOptions(ctx, o)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) ListImages(ctx context.Context, s update.ResourceSpec) ([]v6.ImageStatus, error) {
	i := r.b.begin("ListImages")
	v, err := r.s.ListImages(ctx, s)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) ListImagesWithOptions(ctx context.Context, o v10.ListImagesOptions) ([]v6.ImageStatus, error) {
	i := r.b.begin("ListImagesWithOptions")
	v, err := r.s.ListImagesWithOptions(ctx, o)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) UpdateManifests(ctx context.Context, s update.Spec) (job.ID, error) {
	i := r.b.begin("UpdateManifests")
	v, err := r.s.UpdateManifests(ctx, s)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) NotifyChange(ctx context.Context, c v9.Change) error {
	i := r.b.begin("NotifyChange")
	err := r.s.NotifyChange(ctx, c)
	r.b.end(i, err)
	return err
}

func (r *recorder) JobStatus(ctx context.Context, id job.ID) (job.Status, error) {
	i := r.b.begin("JobStatus")
	v, err := r.s.JobStatus(ctx, id)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) SyncStatus(ctx context.Context, ref string) ([]string, error) {
	i := r.b.begin("SyncStatus")
	v, err := r.s.SyncStatus(ctx, ref)
	r.b.end(i, err)
	return v, err
}

func (r *recorder) GitRepoConfig(ctx context.Context, regenerate bool) (v6.GitConfig, error) {
	i := r.b.begin("GitRepoConfig")
	v, err := r.s.GitRepoConfig(ctx, regenerate)
	r.b.end(i, err)
	return v, err
}

var _ api.Server = &recorder{}
