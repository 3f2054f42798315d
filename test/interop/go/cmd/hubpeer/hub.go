package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/fluxcd/flux/pkg/api"
	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	"github.com/fluxcd/flux/pkg/event"
	"github.com/fluxcd/flux/pkg/http/websocket"
	"github.com/fluxcd/flux/pkg/remote/rpc"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

var daemonPath = regexp.MustCompile(`^(?:/api/flux)?/v(6|7|8|9|10|11)/daemon$`)

type hubConn struct {
	n      int
	client api.Server
	ws     websocket.Websocket
}

// runHub is a Go upstream (fluxsvc's role, reduced): it checks the token, answers
// 410 with --gone, upgrades with flux's websocket.Upgrade and talks to the daemon
// with the rpc.NewClientV<N> of the route dialled.
func runHub(args []string) error {
	fs := flag.NewFlagSet("hub", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	token := fs.String("token", "", "the one accepted token")
	gone := fs.Bool("gone", false, "answer every registration with 410 Gone")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := peerkit.CheckLoopback(*listen); err != nil {
		return err
	}
	var mu sync.Mutex
	var latest *hubConn
	count := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && (r.URL.Path == "/v6/events" || r.URL.Path == "/api/flux/v6/events") {
			var e event.Event
			body, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(body, &e); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			peerkit.Emit("EVENT %s", body)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		m := daemonPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Scope-Probe token="+*token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			peerkit.Emit("REFUSED 401 %s", r.Header.Get("User-Agent"))
			return
		}
		if *gone {
			http.Error(w, "gone", http.StatusGone)
			peerkit.Emit("REFUSED 410 %s", r.Header.Get("User-Agent"))
			return
		}
		ws, err := websocket.Upgrade(w, r, nil)
		if err != nil {
			peerkit.Emit("UPGRADE_ERROR %s", err)
			return
		}
		version, _ := strconv.Atoi(m[1])
		var client api.Server
		switch version {
		case 6:
			client = rpc.NewClientV6(ws)
		case 7:
			client = rpc.NewClientV7(ws)
		case 8:
			client = rpc.NewClientV8(ws)
		case 9:
			client = rpc.NewClientV9(ws)
		case 10:
			client = rpc.NewClientV10(ws)
		default:
			client = rpc.NewClientV11(ws)
		}
		mu.Lock()
		count++
		c := &hubConn{n: count, client: client, ws: ws}
		latest = c
		mu.Unlock()
		peerkit.Emit("CONNECTED %d %d %s", c.n, version, r.Header.Get("User-Agent"))
		// Notice the end of the connection: Ping fails once it is gone.
		go func() {
			for {
				if err := client.Ping(context.Background()); err != nil {
					peerkit.Emit("DISCONNECTED %d %s", c.n, err)
					return
				}
				<-pingTick()
			}
		}()
	})
	l, err := peerkit.Listen("LISTEN", *listen)
	if err != nil {
		return err
	}
	stdinLines(func(line string) {
		mu.Lock()
		c := latest
		mu.Unlock()
		if c == nil {
			peerkit.Emit("ERROR %s", errNoConnection)
			return
		}
		switch line {
		case "calls":
			callAll(c.client)
		case "close":
			c.ws.Close()
		}
	}, func() { l.Close() })
	return http.Serve(l, mux)
}

// callAll calls every method of the client once and prints the results.
func callAll(c api.Server) {
	ctx := context.Background()
	result("Ping", nil, c.Ping(ctx))
	v, err := c.Version(ctx)
	result("Version", v, err)
	ls, err := c.ListServices(ctx, "default")
	result("ListServices", ls, err)
	lso, err := c.ListServicesWithOptions(ctx, v11.ListServicesOptions{Services: []resource.ID{resource.MustParseID("shop:statefulset/redis")}})
	result("ListServicesWithOptions", lso, err)
	li, err := c.ListImages(ctx, update.ResourceSpecAll)
	result("ListImages", li, err)
	lio, err := c.ListImagesWithOptions(ctx, v10.ListImagesOptions{Spec: "default:deployment/podinfo", OverrideContainerFields: []string{"Name", "LatestFiltered"}})
	result("ListImagesWithOptions", lio, err)
	spec := update.Spec{Type: update.Images, Cause: update.Cause{User: "go-hub"}, Spec: update.ReleaseImageSpec{
		ServiceSpecs: []update.ResourceSpec{"default:deployment/podinfo"}, ImageSpec: update.ImageSpecLatest, Kind: update.ReleaseKindExecute}}
	id, err := c.UpdateManifests(ctx, spec)
	result("UpdateManifests", id, err)
	js, err := c.JobStatus(ctx, id)
	result("JobStatus", js, err)
	ss, err := c.SyncStatus(ctx, "HEAD")
	result("SyncStatus", ss, err)
	ex, err := c.Export(ctx)
	// Go's V7+ Export returns a nil *fluxerr.Error as a non-nil error on success
	// (docs/rpc.md §6.3; calling Error() on it panics): report that case as success.
	if isNilPointer(err) {
		err = nil
	}
	result("Export", string(ex), err)
	gc, err := c.GitRepoConfig(ctx, false)
	result("GitRepoConfig", gc, err)
	result("NotifyChange", nil, c.NotifyChange(ctx, v9.Change{Kind: v9.GitChange, Source: v9.GitUpdate{URL: "git@github.com:example/demo-cluster", Branch: "main"}}))
	peerkit.Emit("DONE")
}

func isNilPointer(err error) bool {
	if err == nil {
		return false
	}
	v := reflect.ValueOf(err)
	return v.Kind() == reflect.Ptr && v.IsNil()
}

func pingTick() <-chan time.Time {
	return time.After(200 * time.Millisecond)
}
