// Package webtest runs CityLens for tests: a real server (httptest, or the
// real binary as a process) on a real database, seeded with one user per
// role, and HTTP clients that sign in, keep cookies and send CSRF tokens.
package webtest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
)

// Password is every fixture user's password.
const Password = "correct-horse-battery"

// Fixture roles, by the name the authorisation matrix uses. The regional
// officer serves region A (AS, Asia); the focal point city X (kr-seoul).
const (
	Anonymous = "anonymous"
	Admin     = "admin"
	Regional  = "regional"
	Focal     = "focal"
	Judge     = "judge"
	Partner   = "partner"
	Applicant = "applicant" // a prize applicant (a corporation in Seoul)
)

// Roles lists every fixture role, anonymous first.
var Roles = []string{Anonymous, Admin, Regional, Focal, Judge, Partner, Applicant}

// Fixture cities: X is the focal point's, in region A; XB is another city
// of region A; Y is in region B (EU).
const (
	RegionA = "AS"
	RegionB = "EU"
	CityX   = "kr-seoul"
	CityXB  = "kr-busan"
	CityY   = "fr-lyon"
)

// PartnerOrg is the fixture partner organisation's code.
const PartnerOrg = "partner-udi"

// Env is a running test server.
type Env struct {
	T      testing.TB
	Store  app.Store
	Server *web.Server
	// Services are the services the server's areas call (app.Services).
	Services *app.Services
	HTTP     *httptest.Server
	Users    map[string]accounts.User // by fixture role
}

// FastArgon2 keeps password hashing cheap in tests (the real parameters are
// tested in package accounts).
var FastArgon2 = accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

