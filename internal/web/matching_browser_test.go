package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Seoul's suggested partner in headless Chromium: after a published
// round pairs Seoul (learner) with Busan, the focal point's city page
// shows Busan with the need and the strength that drove the pair, in
// English and in Korean (no English words of the page left), and its
// Decline button records the answer.
func TestMatchingPartnersInBrowser(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	m := env.Services.Matching
	admin, sys := exchange.Viewer{Admin: true, Member: true}, auditlog.System("test")
	add := func(city, side, theme, name string) {
		t.Helper()
		if err := m.SetItem(ctx, admin, sys, city, exchange.ActionAdd, exchange.Override{Key: exchange.ItemKey{Side: side, Theme: theme}, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	add(webtest.CityX, exchange.SideNeed, "mobility", "Night buses")
	add(webtest.CityXB, exchange.SideStrength, "mobility", "Bus rapid transit")
	r := &exchange.Round{Title: "Round 2026", TitleKO: "2026 라운드", Weights: exchange.DefaultWeights}
	if err := m.CreateRound(ctx, admin, sys, r); err != nil {
		t.Fatal(err)
	}
	for _, o := range []exchange.Opt{{Round: r.ID, City: webtest.CityX, Learner: 1}, {Round: r.ID, City: webtest.CityXB, Mentor: 1}} {
		if err := m.OptIn(ctx, admin, sys, o); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Run(ctx, admin, sys, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := m.SetState(ctx, admin, sys, r.ID, exchange.RoundPublished); err != nil {
		t.Fatal(err)
	}

	base := env.URL("")
	b := browsertest.New(t, 120*time.Second)
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	waitFor := func(what, js string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, err := chromedp.Run(b, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	do("sign in", chromedp.Navigate(base+"/login"))
	do("credentials", chromedp.SetValue(chromedp.CSS("#email"), env.Users[webtest.Focal].Email),
		chromedp.SetValue(chromedp.CSS("#password"), webtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	waitFor("signed in", `document.readyState === 'complete' && !location.pathname.startsWith('/login')`)

	partner := `document.querySelector('article.match-partner[data-partner="` + webtest.CityXB + `"]')`
	do("city page", chromedp.Navigate(base+"/exchange/cities/"+webtest.CityX+"?lang=en"))
	waitFor("the suggested partner", partner+` !== null`)
	text := str(partner + `.innerText`)
	for _, s := range []string{"Busan", "learns from this partner", "Round 2026", "awaiting answers",
		"Seoul needs mobility: stated by the city: Night buses; Busan: stated by the city: Bus rapid transit"} {
		if !strings.Contains(text, s) {
			t.Fatalf("the partner lacks %q:\n%s", s, text)
		}
	}
	if got := str(`document.getElementById('match-needs').innerText`); !strings.Contains(got, "Night buses") {
		t.Fatalf("Seoul's needs:\n%s", got)
	}

	do("Korean", chromedp.Navigate(base+"/exchange/cities/"+webtest.CityX+"?lang=ko"))
	waitFor("the Korean page", `document.documentElement.lang === 'ko' && `+partner+` !== null`)
	text = str(`document.getElementById('match-partners').innerText`)
	for _, s := range []string{"추천 파트너", "이 파트너에게서 배움", "2026 라운드", "답변 대기 중", "Seoul에 이동 분야가 필요합니다: 도시가 직접 밝힘: Night buses"} {
		if !strings.Contains(text, s) {
			t.Fatalf("the Korean partner lacks %q:\n%s", s, text)
		}
	}
	for _, s := range []string{"Suggested", "learns from", "awaiting", "needs mobility", "Accept", "Decline", "stated by"} {
		if strings.Contains(text, s) {
			t.Fatalf("English %q on the Korean page:\n%s", s, text)
		}
	}
	do("decline", chromedp.Click(chromedp.CSS(`article.match-partner button[value="declined"]`)))
	waitFor("the declined pair", partner+` !== null && `+partner+`.dataset.status === 'declined'`)
	if text := str(partner + `.innerText`); !strings.Contains(text, "거절됨") || !strings.Contains(text, "우리 시가 거절했습니다.") {
		t.Fatalf("after declining:\n%s", text)
	}
}
