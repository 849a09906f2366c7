package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

func init() {
	pa := only(webtest.Admin, webtest.Focal)
	featureMatrix["GET /partnerships"] = []probe{{Path: "/partnerships", Allow: everyone}}
	featureMatrix["GET /exchange/partnerships"] = []probe{{Path: "/exchange/partnerships", Allow: everyone}}
	featureMatrix["GET /exchange/partnerships/new"] = []probe{{Path: "/exchange/partnerships/new", Allow: pa}}
	featureMatrix["POST /exchange/partnerships"] = []probe{{Path: "/exchange/partnerships", Body: "title=&city_a=" + webtest.CityX, Allow: pa}}
	featureMatrix["GET /exchange/partnerships/{id}"] = []probe{{Path: "/exchange/partnerships/999999", Allow: everyone}}
	featureMatrix["GET /exchange/partnerships/{id}/edit"] = []probe{{Path: "/exchange/partnerships/999999/edit", Allow: pa}}
	featureMatrix["POST /exchange/partnerships/{id}"] = []probe{{Path: "/exchange/partnerships/999999", Body: "title=x", Allow: pa}}
	featureMatrix["POST /exchange/partnerships/{id}/status"] = []probe{{Path: "/exchange/partnerships/999999/status", Body: "status=active", Allow: pa}}
	featureMatrix["POST /exchange/partnerships/{id}/activities"] = []probe{{Path: "/exchange/partnerships/999999/activities", Body: "kind=workshop", Allow: pa}}
	featureMatrix["POST /exchange/partnerships/{id}/agreement"] = []probe{{Path: "/exchange/partnerships/999999/agreement", Allow: pa}}
	featureMatrix["GET /exchange/partnerships/{id}/agreement"] = []probe{{Path: "/exchange/partnerships/999999/agreement", Allow: everyone}}
}

var partnershipPath = regexp.MustCompile(`^/exchange/partnerships/(\d+)`)

