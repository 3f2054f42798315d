package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"fluxrpc/interop/internal/peerkit"
)

// The committed vectors are what this program writes now (regenerate them with
// `bin/fluxpeer golden > ../vectors/rpc/session.json` and
// `bin/fluxpeer rollout-vectors > ../vectors/rpc/rollout.json` from test/interop/go).
func TestVectorsUpToDate(t *testing.T) {
	for _, c := range []struct {
		file string
		cmd  func([]string) int
	}{
		{"session.json", cmdGolden},
		{"rollout.json", cmdRolloutVectors},
	} {
		var buf bytes.Buffer
		stdout := peerkit.SetOutput(&buf)
		code := c.cmd(nil)
		peerkit.SetOutput(stdout)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.file, code, buf.String())
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "..", "vectors", "rpc", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("test/interop/vectors/rpc/%s is stale: regenerate it", c.file)
		}
	}
}
