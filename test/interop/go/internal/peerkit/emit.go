package peerkit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

var (
	outMu sync.Mutex
	// out is the process's stdout as it was at start-up (fluxpeer battery later points
	// os.Stdout elsewhere to capture go test output; the peer's lines still go here).
	out io.Writer = os.Stdout
)

// Emit prints one whole line (format and args as fmt.Printf, plus a newline) on the peer's
// output, stdout unless SetOutput changed it. Lines printed by concurrent goroutines do not mix.
// os.Stdout is unbuffered: the line is flushed at once.
func Emit(format string, args ...interface{}) {
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Fprintf(out, format+"\n", args...)
}

// SetOutput makes Emit (and Output) use w and returns the writer used until now.
func SetOutput(w io.Writer) io.Writer {
	outMu.Lock()
	defer outMu.Unlock()
	prev := out
	out = w
	return prev
}

// Output is the writer Emit prints to, for commands that write a whole document there.
func Output() io.Writer {
	outMu.Lock()
	defer outMu.Unlock()
	return out
}

// EmitResult prints "RESULT <json of v>"; when v does not marshal, the JSON is
// {"marshalError": <the error text>}.
func EmitResult(v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"marshalError": err.Error()})
	}
	Emit("RESULT %s", b)
}