// Partnerships over HTTP on SQLite and PostgreSQL: the secretariat and a
// city's focal point record partnerships (the focal point only its own
// city's), bad input is refused naming each field in Korean and keeps the
// input, status moves follow the rules, activities and the agreement file
// are added by the cities' focal points only, and a members-only
// partnership is absent for visitors from the lists, the explorer's map,
// its table and counts, the city's profile data and by URL, while members
// see it. Each partnership is a case of the library, linked both ways.
func TestPartnershipsHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		admin, focal, regional, visitor := env.ClientAs(webtest.Admin), env.ClientAs(webtest.Focal), env.ClientAs(webtest.Regional), env.Client()
		create := func(c *webtest.Client, form url.Values) string {
			t.Helper()
			res, body := c.PostForm("/exchange/partnerships", form)
			m := partnershipPath.FindStringSubmatch(res.Header.Get("Location"))
			if res.StatusCode != http.StatusSeeOther || m == nil {
				t.Fatalf("partnership not created: %d %s", res.StatusCode, body)
			}
			return "/exchange/partnerships/" + m[1]
		}
		// The secretariat: Seoul–Busan, public.
		pub := create(admin, url.Values{"city_a": {webtest.CityX}, "city_b": {webtest.CityXB}, "title": {"Seoul–Busan smart ports"},
			"title_ko": {"서울–부산 스마트 항만"}, "summary": {"Port logistics data shared."}, "themes": {"ports, mobility"},
			"start_date": {"2025-03-01"}, "visibility": {"public"}})
		// The focal point of Seoul: Seoul with the partner organisation, members only.
		priv := create(focal, url.Values{"city_a": {webtest.CityX}, "partner": {webtest.PartnerOrg}, "title": {"Seoul data charter"},
			"start_date": {"2025-06-01"}, "visibility": {"members"}})
		// A focal point may not record a partnership of other cities.
		res, _ := focal.PostForm("/exchange/partnerships", url.Values{"city_a": {webtest.CityXB}, "city_b": {webtest.CityY},
			"title": {"Busan–Lyon"}, "start_date": {"2025-01-01"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a focal point recorded another city's partnership: %d", res.StatusCode)
		}
		// Bad input: every field named, in Korean, the input kept, nothing stored.
		res, body := env.ClientAs(webtest.Admin).PostForm("/exchange/partnerships?lang=ko", url.Values{"city_a": {webtest.CityX}, "city_b": {webtest.CityX},
			"title_ko": {"잘못된 파트너십"}, "start_date": {"2025-02-30"}, "visibility": {"secret"}})
		for _, want := range []string{"두 번째 도시(코드): 파트너십은 서로 다른 두 도시 사이에 맺습니다", "제목: 필수 항목입니다",
			"시작일: YYYY-MM-DD 형식의 날짜여야 합니다", "공개 범위: 다음 중 하나여야 합니다", "잘못된 파트너십"} {
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
				t.Errorf("invalid partnership: %d, want 422 with %q", res.StatusCode, want)
			}
		}
		res, body = admin.PostForm("/exchange/partnerships", url.Values{"city_a": {webtest.CityX}, "city_b": {"xx-nowhere"},
			"title": {"Nowhere"}, "start_date": {"2025-01-01"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "no member city xx-nowhere") {
			t.Errorf("unknown city: %d %s", res.StatusCode, body)
		}
		_, body = admin.Get("/exchange/partnerships")
		if got := strings.Count(body, "<tr data-id="); got != 2 {
			t.Errorf("the secretariat lists %d partnerships, want 2 (nothing stored of the refused ones)", got)
		}

		// Visibility: a visitor sees the public one only, everywhere.
		_, body = visitor.Get("/exchange/partnerships")
		if !strings.Contains(body, "Seoul–Busan smart ports") || strings.Contains(body, "Seoul data charter") || !strings.Contains(body, "1 partnerships") {
			t.Errorf("visitor's list:\n%s", body)
		}
		if res, _ := visitor.Get(priv); res.StatusCode != http.StatusNotFound {
			t.Errorf("visitor reads a members-only partnership: %d", res.StatusCode)
		}
		for _, c := range []*webtest.Client{regional, focal, admin} {
			if res, body := c.Get(priv); res.StatusCode != http.StatusOK || !strings.Contains(body, "Urban Data Institute") {
				t.Errorf("a member cannot read the members-only partnership: %d", res.StatusCode)
			}
		}
		_, body = visitor.Get("/partnerships")
		if !strings.Contains(body, `id="partnership-map"`) || !strings.Contains(body, "Seoul–Busan smart ports") || strings.Contains(body, "Seoul data charter") {
			t.Errorf("explorer map:\n%s", body)
		}
		if got := strings.Count(body, `class="pl s-proposed"`); got != 1 {
			t.Errorf("map lines: %d, want 1", got)
		}
		if got := strings.Count(body, `<tr data-partnership=`); got != 1 {
			t.Errorf("table rows: %d, want 1", got)
		}
		if !strings.Contains(body, "1 public partnerships; 1 lines between cities on the map, joining 2 cities.") {
			t.Errorf("map summary wrong:\n%s", body)
		}
		// Even a member sees the public map only (the explorer is the same for all).
		if _, body = admin.Get("/partnerships"); strings.Contains(body, "Seoul data charter") {
			t.Error("the explorer's map shows a members-only partnership")
		}
		_, body = env.Client().Get("/partnerships?lang=ko")
		for _, want := range []string{"네트워크의 파트너십", "서울–부산 스마트 항만", "제안", "파트너십 표"} {
			if !strings.Contains(body, want) {
				t.Errorf("Korean map lacks %q", want)
			}
		}

		// Status moves: proposed → completed refused; the regional officer
		// and another city's focal point may not change it.
		res, body = admin.PostForm(pub+"/status", url.Values{"status": {"completed"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "a partnership that is Proposed cannot become Completed") {
			t.Errorf("proposed → completed: %d", res.StatusCode)
		}
		if res, _ := regional.PostForm(pub+"/status", url.Values{"status": {"active"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("regional officer changed a status: %d", res.StatusCode)
		}
		if res, _ := focal.PostForm(pub+"/status", url.Values{"status": {"active"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("Seoul's focal point could not activate Seoul's partnership: %d", res.StatusCode)
		}
		// An activity with a report; a bad one names its fields.
		res, body = env.ClientAs(webtest.Focal).PostForm(pub+"/activities?lang=ko", url.Values{"kind": {"party"}, "activity_start": {"2025-05-01"}, "activity_end": {"2025-04-01"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "활동 제목: 필수 항목입니다") || !strings.Contains(body, "종료일: 종료일이 시작일보다 앞섭니다") {
			t.Errorf("bad activity: %d", res.StatusCode)
		}
		if res, body := focal.PostForm(pub+"/activities", url.Values{"kind": {"study_visit"}, "activity_title": {"Busan port visit"},
			"activity_start": {"2025-05-01"}, "activity_end": {"2025-05-03"}, "report": {"Saw the port's digital twin."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("activity: %d %s", res.StatusCode, body)
		}
		// The agreement: a PDF; an executable refused, the PDF kept.
		if res, _ := evidenceForm(focal, pub+"/agreement", url.Values{"agreement_date": {"2025-02-20"}}, "mou.pdf", []byte("%PDF-1.7 the MoU")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("agreement upload: %d", res.StatusCode)
		}
		if res, _ := evidenceForm(focal, pub+"/agreement", nil, "mou.exe", []byte("MZ\x90\x00")); res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("an executable agreement: %d, want 415", res.StatusCode)
		}
		res, body = visitor.Get(pub + "/agreement")
		if res.StatusCode != http.StatusOK || body != "%PDF-1.7 the MoU" || res.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("agreement download: %d %q %s", res.StatusCode, body, res.Header.Get("Content-Type"))
		}
		if res, _ := visitor.Get(priv + "/agreement"); res.StatusCode != http.StatusNotFound {
			t.Errorf("a members-only partnership's agreement: %d", res.StatusCode)
		}
		_, body = visitor.Get(pub)
		for _, want := range []string{"Active", "Busan port visit", "Saw the port&#39;s digital twin.", "signed 2025-02-20", "mou.pdf"} {
			if !strings.Contains(body, want) {
				t.Errorf("partnership page lacks %q", want)
			}
		}
		m := regexp.MustCompile(`href="/exchange/cases/(\d+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the partnership page does not link its case")
		}
		_, body = visitor.Get("/exchange/cases/" + m[1])
		if !strings.Contains(body, `id="case-partnership"`) || !strings.Contains(body, pub) || !strings.Contains(body, "Partnership") {
			t.Errorf("the case does not link back to its partnership:\n%s", body)
		}
		_, body = visitor.Get("/exchange?q=ports")
		if !strings.Contains(body, "Seoul–Busan smart ports") {
			t.Errorf("the partnership's case is not found in the library")
		}
		_, body = visitor.Get("/exchange?q=charter")
		if strings.Contains(body, "Seoul data charter") {
			t.Errorf("the members-only partnership's case shows to a visitor")
		}
		// Edit: the other city's focal point may not; the secretariat may.
		if res, _ := focal.Get(priv + "/edit"); res.StatusCode != http.StatusOK {
			t.Errorf("Seoul's focal point cannot edit Seoul's partnership: %d", res.StatusCode)
		}
		if res, body := admin.PostForm(pub, url.Values{"city_a": {webtest.CityX}, "city_b": {webtest.CityXB}, "title": {"Seoul–Busan smart ports and logistics"},
			"start_date": {"2025-03-01"}, "agreement_date": {"2025-02-20"}, "visibility": {"public"}, "outcomes": {"A shared berth schedule."}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("edit: %d %s", res.StatusCode, body)
		}
		if _, body = visitor.Get(pub); !strings.Contains(body, "A shared berth schedule.") || !strings.Contains(body, "Active") {
			t.Errorf("after the edit (status kept):\n%s", body)
		}
	})
}
