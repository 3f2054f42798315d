package main

import (
	"flag"
	"net"
	"net/http"

	daemonhttp "github.com/fluxcd/flux/pkg/http/daemon"
)

// runFluxd serves fluxd's HTTP API (daemon.NewHandler, mounted at /api/flux as
// fluxd does) over the MockServer.
func runFluxd(args []string) error {
	fs := flag.NewFlagSet("fluxd", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	versionAnswer := fs.String("version-answer", "go-fluxd-mock", "what Version returns")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}
	handler := daemonhttp.NewHandler(newMock(*versionAnswer), daemonhttp.NewRouter())
	mux := http.NewServeMux()
	mux.Handle("/api/flux/", http.StripPrefix("/api/flux", handler))
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	emit("LISTEN %s", l.Addr())
	stdinLines(func(string) {}, func() { l.Close() })
	return http.Serve(l, mux)
}
