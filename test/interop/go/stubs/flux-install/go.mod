// A stand-in for github.com/fluxcd/flux/pkg/install, a nested module of flux that the
// module proxy does not serve. flux's go.mod replaces it with a local path; none of the packages
// the interop peers import use it; install.go has just what cmd/fluxctl needs to compile.
module github.com/fluxcd/flux/pkg/install

go 1.19
