package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// WaitTimeout is how long Page.WaitFor polls before failing the test.
const WaitTimeout = 20 * time.Second

// Page is a browser started for one test, with the steps the page tests
// repeat: run actions, read a JavaScript value, wait for a condition and
// sign in. Each step fails the test (t.Fatalf) with what it was doing.
type Page struct {
	// Ctx is the chromedp context, for actions the helpers do not cover.
	Ctx context.Context
	t   testing.TB
}

// Open starts a headless browser for t, as New does (timeout is the whole
// test's budget), and returns its Page.
func Open(t testing.TB, timeout time.Duration) *Page {
	t.Helper()
	return &Page{Ctx: New(t, timeout), t: t}
}

// For returns the same browser reporting failures to t, for a subtest.
func (p *Page) For(t testing.TB) *Page {
	return &Page{Ctx: p.Ctx, t: t}
}

// Do runs actions in the page; on an error the test fails with what.
func (p *Page) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.Ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// Str evaluates js, which must yield a string; on an error the test fails
// naming js.
func (p *Page) Str(js string) string {
	p.t.Helper()
	return p.Eval(js, js)
}

// Eval is Str with what, not the script, naming a failure.
func (p *Page) Eval(what, js string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// WaitFor evaluates the boolean js every 100 ms until it is true; after
// WaitTimeout the test fails with "waiting for what" and the last error.
func (p *Page) WaitFor(what, js string) {
	p.t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for {
		ok, err := chromedp.Run(p.Ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// LoginButton is the sign-in form's submit button.
const LoginButton = `form[action="/login"] button[type=submit]`

// SignIn opens baseURL's /login, types email and password into #email and
// #password, clicks submit (a CSS selector, usually LoginButton) and waits
// until the page has left /login.
func (p *Page) SignIn(baseURL, email, password, submit string) {
	p.t.Helper()
	p.Do("sign in", chromedp.Navigate(baseURL+"/login"))
	p.Do("credentials", chromedp.SetValue(chromedp.CSS("#email"), email),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(submit)))
	p.WaitFor("signed in", `document.readyState === 'complete' && !location.pathname.startsWith('/login')`)
}
