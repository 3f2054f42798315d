//go:build tools

// Package tools pins the real fluxctl (github.com/fluxcd/flux/cmd/fluxctl) in this module's
// requirements, so build-peers.mjs can build it with `go build github.com/fluxcd/flux/cmd/fluxctl`
// and the interop tests can run it against our hub. The build tag keeps it out of every build.
package tools

import _ "github.com/fluxcd/flux/cmd/fluxctl"
