package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

func expectStatus(t *testing.T, what string, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		if len(body) > 2000 {
			body = body[:2000]
		}
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, want, body)
	}
}

func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginSessionAndLogout(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		c := env.Client()
		res, body := c.Get("/admin/users")
		expectStatus(t, "anonymous admin page", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/login?next=%2Fadmin%2Fusers" {
			t.Errorf("redirect to %q", loc)
		}
		c.Get("/login")
		res, body = c.Login("admin@test.citylens", "wrong password!")
		expectStatus(t, "wrong password", res, body, http.StatusUnauthorized)
		if !strings.Contains(body, "E-mail or password is wrong.") {
			t.Errorf("wrong-password page does not say so:\n%s", body)
		}
		res, body = c.PostForm("/login", url.Values{"email": {"ADMIN@test.citylens "}, "password": {webtest.Password}, "next": {"/admin/users"}})
		expectStatus(t, "login", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/admin/users" {
			t.Errorf("after login redirect to %q, want /admin/users", loc)
		}
		sc := cookieNamed(res, "citylens_session")
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.MaxAge <= 0 {
			t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Lax, not Secure on plain HTTP, expiring", sc)
		}
		res, body = c.Get("/admin/users")
		expectStatus(t, "admin page after login", res, body, http.StatusOK)
		if !strings.Contains(body, "judge@test.citylens") {
			t.Error("users page does not list the users")
		}
		// The session is stored hashed: the cookie value is not in the store.
		if _, err := env.Store.Session(context.Background(), sc.Value); err == nil {
			t.Error("the session token is stored in clear")
		}
		// Login rotates the session: logging in again gives a new token and
		// the old one stops working.
		res, _ = c.Login("admin@test.citylens", webtest.Password)
		sc2 := cookieNamed(res, "citylens_session")
		if sc2 == nil || sc2.Value == sc.Value {
			t.Fatal("login did not rotate the session token")
		}
		old := env.Client()
		old.HTTP.Jar.SetCookies(mustURL(t, env.URL("/")), []*http.Cookie{{Name: "citylens_session", Value: sc.Value}})
		res, body = old.Get("/admin/users")
		expectStatus(t, "old session after rotation", res, body, http.StatusSeeOther)

		c.Get("/")
		res, body = c.PostForm("/logout", nil)
		expectStatus(t, "logout", res, body, http.StatusSeeOther)
		res, body = c.Get("/admin/users")
		expectStatus(t, "admin page after logout", res, body, http.StatusSeeOther)
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSessionExpires(t *testing.T) {
	s := storetest.OpenSQLite(t)
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	env := webtest.New(t, s, func(c *web.Config) { c.Now = func() time.Time { return now } })
	c := env.ClientAs(webtest.Admin)
	res, body := c.Get("/admin/users")
	expectStatus(t, "fresh session", res, body, http.StatusOK)
	now = now.Add(accounts.SessionLifetime + time.Second)
	res, body = c.Get("/admin/users")
	expectStatus(t, "expired session", res, body, http.StatusSeeOther)
}

func TestCSRF(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		c := env.ClientAs(webtest.Admin)
		form := url.Values{"email": {"new@test.citylens"}, "role": {"judge"}}
		for _, tc := range []struct {
			name  string
			token string
		}{
			{"missing", ""},
			{"wrong", "not-the-token"},
			{"another session's", env.ClientAs(webtest.Admin).CSRF},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := url.Values{"csrf": {tc.token}}
				for k, v := range form {
					f[k] = v
				}
				res, body := c.PostForm("/admin/users/invite", f)
				expectStatus(t, "invite with "+tc.name+" token", res, body, http.StatusForbidden)
				if !strings.Contains(body, "security token") {
					t.Errorf("403 page does not explain the token:\n%s", body)
				}
			})
		}
		if _, err := env.Store.UserByEmail(context.Background(), "new@test.citylens"); err == nil {
			t.Fatal("a request with a bad CSRF token created a user")
		}
		res, body := c.PostForm("/admin/users/invite", form)
		expectStatus(t, "invite with the token", res, body, http.StatusSeeOther)
		// Anonymous forms use a double-submit cookie: a login without it is refused.
		anon := env.Client()
		res, body = anon.Send(http.MethodPost, "/login", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"email": {"admin@test.citylens"}, "password": {webtest.Password}}.Encode()))
		expectStatus(t, "login without CSRF cookie", res, body, http.StatusForbidden)
		// A cross-site POST is refused before anything else.
		req, _ := http.NewRequest(http.MethodPost, env.URL("/logout"), strings.NewReader("csrf="+c.CSRF))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, body = c.Do(req)
		expectStatus(t, "cross-site logout", res, body, http.StatusForbidden)
	})
}

