package main

import (
	"errors"
	"time"

	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	"github.com/fluxcd/flux/pkg/cluster"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	"github.com/fluxcd/flux/pkg/event"
	"github.com/fluxcd/flux/pkg/git"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/policy"
	"github.com/fluxcd/flux/pkg/remote"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/ssh"
	"github.com/fluxcd/flux/pkg/update"
)

type vector struct {
	Type  string
	Value interface{}
}

func id(s string) resource.ID { return resource.MustParseID(s) }

func ref(s string) image.Ref {
	r, err := image.ParseRef(s)
	if err != nil {
		panic(err)
	}
	return r
}

// Strings that exercise Go's escaping: HTML characters, non-ASCII, line and paragraph separators,
// control characters other than \b and \f (Go 1.19 writes those as \u0008 and \u000c, the Go that
// runs this program may write \b and \f), DEL, and a byte that is not UTF-8 (written as \ufffd).
const (
	tricky  = "<a href=\"x\">&amp;</a> é ü 日本 🚀 \u2028\u2029 \u0001\u001f\t\r\n\x7f back\\slash /"
	badUTF8 = "bad \xff byte"
)

var (
	tz1   = time.FixedZone("", 3600)
	tzNeg = time.FixedZone("", -(5*3600 + 30*60))
	t1    = time.Date(2019, 2, 14, 10, 0, 0, 500000000, tz1)
	t2    = time.Date(2019, 2, 14, 10, 0, 0, 0, time.UTC)
	t3    = time.Date(2021, 12, 31, 23, 59, 59, 123456789, tzNeg)
	t4    = time.Date(2000, 1, 1, 0, 0, 0, 100, time.UTC)
)

func fullInfo() image.Info {
	return image.Info{
		ID:          ref("quay.io/weaveworks/helloworld:master-a000001"),
		Digest:      "sha256:abc",
		ImageID:     "sha256:def",
		Labels:      image.Labels{Created: t1},
		CreatedAt:   t1,
		LastFetched: time.Date(2019, 2, 14, 10, 0, 0, 500000000, time.UTC).Add(time.Hour),
	}
}

func containers() []v6.Container {
	return []v6.Container{
		{
			Name:                 "helloworld",
			Current:              image.Info{ID: ref("quay.io/weaveworks/helloworld:master-a000001")},
			LatestFiltered:       fullInfo(),
			Available:            update.SortedImageInfos{fullInfo(), {ID: ref("alpine")}},
			AvailableImagesCount: 2,
		},
		{
			Name:                    "sidecar",
			Current:                 image.Info{ID: ref("localhost:5000/arbitrary/path/to/repo:revision-sha1"), Labels: image.Labels{BuildDate: t3, Created: t4}},
			AvailableError:          "no image metadata",
			NewAvailableImagesCount: 1,
			FilteredImagesCount:     3,
			NewFilteredImagesCount:  4,
			Available:               update.SortedImageInfos{},
		},
	}
}

func controllerStatus() v6.ControllerStatus {
	return v6.ControllerStatus{
		ID:         id("default:deployment/helloworld"),
		Containers: containers(),
		ReadOnly:   v6.ReadOnlyOK,
		Status:     "ready",
		Rollout:    cluster.RolloutStatus{Desired: 2, Updated: 2, Ready: 2, Available: 2, Outdated: 0},
		SyncError:  "",
		Antecedent: id("default:helmrelease/hr"),
		Labels:     map[string]string{"app": "helloworld", "a": "b", "10": "x", "2": "y", "B": "z", "é": "e", "<k>": "&"},
		Automated:  true,
		Policies:   map[string]string{"automated": "true", "tag.helloworld": "glob:master-*"},
	}
}

func releaseImageSpec() update.ReleaseImageSpec {
	return update.ReleaseImageSpec{
		ServiceSpecs: []update.ResourceSpec{update.ResourceSpecAll, "default:deployment/a"},
		ImageSpec:    update.ImageSpecLatest,
		Kind:         update.ReleaseKindExecute,
		Excludes:     []resource.ID{id("default:deployment/b"), id("ns/legacy")},
		Force:        true,
	}
}

