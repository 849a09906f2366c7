package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Refusals and failures speak the reader's language: a refused sign-in
// and the sign-in rate limit in Korean for a Korean reader, and an
// internal error as a request id to quote, never its text.

// postKorean posts a form with Accept-Language: ko.
func postKorean(t *testing.T, c *webtest.Client, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("csrf", c.CSRF)
	req, err := http.NewRequest(http.MethodPost, c.Env.URL(path), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "ko-KR,ko;q=0.9,en;q=0.5")
	return c.Do(req)
}

func TestI18nLoginRefusalsInKorean(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		const (
			koWrong   = "이메일 또는 비밀번호가 틀렸습니다."
			enWrong   = "E-mail or password is wrong."
			koLimited = "로그인 실패가 너무 많습니다."
			enLimited = "Too many failed sign-ins"
		)

		// Accept-Language: ko.
		c := env.Client()
		c.Get("/login")
		res, body := postKorean(t, c, "/login", url.Values{"email": {"judge@test.citylens"}, "password": {"wrong password"}})
		expectStatus(t, "wrong password, Korean reader", res, body, http.StatusUnauthorized)
		if !strings.Contains(body, koWrong) || strings.Contains(body, enWrong) {
			t.Errorf("refused sign-in for a Korean reader: want %q, not the English text:\n%s", koWrong, body)
		}
		if !strings.Contains(body, "<h1>로그인</h1>") {
			t.Errorf("refused sign-in for a Korean reader: the form is not in Korean:\n%s", body)
		}
		res, body = c.Login("judge@test.citylens", "wrong password")
		expectStatus(t, "wrong password, English reader", res, body, http.StatusUnauthorized)
		if !strings.Contains(body, enWrong) {
			t.Errorf("refused sign-in for an English reader: want %q:\n%s", enWrong, body)
		}

		// ?lang=ko, remembered by the language cookie for the form's post.
		k := env.Client()
		k.Get("/login?lang=ko")
		for i := 0; i < 5; i++ {
			res, body := k.Login("partner@test.citylens", "wrong password "+string(rune('a'+i)))
			expectStatus(t, "failed sign-in (?lang=ko)", res, body, http.StatusUnauthorized)
			if !strings.Contains(body, koWrong) {
				t.Fatalf("failed sign-in %d (?lang=ko): want %q:\n%s", i+1, koWrong, body)
			}
		}
		res, body = k.Login("partner@test.citylens", webtest.Password)
		expectStatus(t, "rate-limited sign-in (?lang=ko)", res, body, http.StatusTooManyRequests)
		if !strings.Contains(body, koLimited) || strings.Contains(body, enLimited) || res.Header.Get("Retry-After") == "" {
			t.Errorf("rate limit for a Korean reader: want %q and Retry-After, not the English text:\n%s", koLimited, body)
		}
	})
}

func TestI18nInternalErrorShowsRequestID(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		c := env.Client()
		c.Get("/login")
		// Every query now fails with the database driver's own error.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		leaks := []string{"closed", "sql", "database"}
		for _, tc := range []struct {
			lang, want string
		}{
			{"ko", "서버 로그"},
			{"en", "Something went wrong on our side"},
		} {
			req, err := http.NewRequest(http.MethodGet, env.URL("/members"), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept-Language", tc.lang)
			res, body := c.Do(req)
			expectStatus(t, "/members on a closed store ("+tc.lang+")", res, body, http.StatusInternalServerError)
			id := res.Header.Get("X-Request-ID")
			if id == "" || !strings.Contains(body, id) {
				t.Errorf("%s: the page does not show the request id %q:\n%s", tc.lang, id, body)
			}
			if !strings.Contains(body, tc.want) {
				t.Errorf("%s: want %q:\n%s", tc.lang, tc.want, body)
			}
			for _, l := range leaks {
				if strings.Contains(strings.ToLower(body), l) {
					t.Errorf("%s: the page shows internal text (%q):\n%s", tc.lang, l, body)
				}
			}
		}

		// The API: a generic message, the code "internal" and the request id.
		res, body := c.API(http.MethodGet, "/api/v1/cities", "", "")
		expectStatus(t, "API on a closed store", res, body, http.StatusInternalServerError)
		var e web.APIError
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("API error: %v\n%s", err, body)
		}
		if e.Error.RequestID == "" || e.Error.RequestID != res.Header.Get("X-Request-ID") || e.Error.Code != "internal" {
			t.Errorf("API error: request id %q (header %q), code %q", e.Error.RequestID, res.Header.Get("X-Request-ID"), e.Error.Code)
		}
		for _, l := range leaks {
			if strings.Contains(strings.ToLower(e.Error.Message), l) {
				t.Errorf("API error shows internal text (%q): %s", l, body)
			}
		}
	})
}

