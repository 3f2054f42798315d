package main

import (
	"encoding/json"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"time"
)

// Echo is the service the net/rpc server serves.
type Echo struct{}

func (Echo) Say(arg string, reply *string) error {
	*reply = arg
	return nil
}

// pipe is a net.Pipe whose ends give up after 10 s, so a wrong guess here cannot hang.
func pipe() (net.Conn, net.Conn) {
	a, b := net.Pipe()
	deadline := time.Now().Add(10 * time.Second)
	a.SetDeadline(deadline)
	b.SetDeadline(deadline)
	return a, b
}

// wireResponse is a jsonrpc response as it is on the wire.
type wireResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *string         `json:"error"`
}

// rpcServerTexts: a net/rpc server (jsonrpc codec) fed hand-made requests, one at a time; each
// text is the error of the reply.
func rpcServerTexts(t texts) {
	server := rpc.NewServer()
	if err := server.RegisterName("Test", Echo{}); err != nil {
		cli.Fail("register: %v", err)
	}
	t.addErr(`serviceAlreadyDefined("Test")`, server.RegisterName("Test", Echo{}))

	ours, theirs := pipe()
	defer ours.Close()
	go server.ServeCodec(jsonrpc.NewServerCodec(theirs))
	dec := json.NewDecoder(ours)
	for _, c := range []struct{ name, request string }{
		{`illFormed("Nodot")`, `{"method":"Nodot","params":["x"],"id":1}`},
		{`canNotFindService("X.Y")`, `{"method":"X.Y","params":["x"],"id":2}`},
		{`canNotFindMethod("Test.Nope")`, `{"method":"Test.Nope","params":["x"],"id":3}`},
		{"missingParams", `{"method":"Test.Say","id":4}`},
		{`paramsNotArray("object")`, `{"method":"Test.Say","params":{},"id":5}`},
		{`paramsNotArray("string")`, `{"method":"Test.Say","params":"x","id":6}`},
		{`paramsNotArray("number")`, `{"method":"Test.Say","params":1,"id":7}`},
		{`paramsNotArray("bool")`, `{"method":"Test.Say","params":true,"id":8}`},
	} {
		if _, err := ours.Write([]byte(c.request + "\n")); err != nil {
			cli.Fail("%s: write: %v", c.name, err)
		}
		var resp wireResponse
		if err := dec.Decode(&resp); err != nil {
			cli.Fail("%s: read: %v", c.name, err)
		}
		if resp.Error == nil {
			cli.Fail("%s: the reply has no error: %s", c.name, resp.Result)
		}
		t.add(c.name, *resp.Error)
	}
}

// callAgainst makes one call (reply into an int) with a jsonrpc client whose peer answers the
// request with response (nothing when empty), then closes the connection when hangUp is set.
// It returns the call's error and, after a hang-up, the error of a second call.
func callAgainst(response string, hangUp bool) (first, second error) {
	ours, theirs := pipe()
	go func() {
		var req json.RawMessage
		if json.NewDecoder(theirs).Decode(&req) != nil {
			return
		}
		if response != "" {
			theirs.Write([]byte(response + "\n"))
		}
		if hangUp {
			theirs.Close()
		}
	}()
	client := jsonrpc.NewClient(ours)
	defer client.Close()
	var reply int
	first = client.Call("Test.Say", "x", &reply)
	if hangUp {
		second = client.Call("Test.Say", "x", &reply)
	}
	return first, second
}

// rpcClientTexts: a jsonrpc client fed hand-made responses; each text is the failed call's
// error.
func rpcClientTexts(t texts) {
	for _, c := range []struct{ name, response string }{
		{"unspecifiedError", `{"id":0,"result":null,"error":""}`},
		{`invalidError("<nil>")`, `{"id":0,"result":null,"error":null}`},
		{`invalidError("<nil>")#no result`, `{"id":0,"error":null}`},
		{`invalidError("5")`, `{"id":0,"result":null,"error":5}`},
		{`badResponseId("string")`, `{"id":"x","result":1,"error":null}`},
		{`badResponseId("number -1")`, `{"id":-1,"result":1,"error":null}`},
		{`badResponseId("number 1.5")`, `{"id":1.5,"result":1,"error":null}`},
		{`cannotUnmarshal("array", "jsonrpc.clientResponse")`, `[]`},
		{`readingBody(cannotUnmarshal("string", "int"))`, `{"id":0,"result":"x","error":null}`},
	} {
		first, _ := callAgainst(c.response, false)
		t.addErr(c.name, first)
	}
	// The peer hangs up with the call pending: the call fails, and so does every later one.
	first, second := callAgainst("", true)
	t.addErr("unexpectedEOF", first)
	t.addErr("shutdown", second)
}
