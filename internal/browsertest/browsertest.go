// Package browsertest drives a real, headless Chromium from Go tests: the
// page tests of CityLens run in the browser that users run.
//
// The browser is found through CITYLENS_TEST_CHROMIUM, else "chromium" or
// "chromium-browser" on PATH. Without one a test skips, saying why; under
// CI=true it fails instead, since CI must run every test. When a test fails,
// a screenshot of the page is saved and its path logged.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path returns the browser's path, or "" when none is installed.
func Path() string {
	if p := os.Getenv("CITYLENS_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless browser for t and returns a context for chromedp
// actions, with timeout as the whole test's budget. The browser is closed when t ends.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browser tests need Chromium: set CITYLENS_TEST_CHROMIUM or install Debian's chromium (.ci/run does)")
		}
		t.Skip("SKIPPED: no Chromium found (set CITYLENS_TEST_CHROMIUM or install chromium); CI runs this test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// The machine has no network beyond loopback: keep the browser from calling home.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "en-US"),
	}
	base, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
		t.Fatalf("starting %s: %v", path, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			saveScreenshot(t, ctx)
		}
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
	})
	return ctx
}

// saveScreenshot writes the current page to CITYLENS_SCREENSHOTS (or the
// system's temporary folder) and logs where.
func saveScreenshot(t testing.TB, ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(sctx, chromedp.FullScreenshot(90))
	if err != nil || len(buf) == 0 {
		t.Logf("no screenshot: %v", err)
		return
	}
	dir := os.Getenv("CITYLENS_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "citylens-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + ".png"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the failing page: %s", path)
}

// ScreenshotDir is the folder where tests save screenshots for reviewers
// (sub names a set, e.g. "pages"): CITYLENS_SCREENSHOTS, else
// citylens-screenshots in the system's temporary folder. It is left after
// the run.
func ScreenshotDir(t testing.TB, sub string) string {
	t.Helper()
	dir := os.Getenv("CITYLENS_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "citylens-screenshots")
	}
	dir = filepath.Join(dir, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}
