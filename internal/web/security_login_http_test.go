package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// replica is a second server on env's database, as a second replica
// behind a load balancer would be.
func replica(t *testing.T, env *webtest.Env, configure ...func(*web.Config)) *webtest.Env {
	t.Helper()
	params := webtest.FastArgon2
	cfg := web.Config{Store: env.Store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Argon2: &params, BaseURL: "http://citylens.test"}
	for _, c := range configure {
		c(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &webtest.Env{T: t, Store: env.Store, Server: a.Server, Services: a.Services, Users: env.Users}
	r.HTTP = httptest.NewServer(a.Server.Handler())
	t.Cleanup(r.HTTP.Close)
	return r
}

// TestSecurityLoginThrottle (case 6): failed sign-ins slow the address
// and the account with a back-off that doubles, shared by replicas
// through the database, but nobody can lock the admin out: the right
// password from an address that has not failed still signs in.
func TestSecurityLoginThrottle(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		clock := &testClock{t: time.Now()}
		withClock := func(c *web.Config) { c.Now = clock.Now }
		env := webtest.New(t, s, withClock)
		admin := env.Users[webtest.Admin].Email
		attacker := env.ClientFrom("127.0.0.2")
		attacker.Get("/login")
		for i := range accounts.DefaultThrottle.FreePerPair {
			res, body := attacker.Login(admin, "guess "+itoa(int64(i)))
			expectStatus(t, "guess", res, body, http.StatusUnauthorized)
		}
		res, body := attacker.Login(admin, webtest.Password)
		expectStatus(t, "the attacker's address, even with the right password", res, body, http.StatusTooManyRequests)
		if res.Header.Get("Retry-After") != "2" || !strings.Contains(body, "Too many failed sign-ins") {
			t.Errorf("first wait: Retry-After %q, want 2\n%.300s", res.Header.Get("Retry-After"), body)
		}
		// Each further failure doubles the wait.
		for _, want := range []string{"4", "8", "16"} {
			clock.Add(time.Minute)
			res, _ := attacker.Login(admin, "another guess")
			expectStatus(t, "guess after the wait", res, "", http.StatusUnauthorized)
			res, _ = attacker.Login(admin, "too soon")
			if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != want {
				t.Errorf("wait after another failure: %d, Retry-After %q, want 429 and %s", res.StatusCode, res.Header.Get("Retry-After"), want)
			}
		}
		// Another replica on the same database sees the same counts.
		other := replica(t, env, withClock).ClientFrom("127.0.0.2")
		other.Get("/login")
		if res, _ := other.Login(admin, webtest.Password); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the other replica let the throttled address try: %d", res.StatusCode)
		}
		// The admin, from an address that has not failed, signs in.
		c := env.ClientFrom("127.0.0.3")
		c.Get("/login")
		res, body = c.Login(admin, webtest.Password)
		expectStatus(t, "the admin from a new address", res, body, http.StatusSeeOther)

		// Guesses spread over many addresses: past the account's free
		// failures every failing address waits at once, yet the right
		// password from yet another address works.
		judge := env.Users[webtest.Judge].Email
		var spread []*webtest.Client
		for i := range accounts.DefaultThrottle.FreePerAcct + 2 {
			a := env.ClientFrom("127.0.1." + itoa(int64(i+1)))
			a.Get("/login")
			res, _ := a.Login(judge, "spread guess")
			expectStatus(t, "spread guess", res, "", http.StatusUnauthorized)
			spread = append(spread, a)
		}
		if res, _ := spread[len(spread)-1].Login(judge, "second guess"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("an address guessing at an account under attack: %d, want 429", res.StatusCode)
		}
		c = env.ClientFrom("127.0.2.1")
		c.Get("/login")
		res, body = c.Login(judge, webtest.Password)
		expectStatus(t, "the judge from a new address during the attack", res, body, http.StatusSeeOther)

		// One address guessing at many accounts waits too.
		scanner := env.ClientFrom("127.0.0.9")
		scanner.Get("/login")
		for i := range accounts.DefaultThrottle.FreePerIP {
			scanner.Login("nobody"+itoa(int64(i))+"@test.citylens", "guess")
		}
		res, _ = scanner.Login(env.Users[webtest.Partner].Email, webtest.Password)
		expectStatus(t, "an address that guessed at many accounts", res, "", http.StatusTooManyRequests)
	})
}

// TestSecurityLoginConstantWork (case 13): a failed sign-in costs one
// password check and answers the same for an unknown, an invited (no
// password yet), a disabled and an active account.
func TestSecurityLoginConstantWork(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		ctx := context.Background()
		if _, err := env.Services.Accounts.Invite(ctx, auditlog.System("test"), accounts.User{Email: "invited@test.citylens", Role: accounts.RoleJudge}); err != nil {
			t.Fatal(err)
		}
		h := env.Services.Accounts.Hasher
		var bodies []string
		for i, email := range []string{"unknown@test.citylens", "invited@test.citylens", env.Users[webtest.Judge].Email} {
			c := env.ClientFrom("127.0.3." + itoa(int64(i+1)))
			c.Get("/login")
			before := h.Verifications()
			res, body := c.Login(email, "wrong password")
			expectStatus(t, email, res, body, http.StatusUnauthorized)
			if n := h.Verifications() - before; n != 1 {
				t.Errorf("sign-in as %s ran %d password checks, want 1", email, n)
			}
			bodies = append(bodies, strings.ReplaceAll(anyToken.ReplaceAllString(body, ""), email, "EMAIL"))
		}
		for i := 1; i < len(bodies); i++ {
			if bodies[i] != bodies[0] {
				t.Errorf("the refusal for account %d differs from an unknown account's:\n%s\n%s", i, bodies[0], bodies[i])
			}
		}
	})
}

