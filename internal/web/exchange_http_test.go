package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

var exchangeCasePath = regexp.MustCompile(`^/exchange/cases/(\d+)`)

// The practice library over HTTP on SQLite and PostgreSQL: the
// secretariat imports the prize applications whose applicants agreed
// (and only those), a focal point adds a practice in Korean, English and
// Korean searches find the right cases, and a members-only case stays
// hidden from visitors — in results, the total, the facets and by URL —
// while members see it.
func TestExchangeLibraryHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		applicant := env.Users[webtest.Applicant]
		mk := func(title, summary, consent, theme string) *prize.Application {
			a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
				ApplicantType: prize.TypeCorporation, Organisation: "Seoul Mobility Co", Country: "KOR", CityName: "Seoul",
				Title: title, Stage: "pilot", State: prize.StateSubmitted,
				Answers: prize.Answers{"title": {title}, "summary": {summary}, "themes": {theme}, "esg_pillar": {"social"}}}
			if consent != "" {
				a.Answers["library_consent"] = []string{consent}
			}
			if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
			return a
		}
		mk("Night bus network", "Night buses that reach hospitals for shift workers.", "public", "mobility")
		mk("Harbour drone inspection", "Drones inspect the quay walls of the harbour.", "members", "ports")
		mk("Secret tender platform", "An applicant who did not agree to share.", "", "governance")

		admin := env.ClientAs(webtest.Admin)
		res, body := admin.PostForm("/admin/exchange/import", url.Values{"edition": {"2026"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: %d %s", res.StatusCode, body)
		}
		_, body = admin.Get(res.Header.Get("Location"))
		if !strings.Contains(body, "Import done: 2 practices added, 0 updated, 1 applications without the applicant&#39;s consent.") {
			t.Errorf("import flash missing:\n%s", body)
		}
		// Importing again refreshes, adds nothing.
		res, _ = admin.PostForm("/admin/exchange/import", url.Values{"edition": {"2026"}})
		if _, body = admin.Get(res.Header.Get("Location")); !strings.Contains(body, "0 practices added, 2 updated") {
			t.Errorf("second import is not idempotent:\n%s", body)
		}

		focal := env.ClientAs(webtest.Focal)
		bad := url.Values{"title_ko": {"스마트 버스 정류장"}, "summary_ko": {"교통약자를 위한 스마트 정류장."}, "visibility": {"public"}, "stage": {"launched"}}
		res, body = focal.PostForm("/exchange/cases?lang=ko", bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "제목 (영어): 필수 항목입니다") ||
			!strings.Contains(body, "개발 단계: ") || !strings.Contains(body, "스마트 버스 정류장") {
			t.Fatalf("invalid practice: %d, want 422 naming the title and stage, keeping the input:\n%s", res.StatusCode, body)
		}
		good := url.Values{"title": {"Smart bus stops"}, "title_ko": {"스마트 버스 정류장"}, "summary": {"Bus stops with real-time arrivals."},
			"summary_ko": {"교통약자를 위한 실시간 도착 정보 정류장."}, "visibility": {"public"}, "stage": {"ongoing"},
			"themes": {"mobility, accessibility"}, "city_code": {webtest.CityY}}
		res, body = focal.PostForm("/exchange/cases", good)
		m := exchangeCasePath.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("practice not added: %d %s", res.StatusCode, body)
		}
		stopsPath := "/exchange/cases/" + m[1]
		_, body = focal.Get(stopsPath + "?lang=ko")
		if !strings.Contains(body, "스마트 버스 정류장") || !strings.Contains(body, "운영 중") {
			t.Errorf("the Korean case page lacks its title or stage:\n%s", body)
		}
		// A focal point adds practices of its own city only, whatever it posts.
		if !strings.Contains(body, "Seoul") && !strings.Contains(body, "서울") {
			t.Errorf("the focal point's practice is not in its city:\n%s", body)
		}

		visitor := env.Client()
		search := func(c *webtest.Client, q string) string {
			t.Helper()
			if !strings.Contains(q, "lang=") {
				q += "&lang=en" // the language sticks to the client
			}
			res, body := c.Get("/exchange?" + q)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("search %s: %d", q, res.StatusCode)
			}
			return html.UnescapeString(body)
		}
		body = search(visitor, "q=night+bus")
		if !strings.Contains(body, "Night bus network") || strings.Contains(body, "Smart bus stops") || !strings.Contains(body, "1 practice") {
			t.Errorf("English search for night bus:\n%s", body)
		}
		body = search(visitor, "q="+url.QueryEscape("정류장")+"&lang=ko")
		if !strings.Contains(body, "스마트 버스 정류장") || strings.Contains(body, "Night bus network") || !strings.Contains(body, "사례 1건") {
			t.Errorf("Korean search for 정류장:\n%s", body)
		}
		body = search(visitor, "q="+url.QueryEscape("교통약자")+"&lang=ko")
		if !strings.Contains(body, "스마트 버스 정류장") {
			t.Errorf("Korean search for 교통약자 (inside 교통약자를):\n%s", body)
		}
		// Members only: hidden from the visitor everywhere.
		body = search(visitor, "q=harbour")
		if strings.Contains(body, "Harbour drone") || !strings.Contains(body, "0 practices") {
			t.Errorf("the visitor finds the members-only case:\n%s", body)
		}
		body = search(visitor, "")
		if !strings.Contains(body, "2 practices") || strings.Contains(body, "Harbour") || strings.Contains(body, `data-value="ports"`) ||
			strings.Contains(body, "Secret tender") {
			t.Errorf("the visitor's library counts or facets the hidden cases:\n%s", body)
		}
		if !regexp.MustCompile(`data-value="mobility">mobility</a> <span class="count">2</span>`).MatchString(body) {
			t.Errorf("the visitor's themes facet does not count mobility 2:\n%s", body)
		}
		regional := env.ClientAs(webtest.Regional)
		body = search(regional, "q=harbour")
		if !strings.Contains(body, "Harbour drone inspection") || !strings.Contains(body, "1 practice") {
			t.Errorf("a member does not find the members-only case:\n%s", body)
		}
		m = regexp.MustCompile(`href="(/exchange/cases/\d+)">Harbour`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no link to the members-only case")
		}
		if res, _ := visitor.Get(m[1]); res.StatusCode != http.StatusNotFound {
			t.Errorf("the visitor opens the members-only case: %d", res.StatusCode)
		}
		if res, _ := regional.Get(m[1]); res.StatusCode != http.StatusOK {
			t.Errorf("the member cannot open the members-only case: %d", res.StatusCode)
		}
		// Similar practices on a case's page: the night bus shares its
		// stage with the harbour drones (members only) and its theme with
		// the bus stops.
		nightPath := regexp.MustCompile(`href="(/exchange/cases/\d+)">Night bus`).FindStringSubmatch(search(visitor, "q=night"))
		if nightPath == nil {
			t.Fatal("no link to the night bus case")
		}
		_, body = visitor.Get(nightPath[1] + "?lang=en")
		if !strings.Contains(body, `id="exchange-similar"`) || !strings.Contains(body, "Smart bus stops") || strings.Contains(body, "Harbour") {
			t.Errorf("the visitor's similar practices:\n%s", body)
		}
		if _, body = regional.Get(nightPath[1] + "?lang=en"); !strings.Contains(body, "Harbour drone inspection") {
			t.Errorf("the member's similar practices lack the members-only case:\n%s", body)
		}
		body = search(regional, "")
		if !strings.Contains(body, "3 practices") || !strings.Contains(body, `data-value="ports"`) {
			t.Errorf("the member's library lacks the members-only case in its count or facets:\n%s", body)
		}
		// Facet filter.
		body = search(visitor, "f=themes:accessibility")
		if !strings.Contains(body, "Smart bus stops") || strings.Contains(body, "Night bus network") {
			t.Errorf("filter on accessibility:\n%s", body)
		}
		// Hostile queries: a page, never an error.
		for _, q := range []string{`"`, `') OR 1=1 --`, `NEAR(a b) AND * ^`, strings.Repeat("교통 ", 500), "%00", `:* & | !`} {
			res, _ := visitor.Get("/exchange?q=" + url.QueryEscape(q))
			if res.StatusCode != http.StatusOK {
				t.Errorf("query %.30q: %d", q, res.StatusCode)
			}
		}
		if body = search(visitor, "q="+url.QueryEscape(`"*"`)); !strings.Contains(body, "no word to search for") {
			t.Errorf("a query of signs says nothing:\n%s", body)
		}
		// Visitors may not add practices or import.
		if res, _ := visitor.PostForm("/exchange/cases", good); res.StatusCode == http.StatusSeeOther {
			t.Error("a visitor added a practice")
		}
	})
}
