package main

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/cluster"
	"github.com/fluxcd/flux/pkg/event"
	"github.com/fluxcd/flux/pkg/git"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/remote"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/ssh"
	"github.com/fluxcd/flux/pkg/update"
)

var epoch = time.Date(2020, time.May, 1, 12, 0, 0, 0, time.UTC)

func mustRef(s string) image.Ref {
	r, err := image.ParseRef(s)
	if err != nil {
		panic(err)
	}
	return r
}

// expectedSpec is what the client mode sends to UpdateManifests and what the
// mock daemon insists on receiving, so spec fidelity through the hub is checked.
func expectedSpec() update.Spec {
	return update.Spec{
		Type:  update.Images,
		Cause: update.Cause{Message: "release <all> & more", User: "alice"},
		Spec: update.ReleaseImageSpec{
			ServiceSpecs: []update.ResourceSpec{"default:deployment/helloworld"},
			ImageSpec:    update.ImageSpecLatest,
			Kind:         update.ReleaseKindExecute,
			Excludes:     []resource.ID{resource.MustParseID("default:deployment/other")},
		},
	}
}

// newMock returns flux's MockServer with fixed answers.
func newMock(versionAnswer string) *remote.MockServer {
	current := image.Info{ID: mustRef("quay.io/weaveworks/helloworld:master-a000001"), CreatedAt: epoch}
	newer := image.Info{ID: mustRef("quay.io/weaveworks/helloworld:master-a000002"), CreatedAt: epoch.Add(24 * time.Hour)}
	return &remote.MockServer{
		VersionAnswer: versionAnswer,
		ExportAnswer:  []byte("---\nkind: Deployment\nmetadata:\n  name: helloworld\n"),
		ListServicesAnswer: []v6.ControllerStatus{{
			ID:         resource.MustParseID("default:deployment/helloworld"),
			Containers: []v6.Container{{Name: "helloworld", Current: current}},
			Status:     cluster.StatusReady,
			Rollout:    cluster.RolloutStatus{Desired: 1, Updated: 1, Ready: 1, Available: 1},
			Policies:   map[string]string{"automated": "true"},
		}},
		ListImagesAnswer: []v6.ImageStatus{{
			ID: resource.MustParseID("default:deployment/helloworld"),
			Containers: []v6.Container{{
				Name: "helloworld", Current: current, LatestFiltered: newer,
				Available: []image.Info{newer, current}, AvailableImagesCount: 2, NewAvailableImagesCount: 1,
				FilteredImagesCount: 2, NewFilteredImagesCount: 1,
			}},
		}},
		UpdateManifestsArgTest: func(s update.Spec) error {
			// The client mode's own spec must arrive intact; the legacy routes make theirs.
			if s.Cause.User == "alice" && !reflect.DeepEqual(s, expectedSpec()) {
				return fmt.Errorf("spec changed on the way: got %+v", s)
			}
			return nil
		},
		UpdateManifestsAnswer: job.ID("job-0001"),
		JobStatusAnswer:       job.Status{StatusString: job.StatusSucceeded, Result: job.Result{Revision: "abc123"}},
		SyncStatusAnswer:      []string{"c1", "c2"},
		GitRepoConfigAnswer: v6.GitConfig{
			Remote:       v6.GitRemoteConfig{Remote: git.Remote{URL: "git@github.com:org/repo"}, Branch: "master", Path: "deploy"},
			PublicSSHKey: ssh.PublicKey{Key: "ssh-rsa AAAAB3Nza go-mock"},
			Status:       git.RepoReady,
		},
	}
}

// sampleEvent is what the daemon mode posts with LogEvent.
func sampleEvent() event.Event {
	return event.Event{
		ServiceIDs: []resource.ID{resource.MustParseID("default:deployment/helloworld")},
		Type:       event.EventSync,
		StartedAt:  epoch,
		EndedAt:    epoch.Add(time.Second),
		LogLevel:   event.LogLevelInfo,
		Message:    "synced <abc123>",
		Metadata:   &event.SyncEventMetadata{Commits: []event.Commit{{Revision: "abc123", Message: "release"}}},
	}
}

var errNoConnection = errors.New("no daemon connected")
