// fleethub is the Go side of the fleet benchmark (bench/fleet.ts): an upstream hub for many
// daemons built the way flux's upstream service was, from flux's own pieces: websocket.Upgrade,
// one rpc.NewClientV11 per daemon kept in a map instance → client (a newer connection replaces
// an older one), and flux's daemon HTTP handler (pkg/http/daemon NewHandler over NewRouter)
// answering each HTTP request with the client of the instance its token names.
//
// Usage:
//
//	fleethub --listen 127.0.0.1:0 --tokens FILE
//
// FILE is the JSON object {"<token>": "<instance>", ...} fluxrpc's hub reads. Routes:
//
//	GET /api/flux/v11/daemon   a daemon registers (Authorization: Scope-Probe token=<t>);
//	                           unknown or missing token: 401 before any upgrade
//	/api/flux/...              flux's daemon HTTP API for the token's instance (401 without one;
//	                           flux's "unavailable" error when that daemon is not connected)
//	GET /fleet/connected       the number of daemons connected now (text)
//
// Lines printed on stdout: LISTEN <host:port>. It serves until SIGTERM or SIGINT (exit 0).
// Exit status: 0 on a signal, 1 on set-up failures (after an ERROR line), 2 on usage errors.
package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/fluxcd/flux/pkg/api"
	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	daemonhttp "github.com/fluxcd/flux/pkg/http/daemon"
	"github.com/fluxcd/flux/pkg/http/websocket"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/remote"
	"github.com/fluxcd/flux/pkg/remote/rpc"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

const usageText = `usage:
  fleethub --listen 127.0.0.1:0 --tokens FILE
`

var cli = peerkit.CLI{Name: "fleethub", Usage: usageText}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := peerkit.NewFlagSet("fleethub")
	listen := fs.String("listen", "127.0.0.1:0", "address")
	tokensPath := fs.String("tokens", "", "token file")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("%v", err)
	}
	if err := peerkit.CheckLoopback(*listen); err != nil {
		return cli.UsageError("--listen %v", err)
	}
	if *tokensPath == "" {
		return cli.UsageError("missing --tokens FILE")
	}
	tokens, err := peerkit.ReadTokens(*tokensPath)
	if err != nil {
		return peerkit.SetupError(err)
	}
	h := &hub{tokens: tokens, conns: make(map[string]*daemonConn)}
	ln, err := peerkit.Listen("LISTEN", *listen)
	if err != nil {
		return peerkit.SetupError(err)
	}
	peerkit.ExitOnSignal(false)
	return peerkit.SetupError(http.Serve(ln, h.routes()))
}

const daemonAuthPrefix = "Scope-Probe token="

type hub struct {
	tokens map[string]string

	mu    sync.Mutex
	conns map[string]*daemonConn
}

type daemonConn struct {
	client api.Server
	ws     websocket.Websocket
}

type instanceKey struct{}

func (h *hub) routes() http.Handler {
	fluxAPI := daemonhttp.NewHandler(instanceAPI{h}, daemonhttp.NewRouter())
	mux := http.NewServeMux()
	mux.HandleFunc("/api/flux/v11/daemon", h.register)
	mux.Handle("/api/flux/", h.authenticated(http.StripPrefix("/api/flux", fluxAPI)))
	mux.HandleFunc("/fleet/connected", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		n := len(h.conns)
		h.mu.Unlock()
		w.Write([]byte(strconv.Itoa(n) + "\n"))
	})
	return mux
}

// instance is the instance the request's token names ("" for none).
func (h *hub) instance(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, daemonAuthPrefix) {
		return ""
	}
	return h.tokens[strings.TrimPrefix(auth, daemonAuthPrefix)]
}

// register upgrades a daemon's registration and makes its V11 client the instance's.
func (h *hub) register(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	instance := h.instance(r)
	if instance == "" {
		http.Error(w, "missing or unknown token", http.StatusUnauthorized)
		return
	}
	ws, err := websocket.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with an HTTP error
	}
	c := &daemonConn{ws: ws}
	c.client = rpc.NewClientV11(&endWatch{Websocket: ws, onEnd: func() { h.drop(instance, c) }})
	h.mu.Lock()
	old := h.conns[instance]
	h.conns[instance] = c
	h.mu.Unlock()
	if old != nil {
		old.ws.Close()
	}
}

