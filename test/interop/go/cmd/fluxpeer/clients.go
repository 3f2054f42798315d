package main

import (
	"fmt"
	"io"
	"net/rpc"

	"github.com/fluxcd/flux/pkg/api"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"
)

// newClient is flux's rpc.NewClientVN for version n (6..11) over conn.
func newClient(n int, conn io.ReadWriteCloser) (api.Server, error) {
	switch n {
	case 6:
		return fluxrpc.NewClientV6(conn), nil
	case 7:
		return fluxrpc.NewClientV7(conn), nil
	case 8:
		return fluxrpc.NewClientV8(conn), nil
	case 9:
		return fluxrpc.NewClientV9(conn), nil
	case 10:
		return fluxrpc.NewClientV10(conn), nil
	case 11:
		return fluxrpc.NewClientV11(conn), nil
	}
	return nil, fmt.Errorf("unknown protocol version %d (6..11)", n)
}

// FluxInfo is a *fluxerr.Error's fields. HasErr is false when Err is nil (Error() would panic).
type FluxInfo struct {
	Type   string `json:"type"`
	Help   string `json:"help"`
	Err    string `json:"err"`
	HasErr bool   `json:"hasErr"`
}

// ErrInfo describes an error a Go client returned, as the TS tests compare it.
type ErrInfo struct {
	// Class: "fatal" (remote.FatalError), "server" (rpc.ServerError), "flux" (*fluxerr.Error),
	// "nil-flux" (a non-nil error interface holding a nil *fluxerr.Error: V7+ Export), "plain".
	Class  string    `json:"class"`
	Text   string    `json:"text"`
	GoType string    `json:"goType"`
	Flux   *FluxInfo `json:"flux,omitempty"`
	// Inner is what a FatalError wraps.
	Inner *ErrInfo `json:"inner,omitempty"`
}

func fluxInfo(e *fluxerr.Error) *FluxInfo {
	info := &FluxInfo{Type: string(e.Type), Help: e.Help}
	if e.Err != nil {
		info.Err = e.Err.Error()
		info.HasErr = true
	}
	return info
}

// describeError classifies err; nil for no error.
func describeError(err error) *ErrInfo {
	if err == nil {
		return nil
	}
	info := &ErrInfo{GoType: fmt.Sprintf("%T", err)}
	switch e := err.(type) {
	case remote.FatalError:
		info.Class = "fatal"
		info.Inner = describeError(e.Err)
	case *remote.FatalError:
		info.Class = "fatal"
		info.Inner = describeError(e.Err)
	case rpc.ServerError:
		info.Class = "server"
	case *fluxerr.Error:
		if e == nil {
			info.Class = "nil-flux"
			return info // Error() would panic
		}
		info.Class = "flux"
		info.Flux = fluxInfo(e)
		if !info.Flux.HasErr {
			return info // Error() would panic
		}
	default:
		info.Class = "plain"
	}
	info.Text = err.Error()
	return info
}
