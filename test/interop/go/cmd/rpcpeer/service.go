package main

import (
	"errors"
	"fmt"
	"net/rpc"
	"os"
	"strings"
	"sync"
	"time"

	v6 "github.com/fluxcd/flux/pkg/api/v6"
)

// maxStatuses is how many statuses Test.Statuses can return.
const maxStatuses = 50

// testService is registered as "Test". Only its RPC methods may be exported:
// net/rpc scans every exported method.
type testService struct {
	statuses []v6.ControllerStatus
	exit     func(code int)

	blobMu sync.Mutex
	blobs  map[int]string
}

func newTestService() *testService {
	return &testService{
		statuses: buildStatuses(maxStatuses),
		exit:     os.Exit,
		blobs:    map[int]string{},
	}
}

func newRPCServer(svc *testService) *rpc.Server {
	server := rpc.NewServer()
	if err := server.RegisterName("Test", svc); err != nil {
		panic(err)
	}
	return server
}

// Echo replies with its argument.
func (s *testService) Echo(arg string, reply *string) error {
	*reply = arg
	return nil
}

// Sleep waits ms milliseconds, then replies with ms.
func (s *testService) Sleep(ms int, reply *int) error {
	if ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	*reply = ms
	return nil
}

// Fail always returns an error with the given text.
func (s *testService) Fail(msg string, reply *struct{}) error {
	return errors.New(msg)
}

// Statuses replies with the first n fixture statuses (0 <= n <= 50).
func (s *testService) Statuses(n int, reply *[]v6.ControllerStatus) error {
	if n < 0 || n > len(s.statuses) {
		return fmt.Errorf("statuses: n must be between 0 and %d, got %d", len(s.statuses), n)
	}
	*reply = s.statuses[:n]
	return nil
}

// Blob replies with a string of n bytes 'a'..'z' repeating (cached per n).
func (s *testService) Blob(n int, reply *string) error {
	if n < 0 {
		return fmt.Errorf("blob: n must not be negative, got %d", n)
	}
	s.blobMu.Lock()
	b, ok := s.blobs[n]
	if !ok {
		var sb strings.Builder
		sb.Grow(n)
		for i := 0; i < n; i++ {
			sb.WriteByte(byte('a' + i%26))
		}
		b = sb.String()
		s.blobs[n] = b
	}
	s.blobMu.Unlock()
	*reply = b
	return nil
}

// Vanish makes the process exit at once, without replying.
func (s *testService) Vanish(arg struct{}, reply *struct{}) error {
	s.exit(0)
	// Only reached when exit is overridden (tests): block like a vanished peer.
	select {}
}
