package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/cluster"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/update"

	"fluxrpc/interop/internal/peerkit"
)

// fixtureEpoch is the base of every time in the fixture (no time.Now).
var fixtureEpoch = time.Date(2020, time.May, 1, 12, 0, 0, 0, time.UTC)

var (
	fixtureNamespaces = []string{"default", "staging", "prod"}
	fixtureKinds      = []string{"deployment", "deployment", "statefulset", "daemonset"}
	fixtureTiers      = []string{"frontend", "backend", "cache", "worker", "api"}
)

// fakeDigest returns a deterministic "sha256:<64 hex>" string.
func fakeDigest(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func mustRef(s string) image.Ref {
	ref, err := image.ParseRef(s)
	if err != nil {
		panic(err)
	}
	return ref
}

// fixtureImage builds one image.Info for repo:tag; age orders images (a
// larger age is older).
func fixtureImage(repo, tag string, i, age int) image.Info {
	created := fixtureEpoch.Add(time.Duration(i)*time.Hour - time.Duration(age)*72*time.Hour +
		time.Duration(i*7+age)*time.Millisecond + time.Duration(age*1000+i)*time.Nanosecond)
	labels := image.Labels{Created: created}
	if age%2 == 0 {
		labels.BuildDate = created.Add(-90 * time.Second)
	}
	return image.Info{
		ID:          mustRef(repo + ":" + tag),
		Digest:      fakeDigest("digest " + repo + ":" + tag),
		ImageID:     fakeDigest("image " + repo + ":" + tag),
		Labels:      labels,
		CreatedAt:   created,
		LastFetched: fixtureEpoch.Add(time.Duration(30*24+i) * time.Hour),
	}
}

// fixtureContainer builds a container running repo:tags[current], with
// tags (newest first) available.
func fixtureContainer(name, repo string, tags []string, current, i int) v6.Container {
	available := make(update.SortedImageInfos, len(tags))
	for k, tag := range tags {
		available[k] = fixtureImage(repo, tag, i, k)
	}
	return v6.Container{
		Name:                    name,
		Current:                 available[current],
		LatestFiltered:          available[0],
		Available:               available,
		AvailableImagesCount:    len(available),
		NewAvailableImagesCount: current,
		FilteredImagesCount:     len(available),
		NewFilteredImagesCount:  current,
	}
}

// buildStatuses returns n realistic, deterministic controller statuses.
func buildStatuses(n int) []v6.ControllerStatus {
	statuses := make([]v6.ControllerStatus, n)
	for i := 0; i < n; i++ {
		ns := fixtureNamespaces[i%len(fixtureNamespaces)]
		kind := fixtureKinds[i%len(fixtureKinds)]
		name := fmt.Sprintf("app-%d", i)
		minor := i % 5
		appTags := []string{
			fmt.Sprintf("1.%d.3", minor+1),
			fmt.Sprintf("1.%d.2", minor),
			fmt.Sprintf("1.%d.1", minor),
		}
		sidecarTags := []string{"v2.1.0", "v2.0.1", "v2.0.0"}

		app := fixtureContainer(name, "docker.io/org/"+name, appTags, 1, i)
		sidecar := fixtureContainer("envoy", "quay.io/proxy/envoy", sidecarTags, i%2, i)
		if i%9 == 4 {
			sidecar.AvailableError = "private registry <auth> & rate-limit: \"denied\""
		}

		automated := i%3 == 0
		locked := i%7 == 3
		ignore := i%11 == 5
		policies := map[string]string{
			"tag." + name: "semver:~1." + strconv.Itoa(minor),
			"tag.envoy":   "glob:v2.*",
		}
		if automated {
			policies["automated"] = "true"
		}
		if locked {
			policies["locked"] = "true"
			policies["locked_msg"] = "hold <release> & wait – équipe " + strconv.Itoa(i)
			policies["locked_user"] = "Ops Team <ops@example.com>"
		}
		if ignore {
			policies["ignore"] = "true"
		}

		replicas := int32(1 + i%4)
		statuses[i] = v6.ControllerStatus{
			ID:         resource.MakeID(ns, kind, name),
			Containers: []v6.Container{app, sidecar},
			ReadOnly:   v6.ReadOnlyOK,
			Status:     cluster.StatusReady,
			Rollout: cluster.RolloutStatus{
				Desired:   replicas,
				Updated:   replicas,
				Ready:     replicas,
				Available: replicas,
				Outdated:  0,
			},
			SyncError: "",
			Labels: map[string]string{
				"app":                          name,
				"app.kubernetes.io/managed-by": "flux",
				"app.kubernetes.io/version":    appTags[1],
				"tier":                         fixtureTiers[i%len(fixtureTiers)],
			},
			Automated: automated,
			Locked:    locked,
			Ignore:    ignore,
			Policies:  policies,
		}
	}
	return statuses
}

func cmdFixture(args []string) int {
	if len(args) < 1 || args[0] != "statuses" {
		return cli.UsageError("fixture: expected \"statuses\"")
	}
	fs := peerkit.NewFlagSet("fixture statuses")
	n := fs.Int("n", 50, "number of statuses")
	if err := fs.Parse(args[1:]); err != nil {
		return cli.UsageError("fixture: %v", err)
	}
	if fs.NArg() != 0 || *n < 0 {
		return cli.UsageError("fixture: bad arguments")
	}
	b, err := json.Marshal(buildStatuses(*n))
	if err != nil {
		fmt.Fprintln(os.Stderr, "rpcpeer: fixture:", err)
		return 1
	}
	os.Stdout.Write(b)
	return 0
}
