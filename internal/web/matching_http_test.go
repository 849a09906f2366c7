package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

var roundPath = regexp.MustCompile(`^/exchange/rounds/(\d+)`)

// Needs, strengths and a matching round over HTTP on SQLite and
// PostgreSQL: Seoul's focal point states a need and may touch no other
// city; the secretariat opens a round (a bad one is refused naming its
// fields), cities opt in, only the secretariat runs and publishes it, and
// visitors see nothing of it until then; the suggestion names the need
// and the practice that drove it (a members-only practice only to
// members); Seoul declines, the re-run proposes Lyon, both accept and a
// further re-run keeps the pair; places below the accepted pairs are
// refused naming the city.
func TestMatchingHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		admin, focal, regional, visitor := env.ClientAs(webtest.Admin), env.ClientAs(webtest.Focal), env.ClientAs(webtest.Regional), env.Client()
		seoul, busan, lyon := webtest.CityX, webtest.CityXB, webtest.CityY
		post := func(c *webtest.Client, path string, form url.Values, want int) string {
			t.Helper()
			res, body := c.PostForm(path, form)
			if res.StatusCode != want {
				t.Fatalf("POST %s %v: %d, want %d\n%s", path, form, res.StatusCode, want, body)
			}
			if want == http.StatusSeeOther {
				_, body = c.Get(res.Header.Get("Location"))
			}
			return html.UnescapeString(body)
		}
		get := func(c *webtest.Client, path string, want int) string {
			t.Helper()
			res, body := c.Get(path)
			if res.StatusCode != want {
				t.Fatalf("GET %s: %d, want %d\n%s", path, res.StatusCode, want, body)
			}
			return html.UnescapeString(body)
		}

		// Needs and strengths: the focal point states Seoul's need.
		item := func(side, theme, name string) url.Values {
			return url.Values{"action": {"add"}, "side": {side}, "theme": {theme}, "name": {name}}
		}
		body := post(focal, "/exchange/cities/"+seoul+"/items", item("need", "Mobility", "Shared mobility for commuters"), http.StatusSeeOther)
		if !strings.Contains(body, "Shared mobility for commuters") || !strings.Contains(body, "stated by the city") {
			t.Errorf("Seoul's stated need is not on its page:\n%s", body)
		}
		post(focal, "/exchange/cities/"+busan+"/items", item("need", "ports", ""), http.StatusForbidden)
		body = post(focal, "/exchange/cities/"+seoul+"/items", url.Values{"action": {"add"}, "side": {"both"}, "theme": {strings.Repeat("x", 61)}},
			http.StatusBadRequest)
		if !strings.Contains(body, "side: need or strength") || !strings.Contains(body, "theme: at most 60 characters") {
			t.Errorf("a bad item does not name its fields:\n%s", body)
		}
		post(focal, "/exchange/cities/"+seoul+"/items", url.Values{"action": {"confirm"}, "side": {"need"}, "kind": {"pillar"}, "ref": {"E"}, "theme": {"E"}},
			http.StatusBadRequest) // no such derived item
		post(regional, "/exchange/cities/"+seoul+"/items", item("need", "x", ""), http.StatusForbidden)
		post(admin, "/exchange/cities/"+lyon+"/items", item("strength", "mobility", "Lyon's cycle lanes"), http.StatusSeeOther)
		post(admin, "/exchange/cities/"+busan+"/items", item("strength", "mobility", ""), http.StatusSeeOther)
		// Busan's members-only practice becomes a strength, seen by members only.
		res, _ := admin.PostForm("/exchange/cases", url.Values{"title": {"Busan bike share"}, "summary": {"Bikes at every metro station."}, "city_code": {busan},
			"visibility": {"members"}, "stage": {"ongoing"}, "themes": {"mobility"}})
		cm := exchangeCasePath.FindStringSubmatch(res.Header.Get("Location"))
		if cm == nil {
			t.Fatalf("Busan's practice not added: %d", res.StatusCode)
		}
		// The secretariat confirms the derived strength; the page says so.
		body = post(admin, "/exchange/cities/"+busan+"/items", url.Values{"action": {"confirm"}, "side": {"strength"}, "kind": {"practice"},
			"ref": {cm[1]}, "theme": {"mobility"}}, http.StatusSeeOther)
		if !strings.Contains(body, `data-kind="practice" data-theme="mobility" data-state="confirmed"`) {
			t.Errorf("the confirmed practice strength:\n%s", body)
		}
		if body = get(visitor, "/exchange/cities/"+busan, http.StatusOK); strings.Contains(body, "Busan bike share") {
			t.Errorf("a visitor sees Busan's members-only practice:\n%s", body)
		}
		if body = get(regional, "/exchange/cities/"+busan, http.StatusOK); !strings.Contains(body, "its practice “Busan bike share”") {
			t.Errorf("a member does not see Busan's practice as a strength:\n%s", body)
		}
		if res, _ := visitor.Get("/exchange/cities/no-such-city"); res.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown city: %d", res.StatusCode)
		}

		// The round: bad input named, then opened.
		body = post(admin, "/admin/exchange/rounds", url.Values{"title": {""}, "weight_needs": {"2"}, "weight_context": {"x"}, "weight_practical": {"0"}},
			http.StatusBadRequest)
		if !strings.Contains(body, "title: required") || !strings.Contains(body, "weight_needs: a weight from 0 to 1") ||
			!strings.Contains(body, "weight_context: a weight from 0 to 1") {
			t.Errorf("a bad round does not name its fields:\n%s", body)
		}
		res, _ = admin.PostForm("/admin/exchange/rounds", url.Values{"title": {"Mobility round 2026"}, "title_ko": {"2026 이동 라운드"},
			"weight_needs": {"0.6"}, "weight_context": {"0.25"}, "weight_practical": {"0.15"}})
		m := roundPath.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("round not created: %d", res.StatusCode)
		}
		rp := "/exchange/rounds/" + m[1]
		get(visitor, rp, http.StatusNotFound)
		if body = get(visitor, "/exchange/rounds", http.StatusOK); strings.Contains(body, "Mobility round") {
			t.Errorf("a visitor sees an unpublished round listed:\n%s", body)
		}
		post(focal, rp+"/opt", url.Values{"city": {busan}, "learner": {"1"}, "mentor": {"1"}}, http.StatusForbidden)
		body = post(focal, rp+"/opt", url.Values{"learner": {"11"}, "mentor": {"0"}, "languages": {"ko, e n"}}, http.StatusBadRequest)
		if !strings.Contains(body, "learner: 0 to 10 places") {
			t.Errorf("bad places are not named:\n%s", body)
		}
		post(focal, rp+"/opt", url.Values{"learner": {"1"}, "mentor": {"0"}, "languages": {"ko, en"}}, http.StatusSeeOther)
		post(admin, rp+"/opt", url.Values{"city": {busan}, "learner": {"0"}, "mentor": {"1"}, "languages": {"ko"}}, http.StatusSeeOther)
		post(admin, rp+"/opt", url.Values{"city": {lyon}, "learner": {"0"}, "mentor": {"1"}, "languages": {"fr, en"}}, http.StatusSeeOther)
		post(focal, "/admin/exchange/rounds/"+m[1]+"/run", nil, http.StatusForbidden)
		post(admin, "/admin/exchange/rounds/"+m[1]+"/state", url.Values{"state": {"published"}}, http.StatusConflict) // never run
		body = post(admin, "/admin/exchange/rounds/"+m[1]+"/run", nil, http.StatusSeeOther)
		if !strings.Contains(body, "Run 1 done") || !strings.Contains(body, `data-learner="`+seoul+`" data-mentor="`+busan+`"`) ||
			!strings.Contains(body, "Seoul needs mobility: stated by the city: Shared mobility for commuters; Busan: its practice “Busan bike share”") {
			t.Fatalf("the first run does not pair Seoul with Busan for its practice:\n%s", body)
		}
		if !strings.Contains(body, "Lyon (as mentor): 0 of 1 places filled — its candidates' places went to pairs with higher scores.") ||
			!strings.Contains(body, "Stable: no two cities") {
			t.Errorf("the shortfall or stability report is missing:\n%s", body)
		}
		// Before publication the preview is the secretariat's alone.
		if body = get(focal, rp, http.StatusOK); strings.Contains(body, "match-pairs") {
			t.Errorf("the focal point sees an unpublished preview:\n%s", body)
		}
		if body = get(focal, "/exchange/cities/"+seoul, http.StatusOK); strings.Contains(body, `data-partner="`+busan+`"`) {
			t.Errorf("an unpublished suggestion is on Seoul's page:\n%s", body)
		}
		post(admin, "/admin/exchange/rounds/"+m[1]+"/state", url.Values{"state": {"published"}}, http.StatusSeeOther)

		// Published: a visitor sees the pair, not the members-only practice.
		body = get(visitor, rp, http.StatusOK)
		if !strings.Contains(body, `data-learner="`+seoul+`" data-mentor="`+busan+`"`) || strings.Contains(body, "Busan bike share") {
			t.Errorf("the visitor's view of the published round:\n%s", body)
		}
		body = get(focal, "/exchange/cities/"+seoul, http.StatusOK)
		if !strings.Contains(body, `data-partner="`+busan+`"`) || !strings.Contains(body, "its practice “Busan bike share”") ||
			!strings.Contains(body, `name="answer" value="declined"`) {
			t.Errorf("Seoul's suggested partner with its explanation and answer buttons:\n%s", body)
		}
		body = get(focal, "/exchange/cities/"+seoul+"?lang=ko", http.StatusOK)
		if !strings.Contains(body, "추천 파트너") || !strings.Contains(body, "Seoul에 이동 분야가 필요합니다: 도시가 직접 밝힘") {
			t.Errorf("Seoul's Korean page:\n%s", body)
		}
		answer := func(c *webtest.Client, learner, mentor, city, a string, want int) {
			t.Helper()
			post(c, rp+"/answer", url.Values{"learner": {learner}, "mentor": {mentor}, "city": {city}, "answer": {a}}, want)
		}
		answer(focal, seoul, busan, busan, "accepted", http.StatusForbidden) // not its city
		answer(focal, seoul, busan, seoul, "maybe", http.StatusBadRequest)
		answer(focal, seoul, busan, seoul, "declined", http.StatusSeeOther)
		body = post(admin, "/admin/exchange/rounds/"+m[1]+"/run", nil, http.StatusSeeOther)
		if !strings.Contains(body, `data-learner="`+seoul+`" data-mentor="`+lyon+`" data-status="pending"`) ||
			!strings.Contains(body, `data-learner="`+seoul+`" data-mentor="`+busan+`" data-status="declined"`) ||
			!strings.Contains(body, "Lyon: stated by the city: Lyon's cycle lanes") || !strings.Contains(body, "1 declined pairs left out") {
			t.Fatalf("the re-run after Seoul declined Busan:\n%s", body)
		}
		answer(focal, seoul, lyon, seoul, "accepted", http.StatusSeeOther)
		answer(admin, seoul, lyon, lyon, "accepted", http.StatusSeeOther)
		body = post(admin, "/admin/exchange/rounds/"+m[1]+"/run", nil, http.StatusSeeOther)
		if !strings.Contains(body, `data-learner="`+seoul+`" data-mentor="`+lyon+`" data-status="accepted"`) || !strings.Contains(body, "1 accepted pairs kept") {
			t.Fatalf("the re-run does not keep the accepted pair:\n%s", body)
		}
		// Seoul now offers no place as a learner: its accepted pair does not fit.
		post(focal, rp+"/opt", url.Values{"learner": {"0"}, "mentor": {"1"}}, http.StatusSeeOther)
		body = post(admin, "/admin/exchange/rounds/"+m[1]+"/run", nil, http.StatusBadRequest)
		if !strings.Contains(body, "The round cannot run with these places.") || !strings.Contains(body, seoul+", learner: "+seoul+" has 1 accepted pairs in this role but 0 places") {
			t.Errorf("infeasible places are not named:\n%s", body)
		}
		post(admin, "/admin/exchange/rounds/"+m[1]+"/state", url.Values{"state": {"closed"}}, http.StatusSeeOther)
		answer(focal, seoul, lyon, seoul, "declined", http.StatusConflict)
		if body = get(visitor, "/exchange/rounds", http.StatusOK); !strings.Contains(body, "Mobility round 2026") {
			t.Errorf("the closed round is not listed for visitors:\n%s", body)
		}
	})
}
