package peerkit

import (
	"os"
	"os/signal"
	"syscall"
)

// MaxRSSBytes is this process's peak resident set size in bytes (-1 when getrusage fails).
func MaxRSSBytes() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) * 1024 // Linux reports KiB
}

// EmitRSS prints "RSS <peak bytes>".
func EmitRSS() {
	Emit("RSS %d", MaxRSSBytes())
}

// ExitOnSignal makes SIGTERM and SIGINT end the process with status 0, after printing
// "RSS <peak bytes>" when reportRSS (how the benchmark stops a serving peer).
func ExitOnSignal(reportRSS bool) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		if reportRSS {
			EmitRSS()
		}
		os.Exit(0)
	}()
}
