package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestSecurityOpenRedirect (case 10): the page after sign-in is a path of
// this site, parsed, whatever next says.
func TestSecurityOpenRedirect(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		for next, want := range map[string]string{
			"/\t/evil.example/":        "/",
			"/%09/evil.example/":       "/%09/evil.example/", // a path of this site: %09 stays escaped
			"//evil.example/":          "/",
			"/\\evil.example/":         "/",
			"https://evil.example/":    "/",
			"/\r\n/evil.example":       "/",
			"http:/evil.example":       "/",
			"/members?region=AS&q=seo": "/members?region=AS&q=seo",
			"/cities/kr-seoul":         "/cities/kr-seoul",
		} {
			c := env.Client()
			_, page := c.Get("/login?next=" + url.QueryEscape(next))
			if want == "/" && !strings.Contains(page, `name="next" value="/">`) {
				t.Errorf("login page for next=%q carries it on", next)
			}
			res, body := c.PostForm("/login", url.Values{"email": {env.Users[webtest.Judge].Email}, "password": {webtest.Password}, "next": {next}})
			expectStatus(t, "sign-in with next="+next, res, body, http.StatusSeeOther)
			if got := res.Header.Get("Location"); got != want {
				t.Errorf("next=%q: Location %q, want %q", next, got, want)
			}
		}
	})
}

// TestSecurityTextFields (case 11): NUL and invalid UTF-8 in any text
// field (anonymous or not, page or API) answer 400 naming the field, on
// both databases, and store nothing.
func TestSecurityTextFields(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newAPICallEnv(t, s)
		anon := env.ClientAs(webtest.Anonymous)
		admin := env.ClientAs(webtest.Admin)
		focal := env.ClientAs(webtest.Focal)
		for _, tc := range []struct {
			name  string
			c     *webtest.Client
			path  string
			form  url.Values
			field string
		}{
			{"login e-mail with NUL", anon, "/login", url.Values{"email": {"admin@test.citylens\x00"}, "password": {"x"}}, "email"},
			{"login password not UTF-8", anon, "/login", url.Values{"email": {"admin@test.citylens"}, "password": {"\xff\xfe"}}, "password"},
			{"reset e-mail with NUL", anon, "/password/forgot", url.Values{"email": {"a\x00@test.citylens"}}, "email"},
			{"office name with NUL", admin, "/admin/offices", url.Values{"code": {"office-x"}, "name": {"X\x00"}, "region": {"AF"}, "host_city": {"Nairobi"}}, "name"},
			{"token name not UTF-8", focal, "/account/tokens", url.Values{"name": {"tok\xc3\x28"}, "scope": {"read"}}, "name"},
		} {
			res, body := tc.c.PostForm(tc.path, tc.form)
			expectStatus(t, tc.name, res, body, http.StatusBadRequest)
			if !strings.Contains(body, tc.field+": contains a NUL character or text that is not valid UTF-8") {
				t.Errorf("%s: the 400 does not name the field %q:\n%.800s", tc.name, tc.field, body)
			}
		}
		if res, body := anon.Get("/members?q=Seo%00ul"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "q: contains a NUL") {
			t.Errorf("a NUL in a query: %d", res.StatusCode)
		}
		// The API: a JSON string with \u0000, named by its place in the body.
		token := env.APIToken(webtest.Focal, "write")
		res, body := env.put(token, webtest.CityX, batch(`{"indicator":"`+indUnemployment+`","value":5,"source":"KOSTAT\u0000","year":2025}`))
		expectStatus(t, "API value source with NUL", res, body, http.StatusBadRequest)
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal([]byte(body), &e)
		if !strings.Contains(e.Error.Message, "values[0].source: contains a NUL") {
			t.Errorf("API 400 does not name the field: %s", body)
		}
		res, body = env.c.API(http.MethodPut, "/api/v1/cities/"+webtest.CityX, token, "{\"name\":\"Seoul\xff\"}")
		expectStatus(t, "API body not UTF-8", res, body, http.StatusBadRequest)
		// Nothing was stored.
		if _, err := s.Office(context.Background(), "office-x"); err == nil {
			t.Error("the office with a NUL in its name was created")
		}
		if vals, _ := s.(storetest.FeatureStore).EditionValues(context.Background(), "2026"); len(vals) != 0 {
			t.Errorf("values stored: %d", len(vals))
		}
	})
}

