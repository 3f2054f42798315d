package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/ioutil"
	"net/http"

	"github.com/fluxcd/flux/pkg/api"
	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	transport "github.com/fluxcd/flux/pkg/http"
	daemonhttp "github.com/fluxcd/flux/pkg/http/daemon"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

// recorder prints a CALL line for each api.Server call, then delegates.
type recorder struct {
	api.Server
}

func record(method string, args ...interface{}) {
	if args == nil {
		args = []interface{}{}
	}
	b, err := json.Marshal(map[string]interface{}{"method": method, "args": args})
	if err != nil {
		b = []byte(`{"method":"` + method + `","marshalError":true}`)
	}
	peerkit.Emit("CALL %s", b)
}

func (r recorder) Ping(ctx context.Context) error {
	record("Ping")
	return r.Server.Ping(ctx)
}

func (r recorder) Version(ctx context.Context) (string, error) {
	record("Version")
	return r.Server.Version(ctx)
}

func (r recorder) Export(ctx context.Context) ([]byte, error) {
	record("Export")
	return r.Server.Export(ctx)
}

func (r recorder) ListServices(ctx context.Context, ns string) ([]v6.ControllerStatus, error) {
	record("ListServices", ns)
	return r.Server.ListServices(ctx, ns)
}

func (r recorder) ListServicesWithOptions(ctx context.Context, opts v11.ListServicesOptions) ([]v6.ControllerStatus, error) {
	record("ListServicesWithOptions", opts)
	return r.Server.ListServicesWithOptions(ctx, opts)
}

func (r recorder) ListImages(ctx context.Context, spec update.ResourceSpec) ([]v6.ImageStatus, error) {
	record("ListImages", spec)
	return r.Server.ListImages(ctx, spec)
}

func (r recorder) ListImagesWithOptions(ctx context.Context, opts v10.ListImagesOptions) ([]v6.ImageStatus, error) {
	record("ListImagesWithOptions", opts)
	return r.Server.ListImagesWithOptions(ctx, opts)
}

func (r recorder) UpdateManifests(ctx context.Context, spec update.Spec) (job.ID, error) {
	record("UpdateManifests", spec)
	return r.Server.UpdateManifests(ctx, spec)
}

func (r recorder) NotifyChange(ctx context.Context, change v9.Change) error {
	record("NotifyChange", change)
	return r.Server.NotifyChange(ctx, change)
}

func (r recorder) JobStatus(ctx context.Context, id job.ID) (job.Status, error) {
	record("JobStatus", id)
	return r.Server.JobStatus(ctx, id)
}

func (r recorder) SyncStatus(ctx context.Context, ref string) ([]string, error) {
	record("SyncStatus", ref)
	return r.Server.SyncStatus(ctx, ref)
}

func (r recorder) GitRepoConfig(ctx context.Context, regenerate bool) (v6.GitConfig, error) {
	record("GitRepoConfig", regenerate)
	return r.Server.GitRepoConfig(ctx, regenerate)
}

// requestLogger prints a REQUEST line per request (the body is read and
// put back), and answers 401 when a token is required and not given.
type requestLogger struct {
	next  http.Handler
	token string
}

func (l requestLogger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := ioutil.ReadAll(r.Body)
	r.Body = ioutil.NopCloser(bytes.NewReader(body))
	headers := map[string][]string{}
	for _, k := range []string{"Accept", "Authorization", "Content-Type", "Content-Length", "User-Agent", "Accept-Encoding"} {
		if v, ok := r.Header[k]; ok {
			headers[k] = v
		}
	}
	b, _ := json.Marshal(map[string]interface{}{
		"method":        r.Method,
		"uri":           r.RequestURI,
		"headers":       headers,
		"contentLength": r.ContentLength,
		"body":          string(body),
	})
	peerkit.Emit("REQUEST %s", b)
	if l.token != "" && r.Header.Get("Authorization") != "Scope-Probe token="+l.token {
		transport.WriteError(w, r, http.StatusUnauthorized, transport.ErrorUnauthorized)
		return
	}
	l.next.ServeHTTP(w, r)
}

func cmdDaemon(args []string) int {
	fs := peerkit.NewFlagSet("daemon")
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	mode := fs.String("mode", "ok", "ok, nil, flux or plain")
	token := fs.String("token", "", "required token")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return usage()
	}
	mock, err := mockServer(*mode)
	if err != nil {
		return peerkit.SetupError(err)
	}

	// As fluxd (cmd/fluxd/main.go) mounts it.
	handler := daemonhttp.NewHandler(recorder{mock}, daemonhttp.NewRouter())
	mux := http.NewServeMux()
	mux.Handle("/api/flux/", http.StripPrefix("/api/flux", handler))

	ln, err := peerkit.Listen("LISTEN", *listen)
	if err != nil {
		return peerkit.SetupError(err)
	}
	if err := http.Serve(ln, requestLogger{next: mux, token: *token}); err != nil {
		return peerkit.SetupError(err)
	}
	return 0
}
