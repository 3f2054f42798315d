package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/event"
	transport "github.com/fluxcd/flux/pkg/http"
	fluxclient "github.com/fluxcd/flux/pkg/http/client"
	daemonhttp "github.com/fluxcd/flux/pkg/http/daemon"
	fluxws "github.com/fluxcd/flux/pkg/http/websocket"
	"github.com/fluxcd/flux/pkg/update"
	"github.com/go-kit/kit/log"
	"github.com/gorilla/websocket"
)

// fluxTexts: gorilla/websocket as flux uses it, flux's HTTP API, client, upstream and model, and
// Masterminds/semver.
func fluxTexts(t texts) {
	websocketTexts(t)
	httpTexts(t)

	for _, endpoint := range []struct{ scheme, url string }{{"ftp", "ftp://hub/api"}, {"hub", "hub:3030"}, {"", "cloud.example/api"}} {
		_, err := daemonhttp.NewUpstream(&http.Client{}, "gotext", "", transport.NewUpstreamRouter(), endpoint.url, nil, time.Second, log.NewNopLogger())
		t.addErr(fmt.Sprintf("unsupportedScheme(%q)", endpoint.scheme), err)
	}
	t.add("fluxdDeprecated", fluxdGoneLog())

	_, err := update.ParseImageSpec("quay.io/org/app")
	t.addErr("blankTag", err)
	var e event.Event
	t.addErr("unknownReleaseSpecType", json.Unmarshal([]byte(`{"type":"release","metadata":{"spec":{"type":"nope"}}}`), &e))
	// Type errors in fields of embedded structs (ReleaseEventCommon, git.Remote): the field path
	// names them only in Go >= 1.24.
	t.addErr(`cannotUnmarshalField("number", "ReleaseEventMetadata", "result", "update.Result")`,
		json.Unmarshal([]byte(`{"type":"release","metadata":{"result":5}}`), &e))
	var config v6.GitConfig
	t.addErr(`cannotUnmarshalField("number", "GitRemoteConfig", "remote.url", "string")`,
		json.Unmarshal([]byte(`{"remote":{"url":5}}`), &config))

	_, err = semver.NewConstraint("~~1")
	t.addErr(`improperConstraint("~~1")`, err)
	_, err = semver.NewConstraint("1|2")
	t.addErr("constraintParserError", err)
}

func websocketTexts(t texts) {
	codes := []int{999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016, 3000, 4999}
	for _, code := range codes {
		t.addErr(fmt.Sprintf("closeError(%d, %q)", code, "bye"), &websocket.CloseError{Code: code, Text: "bye"})
	}
	for _, code := range []int{1000, 1005, 1006, 1012, 1015} {
		t.addErr(fmt.Sprintf("closeError(%d, %q)", code, ""), &websocket.CloseError{Code: code})
	}

	// flux's Upgrade (the upstream's) on a plain GET: the error it returns. gorilla's 400 body
	// itself is only http.StatusText ("Bad Request\n").
	rec := httptest.NewRecorder()
	_, err := fluxws.Upgrade(rec, httptest.NewRequest("GET", "/v11/daemon", nil), nil)
	if rec.Code != http.StatusBadRequest {
		cli.Fail("Upgrade of a plain request answered %d", rec.Code)
	}
	t.addErr("notWebSocketProtocol", err)

	// flux's Dial (fluxd's) answered 401. The listener's host:port is replaced by <host>.
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer unauthorized.Close()
	u, err := url.Parse(strings.Replace(unauthorized.URL, "http:", "ws:", 1) + "/v11/daemon")
	if err != nil {
		cli.Fail("%v", err)
	}
	_, err = fluxws.Dial(&http.Client{Timeout: 10 * time.Second}, "gotext", "", u)
	if err == nil {
		cli.Fail("Dial: no error")
	}
	t.add(`dialError("ws://<host>/v11/daemon", 401)`, strings.Replace(err.Error(), u.Host, "<host>", 1))
}

func httpTexts(t texts) {
	// fluxd's HTTP API (daemon.NewHandler) asked for a retired version, without Accept: the body.
	rec := httptest.NewRecorder()
	daemonhttp.NewHandler(nil, daemonhttp.NewRouter()).ServeHTTP(rec, httptest.NewRequest("GET", "/v5/services", nil))
	if rec.Code != http.StatusGone {
		cli.Fail("daemon API /v5/services answered %d", rec.Code)
	}
	t.add("apiDeprecated", rec.Body.String())

	// flux's HTTP client (fluxctl's) answered 500 with a text body.
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("boom"))
	}))
	defer failing.Close()
	client := fluxclient.New(&http.Client{Timeout: 10 * time.Second}, transport.NewAPIRouter(), failing.URL, "")
	t.addErr(`httpStatus("500 Internal Server Error", "boom")`, client.Ping(context.Background()))
}

// fluxdGoneLog runs fluxd's upstream connection (this program's fluxd-gone command) against a
// server answering 410 Gone: fluxd logs the deprecation error and exits 1. It returns the
// logged error.
func fluxdGoneLog() string {
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusGone)
	}))
	defer gone.Close()
	self, err := os.Executable()
	if err != nil {
		cli.Fail("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, self, "fluxd-gone", gone.URL).Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		cli.Fail("fluxd-gone: want exit status 1, got %v; output: %s", err, out)
	}
	lines := bufio.NewScanner(bytes.NewReader(out))
	for lines.Scan() {
		var entry map[string]interface{}
		if json.Unmarshal(lines.Bytes(), &entry) == nil {
			if text, ok := entry["err"].(string); ok {
				return text
			}
		}
	}
	cli.Fail("fluxd-gone logged no error; output: %s", out)
	return ""
}

// runFluxdGone is what fluxd --connect=endpoint runs (daemon.NewUpstream), logging as JSON on
// stdout. Its loop exits the process with status 1 when the dial is answered 410.
func runFluxdGone(endpoint string) {
	logger := log.NewJSONLogger(os.Stdout)
	_, err := daemonhttp.NewUpstream(&http.Client{Timeout: 10 * time.Second}, "gotext", "", transport.NewUpstreamRouter(), endpoint, nil, 10*time.Second, logger)
	if err != nil {
		cli.Fail("NewUpstream: %v", err)
	}
	time.Sleep(15 * time.Second)
	cli.Fail("fluxd-gone: still running after 15 s")
}
