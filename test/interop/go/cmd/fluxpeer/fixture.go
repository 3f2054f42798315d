package main

import (
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/cluster"
	"github.com/fluxcd/flux/pkg/git"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/remote"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/ssh"
	"github.com/fluxcd/flux/pkg/update"
)

// The "rich" fixture: mock answers that exercise the model (both ID forms, nanosecond UTC and
// non-UTC times, nil vs empty collections, HTML/Unicode text) and the shims (rollout strings,
// tag policies of every pattern kind, available images in daemon order).

var fixtureEpoch = time.Date(2020, time.May, 1, 12, 0, 0, 0, time.UTC)

func mustRef(s string) image.Ref {
	ref, err := image.ParseRef(s)
	if err != nil {
		panic(err)
	}
	return ref
}

// img builds an image.Info for repo:tag, created `age` hours before the epoch (plus odd
// nanoseconds); labelled images carry label times.
func img(repo, tag string, age int, labelled bool) image.Info {
	created := fixtureEpoch.Add(-time.Duration(age)*time.Hour + time.Duration(age*1000+7)*time.Nanosecond)
	info := image.Info{
		ID:          mustRef(repo + ":" + tag),
		Digest:      "sha256:" + tag + "-digest",
		ImageID:     "sha256:" + tag + "-image",
		CreatedAt:   created,
		LastFetched: fixtureEpoch.Add(time.Duration(age) * time.Minute),
	}
	if labelled {
		info.Labels = image.Labels{Created: created.Add(-time.Second), BuildDate: created.Add(-2 * time.Second)}
	}
	return info
}

const (
	helloRepo = "quay.io/weaveworks/helloworld"
	dbRepo    = "docker.io/library/postgres"
	appRepo   = "localhost:5000/team/app"
)

// Available lists in the order a daemon sends them (newest first by creation time), with tags
// that a glob, a semver and a regexp policy filter differently.
func helloAvailable() update.SortedImageInfos {
	return update.SortedImageInfos{
		img(helloRepo, "master-c000003", 1, true),
		img(helloRepo, "v1.2.0", 2, false),
		img(helloRepo, "master-b000002", 3, true),
		img(helloRepo, "latest", 4, false),
		img(helloRepo, "master-a000001", 5, false),
		img(helloRepo, "1.0.0", 6, true),
	}
}

func dbAvailable() update.SortedImageInfos {
	return update.SortedImageInfos{
		img(dbRepo, "1.0.3", 1, false),
		img(dbRepo, "1.1.0", 2, false),
		img(dbRepo, "1.0.10", 3, true),
		img(dbRepo, "0.9.0", 4, false),
		img(dbRepo, "latest", 5, false),
		img(dbRepo, "1.0.10-rc1", 6, false),
	}
}

func richStatuses() []v6.ControllerStatus {
	hello := helloAvailable()
	db := dbAvailable()
	return []v6.ControllerStatus{
		{
			ID: resource.MustParseID("default:deployment/helloworld"),
			Containers: []v6.Container{
				{
					Name:           "helloworld",
					Current:        hello[4],
					LatestFiltered: hello[0],
				},
				{Name: "sidecar", Current: image.Info{ID: mustRef("quay.io/weaveworks/sidecar:master-a000002")}},
			},
			Status:    "ready",
			Rollout:   cluster.RolloutStatus{Desired: 2, Updated: 2, Ready: 2, Available: 2},
			Labels:    map[string]string{"app": "helloworld", "tier": "<front & end>"},
			Automated: true,
			Policies:  map[string]string{"automated": "true", "tag.helloworld": "glob:master-*"},
		},
		{
			ID:         resource.MustParseID("staging:statefulset/db"),
			Containers: []v6.Container{{Name: "db", Current: db[0]}},
			ReadOnly:   v6.ReadOnlyMissing,
			Status:     "3 out of 5 updated",
			Rollout:    cluster.RolloutStatus{Desired: 5, Updated: 1, Ready: 1, Available: 1, Outdated: 2, Messages: []string{"stuck <pods> é"}},
			SyncError:  "sync & failed",
			Antecedent: resource.MustParseID("staging:helmrelease/db"),
			Labels:     map[string]string{},
			Locked:     true,
			Policies:   map[string]string{"locked": "true", "tag.db": "semver:~1.0"},
		},
		{
			ID:      resource.MustParseID("prod/legacy"),
			Status:  "2 out of 2 updated, 1 outdated",
			Rollout: cluster.RolloutStatus{Desired: 9, Updated: 9},
		},
		{
			ID:         resource.MustParseID("prod:daemonset/agent"),
			Containers: []v6.Container{{Name: "agent", Current: img(appRepo, "v2", 1, false)}, {Name: "init"}},
			Status:     "7",
			Ignore:     true,
			Policies:   map[string]string{"ignore": "true", "tag.agent": "regexp:^v[0-9]+$", "tag.init": "glob:*"},
		},
	}
}

