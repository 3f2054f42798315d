package peerkit

import (
	"fmt"
	"net"
	"net/url"
)

// Loopback is the only host the peers listen on or dial.
const Loopback = "127.0.0.1"

// CheckLoopback checks that hostport is "127.0.0.1:<port>".
func CheckLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host != Loopback {
		return fmt.Errorf("%s: only %s is allowed", hostport, Loopback)
	}
	return nil
}

// ParseWSURL parses a websocket URL to dial: its scheme must be ws and its host 127.0.0.1.
func ParseWSURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("%s: scheme must be ws", s)
	}
	if u.Hostname() != Loopback {
		return nil, fmt.Errorf("%s: only %s is allowed", s, Loopback)
	}
	return u, nil
}
