//go:build benchprofile

package main

// Profiling for benchmarks only: a binary built with -tags benchprofile
// serves net/http/pprof on CITYLENS_PPROF_ADDR (a loopback address), apart
// from the platform's routes. Release builds have no such listener.

import (
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("CITYLENS_PPROF_ADDR")
	if addr == "" {
		return
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		panic("CITYLENS_PPROF_ADDR must be a loopback host:port")
	}
	go http.ListenAndServe(addr, nil)
}
