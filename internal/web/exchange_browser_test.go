package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The practice library in headless Chromium, in Korean, as a visitor:
// typing a Korean word (which the cases hold with a particle attached, as Korean is written, or inside a longer word) and
// searching finds the two public cases that hold it, not the
// members-only one; choosing a region in the facets leaves the one case
// of that region, with the right total and facet count; its page lists
// the similar public case and not the members-only one.
func TestExchangeLibraryInBrowser(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	mk := func(title, titleKO, summaryKO, region, stage, vis string, themes ...string) *exchange.Case {
		t.Helper()
		c := &exchange.Case{Source: "direct", Title: title, TitleKO: titleKO, Summary: "Summary of " + title + ".", SummaryKO: summaryKO,
			CityName: "City of " + title, Country: "KOR", Region: region, Stage: stage, Visibility: vis,
			Tags: map[string][]string{exchange.FieldThemes: themes}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := env.Store.CreateExchangeCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	stops := mk("Smart bus stops", "스마트 버스 정류장", "교통약자를 위한 정류장 안내", "asia", "pilot", exchange.Public, "mobility")
	night := mk("Night bus network", "심야 버스 노선망", "심야 정류장을 잇는 노선", "europe", "pilot", exchange.Public, "mobility", "safety")
	hidden := mk("Bus depot data", "버스 차고지 데이터", "회원 도시 정류장 데이터", "europe", "pilot", exchange.Members, "mobility")
	flood := mk("Flood sensors", "홍수 센서", "하천 수위 측정", "asia", "scaled", exchange.Public, "water")

	base := env.URL("")
	b := browsertest.Open(t, 120*time.Second)
	results := `Array.from(document.querySelectorAll('#exchange-results li[data-case]')).map(li => li.dataset.case).sort().join(',')`
	ids := func(cs ...*exchange.Case) string {
		var out []string
		for _, c := range cs {
			out = append(out, fmt.Sprint(c.ID))
		}
		return strings.Join(out, ",")
	}

	b.Do("library", chromedp.Navigate(base+"/exchange?lang=ko"))
	b.WaitFor("the Korean library", `document.documentElement.lang === 'ko' && document.getElementById('exchange-search') !== null`)
	b.Do("type a Korean query", chromedp.SendKeys(chromedp.CSS("#q"), "정류장"),
		chromedp.Click(chromedp.CSS(`#exchange-search button[type=submit]`)))
	b.WaitFor("the results", `new URLSearchParams(location.search).get('q') === '정류장' && document.getElementById('exchange-total') !== null`)
	if got := b.Str(`document.getElementById('exchange-total').innerText`); got != "사례 2건" {
		t.Fatalf("total for 정류장: %q, want 사례 2건", got)
	}
	if got, want := b.Str(results), ids(stops, night); got != want {
		t.Fatalf("results for 정류장: %s, want %s (not the members-only %d nor %d)", got, want, hidden.ID, flood.ID)
	}
	page := b.Str(`document.querySelector('main').innerText`)
	for _, s := range []string{"스마트 버스 정류장", "심야 버스 노선망"} {
		if !strings.Contains(page, s) {
			t.Fatalf("the results lack %q:\n%s", s, page)
		}
	}
	if strings.Contains(page, "차고지") || strings.Contains(page, "Bus depot") {
		t.Fatalf("the visitor sees the members-only case:\n%s", page)
	}
	europe := `document.querySelector('#exchange-facets section[data-field="region"] a[data-value="europe"]')`
	if got := b.Str(europe + `.parentElement.querySelector('.count').innerText`); got != "1" {
		t.Fatalf("the region facet counts europe %q, want 1 (the members-only case not counted)", got)
	}

	b.Do("choose a region", chromedp.Click(chromedp.CSS(`#exchange-facets section[data-field="region"] a[data-value="europe"]`)))
	b.WaitFor("the filtered results", `new URLSearchParams(location.search).getAll('f').includes('region:europe') && document.getElementById('exchange-total') !== null`)
	if got := b.Str(`document.getElementById('exchange-total').innerText`); got != "사례 1건" {
		t.Fatalf("total for 정류장 in europe: %q, want 사례 1건", got)
	}
	if got, want := b.Str(results), ids(night); got != want {
		t.Fatalf("results in europe: %s, want %s", got, want)
	}
	if got := b.Str(`new URLSearchParams(location.search).get('q')`); got != "정류장" {
		t.Fatalf("the filter lost the query: %q", got)
	}
	if got := b.Str(`document.getElementById('exchange-filters') ? document.getElementById('exchange-filters').innerText : ''`); got == "" {
		t.Fatal("the chosen region is not shown as a filter")
	}

	b.Do("open the case", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#exchange-results a[href="/exchange/cases/%d"]`, night.ID))))
	b.WaitFor("the case page", fmt.Sprintf(`location.pathname === '/exchange/cases/%d' && document.getElementById('exchange-similar') !== null`, night.ID))
	similar := b.Str(`Array.from(document.querySelectorAll('#exchange-similar a')).map(a => a.getAttribute('href')).join(',')`)
	if similar != fmt.Sprintf("/exchange/cases/%d", stops.ID) {
		t.Fatalf("similar cases %q, want only the public case %d (not the members-only %d)", similar, stops.ID, hidden.ID)
	}
	if text := b.Str(`document.getElementById('exchange-similar').innerText`); !strings.Contains(text, "비슷한 사례") || !strings.Contains(text, "스마트 버스 정류장") {
		t.Fatalf("similar cases in Korean:\n%s", text)
	}
}
