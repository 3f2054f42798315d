package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"sync"
	"time"

	"github.com/fluxcd/flux/pkg/api"
	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"
	"github.com/fluxcd/flux/pkg/update"
	pkgerrors "github.com/pkg/errors"

	"fluxrpc/interop/internal/peerkit"
)

// --- the mock: remote.MockServer, swappable, recording what it receives -----------------------

// received is one call the mock got; Arg is its argument as Go's json.Marshal writes it.
type received struct {
	Method string `json:"method"`
	Arg    string `json:"arg"`
}

// recordingMock is the api.Server behind both mockserver RPC servers: it records each call's
// argument (as Go's json.Marshal writes it) and delegates to the current remote.MockServer.
type recordingMock struct {
	mu   sync.Mutex
	mock *remote.MockServer
	log  []received
}

func (m *recordingMock) current(method string, arg interface{}) *remote.MockServer {
	raw := "null"
	if arg != nil {
		b, err := json.Marshal(arg)
		if err != nil {
			b, _ = json.Marshal("marshal error: " + err.Error())
		}
		raw = string(b)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = append(m.log, received{Method: method, Arg: raw})
	return m.mock
}

func (m *recordingMock) Ping(ctx context.Context) error {
	return m.current("Ping", nil).Ping(ctx)
}
func (m *recordingMock) Version(ctx context.Context) (string, error) {
	return m.current("Version", nil).Version(ctx)
}
func (m *recordingMock) Export(ctx context.Context) ([]byte, error) {
	return m.current("Export", nil).Export(ctx)
}
func (m *recordingMock) ListServices(ctx context.Context, ns string) ([]v6.ControllerStatus, error) {
	return m.current("ListServices", ns).ListServices(ctx, ns)
}
func (m *recordingMock) ListServicesWithOptions(ctx context.Context, o v11.ListServicesOptions) ([]v6.ControllerStatus, error) {
	return m.current("ListServicesWithOptions", o).ListServicesWithOptions(ctx, o)
}
func (m *recordingMock) ListImages(ctx context.Context, s update.ResourceSpec) ([]v6.ImageStatus, error) {
	return m.current("ListImages", s).ListImages(ctx, s)
}
func (m *recordingMock) ListImagesWithOptions(ctx context.Context, o v10.ListImagesOptions) ([]v6.ImageStatus, error) {
	return m.current("ListImagesWithOptions", o).ListImagesWithOptions(ctx, o)
}
func (m *recordingMock) UpdateManifests(ctx context.Context, s update.Spec) (job.ID, error) {
	return m.current("UpdateManifests", s).UpdateManifests(ctx, s)
}
func (m *recordingMock) NotifyChange(ctx context.Context, c v9.Change) error {
	return m.current("NotifyChange", c).NotifyChange(ctx, c)
}
func (m *recordingMock) JobStatus(ctx context.Context, id job.ID) (job.Status, error) {
	return m.current("JobStatus", id).JobStatus(ctx, id)
}
func (m *recordingMock) SyncStatus(ctx context.Context, ref string) ([]string, error) {
	return m.current("SyncStatus", ref).SyncStatus(ctx, ref)
}
func (m *recordingMock) GitRepoConfig(ctx context.Context, regenerate bool) (v6.GitConfig, error) {
	return m.current("GitRepoConfig", regenerate).GitRepoConfig(ctx, regenerate)
}

var _ api.Server = &recordingMock{}

// --- configuration ------------------------------------------------------------------------------

// ErrSpec describes an error for the mock to return.
//
//	plain          errors.New(Message)
//	flux           &fluxerr.Error{Type, Help, Err: errors.New(Message)} (Err nil when Message is "")
//	wrapped-flux   pkg/errors.Wrap(<flux>, Wrap): the server finds the Flux error by its cause
//	wrapped-plain  pkg/errors.Wrap(errors.New(Message), Wrap)
type ErrSpec struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Help    string `json:"help"`
	Wrap    string `json:"wrap"`
}

func (s ErrSpec) build() (error, error) {
	flux := func() error {
		e := &fluxerr.Error{Type: fluxerr.Type(s.Type), Help: s.Help}
		if s.Message != "" {
			e.Err = errors.New(s.Message)
		}
		return e
	}
	switch s.Kind {
	case "plain":
		return errors.New(s.Message), nil
	case "flux":
		return flux(), nil
	case "wrapped-flux":
		return pkgerrors.Wrap(flux(), s.Wrap), nil
	case "wrapped-plain":
		return pkgerrors.Wrap(errors.New(s.Message), s.Wrap), nil
	}
	return nil, fmt.Errorf("unknown error kind %q", s.Kind)
}

