package peerkit

import (
	"flag"
	"fmt"
	"io"
)

// NewFlagSet returns a flag set that reports parse errors to its caller only (nothing is
// printed: the peer words its own usage error).
func NewFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// ParseFlags parses args with fs and refuses positional arguments: the error is the flag
// package's, or "unexpected arguments [a b]".
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	return nil
}
