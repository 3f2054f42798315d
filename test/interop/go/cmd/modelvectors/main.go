// modelvectors writes golden JSON vectors made by flux's real Go types (v1.25.4) and checks that
// JSON written by the TypeScript model decodes and re-encodes through those types unchanged.
//
//	modelvectors gen            vectors [{"type","json"[,"reencoded"]}...] on stdout
//	modelvectors decode         peer inputs [{"type","json","error"|"reencoded"}...] on stdout
//	modelvectors check FILE     reads [{"type","json"}...] and checks Go's decode+encode is identity
//
// "json" is the exact json.Marshal text. "reencoded" appears only where Go's own decode followed
// by encode does not give the same bytes back (e.g. a sync event's revisions gaining commits).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"strings"

	"fluxrpc/interop/internal/peerkit"
)

type entry struct {
	Type      string `json:"type"`
	JSON      string `json:"json"`
	Reencoded string `json:"reencoded,omitempty"`
	Error     string `json:"error,omitempty"`
}

// cli names this program in its failure messages on stderr.
var cli = peerkit.CLI{Name: "modelvectors"}

func main() {
	os.Exit(peerkit.Commands{
		"gen": func([]string) int {
			writeEntries(generate())
			return 0
		},
		"decode": func([]string) int {
			writeEntries(decodeResults())
			return 0
		},
		"check": func(args []string) int {
			if len(args) != 1 {
				usage()
			}
			return check(args[0])
		},
	}.Run(os.Args[1:], func([]string) int {
		usage()
		return 2
	}))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: modelvectors gen | decode | check FILE")
	os.Exit(2)
}

// panicPrefix starts the error of a round trip whose encoding panicked (a zero resource.ID as a
// map key: its MarshalText dereferences nil).
const panicPrefix = "re-encoding panicked: "

// roundTrip decodes text into a fresh value of the named type and encodes it again.
func roundTrip(typ, text string) (out string, err error) {
	mk, ok := wireTypes[typ]
	if !ok {
		return "", fmt.Errorf("unknown type %q", typ)
	}
	v := mk()
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return "", err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("%s%v", panicPrefix, r)
		}
	}()
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("re-encoding: %v", err)
	}
	return string(b), nil
}

func generate() []entry {
	var out []entry
	for _, vec := range vectors() {
		if _, ok := wireTypes[vec.Type]; !ok {
			cli.Fail("vector of unregistered type %q", vec.Type)
		}
		b, err := json.Marshal(vec.Value)
		if err != nil {
			cli.Fail("marshal %s: %v", vec.Type, err)
		}
		e := entry{Type: vec.Type, JSON: string(b)}
		again, err := roundTrip(vec.Type, e.JSON)
		if err != nil {
			cli.Fail("a %s vector does not decode in Go (%v): %s", vec.Type, err, e.JSON)
		}
		if again != e.JSON {
			e.Reencoded = again
		}
		// No vector may depend on the escapes of \b and \f, which changed after Go 1.19.
		if strings.Contains(e.JSON, `\b`) || strings.Contains(e.JSON, `\f`) {
			cli.Fail("a %s vector contains \\b or \\f: %s", vec.Type, e.JSON)
		}
		out = append(out, e)
	}
	return out
}

// decodeResults runs every decode case through Go: a failure records Go's error text, a success
// records Go's re-encoding (which is "null" for a top-level null: the value stays zero).
func decodeResults() []entry {
	var out []entry
	for _, c := range decodeCases {
		if _, ok := wireTypes[c.Type]; !ok {
			cli.Fail("decode case of unregistered type %q", c.Type)
		}
		again, err := roundTrip(c.Type, c.JSON)
		if err != nil {
			out = append(out, entry{Type: c.Type, JSON: c.JSON, Error: err.Error()})
		} else {
			out = append(out, entry{Type: c.Type, JSON: c.JSON, Reencoded: again})
		}
	}
	return out
}

func check(path string) int {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		cli.Fail("%v", err)
	}
	var in []entry
	if err := json.Unmarshal(data, &in); err != nil {
		cli.Fail("reading %s: %v", path, err)
	}
	bad := 0
	for i, e := range in {
		again, err := roundTrip(e.Type, e.JSON)
		switch {
		case err != nil:
			bad++
			fmt.Printf("FAIL %d %s: Go cannot decode it: %v\n  in:  %s\n", i, e.Type, err, e.JSON)
		case again != e.JSON:
			bad++
			fmt.Printf("FAIL %d %s: Go re-encodes it differently\n  in:  %s\n  out: %s\n", i, e.Type, e.JSON, again)
		}
	}
	fmt.Printf("%d passed, %d failed\n", len(in)-bad, bad)
	if bad > 0 {
		return 1
	}
	return 0
}

// writeEntries prints one entry per line so that diffs of the committed files stay readable.
func writeEntries(es []entry) {
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, e := range es {
		b, err := json.Marshal(e)
		if err != nil {
			cli.Fail("%v", err)
		}
		buf.Write(b)
		if i < len(es)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]\n")
	os.Stdout.Write(buf.Bytes())
}
