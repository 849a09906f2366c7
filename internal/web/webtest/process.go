package webtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BuildBinary builds cmd/citylens into a temporary directory and returns
// its path, for tests that run the real server as a process (kill -9).
func BuildBinary(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(t.TempDir(), "citylens")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/citylens")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return bin
}

// Process is a running `citylens serve`.
type Process struct {
	T    testing.TB
	Cmd  *exec.Cmd
	Addr string
	log  *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FreeAddr returns a loopback address with a free port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// StartServe starts `bin serve --addr <free port> args...` with env added
// to the environment, and waits until /readyz answers 200.
func StartServe(t testing.TB, bin string, env []string, args ...string) *Process {
	t.Helper()
	addr := FreeAddr(t)
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	p := &Process{T: t, Cmd: cmd, Addr: addr, log: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("server log (%s):\n%s", addr, p.log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("citylens serve exited early: %v\n%s", err, p.log.String())
		default:
		}
		res, err := http.Get(p.URL("/readyz"))
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("citylens serve not ready within 60s:\n%s", p.log.String())
	return nil
}

// URL is the process's address plus path.
func (p *Process) URL(path string) string { return "http://" + p.Addr + path }

// Log is what the process wrote so far.
func (p *Process) Log() string { return p.log.String() }

// Kill9 kills the process with SIGKILL (no chance to clean up) and waits.
func (p *Process) Kill9() {
	p.T.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.T.Fatal(err)
	}
	<-p.done
}

// Stop sends SIGTERM and waits for a graceful exit, returning its error.
func (p *Process) Stop(ctx context.Context) error {
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		p.Cmd.Process.Kill()
		return fmt.Errorf("citylens serve did not stop after SIGTERM: %w", ctx.Err())
	}
}