var linkPattern = regexp.MustCompile(`http://citylens\.test(/[a-z/]+)\?token=([A-Za-z0-9_-]+)`)

// outboxLink reads the newest link e-mailed to someone, as an admin would.
func outboxLink(t *testing.T, env *webtest.Env, to string) (string, string) {
	t.Helper()
	ms, err := env.Store.ListOutbox(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.To == to {
			if l := linkPattern.FindStringSubmatch(m.Body); l != nil {
				return l[1], l[2]
			}
		}
	}
	t.Fatalf("no link mailed to %s in %+v", to, ms)
	return "", ""
}

func TestPasswordReset(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		judge := env.ClientAs(webtest.Judge) // a session that the reset must end
		c := env.Client()
		c.Get("/password/forgot")
		for _, email := range []string{"judge@test.citylens", "nobody@test.citylens"} {
			res, body := c.PostForm("/password/forgot", url.Values{"email": {email}})
			expectStatus(t, "forgot "+email, res, body, http.StatusOK)
			if !strings.Contains(body, "If an account uses") {
				t.Errorf("answer differs or reveals the account:\n%s", body)
			}
		}
		ms, _ := env.Store.ListOutbox(context.Background(), 50)
		if len(ms) != 1 {
			t.Fatalf("outbox has %d messages, want 1 (none for an unknown address)", len(ms))
		}
		// The outbox page shows it to admins.
		admin := env.ClientAs(webtest.Admin)
		res, body := admin.Get("/admin/outbox")
		expectStatus(t, "outbox", res, body, http.StatusOK)
		if !strings.Contains(body, "Reset your CityLens password") {
			t.Error("outbox page does not show the reset message")
		}
		path, token := outboxLink(t, env, "judge@test.citylens")
		if path != "/password/reset" {
			t.Fatalf("link path %q", path)
		}
		res, body = c.Get(path + "?token=" + token)
		expectStatus(t, "reset form", res, body, http.StatusOK)
		res, body = c.PostForm(path, url.Values{"token": {token}, "password": {"short"}, "password_again": {"short"}})
		expectStatus(t, "too short", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "at least 10 characters") {
			t.Errorf("short password page:\n%s", body)
		}
		res, body = c.PostForm(path, url.Values{"token": {token}, "password": {"a brand new password"}, "password_again": {"a brand new password"}})
		expectStatus(t, "reset", res, body, http.StatusSeeOther)
		res, body = c.PostForm(path, url.Values{"token": {token}, "password": {"another new password"}, "password_again": {"another new password"}})
		expectStatus(t, "reuse of the link", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "invalid, expired or already used") {
			t.Errorf("reused link page:\n%s", body)
		}
		res, body = judge.Get("/account/tokens")
		expectStatus(t, "old session after reset", res, body, http.StatusSeeOther)
		res, _ = env.Client().Login("judge@test.citylens", webtest.Password)
		expectStatus(t, "old password", res, "", http.StatusUnauthorized)
		res, _ = env.Client().Login("judge@test.citylens", "a brand new password")
		expectStatus(t, "new password", res, "", http.StatusSeeOther)
	})
}

