// probe checks that the real flux module and the packages the interop peers use build here.
package main

import (
	"fmt"

	"github.com/fluxcd/flux/pkg/http/client"
	"github.com/fluxcd/flux/pkg/http/daemon"
	"github.com/fluxcd/flux/pkg/http/websocket"
	"github.com/fluxcd/flux/pkg/remote"
	"github.com/fluxcd/flux/pkg/remote/rpc"
)

// linked reports that a function value is present (via interface{}, which go vet accepts).
func linked(f interface{}) bool { return f != nil }

func main() {
	fmt.Println(linked(websocket.Dial), linked(rpc.NewServer), linked(remote.ServerTestBattery), linked(daemon.NewUpstream), linked(client.New))
}
