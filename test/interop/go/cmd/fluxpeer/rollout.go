package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/cluster"
	"github.com/fluxcd/flux/pkg/remote"
	fluxrpc "github.com/fluxcd/flux/pkg/remote/rpc"

	"fluxrpc/interop/internal/peerkit"
)

// rollout-vectors: what flux's rollout-status polyfill (compat.go listServicesRolloutStatus, run
// by every client's ListServices; docs/rpc.md §6.4.1) does to a status string, for a large table of
// strings. For each: Go's fmt.Sscanf(status, "%d out of %d updated", &Updated, &Desired) on a
// rollout starting at Updated=42, Desired=43 (n, error, the two fields after), and the whole
// status after a real ListServices through flux's V11 client against flux's server.

type rolloutAfter struct {
	Status  string                `json:"status"`
	Rollout cluster.RolloutStatus `json:"rollout"`
}

type rolloutVector struct {
	Status  string       `json:"status"`
	N       int          `json:"n"`
	Err     string       `json:"err"`
	Updated int32        `json:"updated"`
	Desired int32        `json:"desired"`
	After   rolloutAfter `json:"after"`
}

type rolloutFile struct {
	Comment string                `json:"comment"`
	Format  string                `json:"format"`
	Initial cluster.RolloutStatus `json:"initial"`
	Vectors []rolloutVector       `json:"vectors"`
}

var rolloutInitial = cluster.RolloutStatus{Desired: 43, Updated: 42, Ready: 1, Available: 2, Outdated: 3, Messages: []string{"m"}}

// rolloutTable: docs/rpc.md §6.4.1's examples first, then hand-picked edge cases.
var rolloutTable = []string{
	"3 out of 5 updated",
	"  3 out of 5 updated",
	"3 out of  5 updated",
	"3 out of 5",
	"3 out of 5 updated, 1 outdated",
	"+3 out of -5 updated",
	"3out of 5 updated",
	"7",
	"3 of 5",
	"99999999999 out of 5 updated",
	"ready",
	"",
	" ",
	"updating",
	"started",
	"error",
	"0 out of 0 updated",
	"2147483647 out of 2147483647 updated",
	"2147483648 out of 5 updated",
	"-2147483648 out of -2147483648 updated",
	"-2147483649 out of 5 updated",
	"3 out of 2147483648 updated",
	"3 out of 99999999999999999999 updated",
	"03 out of 05 updated",
	"007 out of 010 updated",
	"3 out of 5updated",
	"3 out of 5 UPDATED",
	"3 OUT OF 5 updated",
	"3 out  of 5 updated",
	"3  out of 5 updated",
	"3 out of5 updated",
	"3 outof 5 updated",
	"3\tout of 5 updated",
	"3 out\tof 5 updated",
	"\t3 out of 5 updated",
	"\n3 out of 5 updated",
	"3\nout of 5 updated",
	"3 out of\n5 updated",
	"3 out of 5\nupdated",
	"3 out of 5 updated\n",
	"\r\n3 out of 5",
	"3\r\nout of 5",
	"3 out of 5\r\n",
	"3\u00a0out of 5 updated",
	"\u00a03 out of 5 updated",
	"3 out of\u20035 updated",
	"3 out of \u30005",
	"\u2028 3 out of 5",
	"3 out of 5\u00a0updated",
	"３ out of ５ updated",
	"٣ out of ٥ updated",
	"- 3 out of 5 updated",
	"+-3 out of 5 updated",
	"--3 out of 5 updated",
	"3 out of - 5 updated",
	"3 out of +5 updated",
	"3 out of ++5",
	"3.5 out of 5 updated",
	"3 out of 5.5 updated",
	"3e2 out of 5 updated",
	"0x10 out of 0x20 updated",
	"0b11 out of 5",
	"0o17 out of 5",
	"017 out of 5",
	"1_000 out of 5 updated",
	"3 out of 1_0 updated",
	"0_1 out of 5",
	"3 out of 5 updated garbage",
	"3 out of 5 upd",
	"3 out of 5 x",
	"3 out of x updated",
	"3 out of",
	"3 out of ",
	"3 out",
	"3 ",
	"3",
	"-0 out of -0 updated",
	"+0 out of +0",
	"out of 5 updated",
	" out of 5",
	"x3 out of 5",
	"3x out of 5",
	"3,000 out of 5",
	"3 out of 5,000",
	"1 out of 2 updated",
	"10 out of 10 updated",
	"1 out of 3 updated, 2 outdated",
	"Waiting for rollout to finish: 1 out of 3 new replicas have been updated...",
	"1 out of 3 new replicas have been updated",
	"3 out of 5 updatedd",
	"3 out of 5 updat",
	"   ",
	"\t",
	"\n",
	"+",
	"-",
	"0",
	"-7",
	"+7 ready",
	"7 out",
	"7 out of",
	"4294967296 out of 1",
	"9223372036854775807 out of 1",
	"9223372036854775808 out of 1",
	"1 out of 4294967297",
	"<3> out of <5>",
	"3 out of 5 updated <script>",
	"é3 out of 5",
	"3 out of 5 é",
}