func TestInvitation(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		admin := env.ClientAs(webtest.Admin)
		for _, tc := range []struct {
			name string
			form url.Values
			want string
		}{
			{"bad email", url.Values{"email": {"not-an-email"}, "role": {"judge"}}, "is not an e-mail address"},
			{"bad role", url.Values{"email": {"x@test.citylens"}, "role": {"mayor"}}, "is not one of"},
			{"focal without city", url.Values{"email": {"x@test.citylens"}, "role": {"focal_point"}}, "needs a city"},
			{"unknown city", url.Values{"email": {"x@test.citylens"}, "role": {"focal_point"}, "city": {"xx-nowhere"}}, "xx-nowhere"},
			{"regional without region", url.Values{"email": {"x@test.citylens"}, "role": {"regional_officer"}}, "needs a region"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := admin.PostForm("/admin/users/invite", tc.form)
				expectStatus(t, tc.name, res, body, http.StatusBadRequest)
				if !strings.Contains(body, tc.want) {
					t.Errorf("error page lacks %q:\n%s", tc.want, body)
				}
			})
		}
		res, body := admin.PostForm("/admin/users/invite", url.Values{"email": {"busan@test.citylens"}, "role": {"focal_point"}, "city": {webtest.CityXB}})
		expectStatus(t, "invite", res, body, http.StatusSeeOther)
		res, body = admin.PostForm("/admin/users/invite", url.Values{"email": {"busan@test.citylens"}, "role": {"judge"}})
		expectStatus(t, "invite twice", res, body, http.StatusConflict)

		res, _ = env.Client().Login("busan@test.citylens", "")
		expectStatus(t, "invited user without password", res, "", http.StatusBadRequest)
		path, token := outboxLink(t, env, "busan@test.citylens")
		if path != "/invitations/accept" {
			t.Fatalf("link path %q", path)
		}
		c := env.Client()
		res, body = c.Get(path + "?token=" + token)
		expectStatus(t, "accept form", res, body, http.StatusOK)
		res, body = c.PostForm(path, url.Values{"token": {token}, "name": {"Busan Focal"}, "password": {"busan password 1"}, "password_again": {"busan password 2"}})
		expectStatus(t, "passwords differ", res, body, http.StatusBadRequest)
		res, body = c.PostForm(path, url.Values{"token": {token}, "name": {"Busan Focal"}, "password": {"busan password 1"}, "password_again": {"busan password 1"}})
		expectStatus(t, "accept", res, body, http.StatusSeeOther)
		res, body = c.Login("busan@test.citylens", "busan password 1")
		expectStatus(t, "login after accepting", res, body, http.StatusSeeOther)
		res, body = c.Get("/admin/members/" + webtest.CityXB)
		expectStatus(t, "own city", res, body, http.StatusOK)
		res, body = c.Get("/admin/members/" + webtest.CityX)
		expectStatus(t, "another city", res, body, http.StatusForbidden)

		// The audit log has the invitation and its acceptance.
		es, err := auditlog.History(context.Background(), env.Store, "user", "busan@test.citylens", 0)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Action+" by "+e.ActorEmail)
		}
		want := "user.accept_invitation by busan@test.citylens,user.invite by admin@test.citylens"
		if got := strings.Join(actions, ","); got != want {
			t.Errorf("history = %s, want %s", got, want)
		}
		if strings.Contains(string(es[0].After), "argon2") {
			t.Error("the audit log holds a password hash")
		}
	})
}

func TestChangeRoleEndsSessions(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		judge := env.ClientAs(webtest.Judge)
		admin := env.ClientAs(webtest.Admin)
		id := env.Users[webtest.Judge].ID
		res, body := admin.PostForm("/admin/users/"+itoa(id)+"/role", url.Values{"role": {"regional_officer"}, "region": {"EU"}})
		expectStatus(t, "change role", res, body, http.StatusSeeOther)
		res, body = judge.Get("/account/tokens")
		expectStatus(t, "old session after role change", res, body, http.StatusSeeOther)
		j := env.Client()
		j.Login("judge@test.citylens", webtest.Password)
		res, body = j.Get("/admin/members/" + webtest.CityY)
		expectStatus(t, "new regional officer of EU on Lyon", res, body, http.StatusOK)
		// An admin cannot demote themselves (someone must stay admin).
		res, body = admin.PostForm("/admin/users/"+itoa(env.Users[webtest.Admin].ID)+"/role", url.Values{"role": {"judge"}})
		expectStatus(t, "self-demotion", res, body, http.StatusConflict)
		es, _ := env.Store.ListAudit(context.Background(), auditlog.Filter{Action: "user.role"})
		if len(es) != 1 || !strings.Contains(string(es[0].Before), `"role":"judge"`) || !strings.Contains(string(es[0].After), `"region":"EU"`) {
			t.Errorf("audit of the role change = %+v", es)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
