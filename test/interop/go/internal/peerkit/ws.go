package peerkit

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	fluxclient "github.com/fluxcd/flux/pkg/http/client"
	"github.com/fluxcd/flux/pkg/http/websocket"
)

// UserAgent is what the peers send when they dial (what flux's websocket package test sends).
const UserAgent = "fluxd/test"

// DialWS dials a websocket the way fluxd dials its upstream: flux's websocket.Dial with an
// http.Client carrying fluxd's 10 s timeout, without a token.
func DialWS(u *url.URL) (websocket.Websocket, error) {
	return websocket.Dial(&http.Client{Timeout: 10 * time.Second}, UserAgent, fluxclient.Token(""), u)
}

// DialAndServe plays the daemon's part on a websocket: it dials u with DialWS, prints
// CONNECTED, and runs serve on the websocket until serve returns (the stream has ended); then
// it prints "RSS <peak bytes>" when reportRSS, and SERVE_END. It returns the dial error.
func DialAndServe(u *url.URL, reportRSS bool, serve func(conn io.ReadWriteCloser)) error {
	ws, err := DialWS(u)
	if err != nil {
		return err
	}
	Emit("CONNECTED")
	serve(ws)
	if reportRSS {
		EmitRSS()
	}
	Emit("SERVE_END")
	return nil
}

// WSAcceptor is an HTTP handler that upgrades the first request (any path) with flux's
// websocket.Upgrade, as the upstream (fluxsvc/fluxcloud) does, and hands the websocket over on
// Conns; any later request gets 409.
type WSAcceptor struct {
	name  string
	mu    sync.Mutex
	taken bool
	conns chan websocket.Websocket
}

// NewWSAcceptor returns an acceptor; name (the peer's) prefixes the upgrade failures it
// reports on stderr.
func NewWSAcceptor(name string) *WSAcceptor {
	return &WSAcceptor{name: name, conns: make(chan websocket.Websocket, 1)}
}

// Conns yields the upgraded websocket (once).
func (a *WSAcceptor) Conns() <-chan websocket.Websocket {
	return a.conns
}

// ServeHTTP upgrades the first good request.
func (a *WSAcceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.taken {
		http.Error(w, "already connected", http.StatusConflict)
		return
	}
	ws, err := websocket.Upgrade(w, r, nil)
	if err != nil {
		// Upgrade has already answered with an HTTP error; wait for a good one.
		fmt.Fprintln(os.Stderr, a.name+": upgrade:", err)
		return
	}
	a.taken = true
	a.conns <- ws
}

// ListenWS listens on addr and serves a WSAcceptor there (name as for NewWSAcceptor); it
// returns the listener's address and the channel that yields the first upgraded websocket.
func ListenWS(name, addr string) (string, <-chan websocket.Websocket, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	acceptor := NewWSAcceptor(name)
	go (&http.Server{Handler: acceptor}).Serve(ln)
	return ln.Addr().String(), acceptor.Conns(), nil
}

// AcceptWS plays the upstream's part: it listens on addr (ListenWS), prints
// "LISTEN <host:port>" and waits for the first upgraded websocket.
func AcceptWS(name, addr string) (websocket.Websocket, error) {
	listening, conns, err := ListenWS(name, addr)
	if err != nil {
		return nil, err
	}
	Emit("LISTEN %s", listening)
	return <-conns, nil
}