// generatedRollout combines pieces with a fixed pseudo-random sequence (so the file is stable).
func generatedRollout(n int) []string {
	prefixes := []string{"", " ", "  ", "\t", "\n", "\u00a0", "x"}
	numbers := []string{"3", "+3", "-3", "03", "0", "12", "2147483647", "2147483648", "-2147483648", "-2147483649", "99999999999", "", "x", "3.5", "0x10", "1_0", "٣", "- 3", "+"}
	middles := []string{" out of ", "out of ", " out of", "  out  of  ", " OUT OF ", " out\tof ", " out of\n", " of ", " out  of ", " out of  ", "\tout of\t", " out of\u00a0"}
	suffixes := []string{" updated", "", " updated, 1 outdated", "updated", " UPDATED", "\n", " updated\n", " upd", " updated ", " x"}
	state := uint32(2463534242)
	next := func(k int) int {
		state ^= state << 13
		state ^= state >> 17
		state ^= state << 5
		return int(state % uint32(k))
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, prefixes[next(len(prefixes))]+numbers[next(len(numbers))]+middles[next(len(middles))]+numbers[next(len(numbers))]+suffixes[next(len(suffixes))])
	}
	return out
}

func cmdRolloutVectors(args []string) int {
	if len(args) != 0 {
		return cli.UsageError("rollout-vectors: unexpected arguments %v", args)
	}
	inputs := append(append([]string{}, rolloutTable...), generatedRollout(600)...)
	seen := map[string]bool{}
	var unique []string
	for _, s := range inputs {
		if !seen[s] {
			seen[s] = true
			unique = append(unique, s)
		}
	}

	file := rolloutFile{
		Comment: "Generated by test/interop/go/cmd/fluxpeer rollout-vectors from flux v1.25.4: fmt.Sscanf(status, \"%d out of %d updated\", &Updated, &Desired) starting from `initial`, and the status after flux's V11 client ListServices (compat.go listServicesRolloutStatus).",
		Format:  "%d out of %d updated",
		Initial: rolloutInitial,
	}
	statuses := make([]v6.ControllerStatus, len(unique))
	for i, s := range unique {
		ro := rolloutInitial
		ro.Messages = append([]string{}, rolloutInitial.Messages...)
		updated, desired := ro.Updated, ro.Desired
		n, err := fmt.Sscanf(s, "%d out of %d updated", &updated, &desired)
		v := rolloutVector{Status: s, N: n, Updated: updated, Desired: desired}
		if err != nil {
			v.Err = err.Error()
		}
		file.Vectors = append(file.Vectors, v)
		statuses[i] = v6.ControllerStatus{Status: s, Rollout: ro}
	}

	// The whole polyfill, through flux's own client and server.
	srv, err := fluxrpc.NewServer(&remote.MockServer{ListServicesAnswer: statuses}, 10*time.Second)
	if err != nil {
		return peerkit.SetupError(err)
	}
	serverEnd, clientEnd := net.Pipe()
	go srv.ServeConn(serverEnd)
	after, err := fluxrpc.NewClientV11(clientEnd).ListServices(context.Background(), "")
	if err != nil {
		return peerkit.SetupError(err)
	}
	if len(after) != len(unique) {
		return peerkit.SetupError(fmt.Errorf("ListServices returned %d statuses, want %d", len(after), len(unique)))
	}
	for i := range after {
		file.Vectors[i].After = rolloutAfter{Status: after[i].Status, Rollout: after[i].Rollout}
	}

	enc := json.NewEncoder(peerkit.Output())
	enc.SetIndent("", " ")
	if err := enc.Encode(file); err != nil {
		return peerkit.SetupError(err)
	}
	return 0
}
