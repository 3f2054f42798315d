package peerkit

import (
	"errors"
	"io"
	"net"
)

// Listen listens on the TCP address addr and, once the listener is ready, prints
// "<label> <host:port>" (label is "LISTEN", "LISTEN union", "MOCK", "CONTROL", ...).
func Listen(label, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	Emit("%s %s", label, ln.Addr().String())
	return ln, nil
}

// AcceptLoop accepts connections on ln, each handled by handle in its own goroutine, until
// Accept fails other than by a timeout; it returns that error.
func AcceptLoop(ln net.Listener, handle func(conn net.Conn)) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		go handle(conn)
	}
}

// AcceptOne accepts a single connection on ln and closes ln.
func AcceptOne(ln net.Listener) (io.ReadWriteCloser, error) {
	defer ln.Close()
	return ln.Accept()
}