// MockConfig replaces the mock. Fixture "rich" (the default) or "empty" (every answer zero)
// gives the starting answers; Answers overrides some (JSON text of the answer's Go type, keyed by
// method: Version, Export, ListServices, ListImages, UpdateManifests, SyncStatus, JobStatus,
// GitRepoConfig; ListServicesWithOptions/ListImagesWithOptions use ListServices/ListImages as
// in remote.MockServer); Errors sets errors by method (also Ping and NotifyChange).
type MockConfig struct {
	Fixture string             `json:"fixture"`
	Answers map[string]string  `json:"answers"`
	Errors  map[string]ErrSpec `json:"errors"`
}

// MockAnswers is the configured mock's answers, each the JSON text Go's json.Marshal writes.
type MockAnswers map[string]string

func buildMock(cfg MockConfig) (*remote.MockServer, error) {
	var m *remote.MockServer
	switch cfg.Fixture {
	case "", "rich":
		m = richMock()
	case "empty":
		m = &remote.MockServer{}
	default:
		return nil, fmt.Errorf("unknown fixture %q", cfg.Fixture)
	}
	targets := map[string]interface{}{
		"Version":         &m.VersionAnswer,
		"Export":          &m.ExportAnswer,
		"ListServices":    &m.ListServicesAnswer,
		"ListImages":      &m.ListImagesAnswer,
		"UpdateManifests": &m.UpdateManifestsAnswer,
		"SyncStatus":      &m.SyncStatusAnswer,
		"JobStatus":       &m.JobStatusAnswer,
		"GitRepoConfig":   &m.GitRepoConfigAnswer,
	}
	for method, raw := range cfg.Answers {
		target, ok := targets[method]
		if !ok {
			return nil, fmt.Errorf("no answer for method %q", method)
		}
		// A fresh value each time: json.Unmarshal merges into existing maps and structs.
		switch t := target.(type) {
		case *[]v6.ControllerStatus:
			*t = nil
		case *[]v6.ImageStatus:
			*t = nil
		case *[]string:
			*t = nil
		case *[]byte:
			*t = nil
		case *job.Status:
			*t = job.Status{}
		case *v6.GitConfig:
			*t = v6.GitConfig{}
		}
		if err := json.Unmarshal([]byte(raw), target); err != nil {
			return nil, fmt.Errorf("answer for %s: %v", method, err)
		}
	}
	errTargets := map[string]*error{
		"Ping":            &m.PingError,
		"Version":         &m.VersionError,
		"Export":          &m.ExportError,
		"ListServices":    &m.ListServicesError,
		"ListImages":      &m.ListImagesError,
		"UpdateManifests": &m.UpdateManifestsError,
		"NotifyChange":    &m.NotifyChangeError,
		"SyncStatus":      &m.SyncStatusError,
		"JobStatus":       &m.JobStatusError,
		"GitRepoConfig":   &m.GitRepoConfigError,
	}
	for method, spec := range cfg.Errors {
		target, ok := errTargets[method]
		if !ok {
			return nil, fmt.Errorf("no error for method %q", method)
		}
		err, bad := spec.build()
		if bad != nil {
			return nil, bad
		}
		*target = err
	}
	return m, nil
}

func mockAnswers(m *remote.MockServer) (MockAnswers, error) {
	answers := MockAnswers{}
	for method, v := range map[string]interface{}{
		"Version":         m.VersionAnswer,
		"Export":          m.ExportAnswer,
		"ListServices":    m.ListServicesAnswer,
		"ListImages":      m.ListImagesAnswer,
		"UpdateManifests": m.UpdateManifestsAnswer,
		"SyncStatus":      m.SyncStatusAnswer,
		"JobStatus":       m.JobStatusAnswer,
		"GitRepoConfig":   m.GitRepoConfigAnswer,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("marshal %s answer: %v", method, err)
		}
		answers[method] = string(b)
	}
	return answers, nil
}

// --- the control service --------------------------------------------------------------------------

