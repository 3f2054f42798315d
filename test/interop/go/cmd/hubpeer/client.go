package main

import (
	"context"
	"flag"
	"net/http"
	"time"

	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	transport "github.com/fluxcd/flux/pkg/http"
	fluxclient "github.com/fluxcd/flux/pkg/http/client"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/ssh"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

// runClient calls every route of the Flux HTTP API once with flux's own client
// (what fluxctl uses) and prints one RESULT line per call.
func runClient(args []string) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	url := fs.String("url", "", "API base, e.g. http://127.0.0.1:PORT/api/flux")
	token := fs.String("token", "", "token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c := fluxclient.New(&http.Client{Timeout: 20 * time.Second}, transport.NewAPIRouter(), *url, fluxclient.Token(*token))
	ctx := context.Background()

	result("Ping", nil, c.Ping(ctx))
	v, err := c.Version(ctx)
	result("Version", v, err)
	ls, err := c.ListServices(ctx, "default")
	result("ListServices", ls, err)
	lso, err := c.ListServicesWithOptions(ctx, v11.ListServicesOptions{Services: []resource.ID{resource.MustParseID("default:deployment/helloworld")}})
	result("ListServicesWithOptions", lso, err)
	li, err := c.ListImages(ctx, update.ResourceSpecAll)
	result("ListImages", li, err)
	lio, err := c.ListImagesWithOptions(ctx, v10.ListImagesOptions{Spec: "default:deployment/helloworld", OverrideContainerFields: []string{"Name", "Current", "LatestFiltered"}})
	result("ListImagesWithOptions", lio, err)
	id, err := c.UpdateManifests(ctx, expectedSpec())
	result("UpdateManifests", id, err)
	js, err := c.JobStatus(ctx, "job-0001")
	result("JobStatus", js, err)
	ss, err := c.SyncStatus(ctx, "HEAD")
	result("SyncStatus", ss, err)
	ex, err := c.Export(ctx)
	result("Export", ex, err)
	gc, err := c.GitRepoConfig(ctx, false)
	result("GitRepoConfig", gc, err)
	result("NotifyChange", nil, c.NotifyChange(ctx, v9.Change{Kind: v9.GitChange, Source: v9.GitUpdate{URL: "git@github.com:org/repo", Branch: "master"}}))

	// The legacy routes older fluxctls use.
	err = c.Post(ctx, transport.UpdateImages, "service", "default:deployment/helloworld", "image", "<all latest>", "kind", "execute")
	result("UpdateImages", nil, err)
	err = c.PatchWithBody(ctx, transport.UpdatePolicies, resource.PolicyUpdates{resource.MustParseID("default:deployment/helloworld"): {}})
	result("UpdatePolicies", nil, err)
	var key ssh.PublicKey
	err = c.Get(ctx, &key, transport.GetPublicSSHKey)
	result("GetPublicSSHKey", key, err)
	result("RegeneratePublicSSHKey", nil, c.Post(ctx, transport.RegeneratePublicSSHKey))
	peerkit.Emit("DONE")
	return nil
}
