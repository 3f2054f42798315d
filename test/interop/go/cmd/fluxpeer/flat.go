package main

import (
	"context"
	"io"
	"net/rpc"
	"net/rpc/jsonrpc"
	"time"

	"github.com/fluxcd/flux/pkg/api"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/update"
)

// flatRPCServer is a reconstruction of the V6-era ("flat") daemon server (docs/rpc.md §5.1), which
// flux v1.25.4 no longer contains: service RPCServer, each method writing the implementation's
// value itself as the reply, and every error (Flux or not) as the RPC error string. It is built
// from Go's net/rpc and flux's v1.25.4 types, so its bytes are what Go writes for those shapes.
// Like the historic server it writes a nil list as "result":null (docs/rpc.md §5.1's hazard).
//
// SyncNotify (which v1.25.4's api.Server no longer has) answers with the mock's NotifyChange
// error, after recording a NotifyChange of kind git.
type flatRPCServer struct {
	s       api.Server
	timeout time.Duration
}

func newFlatServer(s api.Server, timeout time.Duration) *rpc.Server {
	server := rpc.NewServer()
	if err := server.RegisterName("RPCServer", &flatRPCServer{s, timeout}); err != nil {
		panic(err)
	}
	return server
}

func serveFlat(server *rpc.Server, conn io.ReadWriteCloser) {
	server.ServeCodec(jsonrpc.NewServerCodec(conn))
}

func (p *flatRPCServer) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), p.timeout)
}

func (p *flatRPCServer) Ping(_ struct{}, _ *struct{}) error {
	ctx, cancel := p.ctx()
	defer cancel()
	return p.s.Ping(ctx)
}

func (p *flatRPCServer) Version(_ struct{}, resp *string) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.Version(ctx)
	*resp = v
	return err
}

func (p *flatRPCServer) Export(_ struct{}, resp *[]byte) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.Export(ctx)
	*resp = v
	return err
}

func (p *flatRPCServer) ListServices(namespace string, resp *[]v6.ControllerStatus) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.ListServices(ctx, namespace)
	*resp = v
	return err
}

func (p *flatRPCServer) ListImages(spec update.ResourceSpec, resp *[]v6.ImageStatus) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.ListImages(ctx, spec)
	*resp = v
	return err
}

func (p *flatRPCServer) UpdateManifests(spec update.Spec, resp *job.ID) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.UpdateManifests(ctx, spec)
	*resp = v
	return err
}

func (p *flatRPCServer) SyncNotify(_ struct{}, _ *struct{}) error {
	ctx, cancel := p.ctx()
	defer cancel()
	return p.s.NotifyChange(ctx, v9.Change{Kind: v9.GitChange, Source: v9.GitUpdate{}})
}

func (p *flatRPCServer) JobStatus(id job.ID, resp *job.Status) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.JobStatus(ctx, id)
	*resp = v
	return err
}

func (p *flatRPCServer) SyncStatus(ref string, resp *[]string) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.SyncStatus(ctx, ref)
	*resp = v
	return err
}

func (p *flatRPCServer) GitRepoConfig(regenerate bool, resp *v6.GitConfig) error {
	ctx, cancel := p.ctx()
	defer cancel()
	v, err := p.s.GitRepoConfig(ctx, regenerate)
	*resp = v
	return err
}
