package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// probe is one request of the authorisation matrix: a concrete path for a
// route pattern, and the fixture roles allowed to make it. Allowed means the
// answer is neither 401, 403 nor a redirect to /login (a 400 for an empty
// form is allowed: the request got past authorisation).
type probe struct {
	Path  string
	Body  string // API: JSON body; pages: form fields (urlencoded) besides csrf
	Allow []string
}

var (
	everyone = webtest.Roles
	signedIn = []string{webtest.Admin, webtest.Regional, webtest.Focal, webtest.Judge, webtest.Partner, webtest.Applicant}
)

func only(roles ...string) []string { return roles }

// platformMatrix is the expected access of every platform route. Feature
// routes' expectations are in featureMatrix (authz_features_test.go).
var platformMatrix = map[string][]probe{
	"GET /{$}":                         {{Path: "/", Allow: everyone}},
	"GET /":                            {{Path: "/no-such-page", Allow: everyone}},
	"GET /members":                     {{Path: "/members", Allow: everyone}},
	"GET /members/{code}":              {{Path: "/members/" + webtest.CityY, Allow: everyone}},
	"GET /static/":                     {{Path: "/static/style.css", Allow: everyone}},
	"GET /favicon.ico":                 {{Path: "/favicon.ico", Allow: everyone}},
	"GET /healthz":                     {{Path: "/healthz", Allow: everyone}},
	"GET /readyz":                      {{Path: "/readyz", Allow: everyone}},
	"GET /metrics":                     {{Path: "/metrics", Allow: everyone}},
	"GET /login":                       {{Path: "/login", Allow: everyone}},
	"POST /login":                      {{Path: "/login", Allow: everyone}},
	"POST /logout":                     {{Path: "/logout", Allow: signedIn}},
	"GET /password/forgot":             {{Path: "/password/forgot", Allow: everyone}},
	"POST /password/forgot":            {{Path: "/password/forgot", Allow: everyone}},
	"GET /password/reset":              {{Path: "/password/reset?token=x", Allow: everyone}},
	"POST /password/reset":             {{Path: "/password/reset", Allow: everyone}},
	"GET /invitations/accept":          {{Path: "/invitations/accept?token=x", Allow: everyone}},
	"POST /invitations/accept":         {{Path: "/invitations/accept", Allow: everyone}},
	"GET /account/tokens":              {{Path: "/account/tokens", Allow: signedIn}},
	"POST /account/tokens":             {{Path: "/account/tokens", Allow: signedIn}},
	"POST /account/tokens/{id}/revoke": {{Path: "/account/tokens/999999/revoke", Allow: signedIn}},
	"GET /admin/users":                 {{Path: "/admin/users", Allow: only(webtest.Admin)}},
	"POST /admin/users/invite":         {{Path: "/admin/users/invite", Allow: only(webtest.Admin)}},
	"POST /admin/users/{id}/role":      {{Path: "/admin/users/999999/role", Allow: only(webtest.Admin)}},
	"GET /admin/members":               {{Path: "/admin/members", Allow: only(webtest.Admin, webtest.Regional, webtest.Focal)}},
	"POST /admin/members/import":       {{Path: "/admin/members/import", Allow: only(webtest.Admin)}},
	"GET /admin/outbox":                {{Path: "/admin/outbox", Allow: only(webtest.Admin)}},
	"GET /admin/audit":                 {{Path: "/admin/audit", Allow: only(webtest.Admin)}},
	"GET /admin/jobs":                  {{Path: "/admin/jobs", Allow: only(webtest.Admin)}},
	"POST /admin/jobs/{id}/cancel":     {{Path: "/admin/jobs/999999/cancel", Allow: only(webtest.Admin)}},
	"GET /admin/offices":               {{Path: "/admin/offices", Allow: only(webtest.Admin)}},
	"POST /admin/offices":              {{Path: "/admin/offices", Allow: only(webtest.Admin)}},
	"GET /admin/offices/{code}":        {{Path: "/admin/offices/office-asia", Allow: only(webtest.Admin)}},
	"POST /admin/offices/{code}":       {{Path: "/admin/offices/office-asia", Allow: only(webtest.Admin)}},
	"GET /admin/partners":              {{Path: "/admin/partners", Allow: only(webtest.Admin)}},
	"POST /admin/partners":             {{Path: "/admin/partners", Allow: only(webtest.Admin)}},
	"GET /admin/partners/{code}":       {{Path: "/admin/partners/" + webtest.PartnerOrg, Allow: only(webtest.Admin)}},
	"POST /admin/partners/{code}":      {{Path: "/admin/partners/" + webtest.PartnerOrg, Allow: only(webtest.Admin)}},
	"GET /api/v1/regions":              {{Path: "/api/v1/regions", Allow: everyone}},
	"GET /api/v1/offices":              {{Path: "/api/v1/offices", Allow: everyone}},
	"GET /api/v1/cities":               {{Path: "/api/v1/cities", Allow: everyone}},
	"GET /api/v1/cities/{code}":        {{Path: "/api/v1/cities/" + webtest.CityX, Allow: everyone}},
	"GET /api/v1/me":                   {{Path: "/api/v1/me", Allow: signedIn}},
	"GET /api/v1/audit":                {{Path: "/api/v1/audit", Allow: only(webtest.Admin)}},
	"GET /api/v1/jobs/{id}":            {{Path: "/api/v1/jobs/999999", Allow: only(webtest.Admin)}},
	"GET /admin/members/{code}":        scopedCityProbes("/admin/members/", ""),
	"POST /admin/members/{code}":       scopedCityProbes("/admin/members/", ""),
	"PUT /api/v1/cities/{code}":        scopedCityProbes("/api/v1/cities/", "{}"),
	"GET /api/v1/history/{entity_type}/{entity_id}": append(scopedCityProbes("/api/v1/history/city/", ""),
		probe{Path: "/api/v1/history/user/admin@test.citylens", Allow: only(webtest.Admin)}),
}

