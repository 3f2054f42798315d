package main

import (
	"errors"
	"flag"
	"net/http"

	fluxerr "github.com/fluxcd/flux/pkg/errors"
	daemonhttp "github.com/fluxcd/flux/pkg/http/daemon"

	"fluxrpc/interop/internal/peerkit"
)

// runFluxd serves fluxd's HTTP API (daemon.NewHandler, mounted at /api/flux as
// fluxd does) over the MockServer.
func runFluxd(args []string) error {
	fs := flag.NewFlagSet("fluxd", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	versionAnswer := fs.String("version-answer", "go-fluxd-mock", "what Version returns")
	gitRepoError := fs.Bool("git-repo-error", false, "GitRepoConfig fails with a Flux error (type missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := peerkit.CheckLoopback(*listen); err != nil {
		return err
	}
	mock := newMock(*versionAnswer)
	if *gitRepoError {
		// fluxd answers this with the error body followed by an empty config (a second JSON value).
		mock.GitRepoConfigError = &fluxerr.Error{Type: fluxerr.Missing, Help: "No repo here", Err: errors.New("git repo not configured")}
	}
	handler := daemonhttp.NewHandler(mock, daemonhttp.NewRouter())
	mux := http.NewServeMux()
	mux.Handle("/api/flux/", http.StripPrefix("/api/flux", handler))
	l, err := peerkit.Listen("LISTEN", *listen)
	if err != nil {
		return err
	}
	stdinLines(func(string) {}, func() { l.Close() })
	return http.Serve(l, mux)
}