// New starts a server on s (a fresh store from storetest) with the fixture
// seeded. configure may adjust the config before the server is built.
func New(t testing.TB, s storetest.Store, configure ...func(*web.Config)) *Env {
	t.Helper()
	ws, ok := s.(app.Store)
	if !ok {
		t.Fatalf("store %T does not implement app.Store", s)
	}
	params := FastArgon2
	// Tests send many API requests from one address: fair use is out of
	// their way unless a test sets its own policy.
	cfg := web.Config{Store: ws, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Argon2: &params, BaseURL: "http://citylens.test",
		FairUse: web.FairUse{Anonymous: 1 << 30, Token: 1 << 30}}
	for _, c := range configure {
		c(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{T: t, Store: ws, Server: a.Server, Services: a.Services, Users: map[string]accounts.User{}}
	env.seed()
	env.HTTP = httptest.NewServer(a.Server.Handler())
	t.Cleanup(env.HTTP.Close)
	return env
}

// SeedDemo seeds the demo network (serve --demo's data: demo cities and
// accounts, two synthetic editions and the Eurostat example, all
// published) through the server's services.
func (e *Env) SeedDemo() demo.Result {
	e.T.Helper()
	sv := e.Services
	res, err := demo.Seed(context.Background(), demo.Services{Store: e.Store, Members: sv.Members, Accounts: sv.Accounts,
		Catalogue: sv.Catalogue, DataCall: sv.DataCall, Publication: sv.Publication, Survey: sv.Survey, Prize: sv.Prize, Judging: sv.Judging,
		Training: sv.Training, Events: sv.Events, Followup: sv.Followup, Matching: sv.Matching, Notify: sv.Notify,
		Exchange: sv.Exchange, Partnerships: sv.Partnerships})
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}

// MustSeedFixture adds the fixture offices, cities and users to a store.
func (e *Env) seed() {
	t, ctx := e.T, context.Background()
	sys := auditlog.System("webtest")
	for _, o := range []members.Office{
		{Code: "office-asia", Name: "Asia Office", RegionCode: RegionA, HostCity: "Seoul"},
		{Code: "office-europe", Name: "Europe Office", RegionCode: RegionB, HostCity: "Brussels"},
	} {
		if err := e.Services.Members.SaveOffice(ctx, sys, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Services.Members.SavePartner(ctx, sys, members.Partner{Code: PartnerOrg, Name: "Urban Data Institute",
		Kind: members.PartnerResearch, Country: "NLD", Website: "https://example.org/udi"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range FixtureCities {
		if err := e.Services.Members.SaveCity(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	for role, u := range map[string]accounts.User{
		Admin:     {Email: "admin@test.citylens", Role: accounts.RoleAdmin},
		Regional:  {Email: "regional@test.citylens", Role: accounts.RoleRegional, RegionCode: RegionA},
		Focal:     {Email: "focal@test.citylens", Role: accounts.RoleFocal, CityCode: CityX},
		Judge:     {Email: "judge@test.citylens", Role: accounts.RoleJudge},
		Partner:   {Email: "partner@test.citylens", Role: accounts.RolePartner},
		Applicant: {Email: "applicant@test.citylens", Role: accounts.RoleApplicant},
	} {
		u, err := e.Services.Accounts.AddUser(ctx, sys, u, Password)
		if err != nil {
			t.Fatal(err)
		}
		e.Users[role] = u
	}
}

// FixtureCities are the cities every test server starts with.
var FixtureCities = []members.City{
	{Code: CityX, Name: "Seoul", LocalName: "서울", Country: "KOR", RegionCode: RegionA, OfficeCode: "office-asia",
		Latitude: 37.5665, Longitude: 126.978, Population: 9963000, Status: members.StatusMember, MemberSince: "2010-04-01"},
	{Code: CityXB, Name: "Busan", LocalName: "부산", Country: "KOR", RegionCode: RegionA, OfficeCode: "office-asia",
		Latitude: 35.1796, Longitude: 129.0756, Population: 3400000, Status: members.StatusMember, MemberSince: "2012-01-01"},
	{Code: CityY, Name: "Lyon", Country: "FRA", RegionCode: RegionB, OfficeCode: "office-europe",
		Latitude: 45.764, Longitude: 4.8357, Population: 1700000, Status: members.StatusCandidate},
}

// URL is the server's address plus path.
func (e *Env) URL(path string) string { return e.HTTP.URL + path }

// APIToken issues an API token for a fixture role.
func (e *Env) APIToken(role, scope string) string {
	e.T.Helper()
	plain, _, err := e.Services.Accounts.CreateAPIToken(context.Background(), auditlog.System("webtest"), e.Users[role], "test", scope)
	if err != nil {
		e.T.Fatal(err)
	}
	return plain
}

// Client is a browser-like client: a cookie jar, no automatic redirects,
// and the CSRF token of the last page it read.
type Client struct {
	T    testing.TB
	Env  *Env
	HTTP *http.Client
	CSRF string
}

// Client returns a new anonymous client.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: e.T, Env: e, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// ClientFrom returns a new anonymous client whose connections come from
// the loopback address ip (e.g. "127.0.0.7"), so tests can sign in from
// several addresses.
func (e *Env) ClientFrom(ip string) *Client {
	c := e.Client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c.HTTP.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// ClientAs returns a client signed in as a fixture role (anonymous: not
// signed in, but holding an anonymous CSRF token).
func (e *Env) ClientAs(role string) *Client {
	c := e.Client()
	if role == Anonymous {
		c.Get("/login")
		return c
	}
	res, body := c.Login(e.Users[role].Email, Password)
	if res.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("login as %s: %d %s", role, res.StatusCode, body)
	}
	c.Get("/")
	return c
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// Do sends a request and returns the response with its body read.
func (c *Client) Do(req *http.Request) (*http.Response, string) {
	c.T.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.T.Fatal(err)
	}
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.CSRF = string(m[1])
	}
	return res, string(b)
}

// Get fetches a path.
func (c *Client) Get(path string) (*http.Response, string) {
	c.T.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Env.URL(path), nil)
	if err != nil {
		c.T.Fatal(err)
	}
	return c.Do(req)
}

// PostForm posts a form with the client's CSRF token (fetching a page
// first if it has none) unless the form sets "csrf" itself.
func (c *Client) PostForm(path string, form url.Values) (*http.Response, string) {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set {
		if c.CSRF == "" {
			c.Get("/login")
		}
		form.Set("csrf", c.CSRF)
	}
	return c.Send(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// Send sends a body with a content type.
func (c *Client) Send(method, path, contentType string, body io.Reader) (*http.Response, string) {
	c.T.Helper()
	req, err := http.NewRequest(method, c.Env.URL(path), body)
	if err != nil {
		c.T.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.Do(req)
}

// Login posts the login form.
func (c *Client) Login(email, password string) (*http.Response, string) {
	c.T.Helper()
	return c.PostForm("/login", url.Values{"email": {email}, "password": {password}})
}

// API sends a JSON API request with a bearer token ("" for none).
func (c *Client) API(method, path, token, body string) (*http.Response, string) {
	c.T.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.Env.URL(path), r)
	if err != nil {
		c.T.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.Do(req)
}
