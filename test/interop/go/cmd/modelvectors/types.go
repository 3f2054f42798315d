package main

import (
	v10 "github.com/fluxcd/flux/pkg/api/v10"
	v11 "github.com/fluxcd/flux/pkg/api/v11"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	v9 "github.com/fluxcd/flux/pkg/api/v9"
	"github.com/fluxcd/flux/pkg/cluster"
	fluxerr "github.com/fluxcd/flux/pkg/errors"
	"github.com/fluxcd/flux/pkg/event"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/job"
	"github.com/fluxcd/flux/pkg/policy"
	"github.com/fluxcd/flux/pkg/resource"
	"github.com/fluxcd/flux/pkg/update"
)

// wireTypes maps the vector type names (shared with the TypeScript codec registry) to a
// constructor of a fresh Go value to decode into. Every value is a pointer, so that
// json.Unmarshal can fill it and json.Marshal sees the same methods the daemon's values have.
var wireTypes = map[string]func() interface{}{
	"resource.ID":                  func() interface{} { return new(resource.ID) },
	"[]resource.ID":                func() interface{} { return new([]resource.ID) },
	"image.Name":                   func() interface{} { return new(image.Name) },
	"image.Ref":                    func() interface{} { return new(image.Ref) },
	"image.Labels":                 func() interface{} { return new(image.Labels) },
	"image.Info":                   func() interface{} { return new(image.Info) },
	"v6.Container":                 func() interface{} { return new(v6.Container) },
	"cluster.RolloutStatus":        func() interface{} { return new(cluster.RolloutStatus) },
	"v6.ControllerStatus":          func() interface{} { return new(v6.ControllerStatus) },
	"[]v6.ControllerStatus":        func() interface{} { return new([]v6.ControllerStatus) },
	"v6.ImageStatus":               func() interface{} { return new(v6.ImageStatus) },
	"[]v6.ImageStatus":             func() interface{} { return new([]v6.ImageStatus) },
	"v6.GitConfig":                 func() interface{} { return new(v6.GitConfig) },
	"update.ResourceSpec":          func() interface{} { return new(update.ResourceSpec) },
	"update.ImageSpec":             func() interface{} { return new(update.ImageSpec) },
	"update.Cause":                 func() interface{} { return new(update.Cause) },
	"update.ReleaseImageSpec":      func() interface{} { return new(update.ReleaseImageSpec) },
	"update.Automated":             func() interface{} { return new(update.Automated) },
	"update.ReleaseContainersSpec": func() interface{} { return new(update.ReleaseContainersSpec) },
	"update.ContainerUpdate":       func() interface{} { return new(update.ContainerUpdate) },
	"update.Spec":                  func() interface{} { return new(update.Spec) },
	"update.WorkloadResult":        func() interface{} { return new(update.WorkloadResult) },
	"update.Result":                func() interface{} { return new(update.Result) },
	"policy.Set":                   func() interface{} { return new(policy.Set) },
	"resource.PolicyUpdate":        func() interface{} { return new(resource.PolicyUpdate) },
	"resource.PolicyUpdates":       func() interface{} { return new(resource.PolicyUpdates) },
	"job.ID":                       func() interface{} { return new(job.ID) },
	"job.Result":                   func() interface{} { return new(job.Result) },
	"job.Status":                   func() interface{} { return new(job.Status) },
	"v9.Change":                    func() interface{} { return new(v9.Change) },
	"v10.ListImagesOptions":        func() interface{} { return new(v10.ListImagesOptions) },
	"v11.ListServicesOptions":      func() interface{} { return new(v11.ListServicesOptions) },
	"fluxerr.Error":                func() interface{} { return new(fluxerr.Error) },
	"[]byte":                       func() interface{} { return new([]byte) },
	"event.Event":                  func() interface{} { return new(event.Event) },
}
