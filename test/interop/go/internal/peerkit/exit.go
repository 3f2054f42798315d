package peerkit

import (
	"fmt"
	"os"
)

// SetupError prints "ERROR <err>" and returns exit status 1: what a peer does when it cannot
// listen, dial, upgrade or read its input.
func SetupError(err error) int {
	Emit("ERROR %s", err.Error())
	return 1
}

// Fallible adapts a command that returns an error to a Commands entry: a non-nil error is
// reported with SetupError (exit status 1), nil is exit status 0.
func Fallible(cmd func(args []string) error) func(args []string) int {
	return func(args []string) int {
		if err := cmd(args); err != nil {
			return SetupError(err)
		}
		return 0
	}
}

// ExitOnError prints err on stderr and exits with status 1, when err is not nil.
func ExitOnError(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