// Control is the mockserver's control service (net/rpc name "Control", jsonrpc over TCP).
type Control struct {
	mock    *recordingMock
	union   *fluxrpc.Server
	flat    *rpc.Server
	mu      sync.Mutex
	clients map[string]api.Server
}

// Configure replaces the mock (and clears the received log); the reply is the new answers.
func (c *Control) Configure(cfg MockConfig, reply *MockAnswers) error {
	m, err := buildMock(cfg)
	if err != nil {
		return err
	}
	answers, err := mockAnswers(m)
	if err != nil {
		return err
	}
	c.mock.mu.Lock()
	c.mock.mock = m
	c.mock.log = nil
	c.mock.mu.Unlock()
	*reply = answers
	return nil
}

// Received returns the calls the mock received since the last Configure or Received, and
// clears the log.
func (c *Control) Received(_ struct{}, reply *[]received) error {
	c.mock.mu.Lock()
	defer c.mock.mu.Unlock()
	*reply = append([]received{}, c.mock.log...)
	c.mock.log = nil
	return nil
}

// GoCallArgs: make one call with a real Go client rpc.NewClientV<Version> that talks to this
// mockserver's "union" (flux v1.25.4's server) or "flat" server. Clients are kept by name, so
// a sequence of calls shares one connection (a FatalError shuts it down, as in Go).
type GoCallArgs struct {
	Client  string `json:"client"`
	Version int    `json:"version"`
	Server  string `json:"server"`
	Method  string `json:"method"`
	Arg     string `json:"arg"` // the argument's JSON text ("" for none)
}

// GoOutcome: Result is the returned value's JSON text as Go's json.Marshal writes it ("null"
// for methods without a value); Error is nil when the returned error is nil.
type GoOutcome struct {
	Result string   `json:"result"`
	Error  *ErrInfo `json:"error"`
}

func (c *Control) client(args GoCallArgs) (api.Server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[args.Client]; ok {
		return cl, nil
	}
	serverEnd, clientEnd := net.Pipe()
	switch args.Server {
	case "union":
		go c.union.ServeConn(serverEnd)
	case "flat":
		go serveFlat(c.flat, serverEnd)
	default:
		return nil, fmt.Errorf("unknown server %q (union or flat)", args.Server)
	}
	cl, err := newClient(args.Version, clientEnd)
	if err != nil {
		return nil, err
	}
	c.clients[args.Client] = cl
	return cl, nil
}

func (c *Control) GoCall(args GoCallArgs, reply *GoOutcome) error {
	cl, err := c.client(args)
	if err != nil {
		return err
	}
	arg := args.Arg
	if arg == "" {
		arg = "null"
	}
	result, callErr, err := callMethod(cl, args.Method, json.RawMessage(arg))
	if err != nil {
		return err
	}
	raw := "null"
	if result != nil {
		b, err := json.Marshal(result)
		if err != nil {
			return fmt.Errorf("marshal result: %v", err)
		}
		raw = string(b)
	}
	*reply = GoOutcome{Result: raw, Error: describeError(callErr)}
	return nil
}

