package main

import (
	"fmt"
	"io"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"

	"fluxrpc/interop/internal/peerkit"
)

func cmdServe(args []string) int {
	fs := peerkit.NewFlagSet("serve")
	transport := fs.String("transport", "tcp", "tcp or ws")
	listen := fs.String("listen", "127.0.0.1:0", "tcp: address to listen on")
	dial := fs.String("dial", "", "ws: websocket URL to dial")
	reportRSS := fs.Bool("report-rss", false, "print RSS <peak bytes> before exiting")
	if err := peerkit.ParseFlags(fs, args); err != nil {
		return cli.UsageError("serve: %v", err)
	}

	switch *transport {
	case "tcp":
		if err := peerkit.CheckLoopback(*listen); err != nil {
			return cli.UsageError("serve: --listen %v", err)
		}
		server := newRPCServer(newTestService())
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return peerkit.SetupError(err)
		}
		peerkit.ExitOnSignal(*reportRSS)
		peerkit.Emit("LISTEN %s", ln.Addr().String())
		return peerkit.SetupError(peerkit.AcceptLoop(ln, func(conn net.Conn) {
			server.ServeCodec(jsonrpc.NewServerCodec(conn))
		}))

	case "ws":
		if *dial == "" {
			return cli.UsageError("serve: --transport ws needs --dial ws://127.0.0.1:PORT/path")
		}
		u, err := peerkit.ParseWSURL(*dial)
		if err != nil {
			return cli.UsageError("serve: --dial %v", err)
		}
		server := newRPCServer(newTestService())
		peerkit.ExitOnSignal(*reportRSS)
		// ServeCodec returns when the stream ends and closes the codec, which closes the
		// websocket (close frame 1000 "ok").
		err = peerkit.DialAndServe(u, *reportRSS, func(ws io.ReadWriteCloser) {
			server.ServeCodec(jsonrpc.NewServerCodec(ws))
		})
		if err != nil {
			return peerkit.SetupError(err)
		}
		return 0

	default:
		return cli.UsageError("serve: unknown transport %q", *transport)
	}
}

// connectClient sets up the RPC client side of a connection. For ws it listens, prints LISTEN
// and waits for the first websocket upgrade.
func connectClient(transport, listen, dial string) (*rpc.Client, error) {
	switch transport {
	case "tcp":
		conn, err := net.Dial("tcp", dial)
		if err != nil {
			return nil, err
		}
		return rpc.NewClientWithCodec(jsonrpc.NewClientCodec(conn)), nil
	case "ws":
		ws, err := peerkit.AcceptWS(cli.Name, listen)
		if err != nil {
			return nil, err
		}
		return rpc.NewClientWithCodec(jsonrpc.NewClientCodec(ws)), nil
	}
	return nil, fmt.Errorf("unknown transport %q", transport)
}