// drop forgets c (if it is still the instance's connection) and closes it.
func (h *hub) drop(instance string, c *daemonConn) {
	h.mu.Lock()
	if h.conns[instance] == c {
		delete(h.conns, instance)
	}
	h.mu.Unlock()
	c.ws.Close()
}

// authenticated puts the token's instance in the request's context, or answers 401.
func (h *hub) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		instance := h.instance(r)
		if instance == "" {
			http.Error(w, "missing or unknown token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), instanceKey{}, instance)))
	})
}

// client is the connected daemon of the context's instance.
func (h *hub) client(ctx context.Context) (api.Server, error) {
	instance, _ := ctx.Value(instanceKey{}).(string)
	h.mu.Lock()
	c := h.conns[instance]
	h.mu.Unlock()
	if c == nil {
		return nil, remote.UnavailableError(errors.New("daemon " + instance + " is not connected"))
	}
	return c.client, nil
}

// endWatch calls onEnd once, when reading the websocket fails (the connection has ended).
type endWatch struct {
	websocket.Websocket
	once  sync.Once
	onEnd func()
}

func (e *endWatch) Read(b []byte) (int, error) {
	n, err := e.Websocket.Read(b)
	if err != nil {
		e.once.Do(e.onEnd)
	}
	return n, err
}

// instanceAPI is the api.Server flux's HTTP handler calls: each method goes to the client of
// the instance in the request's context.
type instanceAPI struct{ h *hub }

// via calls f with the context's instance's client.
func via[T any](a instanceAPI, ctx context.Context, f func(c api.Server) (T, error)) (T, error) {
	c, err := a.h.client(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(c)
}

func (a instanceAPI) Ping(ctx context.Context) error {
	_, err := via(a, ctx, func(c api.Server) (struct{}, error) { return struct{}{}, c.Ping(ctx) })
	return err
}

func (a instanceAPI) Version(ctx context.Context) (string, error) {
	return via(a, ctx, func(c api.Server) (string, error) { return c.Version(ctx) })
}

func (a instanceAPI) NotifyChange(ctx context.Context, change v9.Change) error {
	_, err := via(a, ctx, func(c api.Server) (struct{}, error) { return struct{}{}, c.NotifyChange(ctx, change) })
	return err
}

func (a instanceAPI) Export(ctx context.Context) ([]byte, error) {
	return via(a, ctx, func(c api.Server) ([]byte, error) { return c.Export(ctx) })
}

func (a instanceAPI) ListServices(ctx context.Context, namespace string) ([]v6.ControllerStatus, error) {
	return via(a, ctx, func(c api.Server) ([]v6.ControllerStatus, error) { return c.ListServices(ctx, namespace) })
}

func (a instanceAPI) ListServicesWithOptions(ctx context.Context, opts v11.ListServicesOptions) ([]v6.ControllerStatus, error) {
	return via(a, ctx, func(c api.Server) ([]v6.ControllerStatus, error) { return c.ListServicesWithOptions(ctx, opts) })
}

func (a instanceAPI) ListImages(ctx context.Context, spec update.ResourceSpec) ([]v6.ImageStatus, error) {
	return via(a, ctx, func(c api.Server) ([]v6.ImageStatus, error) { return c.ListImages(ctx, spec) })
}

func (a instanceAPI) ListImagesWithOptions(ctx context.Context, opts v10.ListImagesOptions) ([]v6.ImageStatus, error) {
	return via(a, ctx, func(c api.Server) ([]v6.ImageStatus, error) { return c.ListImagesWithOptions(ctx, opts) })
}

func (a instanceAPI) UpdateManifests(ctx context.Context, spec update.Spec) (job.ID, error) {
	return via(a, ctx, func(c api.Server) (job.ID, error) { return c.UpdateManifests(ctx, spec) })
}

func (a instanceAPI) SyncStatus(ctx context.Context, ref string) ([]string, error) {
	return via(a, ctx, func(c api.Server) ([]string, error) { return c.SyncStatus(ctx, ref) })
}

func (a instanceAPI) JobStatus(ctx context.Context, id job.ID) (job.Status, error) {
	return via(a, ctx, func(c api.Server) (job.Status, error) { return c.JobStatus(ctx, id) })
}

func (a instanceAPI) GitRepoConfig(ctx context.Context, regenerate bool) (v6.GitConfig, error) {
	return via(a, ctx, func(c api.Server) (v6.GitConfig, error) { return c.GitRepoConfig(ctx, regenerate) })
}