// TestSecuritySearchTerms (case 12): a search is at most 100 characters
// and its % and _ are themselves, not wildcards.
func TestSecuritySearchTerms(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		c := env.Client()
		res, body := c.Get("/members?q=" + strings.Repeat("a", 60000))
		expectStatus(t, "60,000-character search", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "at most 100 characters") {
			t.Errorf("the 400 does not say the limit:\n%.500s", body)
		}
		if res, _ := c.API(http.MethodGet, "/api/v1/cities?q="+strings.Repeat("a", 101), "", ""); res.StatusCode != http.StatusBadRequest {
			t.Errorf("API search of 101 characters: %d, want 400", res.StatusCode)
		}
		for q, want := range map[string]int{"%": 0, "_": 0, "s%ul": 0, "eou": 1, "": len(webtest.FixtureCities)} {
			var got struct{ Cities []json.RawMessage }
			if st := getJSON(t, c, "/api/v1/cities?q="+url.QueryEscape(q), &got); st != 200 || len(got.Cities) != want {
				t.Errorf("search %q: %d, %d cities, want %d", q, st, len(got.Cities), want)
			}
		}
	})
}

// TestSecurityAnonymousCSRF (case 16): a planted anonymous CSRF cookie with
// the same value in the form is refused; the server's own signed token
// works.
func TestSecurityAnonymousCSRF(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		c := env.Client()
		u, _ := url.Parse(env.URL("/"))
		c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "citylens_csrf", Value: "a"}})
		res, body := c.PostForm("/login", url.Values{"csrf": {"a"}, "email": {env.Users[webtest.Judge].Email}, "password": {webtest.Password}})
		expectStatus(t, "login with a planted CSRF cookie", res, body, http.StatusForbidden)
		planted := strings.Repeat("b", 43) + "." + strings.Repeat("0", 32)
		c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "citylens_csrf", Value: planted}})
		res, body = c.PostForm("/login", url.Values{"csrf": {planted}, "email": {env.Users[webtest.Judge].Email}, "password": {webtest.Password}})
		expectStatus(t, "login with a forged signed-looking cookie", res, body, http.StatusForbidden)
		// The login page replaces the planted cookie with a signed one.
		c.Get("/login")
		res, body = c.Login(env.Users[webtest.Judge].Email, webtest.Password)
		expectStatus(t, "login with the server's token", res, body, http.StatusSeeOther)
	})
}

// TestSecurityFlashAndAPINotFound (case 17): a page shows only flash
// messages the server signed, never text from the URL; unknown API paths
// answer a JSON problem document.
func TestSecurityFlashAndAPINotFound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		c := env.Client()
		for _, q := range []string{
			"flash=" + url.QueryEscape("Your account is suspended: call +1 555 0100"),
			"flash=flash.signed_out",
			"flash=flash.signed_out&fl=en&fs=00000000000000000000000000000000",
		} {
			_, body := c.Get("/members?" + q)
			if strings.Contains(body, `class="flash"`) {
				t.Errorf("/members?%s shows a flash:\n%.300s", q, body)
			}
		}
		// A real one (signing out) is shown.
		judge := env.ClientAs(webtest.Judge)
		res, _ := judge.PostForm("/logout", nil)
		_, body := judge.Get(res.Header.Get("Location"))
		if !strings.Contains(body, `<p class="flash" role="status">You are signed out.</p>`) {
			t.Errorf("the sign-out flash is not shown:\n%.1500s", body)
		}
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			res, body := c.API(m, "/api/v1/no/such/thing", "", "")
			if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s unknown API path: %d %s", m, res.StatusCode, res.Header.Get("Content-Type"))
			}
			var p struct {
				Type, Title, Detail string
				Status              int
			}
			if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != 404 || p.Title != "Not Found" || !strings.Contains(p.Detail, "/api/v1/no/such/thing") {
				t.Errorf("%s unknown API path: problem %+v, %v\n%s", m, p, err, body)
			}
		}
		// Pages still answer their own HTML 404.
		if res, body := c.Get("/no/such/page"); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "<html") {
			t.Errorf("unknown page: %d", res.StatusCode)
		}
	})
}
