package main

import (
	"context"
	"encoding/json"
	"net/http"

	pkgerrors "github.com/pkg/errors"

	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	transport "github.com/fluxcd/flux/pkg/http"
	"github.com/fluxcd/flux/pkg/http/client"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/policy"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

// outcome is one call's result as printed in the RESULT line.
type outcome struct {
	Call  string          `json:"call"`
	Value json.RawMessage `json:"value"` // json.Marshal of the returned value (also on error)
	Error *outcomeError   `json:"error"`
}

type outcomeError struct {
	Flux    bool   `json:"flux"` // errors.Cause(err) is a *fluxerr.Error
	Type    string `json:"type"`
	Help    string `json:"help"`
	Message string `json:"message"`
}

func describe(err error) *outcomeError {
	if err == nil {
		return nil
	}
	if fe, ok := pkgerrors.Cause(err).(*fluxerr.Error); ok {
		msg := ""
		if fe.Err != nil {
			msg = fe.Err.Error()
		}
		return &outcomeError{Flux: true, Type: string(fe.Type), Help: fe.Help, Message: msg}
	}
	return &outcomeError{Message: err.Error()}
}

func marshal(v interface{}) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal("marshal error: " + err.Error())
	}
	return b
}

// The calls, in order. The TypeScript test makes the same calls with our
// client (test/interop/http.interop.test.ts, clientCalls).
func runCalls(ctx context.Context, c *client.Client) []outcome {
	var out []outcome
	add := func(call string, v interface{}, err error) {
		out = append(out, outcome{Call: call, Value: marshal(v), Error: describe(err)})
	}
	err := c.Ping(ctx)
	add("Ping", nil, err)

	version, err := c.Version(ctx)
	add("Version", version, err)

	err = c.NotifyChange(ctx, v9.Change{Kind: v9.GitChange, Source: v9.GitUpdate{URL: "git@example.com:org/repo", Branch: "main"}})
	add("NotifyChange(git)", nil, err)
	name, _ := image.ParseRef("quay.io/org/app")
	err = c.NotifyChange(ctx, v9.Change{Kind: v9.ImageChange, Source: v9.ImageUpdate{Name: name.Name}})
	add("NotifyChange(image)", nil, err)

	services, err := c.ListServices(ctx, "default")
	add("ListServices(default)", services, err)
	services, err = c.ListServices(ctx, "")
	add("ListServices()", services, err)
	services, err = c.ListServicesWithOptions(ctx, v11.ListServicesOptions{Services: []resource.ID{
		resource.MustParseID("default:deployment/app"), resource.MustParseID("kube-system/legacy")}})
	add("ListServicesWithOptions(services)", services, err)
	services, err = c.ListServicesWithOptions(ctx, v11.ListServicesOptions{Namespace: "ns with space&=é/?"})
	add("ListServicesWithOptions(namespace)", services, err)

	images, err := c.ListImages(ctx, update.ResourceSpecAll)
	add("ListImages(<all>)", images, err)
	images, err = c.ListImages(ctx, update.ResourceSpec("default:Deployment/app"))
	add("ListImages(id)", images, err)
	images, err = c.ListImagesWithOptions(ctx, v10.ListImagesOptions{Spec: "default:deployment/app", OverrideContainerFields: []string{"Name", "Current"}, Namespace: "staging"})
	add("ListImagesWithOptions(fields)", images, err)
	images, err = c.ListImagesWithOptions(ctx, v10.ListImagesOptions{})
	add("ListImagesWithOptions()", images, err)

	id, err := c.UpdateManifests(ctx, update.Spec{Type: update.Images, Cause: update.Cause{Message: "release <it>", User: "Jane"}, Spec: update.ReleaseImageSpec{
		ServiceSpecs: []update.ResourceSpec{"default:deployment/app"},
		ImageSpec:    "quay.io/org/app:v2.0.0",
		Kind:         update.ReleaseKindPlan,
		Excludes:     []resource.ID{resource.MustParseID("default:deployment/other")},
		Force:        true,
	}})
	add("UpdateManifests(image)", id, err)
	id, err = c.UpdateManifests(ctx, update.Spec{Type: update.Policy, Cause: update.Cause{User: "bot"}, Spec: resource.PolicyUpdates{
		resource.MustParseID("default:deployment/app"): resource.PolicyUpdate{Add: policy.Set{policy.Locked: "true"}, Remove: policy.Set{policy.Automated: "true"}},
	}})
	add("UpdateManifests(policy)", id, err)
	id, err = c.UpdateManifests(ctx, update.Spec{Type: update.Sync, Spec: update.ManualSync{}})
	add("UpdateManifests(sync)", id, err)

	status, err := c.JobStatus(ctx, "job id/with ?&=+%; é")
	add("JobStatus", status, err)

	commits, err := c.SyncStatus(ctx, "refs/heads/main~1")
	add("SyncStatus", commits, err)

	exported, err := c.Export(ctx)
	add("Export", exported, err)

	config, err := c.GitRepoConfig(ctx, false)
	add("GitRepoConfig(false)", config, err)
	config, err = c.GitRepoConfig(ctx, true)
	add("GitRepoConfig(true)", config, err)
	return out
}

func cmdClient(args []string) int {
	fs := peerkit.NewFlagSet("client")
	url := fs.String("url", "", "API base URL")
	token := fs.String("token", "", "token")
	if err := peerkit.ParseFlags(fs, args); err != nil || *url == "" {
		return usage()
	}
	c := client.New(http.DefaultClient, transport.NewAPIRouter(), *url, client.Token(*token))
	peerkit.Emit("RESULT %s", marshal(runCalls(context.Background(), c)))
	return 0
}