func richImages() []v6.ImageStatus {
	hello := helloAvailable()
	db := dbAvailable()
	return []v6.ImageStatus{
		{
			ID: resource.MustParseID("default:deployment/helloworld"),
			Containers: []v6.Container{
				{
					Name:                    "helloworld",
					Current:                 hello[4],
					LatestFiltered:          hello[0],
					Available:               hello,
					AvailableImagesCount:    len(hello),
					NewAvailableImagesCount: 4,
					FilteredImagesCount:     3,
					NewFilteredImagesCount:  2,
				},
				{Name: "sidecar", Current: image.Info{ID: mustRef("quay.io/weaveworks/sidecar:master-a000002")}, Available: update.SortedImageInfos{}},
			},
		},
		{
			ID: resource.MustParseID("staging:statefulset/db"),
			Containers: []v6.Container{
				{Name: "db", Current: db[0], Available: db, AvailableImagesCount: len(db)},
			},
		},
		{
			ID: resource.MustParseID("prod/legacy"),
			Containers: []v6.Container{
				{Name: "app", Current: img(appRepo, "v1", 3, false), AvailableError: "no image data", Available: nil},
			},
		},
		{
			ID: resource.MustParseID("prod:daemonset/agent"),
			Containers: []v6.Container{
				{Name: "agent", Current: img(appRepo, "v2", 1, false), Available: update.SortedImageInfos{
					img(appRepo, "v10", 1, false), img(appRepo, "v9", 2, true), img(appRepo, "v2", 3, false), img(appRepo, "v2-beta", 4, false),
				}},
				{Name: "init"},
			},
		},
		{ID: resource.MustParseID("other:cronjob/nobody")},
	}
}

func richJobStatus() job.Status {
	spec := update.Spec{
		Type:  update.Images,
		Cause: update.Cause{Message: "release <it>", User: "alice@example.com"},
		Spec: update.ReleaseImageSpec{
			ServiceSpecs: []update.ResourceSpec{"default:deployment/helloworld"},
			ImageSpec:    "quay.io/weaveworks/helloworld:master-c000003",
			Kind:         update.ReleaseKindExecute,
			Excludes:     []resource.ID{resource.MustParseID("default:deployment/other")},
		},
	}
	return job.Status{
		Result: job.Result{
			Revision: "a1b2c3d4",
			Spec:     &spec,
			Result: update.Result{
				resource.MustParseID("default:deployment/helloworld"): update.WorkloadResult{
					Status: update.ReleaseStatusSuccess,
					PerContainer: []update.ContainerUpdate{{
						Container: "helloworld",
						Current:   mustRef(helloRepo + ":master-a000001"),
						Target:    mustRef(helloRepo + ":master-c000003"),
					}},
				},
				resource.MustParseID("default:deployment/other"): update.WorkloadResult{Status: update.ReleaseStatusSkipped, Error: "excluded"},
			},
		},
		StatusString: job.StatusSucceeded,
	}
}

func richGitConfig() v6.GitConfig {
	return v6.GitConfig{
		Remote: v6.GitRemoteConfig{Remote: git.Remote{URL: "git@github.com:org/repo"}, Branch: "master", Path: "deploy,apps"},
		PublicSSHKey: ssh.PublicKey{
			Key: "ssh-rsa AAAAB3NzaC1yc2E fluxpeer",
			Fingerprints: map[string]ssh.Fingerprint{
				"md5":    {Hash: "MD5:01:02", Randomart: "+---[RSA 2048]----+\n|  .o=  |\n+----[MD5]-----+"},
				"sha256": {Hash: "SHA256:abc/def+", Randomart: "+---[RSA 2048]----+"},
			},
		},
		Status: git.RepoReady,
	}
}

// richMock is a remote.MockServer answering every method with the rich fixture.
func richMock() *remote.MockServer {
	return &remote.MockServer{
		VersionAnswer:         "1.25.4-fluxpeer",
		ExportAnswer:          []byte("---\nkind: Deployment\nmetadata: {name: \"<hello> & é\"}\n\x00\xff"),
		ListServicesAnswer:    richStatuses(),
		ListImagesAnswer:      richImages(),
		UpdateManifestsAnswer: job.ID("7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b"),
		SyncStatusAnswer:      []string{"a1b2c3", "d4e5f6 <merge>"},
		JobStatusAnswer:       richJobStatus(),
		GitRepoConfigAnswer:   richGitConfig(),
	}
}