// scopedCityProbes: city X (the focal point's, region A), another city of
// region A, and city Y of region B.
func scopedCityProbes(prefix, body string) []probe {
	return []probe{
		{Path: prefix + webtest.CityX, Body: body, Allow: only(webtest.Admin, webtest.Regional, webtest.Focal)},
		{Path: prefix + webtest.CityXB, Body: body, Allow: only(webtest.Admin, webtest.Regional)},
		{Path: prefix + webtest.CityY, Body: body, Allow: only(webtest.Admin)},
	}
}

// TestAuthorisationMatrix walks every registered route against every role.
// A route without an expectation fails the test: adding a route means
// saying who may use it.
func TestAuthorisationMatrix(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		featureMatrixSetup(t, env)
		matrix := map[string][]probe{}
		for k, v := range platformMatrix {
			matrix[k] = v
		}
		for k, v := range featureMatrix {
			if _, dup := matrix[k]; dup {
				t.Errorf("route %q has expectations in both matrices", k)
			}
			matrix[k] = v
		}
		routes := env.Server.Routes()
		registered := map[string]bool{}
		var missing []string
		for _, rt := range routes {
			registered[rt.Pattern] = true
			if len(matrix[rt.Pattern]) == 0 {
				missing = append(missing, rt.Pattern+" (access "+rt.Access.Name+")")
			}
		}
		if len(missing) > 0 {
			t.Errorf("routes without an authorisation expectation (add them to platformMatrix or featureMatrix):\n  %s", strings.Join(missing, "\n  "))
		}
		for k := range matrix {
			if !registered[k] {
				t.Errorf("expectation for %q, which is not a registered route", k)
			}
		}
		// Tokens and sessions per role, made once; a session is re-made
		// after a probe that may end it (logout).
		tokens := map[string]string{}
		for _, role := range signedIn {
			tokens[role] = env.APIToken(role, "write")
		}
		for _, rt := range routes {
			for _, p := range matrix[rt.Pattern] {
				allowed := map[string]bool{}
				for _, r := range p.Allow {
					allowed[r] = true
				}
				for _, role := range webtest.Roles {
					c := env.ClientAs(role)
					var res *http.Response
					var body string
					switch {
					case rt.API:
						res, body = c.API(rt.Method, p.Path, tokens[role], p.Body)
					case rt.Method == http.MethodGet:
						res, body = c.Get(p.Path)
					default:
						form, err := url.ParseQuery(p.Body)
						if err != nil {
							t.Fatal(err)
						}
						res, body = c.PostForm(p.Path, form)
					}
					loc := res.Header.Get("Location")
					denied := res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden ||
						(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/login"))
					if denied == allowed[role] {
						want := "allowed"
						if !allowed[role] {
							want = "denied"
						}
						if len(body) > 300 {
							body = body[:300]
						}
						t.Errorf("%s %s as %s: status %d (Location %q), want %s\n%s", rt.Method, p.Path, role, res.StatusCode, loc, want, body)
					}
					if res.StatusCode >= 500 {
						t.Errorf("%s %s as %s: status %d", rt.Method, p.Path, role, res.StatusCode)
					}
				}
			}
		}
	})
}
