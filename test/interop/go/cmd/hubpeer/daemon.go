package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/mux"

	transport "github.com/fluxcd/flux/pkg/http"
	fluxclient "github.com/fluxcd/flux/pkg/http/client"
	daemonhttp "github.com/fluxcd/flux/pkg/http/daemon"

	"fluxrpc/interop/internal/peerkit"
)

// lineLogger prints go-kit log records as "LOG k=v k=v" lines.
type lineLogger struct{}

func (lineLogger) Log(keyvals ...interface{}) error {
	parts := make([]string, 0, len(keyvals)/2)
	for i := 0; i+1 < len(keyvals); i += 2 {
		parts = append(parts, fmt.Sprintf("%v=%v", keyvals[i], keyvals[i+1]))
	}
	peerkit.Emit("LOG %s", strings.Join(parts, " "))
	return nil
}

// runDaemon runs flux's Upstream (fluxd --connect) against --connect. fluxd
// always registers on RegisterDaemonV11; the router given to NewUpstream names
// the path of that route, so --route picks /v6/daemon … /v11/daemon.
func runDaemon(args []string) error {
	fs := flag.NewFlagSet("daemon", flag.ContinueOnError)
	connect := fs.String("connect", "", "upstream base URL")
	token := fs.String("token", "", "token")
	route := fs.String("route", "/v11/daemon", "registration path")
	versionAnswer := fs.String("version-answer", "go-mock", "what Version returns")
	ua := fs.String("user-agent", "fluxd/1.25.4", "User-Agent")
	if err := fs.Parse(args); err != nil {
		return err
	}
	router := mux.NewRouter()
	router.NewRoute().Name(transport.RegisterDaemonV11).Methods("GET").Path(*route)
	router.NewRoute().Name(transport.LogEvent).Methods("POST").Path("/v6/events")
	up, err := daemonhttp.NewUpstream(&http.Client{Timeout: 10 * time.Second}, *ua, fluxclient.Token(*token), router, *connect, newMock(*versionAnswer), 10*time.Second, lineLogger{})
	if err != nil {
		return err
	}
	quit := make(chan struct{})
	stdinLines(func(line string) {
		switch line {
		case "event":
			result("LogEvent", nil, up.LogEvent(sampleEvent()))
		case "quit":
			close(quit)
		}
	}, func() {})
	<-quit
	up.Close()
	peerkit.Emit("QUIT")
	os.Exit(0)
	return nil
}
