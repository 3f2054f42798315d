// gotext provokes, from the real Go code (this Go's stdlib, flux v1.25.4, gorilla/websocket
// v1.5.0, Masterminds/semver v3.1.1), every text fluxrpc reproduces in src/runtime/go-text.ts,
// and prints them as one JSON object on stdout: { "<name>": "<text>", … }. A name is a GoText
// key (scan.* for GoText.scan's), followed by the example arguments in parentheses for a
// function, or by "#<how>" when one text is provoked in two ways. GO_MAX_NESTING_DEPTH is
// printed as a decimal number, and "@goVersion" is the Go that built this program (texts of
// some Go versions differ). test/interop/go-text.interop.test.ts compares each with GoText.
//
// Nothing is typed here: every text is what a Go call returned or wrote. A provocation that
// yields no error fails the program (exit status 1, the reason on stderr).
//
// Usage: gotext            print the texts
//
//	gotext fluxd-gone URL   (used by gotext itself) run fluxd's daemon.NewUpstream against URL
//	                        with a JSON logger on stdout; fluxd exits 1 when answered 410
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"

	"fluxrpc/interop/internal/peerkit"
)

var cli = peerkit.CLI{Name: "gotext", Usage: "usage: gotext\n"}

// texts collects the provoked texts by name.
type texts map[string]string

// add records text under name; a name given twice is a bug in this program.
func (t texts) add(name, text string) {
	if _, dup := t[name]; dup {
		cli.Fail("name %q provoked twice", name)
	}
	t[name] = text
}

// addErr records err's text under name; a nil err means the provocation failed.
func (t texts) addErr(name string, err error) {
	if err == nil {
		cli.Fail("%s: no error was provoked", name)
	}
	t.add(name, err.Error())
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "fluxd-gone" {
		runFluxdGone(os.Args[2])
		return
	}
	if len(os.Args) != 1 {
		os.Exit(cli.UsageError("unexpected arguments %q", os.Args[1:]))
	}
	t := texts{"@goVersion": runtime.Version()}
	stdlibTexts(t)
	jsonTexts(t)
	rpcServerTexts(t)
	rpcClientTexts(t)
	fluxTexts(t)
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		cli.Fail("%v", err)
	}
}

// hex names a byte in the names of this program's texts.
func hex(c byte) string { return fmt.Sprintf("0x%02x", c) }
