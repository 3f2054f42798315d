package main

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

const (
	loopback = "127.0.0.1"
	// userAgent is what flux's websocket package test sends.
	userAgent = "fluxd/test"
)

func checkLoopbackHostPort(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host != loopback {
		return fmt.Errorf("%s: only %s is allowed", hostport, loopback)
	}
	return nil
}

func parseWSURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("%s: scheme must be ws", s)
	}
	if u.Hostname() != loopback {
		return nil, fmt.Errorf("%s: only %s is allowed", s, loopback)
	}
	return u, nil
}

// dialWS dials a websocket the way fluxd does (flux's websocket.Dial), without a token.
func dialWS(u *url.URL) (websocket.Websocket, error) {
	return websocket.Dial(&http.Client{Timeout: 10 * time.Second}, userAgent, fluxclient.Token(""), u)
}

// wsAcceptor upgrades the first HTTP request (any path) with flux's websocket.Upgrade, as the
// upstream (fluxsvc/fluxcloud) does; later requests get 409.
type wsAcceptor struct {
	mu    sync.Mutex
	taken bool
	conns chan websocket.Websocket
}

func newWSAcceptor() *wsAcceptor {
	return &wsAcceptor{conns: make(chan websocket.Websocket, 1)}
}

func (a *wsAcceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.taken {
		http.Error(w, "already connected", http.StatusConflict)
		return
	}
	ws, err := websocket.Upgrade(w, r, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fluxpeer: upgrade:", err)
		return
	}
	a.taken = true
	a.conns <- ws
}

// listenWS listens on addr and returns the listener's address and a channel that yields the
// first upgraded websocket.
func listenWS(addr string) (string, <-chan websocket.Websocket, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	acceptor := newWSAcceptor()
	go (&http.Server{Handler: acceptor}).Serve(ln)
	return ln.Addr().String(), acceptor.conns, nil
}

// acceptOne accepts a single connection on ln and closes ln.
func acceptOne(ln net.Listener) (io.ReadWriteCloser, error) {
	defer ln.Close()
	return ln.Accept()
}