func containersSpec() update.ReleaseContainersSpec {
	return update.ReleaseContainersSpec{
		Kind: update.ReleaseKindPlan,
		ContainerSpecs: map[resource.ID][]update.ContainerUpdate{
			id("default:deployment/a"):  {{Container: "c", Current: ref("quay.io/weaveworks/helloworld:master-a000001"), Target: ref("quay.io/weaveworks/helloworld:v2")}},
			id("<cluster>:namespace/x"): nil,
			id("default:deployment/B"):  {},
		},
		SkipMismatches: true,
	}
}

func automated() update.Automated {
	return update.Automated{Changes: []update.Change{
		{WorkloadID: id("default:deployment/a"), Container: resource.Container{Name: "c", Image: ref("quay.io/weaveworks/helloworld:master-a000001")}, ImageID: ref("quay.io/weaveworks/helloworld:master-a000001")},
		{WorkloadID: id("ns/legacy"), Container: resource.Container{Name: tricky, Image: ref("foo:1@sha256:abc")}, ImageID: ref("a/b/c:d")},
	}}
}

func policyUpdates() resource.PolicyUpdates {
	return resource.PolicyUpdates{
		id("default:deployment/a"): {Remove: policy.Set{policy.Locked: "true"}},
		id("default:deployment/b"): {Add: policy.Set{policy.Automated: "true", policy.TagPrefix("c"): "semver:~1.2"}},
		id("ns/legacy"):            {Add: policy.Set{}, Remove: policy.Set{policy.LockedMsg: tricky, policy.LockedUser: "me <me@example.com>"}},
	}
}

func updateResult() update.Result {
	return update.Result{
		id("default:deployment/a"): {Status: update.ReleaseStatusSuccess, PerContainer: []update.ContainerUpdate{{Container: "c", Current: ref("quay.io/weaveworks/helloworld:master-a000001"), Target: ref("quay.io/weaveworks/helloworld:v2")}}},
		id("default:deployment/b"): {Status: update.ReleaseStatusSkipped, Error: "image(s) up to date"},
		id("ns/legacy"):            {Status: update.ReleaseStatusFailed, Error: "container(s) not found: x, y", PerContainer: []update.ContainerUpdate{}},
	}
}

func specs() []update.Spec {
	return []update.Spec{
		{Type: update.Images, Cause: update.Cause{Message: "msg", User: "me"}, Spec: releaseImageSpec()},
		{Type: update.Images, Spec: update.ReleaseImageSpec{}},
		{Type: update.Policy, Cause: update.Cause{User: update.UserAutomated}, Spec: policyUpdates()},
		{Type: update.Policy, Spec: resource.PolicyUpdates(nil)},
		{Type: update.Policy, Spec: resource.PolicyUpdates{}},
		{Type: update.Auto, Spec: automated()},
		{Type: update.Auto, Spec: update.Automated{}},
		{Type: update.Sync, Cause: update.Cause{Message: tricky}, Spec: update.ManualSync{}},
		{Type: update.Containers, Spec: containersSpec()},
		{Type: update.Containers, Spec: update.ReleaseContainersSpec{}},
	}
}

