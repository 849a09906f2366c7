// Command uploads measures what each hostile upload of the hardening issue
// costs a real server: it builds citylens, serves the demo network on a
// fresh SQLite directory, signs in as Seoul's focal point and uploads each
// bomb to Seoul's data call, printing the answer, the time it took and the
// server's peak resident memory above its idle level (Linux: the peak is
// reset through /proc/PID/clear_refs before each upload and read from
// VmHWM after it). Targets: every upload answered within 2 s and under
// 200 MB above idle.
//
//	go run ./bench/uploads             # or bench/uploads.sh
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citylens/citylens/internal/hostile"
)

func main() {
	keep := flag.Bool("keep", false, "keep the data directory")
	flag.Parse()
	if err := run(*keep); err != nil {
		fmt.Fprintln(os.Stderr, "uploads:", err)
		os.Exit(1)
	}
}

type bomb struct {
	name, file string
	data       func() []byte
}

func run(keep bool) error {
	dir, err := os.MkdirTemp("", "citylens-uploads-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "citylens")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/citylens").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--data", filepath.Join(dir, "data"))
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	if err := waitReady(base, 3*time.Minute); err != nil {
		return fmt.Errorf("%v\n%s", err, log.String())
	}
	pid := cmd.Process.Pid
	c, csrf, err := signIn(base, "focal.seoul@demo.citylens", "citylens-demo")
	if err != nil {
		return err
	}
	bombs := []bomb{
		{"shared strings: 512 MiB of <si/> (case 1)", "sst.xlsx", func() []byte { return hostile.SharedStringsBomb(512 << 20) }},
		{"invalid rows: 60 MB CSV (case 2)", "rows.csv", func() []byte { return hostile.InvalidRowsCSV(60 << 20) }},
		{"sheet: 1,000 MiB of rows (case 3)", "sheet.xlsx", func() []byte { return hostile.SheetBomb(1000 << 20) }},
		{"wide row: 1,000,000 columns (case 4)", "wide.csv", func() []byte { return hostile.WideRowCSV(1_000_000) }},
	}
	fmt.Printf("# machine: %d cores, load %s; server idle at start %s MB\n", nproc(), loadavg(), mb(rss(pid)))
	fmt.Printf("%-40s %10s %8s %9s %14s\n", "upload", "file", "status", "answered", "peak over idle")
	ok := true
	for _, b := range bombs {
		data := b.data()
		idle, peak, status, took, err := measure(pid, func() (int, error) { return upload(c, base, csrf, b.file, data) })
		if err != nil {
			return err
		}
		over := peak - idle
		fmt.Printf("%-40s %10s %8d %9s %11s MB\n", b.name, size(len(data)), status, took.Round(time.Millisecond), mb(over))
		ok = ok && took <= 2*time.Second && over < 200<<20
	}
	// Two sheet bombs at once (case 3's second half), from two users' slots.
	data := hostile.SheetBomb(1000 << 20)
	admin, adminCSRF, err := signIn(base, "admin@demo.citylens", "citylens-demo")
	if err != nil {
		return err
	}
	var statuses [2]int
	idle, peak, _, took, err := measure(pid, func() (int, error) {
		var wg sync.WaitGroup
		var errs [2]error
		for i, cl := range []struct {
			c    *http.Client
			csrf string
		}{{c, csrf}, {admin, adminCSRF}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], errs[i] = upload(cl.c, base, cl.csrf, "sheet.xlsx", data)
			}()
		}
		wg.Wait()
		return statuses[0], errorsJoin(errs[:])
	})
	if err != nil {
		return err
	}
	fmt.Printf("%-40s %10s %8s %9s %11s MB\n", "two sheet bombs at once", size(len(data)), fmt.Sprint(statuses[0], "+", statuses[1]),
		took.Round(time.Millisecond), mb(peak-idle))
	ok = ok && took <= 2*time.Second && peak-idle < 200<<20
	if !ok {
		fmt.Println("# a target was missed: every upload answered within 2 s and under 200 MB above idle")
		os.Exit(2)
	}
	fmt.Println("# every upload answered within 2 s and under 200 MB above idle")
	return nil
}

func errorsJoin(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// measure lets the server settle, resets its peak RSS, runs fn and reads
// the peak.
func measure(pid int, fn func() (int, error)) (idle, peak int64, status int, took time.Duration, err error) {
	time.Sleep(3 * time.Second) // the Go runtime returns freed memory to the system in the background
	idle = rss(pid)
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("resetting the peak RSS: %v", err)
	}
	start := time.Now()
	status, err = fn()
	took = time.Since(start)
	return idle, hwm(pid), status, took, err
}

func upload(c *http.Client, base, csrf, name string, data []byte) (int, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/datacall/2026/cities/kr-seoul/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signIn(base, email, password string) (*http.Client, string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(path string) (string, error) {
		res, err := c.Get(base + path)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return string(b), err
	}
	body, err := page("/login")
	if err != nil {
		return nil, "", err
	}
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		return nil, "", fmt.Errorf("no CSRF token on /login")
	}
	res, err := c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}})
	if err != nil {
		return nil, "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, "", fmt.Errorf("sign-in as %s: %d", email, res.StatusCode)
	}
	body, err = page("/datacall/2026/cities/kr-seoul")
	if err != nil {
		return nil, "", err
	}
	if m = csrfInput.FindStringSubmatch(body); m == nil {
		return nil, "", fmt.Errorf("no CSRF token on Seoul's data call page")
	}
	return c, m[1], nil
}

func waitReady(base string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for ctx.Err() == nil {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the server was not ready within %v", within)
}

func status(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n << 10
		}
	}
	return 0
}

func rss(pid int) int64 { return status(pid, "VmRSS") }
func hwm(pid int) int64 { return status(pid, "VmHWM") }

func mb(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) }

func size(n int) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 2, 64) + " MB"
	}
	return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " KB"
}

func nproc() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
