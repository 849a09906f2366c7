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
	b := browsertest.Open(t, 120*time.Second)
	b.SignIn(base, env.Users[webtest.Focal].Email, webtest.Password, browsertest.LoginButton)

	partner := `document.querySelector('article.match-partner[data-partner="` + webtest.CityXB + `"]')`
	b.Do("city page", chromedp.Navigate(base+"/exchange/cities/"+webtest.CityX+"?lang=en"))
	b.WaitFor("the suggested partner", partner+` !== null`)
	text := b.Str(partner + `.innerText`)
	for _, s := range []string{"Busan", "learns from this partner", "Round 2026", "awaiting answers",
		"Seoul needs mobility: stated by the city: Night buses; Busan: stated by the city: Bus rapid transit"} {
		if !strings.Contains(text, s) {
			t.Fatalf("the partner lacks %q:\n%s", s, text)
		}
	}
	if got := b.Str(`document.getElementById('match-needs').innerText`); !strings.Contains(got, "Night buses") {
		t.Fatalf("Seoul's needs:\n%s", got)
	}

	b.Do("Korean", chromedp.Navigate(base+"/exchange/cities/"+webtest.CityX+"?lang=ko"))
	b.WaitFor("the Korean page", `document.documentElement.lang === 'ko' && `+partner+` !== null`)
	text = b.Str(`document.getElementById('match-partners').innerText`)
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
	b.Do("decline", chromedp.Click(chromedp.CSS(`article.match-partner button[value="declined"]`)))
	b.WaitFor("the declined pair", partner+` !== null && `+partner+`.dataset.status === 'declined'`)
	if text := b.Str(partner + `.innerText`); !strings.Contains(text, "거절됨") || !strings.Contains(text, "우리 시가 거절했습니다.") {
		t.Fatalf("after declining:\n%s", text)
	}
}