func events() []event.Event {
	spec := specs()[0]
	return []event.Event{
		{ServiceIDs: []resource.ID{id("default:deployment/a")}, Type: event.EventSync, StartedAt: time.Date(2020, 5, 1, 12, 0, 0, 123000000, time.FixedZone("", 7200)), EndedAt: time.Date(2020, 5, 1, 12, 0, 0, 123000000, time.FixedZone("", 7200)), LogLevel: event.LogLevelInfo,
			Metadata: &event.SyncEventMetadata{Commits: []event.Commit{{Revision: "abc", Message: "m"}}, Includes: map[string]bool{"other": true, "release": false}}},
		{ID: 42, Type: event.EventSync, StartedAt: t1, EndedAt: t3, LogLevel: event.LogLevelWarn, Message: tricky,
			Metadata: &event.SyncEventMetadata{Revs: []string{"r1", "r2"}, Commits: []event.Commit{{Revision: "r1"}, {Revision: "r2"}}, Errors: []event.ResourceError{{ID: id("default:deployment/a"), Path: "a.yaml", Error: "bad"}}, InitialSync: true}},
		{ServiceIDs: []resource.ID{id("default:deployment/app")}, Type: event.EventRelease, StartedAt: t2, EndedAt: t2, LogLevel: event.LogLevelInfo,
			Metadata: &event.ReleaseEventMetadata{ReleaseEventCommon: event.ReleaseEventCommon{Revision: "abc123", Result: updateResult()}, Spec: event.ReleaseSpec{Type: event.ReleaseImageSpecType, ReleaseImageSpec: &update.ReleaseImageSpec{ServiceSpecs: []update.ResourceSpec{"default:deployment/app"}, ImageSpec: "quay.io/org/app:v2", Kind: update.ReleaseKindExecute}}, Cause: update.Cause{User: "alice"}}},
		{Type: event.EventRelease, StartedAt: t2, EndedAt: t2, LogLevel: event.LogLevelError,
			Metadata: &event.ReleaseEventMetadata{ReleaseEventCommon: event.ReleaseEventCommon{Error: "failed"}, Spec: event.ReleaseSpec{Type: event.ReleaseContainersSpecType, ReleaseContainersSpec: &update.ReleaseContainersSpec{Kind: update.ReleaseKindExecute, ContainerSpecs: containersSpec().ContainerSpecs}}}},
		{ServiceIDs: []resource.ID{}, Type: event.EventAutoRelease, StartedAt: t4, EndedAt: t4, LogLevel: event.LogLevelInfo,
			Metadata: &event.AutoReleaseEventMetadata{ReleaseEventCommon: event.ReleaseEventCommon{Revision: "r", Result: updateResult(), Error: "e"}, Spec: automated()}},
		{Type: event.EventCommit, StartedAt: t3, EndedAt: t3, LogLevel: event.LogLevelDebug,
			Metadata: &event.CommitEventMetadata{Revision: "abc", Spec: &spec, Result: updateResult()}},
		{Type: event.EventCommit, StartedAt: t2, EndedAt: t2, LogLevel: event.LogLevelInfo, Metadata: &event.CommitEventMetadata{}},
		{Type: event.EventLock, ServiceIDs: []resource.ID{id("default:deployment/a"), id("ns/legacy")}, LogLevel: event.LogLevelInfo, Message: "Locked"},
		{Type: event.EventUpdatePolicy, StartedAt: t1, EndedAt: t1, LogLevel: event.LogLevelInfo,
			Metadata: event.UnknownEventMetadata{"b": 1.5, "a": []interface{}{1e21, 1e-7, 0.000001, 100.0, "x<y", true, nil}, "10": map[string]interface{}{"z": "", "2": false}, "9": tricky}},
		{Type: event.NoneOfTheAbove, LogLevel: event.LogLevelInfo, Metadata: event.UnknownEventMetadata{}},
	}
}

