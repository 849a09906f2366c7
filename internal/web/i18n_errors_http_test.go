package web_test

import (
	"encoding/json"
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
