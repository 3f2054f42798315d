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

func main() {
	fmt.Println(websocket.Dial != nil, rpc.NewServer != nil, remote.ServerTestBattery != nil, daemon.NewUpstream != nil, client.New != nil)
}
