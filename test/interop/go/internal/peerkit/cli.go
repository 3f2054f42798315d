package peerkit

import (
	"fmt"
	"os"
)

// CLI is a peer program's name and usage text.
type CLI struct {
	// Name starts the messages on stderr: "rpcpeer: serve: unknown transport ...".
	Name string
	// Usage is printed on stderr after a usage error, and on stdout by "help".
	Usage string
}

// UsageError prints "<Name>: <message>" and the usage text on stderr and returns exit status 2.
func (c CLI) UsageError(format string, args ...interface{}) int {
	fmt.Fprintf(os.Stderr, c.Name+": "+format+"\n", args...)
	fmt.Fprint(os.Stderr, c.Usage)
	return 2
}

// Fail prints "<Name>: <message>" on stderr and exits with status 1.
func (c CLI) Fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, c.Name+": "+format+"\n", args...)
	os.Exit(1)
}

// Run runs the command args[0] names with the arguments after it and returns its exit status.
// No command and an unknown command are usage errors; "help", "-h" and "--help" print the usage
// text on stdout (exit status 0).
func (c CLI) Run(args []string, commands Commands) int {
	return commands.Run(args, func(args []string) int {
		if len(args) == 0 {
			return c.UsageError("missing command")
		}
		switch args[0] {
		case "help", "-h", "--help":
			fmt.Fprint(os.Stdout, c.Usage)
			return 0
		}
		return c.UsageError("unknown command %q", args[0])
	})
}

// Commands maps subcommand names to their handlers. A handler gets the arguments after the
// name and returns the process's exit status.
type Commands map[string]func(args []string) int

// Run runs the command args[0] names with the arguments after it; when args is empty or names
// no command, it returns otherwise(args) instead.
func (cs Commands) Run(args []string, otherwise func(args []string) int) int {
	if len(args) > 0 {
		if cmd, ok := cs[args[0]]; ok {
			return cmd(args[1:])
		}
	}
	return otherwise(args)
}