// TestI18nMemberRefusalsInKorean: the directory's refusals, worded by the
// members service's keys, are Korean on a Korean reader's pages: a city
// edit, a regional office's and a partner's forms next to their fields,
// and a members CSV import's problems by row and column on the error page.
func TestI18nMemberRefusalsInKorean(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		admin := env.ClientAs(webtest.Admin)
		admin.Get("/admin/members?lang=ko") // the language cookie
		city := func(lat, lon, country string) url.Values {
			return url.Values{"name": {" "}, "latitude": {lat}, "longitude": {lon}, "population": {"1"},
				"country": {country}, "region": {webtest.RegionA}, "office": {"office-asia"}, "status": {"member"}}
		}
		english := []string{"is required", "is outside", "is not a number", "already exists", "is not one of", "already appears", "serves region",
			"problem(s)", "row 3", "column"}
		for _, tc := range []struct {
			name   string
			send   func() (*http.Response, string)
			status int
			wants  []string
		}{
			{"a city's number that is not one", func() (*http.Response, string) {
				return admin.PostForm("/admin/members/"+webtest.CityX, city("37.5", "east", "KOR"))
			}, http.StatusBadRequest, []string{"아무것도 저장되지 않았습니다:", `longitude: "east"은(는) 숫자가 아닙니다`}},
			{"a city the members service refuses", func() (*http.Response, string) {
				return admin.PostForm("/admin/members/"+webtest.CityX, city("91", "127", "Korea"))
			}, http.StatusBadRequest, []string{"name: 필수 항목입니다", "latitude: 91은(는) -90~90 범위를 벗어납니다",
				`country: "KOREA"은(는) ISO 3166-1 alpha-2 또는 alpha-3 코드가 아닙니다(예: KR 또는 KOR)`}},
			{"an office code taken", func() (*http.Response, string) {
				return admin.PostForm("/admin/offices", url.Values{"code": {"office-asia"}, "name": {"Second Asia Office"}, "region": {webtest.RegionA}})
			}, http.StatusConflict, []string{`code: 코드가 "office-asia"인 지역 사무소가 이미 있습니다(Asia Office)`, `id="code-error"`}},
			{"an office serving cities moved", func() (*http.Response, string) {
				return admin.PostForm("/admin/offices/office-asia", url.Values{"name": {"Asia Office"}, "region": {webtest.RegionB}})
			}, http.StatusBadRequest, []string{"region: 이 사무소는 AS 지역의 도시 2곳을 담당합니다: 지역을 바꾸기 전에 그 도시들을 다른 사무소로 옮기십시오"}},
			{"a partner of no kind", func() (*http.Response, string) {
				return admin.PostForm("/admin/partners", url.Values{"code": {"p-x"}, "name": {"X"}, "kind": {"club"}, "website": {"ftp://x.org"}})
			}, http.StatusBadRequest, []string{`kind: "club"은(는) company, university, research, agency, international, nonprofit 중 하나가 아닙니다`,
				`website: "ftp://x.org"은(는) https:// 또는 http://로 시작하는 웹 주소가 아닙니다`}},
			{"a members file with bad rows", func() (*http.Response, string) {
				return uploadCSV(t, admin, "/admin/members/import", "members_bad.csv", readFixture(t, "members_bad.csv"))
			}, http.StatusBadRequest, []string{"잘못된 요청", "문제 ", "3행, name 열: 필수 항목입니다", "3행, latitude 열: 95은(는) -90~90 범위를 벗어납니다",
				`3행, population 열: "lots"은(는) 정수가 아닙니다`, `5행, code 열: "jp-osaka"은(는) 이미 2행에 있습니다`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := tc.send()
				expectStatus(t, tc.name, res, body, tc.status)
				body = html.UnescapeString(body)
				expectBody(t, tc.name, body, tc.wants...)
				for _, e := range english {
					if strings.Contains(body, e) {
						t.Errorf("%s: the Korean page shows the English %q", tc.name, e)
					}
				}
			})
		}
	})
}