func vectors() []vector {
	var vs []vector
	add := func(typ string, values ...interface{}) {
		for _, v := range values {
			vs = append(vs, vector{typ, v})
		}
	}

	add("resource.ID", id("default:deployment/helloworld"), id("default:Deployment/Foo"), id("<cluster>:namespace/flux-system"),
		id("default/helloworld"), id("a_b-c:kind/name.with:colons-and_underscores"), resource.ID{}, resource.MakeID("ns", "HelmRelease", "x"))
	add("[]resource.ID", []resource.ID{id("ns/a"), id("ns:deployment/b"), resource.ID{}}, []resource.ID{}, []resource.ID(nil))

	add("image.Name", image.Name{Domain: "quay.io", Image: "weaveworks/helloworld"}, image.Name{}, image.Name{Image: tricky})
	for _, s := range []string{"alpine", "library/alpine:3.5", "docker.io/fluxcd/flux:1.1.0", "localhost:5000/arbitrary/path/to/repo:revision-sha1",
		"quay.io/example.com/frob:v0.4.5", "host:5000/foo", "xlocalhostx/foo", "foo:1@sha256:abc", "a/b/c:d", "foo@sha256:0123456789abcdef", "index.docker.io/library/x:<y>"} {
		add("image.Ref", ref(s))
	}

	add("image.Labels", image.Labels{}, image.Labels{BuildDate: t1}, image.Labels{Created: t3}, image.Labels{BuildDate: t2, Created: t4})
	add("image.Info", image.Info{}, fullInfo(), image.Info{ID: ref("alpine"), CreatedAt: t3}, image.Info{ID: ref("x/y:z"), Digest: tricky, LastFetched: t4})

	cs := containers()
	add("v6.Container", v6.Container{}, cs[0], cs[1], v6.Container{Name: "n", Available: update.SortedImageInfos{{}}})
	add("cluster.RolloutStatus", cluster.RolloutStatus{}, cluster.RolloutStatus{Desired: 2147483647, Updated: -2147483648, Ready: 1, Available: 2, Outdated: 3, Messages: []string{"m1", tricky}},
		cluster.RolloutStatus{Messages: []string{}})

	cst := controllerStatus()
	add("v6.ControllerStatus", v6.ControllerStatus{}, cst,
		v6.ControllerStatus{ID: id("ns/legacy"), Containers: []v6.Container{}, ReadOnly: v6.ReadOnlyMissing, Status: "3 out of 5 updated", SyncError: badUTF8,
			Labels: map[string]string{}, Policies: map[string]string{}, Locked: true, Ignore: true, Rollout: cluster.RolloutStatus{Messages: []string{"stuck"}}})
	add("[]v6.ControllerStatus", []v6.ControllerStatus{cst, {}}, []v6.ControllerStatus{}, []v6.ControllerStatus(nil))
	add("v6.ImageStatus", v6.ImageStatus{}, v6.ImageStatus{ID: id("default:deployment/helloworld"), Containers: cs}, v6.ImageStatus{Containers: []v6.Container{}})
	add("[]v6.ImageStatus", []v6.ImageStatus{{ID: id("default:deployment/helloworld"), Containers: cs[:1]}}, []v6.ImageStatus(nil))

	add("v6.GitConfig", v6.GitConfig{},
		v6.GitConfig{
			Remote:       v6.GitRemoteConfig{Remote: git.Remote{URL: "git@github.com:org/repo"}, Branch: "master", Path: "k8s,other"},
			PublicSSHKey: ssh.PublicKey{Key: "ssh-rsa AAA\n", Fingerprints: map[string]ssh.Fingerprint{"sha256": {Hash: "SHA256:x", Randomart: "+---[RSA 2048]----+\n|  .o.  |\n+----[SHA256]-----+"}, "md5": {Hash: "MD5:y", Randomart: "r"}}},
			Status:       git.RepoReady,
		},
		v6.GitConfig{PublicSSHKey: ssh.PublicKey{Fingerprints: map[string]ssh.Fingerprint{}}, Status: git.RepoUnreachable, Error: tricky})

	add("update.ResourceSpec", update.ResourceSpecAll, update.ResourceSpec("default:deployment/a"), update.ResourceSpec(""))
	add("update.ImageSpec", update.ImageSpecLatest, update.ImageSpec("quay.io/a/b:c"), update.ImageSpec(""))
	add("update.Cause", update.Cause{}, update.Cause{Message: tricky, User: update.UserAutomated})
	add("update.ReleaseImageSpec", update.ReleaseImageSpec{}, releaseImageSpec(), update.ReleaseImageSpec{ServiceSpecs: []update.ResourceSpec{}, Excludes: []resource.ID{}})
	add("update.Automated", update.Automated{}, automated(), update.Automated{Changes: []update.Change{}})
	add("update.ReleaseContainersSpec", update.ReleaseContainersSpec{}, containersSpec(), update.ReleaseContainersSpec{ContainerSpecs: map[resource.ID][]update.ContainerUpdate{}, Force: true})
	add("update.ContainerUpdate", update.ContainerUpdate{Container: "c", Current: ref("a:1"), Target: ref("a:2")})
	for _, s := range specs() {
		add("update.Spec", s)
	}
	add("update.WorkloadResult", update.WorkloadResult{}, updateResult()[id("default:deployment/a")], updateResult()[id("ns/legacy")])
	add("update.Result", update.Result{}, update.Result(nil), updateResult())

	add("policy.Set", policy.Set(nil), policy.Set{}, policy.Set{policy.Automated: "true", policy.Ignore: policy.IgnoreSyncOnly, policy.TagAll: "glob:*", "tag.<c>": "regexp:^a&b$", "123": "n", "1": "m"})
	add("resource.PolicyUpdate", resource.PolicyUpdate{}, policyUpdates()[id("default:deployment/b")])
	add("resource.PolicyUpdates", resource.PolicyUpdates(nil), resource.PolicyUpdates{}, policyUpdates())

	spec0 := specs()[0]
	spec2 := specs()[2]
	add("job.ID", job.ID("7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b"), job.ID(""))
	add("job.Result", job.Result{}, job.Result{Revision: "abc", Spec: &spec0, Result: updateResult()}, job.Result{Result: update.Result{}})
	add("job.Status", job.Status{},
		job.Status{Result: job.Result{Revision: "abc", Spec: &spec0, Result: update.Result{id("default:deployment/a"): updateResult()[id("default:deployment/a")]}}, StatusString: job.StatusSucceeded},
		job.Status{Result: job.Result{Spec: &spec2}, Err: tricky, StatusString: job.StatusFailed},
		job.Status{StatusString: job.StatusQueued}, job.Status{StatusString: job.StatusRunning})

	add("v9.Change",
		v9.Change{Kind: v9.GitChange, Source: v9.GitUpdate{URL: "git@example.com:foo/bar", Branch: "master"}},
		v9.Change{Kind: v9.GitChange, Source: v9.GitUpdate{}},
		v9.Change{Kind: v9.ImageChange, Source: v9.ImageUpdate{Name: image.Name{Domain: "quay.io", Image: "foo/bar"}}},
		v9.Change{Kind: v9.ImageChange, Source: v9.ImageUpdate{Name: ref("alpine:3.5").Name}})

	add("v10.ListImagesOptions", v10.ListImagesOptions{}, v10.ListImagesOptions{Spec: update.ResourceSpecAll, OverrideContainerFields: []string{"Name", "Current"}, Namespace: "default"},
		v10.ListImagesOptions{OverrideContainerFields: []string{}})
	add("v11.ListServicesOptions", v11.ListServicesOptions{}, v11.ListServicesOptions{Services: []resource.ID{id("default:deployment/helloworld"), id("ns/legacy")}},
		v11.ListServicesOptions{Namespace: "kube-system", Services: []resource.ID{}})

	add("fluxerr.Error",
		&fluxerr.Error{Type: fluxerr.Missing, Help: "No repo <here>", Err: errors.New("git repo not configured")},
		&fluxerr.Error{Type: fluxerr.Server, Help: tricky},
		&fluxerr.Error{Type: fluxerr.User, Err: errors.New("")},
		&fluxerr.Error{},
		remote.UnavailableError(errors.New("no daemon")),
		remote.UpgradeNeededError(errors.New("method not supported")),
		remote.UnsupportedResourceKind(errors.New("Unsupported resource kind: service")),
		remote.ClusterError(errors.New("namespace <x> not found")),
		fluxerr.CoverAllError(errors.New("boom & bust")))

	add("[]byte", []byte("---\nkind: Deployment\n"), []byte{}, []byte(nil), []byte{0, 1, 2, 0xfb, 0xff}, []byte("a"), []byte("ab"), []byte("abc"))

	for _, e := range events() {
		add("event.Event", e)
	}
	return vs
}
