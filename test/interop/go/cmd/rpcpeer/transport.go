package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/rpc"
	"net/rpc/jsonrpc"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	fluxclient "github.com/fluxcd/flux/pkg/http/client"
	"github.com/fluxcd/flux/pkg/http/websocket"
)

const (
	loopback = "127.0.0.1"
	// userAgent is what flux's websocket package test sends.
	userAgent = "fluxd/test"
)

// maxRSSBytes is this process's peak resident set size.
func maxRSSBytes() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) * 1024 // Linux reports KiB
}

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

// dialWS dials a websocket the way fluxd does (flux's websocket.Dial with an
// http.Client carrying fluxd's 10 s timeout), without a token.
func dialWS(u *url.URL) (websocket.Websocket, error) {
	return websocket.Dial(&http.Client{Timeout: 10 * time.Second}, userAgent, fluxclient.Token(""), u)
}

// wsAcceptor is an HTTP handler that upgrades the first request (any path)
// with flux's websocket.Upgrade and hands the websocket over; any later
// request gets 409.
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
		// Upgrade has already answered with an HTTP error; wait for a good one.
		fmt.Fprintln(os.Stderr, "rpcpeer: upgrade:", err)
		return
	}
	a.taken = true
	a.conns <- ws
}

// signalExit prints RSS (if asked) and exits 0 on SIGTERM/SIGINT.
func signalExit(reportRSS bool) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		if reportRSS {
			emit("RSS %d", maxRSSBytes())
		}
		os.Exit(0)
	}()
}

func cmdServe(args []string) int {
	fs := newFlagSet("serve")
	transport := fs.String("transport", "tcp", "tcp or ws")
	listen := fs.String("listen", "127.0.0.1:0", "tcp: address to listen on")
	dial := fs.String("dial", "", "ws: websocket URL to dial")
	reportRSS := fs.Bool("report-rss", false, "print RSS <peak bytes> before exiting")
	if err := fs.Parse(args); err != nil {
		return usageError("serve: %v", err)
	}
	if fs.NArg() != 0 {
		return usageError("serve: unexpected arguments %v", fs.Args())
	}

	switch *transport {
	case "tcp":
		if err := checkLoopbackHostPort(*listen); err != nil {
			return usageError("serve: --listen %v", err)
		}
		server := newRPCServer(newTestService())
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return setupError(err)
		}
		signalExit(*reportRSS)
		emit("LISTEN %s", ln.Addr().String())
		for {
			conn, err := ln.Accept()
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				return setupError(err)
			}
			go server.ServeCodec(jsonrpc.NewServerCodec(conn))
		}

	case "ws":
		if *dial == "" {
			return usageError("serve: --transport ws needs --dial ws://127.0.0.1:PORT/path")
		}
		u, err := parseWSURL(*dial)
		if err != nil {
			return usageError("serve: --dial %v", err)
		}
		server := newRPCServer(newTestService())
		signalExit(*reportRSS)
		ws, err := dialWS(u)
		if err != nil {
			return setupError(err)
		}
		emit("CONNECTED")
		// ServeCodec returns when the stream ends and closes the codec, which
		// closes the websocket (close frame 1000 "ok").
		server.ServeCodec(jsonrpc.NewServerCodec(ws))
		if *reportRSS {
			emit("RSS %d", maxRSSBytes())
		}
		emit("SERVE_END")
		return 0

	default:
		return usageError("serve: unknown transport %q", *transport)
	}
}

// connectClient sets up the RPC client side of a connection. For ws it
// listens, prints LISTEN and waits for the first websocket upgrade.
func connectClient(transport, listen, dial string) (*rpc.Client, error) {
	switch transport {
	case "tcp":
		conn, err := net.Dial("tcp", dial)
		if err != nil {
			return nil, err
		}
		return rpc.NewClientWithCodec(jsonrpc.NewClientCodec(conn)), nil
	case "ws":
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return nil, err
		}
		acceptor := newWSAcceptor()
		httpServer := &http.Server{Handler: acceptor}
		go httpServer.Serve(ln)
		emit("LISTEN %s", ln.Addr().String())
		ws := <-acceptor.conns
		return rpc.NewClientWithCodec(jsonrpc.NewClientCodec(ws)), nil
	}
	return nil, fmt.Errorf("unknown transport %q", transport)
}
