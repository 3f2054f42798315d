// An empty stand-in for github.com/fluxcd/flux/pkg/install, a nested module of flux that the
// module proxy does not serve. flux's go.mod replaces it with a local path; none of the packages
// the interop peers import use it, so an empty module satisfies the module graph.
module github.com/fluxcd/flux/pkg/install

go 1.19
