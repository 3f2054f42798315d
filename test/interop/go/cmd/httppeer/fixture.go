package main

import (
	"encoding/json"
	"errors"
	"time"

	pkgerrors "github.com/pkg/errors"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/cluster"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	"github.com/fluxcd/flux/pkg/git"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/remote"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/ssh"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

// errorSpec describes an error a mock method returns, so that the
// TypeScript fake can build the same one from the FIXTURE line.
type errorSpec struct {
	// Flux: a *fluxerr.Error (Type, Help, Err=Error); otherwise errors.New(Error).
	Flux  bool   `json:"flux"`
	Type  string `json:"type"`
	Help  string `json:"help"`
	Error string `json:"error"` // "" with Flux: a nil Err
	// Wrap: errors.Wrap(err, Wrap) around it (github.com/pkg/errors).
	Wrap string `json:"wrap"`
}

func (s errorSpec) build() error {
	var err error
	if s.Flux {
		fe := &fluxerr.Error{Type: fluxerr.Type(s.Type), Help: s.Help}
		if s.Error != "" {
			fe.Err = errors.New(s.Error)
		}
		err = fe
	} else {
		err = errors.New(s.Error)
	}
	if s.Wrap != "" {
		err = pkgerrors.Wrap(err, s.Wrap)
	}
	return err
}

// The methods of remote.MockServer that have an error field, by the names
// used in the FIXTURE line. ListServices* and ListImages* share theirs.
var methodNames = []string{"Ping", "Version", "Export", "ListServices", "ListImages", "UpdateManifests", "NotifyChange", "SyncStatus", "JobStatus", "GitRepoConfig"}

// modeErrors: the errors of the "flux" and "plain" modes.
var modeErrors = map[string]map[string]errorSpec{
	"flux": {
		"Ping":            {Flux: true, Type: "missing", Help: "ping help\n", Error: "no ping for you"},
		"Version":         {Flux: true, Type: "server", Help: "version help <b>\n", Error: "version unknown"},
		"Export":          {Flux: true, Type: "user", Help: "export help\n\n    indented\n", Error: "cannot export: \"quoted\" & <tagged>"},
		"ListServices":    {Flux: true, Type: "missing", Help: "", Error: "namespace not found"},
		"ListImages":      {Flux: true, Type: "server", Help: "images help ✓\n", Error: "registry unreachable"},
		"UpdateManifests": {Flux: true, Type: "user", Help: "update help\n", Error: "git repo not configured", Wrap: "updating manifests"},
		"NotifyChange":    {Flux: true, Type: "weird-type", Help: "notify help\n", Error: "cannot notify"},
		"SyncStatus":      {Flux: true, Type: "server", Help: "sync help without an error\n", Error: ""},
		"JobStatus":       {Flux: true, Type: "missing", Help: "job help\n", Error: "unknown job", Wrap: "looking up job"},
		"GitRepoConfig":   {Flux: true, Type: "user", Help: "git help\n", Error: "no git repo"},
	},
	"plain": {
		"Ping":            {Error: "ping failed"},
		"Version":         {Error: "version failed <&>"},
		"Export":          {Error: "export failed", Wrap: "exporting"},
		"ListServices":    {Error: "listing failed: é ✓"},
		"ListImages":      {Error: "images failed"},
		"UpdateManifests": {Error: "update failed"},
		"NotifyChange":    {Error: "notify failed"},
		"SyncStatus":      {Error: "sync failed"},
		"JobStatus":       {Error: "context deadline exceeded", Wrap: "job"},
		"GitRepoConfig":   {Error: "git failed"},
	},
}

var epoch = time.Date(2020, time.May, 1, 12, 0, 0, 123456789, time.FixedZone("", 2*3600+30*60))

func mustRef(s string) image.Ref {
	ref, err := image.ParseRef(s)
	if err != nil {
		panic(err)
	}
	return ref
}

func imageInfo(ref string, age int) image.Info {
	created := epoch.Add(-time.Duration(age) * 24 * time.Hour)
	return image.Info{
		ID:          mustRef(ref),
		Digest:      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		ImageID:     "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		Labels:      image.Labels{Created: created, BuildDate: created.Add(-90 * time.Second).UTC()},
		CreatedAt:   created,
		LastFetched: epoch.UTC(),
	}
}

func fixtureContainers() []v6.Container {
	v2 := imageInfo("quay.io/org/app:v2.0.0", 0)
	v1 := imageInfo("quay.io/org/app:v1.0.0", 3)
	return []v6.Container{{
		Name:                    "app",
		Current:                 v1,
		LatestFiltered:          v2,
		Available:               update.SortedImageInfos{v2, v1},
		AvailableImagesCount:    2,
		NewAvailableImagesCount: 1,
		FilteredImagesCount:     2,
		NewFilteredImagesCount:  1,
	}, {
		Name:           "sidecar",
		Current:        image.Info{ID: mustRef("docker.io/library/envoy:1.2")},
		AvailableError: "private registry <auth> & rate-limit: \"denied\"",
	}}
}

type answers struct {
	Version         string
	Export          []byte
	Services        []v6.ControllerStatus
	Images          []v6.ImageStatus
	UpdateManifests job.ID
	SyncStatus      []string
	JobStatus       job.Status
	GitRepoConfig   v6.GitConfig
}

func okAnswers() answers {
	spec := update.Spec{Type: update.Images, Cause: update.Cause{Message: "msg", User: "Jane <jane@example.com>"}, Spec: update.ReleaseImageSpec{
		ServiceSpecs: []update.ResourceSpec{update.ResourceSpecAll},
		ImageSpec:    update.ImageSpecLatest,
		Kind:         update.ReleaseKindExecute,
	}}
	return answers{
		Version: "1.25.4-fluxrpc <test> & \"quoted\"",
		Export:  []byte("---\nkind: Deployment\nmetadata:\n  name: \xc3\xa9t\xc3\xa9\n"),
		Services: []v6.ControllerStatus{{
			ID:         resource.MustParseID("default:deployment/app"),
			Containers: fixtureContainers(),
			ReadOnly:   v6.ReadOnlyOK,
			Status:     cluster.StatusReady,
			Rollout:    cluster.RolloutStatus{Desired: 2, Updated: 2, Ready: 1, Available: 1, Outdated: 1, Messages: []string{"waiting <for> pods"}},
			Antecedent: resource.MustParseID("default:helmrelease/app"),
			Labels:     map[string]string{"app": "app", "app.kubernetes.io/managed-by": "flux"},
			Automated:  true,
			Locked:     true,
			Policies:   map[string]string{"automated": "true", "locked": "true", "locked_msg": "hold ✓", "tag.app": "semver:~2"},
		}, {
			ID:     resource.MustParseID("kube-system/legacy"),
			Status: "unknown",
		}},
		Images: []v6.ImageStatus{{
			ID:         resource.MustParseID("default:deployment/app"),
			Containers: fixtureContainers(),
		}, {
			ID: resource.MustParseID("<cluster>:namespace/empty"),
		}},
		UpdateManifests: job.ID("7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b"),
		SyncStatus:      []string{"abc123", "def456 <&>"},
		JobStatus: job.Status{
			Result: job.Result{
				Revision: "abc123",
				Spec:     &spec,
				Result: update.Result{resource.MustParseID("default:deployment/app"): update.WorkloadResult{
					Status:       update.ReleaseStatusSuccess,
					PerContainer: []update.ContainerUpdate{{Container: "app", Current: mustRef("quay.io/org/app:v1.0.0"), Target: mustRef("quay.io/org/app:v2.0.0")}},
				}},
			},
			StatusString: job.StatusSucceeded,
		},
		GitRepoConfig: v6.GitConfig{
			Remote: v6.GitRemoteConfig{Remote: git.Remote{URL: "git@github.com:org/repo"}, Branch: "main", Path: "deploy,charts"},
			PublicSSHKey: ssh.PublicKey{Key: "ssh-rsa AAAAB3Nza fluxd", Fingerprints: map[string]ssh.Fingerprint{
				"md5":    {Hash: "MD5:aa:bb", Randomart: "+---[RSA 2048]----+\n|   .o=           |\n+------------------+"},
				"sha256": {Hash: "SHA256:xyz", Randomart: "art"},
			}},
			Status: git.RepoReady,
		},
	}
}

// mockServer returns the remote.MockServer of a mode.
func mockServer(mode string) (*remote.MockServer, error) {
	switch mode {
	case "ok":
		a := okAnswers()
		return &remote.MockServer{
			VersionAnswer:         a.Version,
			ExportAnswer:          a.Export,
			ListServicesAnswer:    a.Services,
			ListImagesAnswer:      a.Images,
			UpdateManifestsAnswer: a.UpdateManifests,
			SyncStatusAnswer:      a.SyncStatus,
			JobStatusAnswer:       a.JobStatus,
			GitRepoConfigAnswer:   a.GitRepoConfig,
		}, nil
	case "nil":
		return &remote.MockServer{}, nil
	case "flux", "plain":
		e := func(name string) error { return modeErrors[mode][name].build() }
		return &remote.MockServer{
			PingError:            e("Ping"),
			VersionError:         e("Version"),
			ExportError:          e("Export"),
			ListServicesError:    e("ListServices"),
			ListImagesError:      e("ListImages"),
			UpdateManifestsError: e("UpdateManifests"),
			NotifyChangeError:    e("NotifyChange"),
			SyncStatusError:      e("SyncStatus"),
			JobStatusError:       e("JobStatus"),
			GitRepoConfigError:   e("GitRepoConfig"),
		}, nil
	}
	return nil, errors.New("unknown mode " + mode)
}

func cmdFixture(args []string) int {
	if len(args) != 0 {
		return usage()
	}
	out := map[string]interface{}{
		"answers": okAnswers(),
		"errors":  modeErrors,
		"methods": methodNames,
	}
	b, err := json.Marshal(out)
	if err != nil {
		return peerkit.SetupError(err)
	}
	peerkit.Emit("FIXTURE %s", b)
	return 0
}