// callMethod decodes arg into the method's Go argument type and calls it. The result is nil
// for methods that return only an error.
func callMethod(s api.Server, method string, arg json.RawMessage) (interface{}, error, error) {
	ctx := context.Background()
	decode := func(v interface{}) error {
		if err := json.Unmarshal(arg, v); err != nil {
			return fmt.Errorf("argument for %s: %v", method, err)
		}
		return nil
	}
	switch method {
	case "Ping":
		return nil, s.Ping(ctx), nil
	case "Version":
		v, err := s.Version(ctx)
		return v, err, nil
	case "Export":
		v, err := s.Export(ctx)
		return v, err, nil
	case "ListServices":
		var ns string
		if err := decode(&ns); err != nil {
			return nil, nil, err
		}
		v, err := s.ListServices(ctx, ns)
		return v, err, nil
	case "ListServicesWithOptions":
		var o v11.ListServicesOptions
		if err := decode(&o); err != nil {
			return nil, nil, err
		}
		v, err := s.ListServicesWithOptions(ctx, o)
		return v, err, nil
	case "ListImages":
		var spec update.ResourceSpec
		if err := decode(&spec); err != nil {
			return nil, nil, err
		}
		v, err := s.ListImages(ctx, spec)
		return v, err, nil
	case "ListImagesWithOptions":
		var o v10.ListImagesOptions
		if err := decode(&o); err != nil {
			return nil, nil, err
		}
		v, err := s.ListImagesWithOptions(ctx, o)
		return v, err, nil
	case "UpdateManifests":
		var spec update.Spec
		if err := decode(&spec); err != nil {
			return nil, nil, err
		}
		v, err := s.UpdateManifests(ctx, spec)
		return v, err, nil
	case "SyncNotify":
		sn, ok := s.(interface{ SyncNotify(context.Context) error })
		if !ok {
			return nil, nil, fmt.Errorf("client %T has no SyncNotify", s)
		}
		return nil, sn.SyncNotify(ctx), nil
	case "NotifyChange":
		var change v9.Change
		if err := decode(&change); err != nil {
			return nil, nil, err
		}
		return nil, s.NotifyChange(ctx, change), nil
	case "JobStatus":
		var id job.ID
		if err := decode(&id); err != nil {
			return nil, nil, err
		}
		v, err := s.JobStatus(ctx, id)
		return v, err, nil
	case "SyncStatus":
		var ref string
		if err := decode(&ref); err != nil {
			return nil, nil, err
		}
		v, err := s.SyncStatus(ctx, ref)
		return v, err, nil
	case "GitRepoConfig":
		var regenerate bool
		if err := decode(&regenerate); err != nil {
			return nil, nil, err
		}
		v, err := s.GitRepoConfig(ctx, regenerate)
		return v, err, nil
	}
	return nil, nil, fmt.Errorf("unknown method %q", method)
}

// --- the command ------------------------------------------------------------------------------------

func cmdMockServer(args []string) int {
	fs := peerkit.NewFlagSet("mockserver")
	listen := fs.String("listen", "127.0.0.1:0", "address for the union and flat servers' listeners (port 0: one each)")
	wsDial := fs.String("ws-dial", "", "also dial this websocket as fluxd does and serve it")
	wsServer := fs.String("ws-server", "union", "the server on the dialled websocket: union or flat")
	rpcTimeout := fs.Duration("rpc-timeout", 10*time.Second, "flux rpc.NewServer timeout")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("mockserver: %v", err)
	}
	if err := peerkit.CheckLoopback(*listen); err != nil {
		return cli.UsageError("mockserver: --listen %v", err)
	}
	if *wsServer != "union" && *wsServer != "flat" {
		return cli.UsageError("mockserver: --ws-server must be union or flat")
	}
	host, _, _ := net.SplitHostPort(*listen)

	mock := &recordingMock{mock: richMock()}
	union, err := fluxrpc.NewServer(mock, *rpcTimeout)
	if err != nil {
		return peerkit.SetupError(err)
	}
	flat := newFlatServer(mock, *rpcTimeout)
	control := rpc.NewServer()
	if err := control.RegisterName("Control", &Control{mock: mock, union: union, flat: flat, clients: map[string]api.Server{}}); err != nil {
		return peerkit.SetupError(err)
	}

	// Each listener prints its line ("LISTEN union <addr>", ...) and serves every connection.
	serve := func(label string, addr string, handle func(net.Conn)) error {
		ln, err := peerkit.Listen(label, addr)
		if err != nil {
			return err
		}
		go peerkit.AcceptLoop(ln, handle)
		return nil
	}
	if err := serve("LISTEN union", *listen, func(c net.Conn) { union.ServeConn(c) }); err != nil {
		return peerkit.SetupError(err)
	}
	if err := serve("LISTEN flat", net.JoinHostPort(host, "0"), func(c net.Conn) { serveFlat(flat, c) }); err != nil {
		return peerkit.SetupError(err)
	}
	if err := serve("CONTROL", net.JoinHostPort(host, "0"), func(c net.Conn) { control.ServeCodec(jsonrpc.NewServerCodec(c)) }); err != nil {
		return peerkit.SetupError(err)
	}

	if *wsDial != "" {
		u, err := peerkit.ParseWSURL(*wsDial)
		if err != nil {
			return cli.UsageError("mockserver: --ws-dial %v", err)
		}
		err = peerkit.DialAndServe(u, false, func(ws io.ReadWriteCloser) {
			if *wsServer == "union" {
				union.ServeConn(ws)
			} else {
				serveFlat(flat, ws)
			}
		})
		if err != nil {
			return peerkit.SetupError(err)
		}
	}
	select {} // until killed
}
