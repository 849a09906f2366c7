package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The focal point's home in a real browser: signed in, the panels show
// the data call's numbers and the inbox's unread count (in the navigation
// too), in English, then in Korean with no English headings left.
func TestCityHomeInBrowser(t *testing.T) {
	env, clk := notifyEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	ed, err := env.Store.Edition(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(ed.Closes.Add(-6 * 24 * time.Hour))
	if _, err := env.Services.Notify.Remind(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	unread, err := env.Services.Notify.Unread(ctx, env.Users[webtest.Focal].ID)
	if err != nil || unread == 0 {
		t.Fatalf("unread %d, %v", unread, err)
	}
	base := env.URL("")
	b := browsertest.Open(t, 120*time.Second)
	b.SignIn(base, env.Users[webtest.Focal].Email, webtest.Password, browsertest.LoginButton)

	b.Do("home", chromedp.Navigate(base+"/home?lang=en"))
	b.WaitFor("the home", `document.getElementById('home-datacall') !== null`)
	if got := b.Str(`document.getElementById('home-dc-state').dataset.state`); got != "draft" {
		t.Errorf("data-call state %q, want draft (Seoul has entered nothing in the demo's 2026 call)", got)
	}
	if got := b.Str(`document.getElementById('home-dc-entered').innerText`); !strings.HasPrefix(got, "0 of ") {
		t.Errorf("entered %q, want 0 of the required", got)
	}
	if got := b.Str(`document.getElementById('home-unread').dataset.unread`); got != strconv.Itoa(unread) {
		t.Errorf("unread on the home %q, want %d", got, unread)
	}
	if got := b.Str(`(document.querySelector('a[href="/inbox"] .nav-count') || {innerText: ''}).innerText`); got != strconv.Itoa(unread) {
		t.Errorf("unread in the navigation %q, want %d", got, unread)
	}
	if !strings.Contains(b.Str(`document.getElementById('home-inbox').innerText`), "closes in 7 days") {
		t.Error("the inbox panel lacks the closing reminder")
	}
	// Panels sit side by side on a desktop and stack on a phone, never
	// scrolling sideways.
	b.Do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.Do("home ko", chromedp.Navigate(base+"/home?lang=ko"))
	b.WaitFor("the Korean home", `document.documentElement.lang === 'ko' && document.getElementById('home-datacall') !== null`)
	if w := b.Str(`String(document.documentElement.scrollWidth <= window.innerWidth + 1)`); w != "true" {
		t.Error("the home scrolls sideways on a phone")
	}
	text := b.Str(`document.querySelector('main').innerText`)
	for _, s := range []string{"데이터 요청", "지수 결과", "상 신청", "알림함", "7일 후 마감"} {
		if !strings.Contains(text, s) {
			t.Errorf("the Korean home lacks %q", s)
		}
	}
	for _, s := range []string{"Data call", "Index results", "Prize applications", "Inbox", "closes in"} {
		if strings.Contains(text, s) {
			t.Errorf("the Korean home shows English %q", s)
		}
	}
}