// TestSecurityPasswordForgot (cases 13 and 14): the reset form answers the
// same for a known and an unknown address even when the mail relay is
// down (the mail goes through the outbox and a delivery job), and it is
// rate-limited per account and per address.
func TestSecurityPasswordForgot(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		var env *webtest.Env
		dead := deadAddr(t)
		env = webtest.New(t, s, func(c *web.Config) {
			c.Mail = mail.Relay{Store: c.Store, SMTP: mail.SMTP{Config: mail.SMTPConfig{Host: "127.0.0.1", Port: dead, From: "citylens@test.citylens"}},
				Now: time.Now, Retries: 1}
		})
		judge := env.Users[webtest.Judge].Email
		c := env.ClientFrom("127.0.4.1")
		c.Get("/password/forgot")
		var answers []string
		for _, email := range []string{judge, "nobody@test.citylens"} {
			res, body := c.PostForm("/password/forgot", url.Values{"email": {email}})
			expectStatus(t, "forgot "+email+" with the relay down", res, body, http.StatusOK)
			answers = append(answers, strings.ReplaceAll(body, email, "EMAIL"))
		}
		if answers[0] != answers[1] {
			t.Error("the answers for a known and an unknown address differ")
		}
		// The delivery fails in the background; the message stays in the outbox.
		runJobs(t, env)
		failed, err := s.ListJobs(context.Background(), jobs.Filter{Kind: mail.JobDeliver})
		if err != nil || len(failed) != 1 || failed[0].State != jobs.StateFailed {
			t.Errorf("delivery jobs: %+v, %v; want one failed", failed, err)
		}
		// Per account: the 4th request within the hour for one e-mail (known or not) is refused.
		for _, email := range []string{judge, "nobody@test.citylens"} {
			for i := 1; i < accounts.DefaultThrottle.ResetPerAcct; i++ {
				res, body := env.ClientFrom("127.0.4."+itoa(int64(10+i))).PostForm("/password/forgot", url.Values{"email": {email}})
				expectStatus(t, "forgot again", res, body, http.StatusOK)
			}
			res, body := env.ClientFrom("127.0.4.20").PostForm("/password/forgot", url.Values{"email": {email}})
			expectStatus(t, "forgot once too often for "+email, res, body, http.StatusTooManyRequests)
			if !strings.Contains(body, "Too many password reset requests") || res.Header.Get("Retry-After") == "" {
				t.Errorf("429 without explanation or Retry-After:\n%.300s", body)
			}
		}
		ms, _ := s.ListOutbox(context.Background(), 100)
		if len(ms) != accounts.DefaultThrottle.ResetPerAcct {
			t.Errorf("%d reset mails for the judge, want %d", len(ms), accounts.DefaultThrottle.ResetPerAcct)
		}
		// Per address: many e-mails from one address.
		a := env.ClientFrom("127.0.4.30")
		a.Get("/password/forgot")
		for i := range accounts.DefaultThrottle.ResetPerIP {
			res, body := a.PostForm("/password/forgot", url.Values{"email": {"n" + itoa(int64(i)) + "@test.citylens"}})
			expectStatus(t, "forgot from one address", res, body, http.StatusOK)
		}
		res, body := a.PostForm("/password/forgot", url.Values{"email": {"last@test.citylens"}})
		expectStatus(t, "forgot from an address once too often", res, body, http.StatusTooManyRequests)
	})
}

// anyToken matches the CSRF tokens a page carries (they differ per client).
var anyToken = regexp.MustCompile(`(content|value)="[0-9a-f]{40,}[^"]*"|[A-Za-z0-9_-]{43}\.[0-9a-f]{32}`)

// deadAddr is a local TCP port nothing listens on.
func deadAddr(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestSecurityResetRevokesAPITokens (case 15): a password reset revokes
// the user's API tokens and the page says so.
func TestSecurityResetRevokesAPITokens(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		token := env.APIToken(webtest.Focal, "read")
		c := env.Client()
		if res, body := c.API(http.MethodGet, "/api/v1/me", token, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("the token before the reset: %d %s", res.StatusCode, body)
		}
		c.Get("/password/forgot")
		res, body := c.PostForm("/password/forgot", url.Values{"email": {env.Users[webtest.Focal].Email}})
		expectStatus(t, "forgot", res, body, http.StatusOK)
		path, reset := outboxLink(t, env, env.Users[webtest.Focal].Email)
		res, body = c.PostForm(path, url.Values{"token": {reset}, "password": {"a brand new password"}, "password_again": {"a brand new password"}})
		expectStatus(t, "reset", res, body, http.StatusSeeOther)
		if got := flash(res); !strings.Contains(got, "Your 1 API tokens were revoked") {
			t.Errorf("flash after the reset: %q, want it to say the token was revoked", got)
		}
		_, body = c.Get(res.Header.Get("Location"))
		if !strings.Contains(body, "API tokens were revoked") {
			t.Errorf("the sign-in page does not show the flash:\n%.500s", body)
		}
		if res, _ := c.API(http.MethodGet, "/api/v1/me", token, ""); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("the token after the reset: %d, want 401", res.StatusCode)
		}
	})
}
