package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestAPIAnswersMatchOpenAPI sends every operation of the OpenAPI
// document to a server with the demo network, as a caller allowed to make
// it (an admin's write token where one is needed), and validates each
// answer, success or problem document, against the document with a JSON
// Schema 2020-12 validator; then the errors each may answer (404, 400,
// 401). The document is built from the handlers' types, so this catches
// what the types cannot: a nil slice written as null, a value outside its
// documented enum or range, a format.
func TestAPIAnswersMatchOpenAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		admin := env.APIToken(webtest.Admin, "write")
		schemas := newAPISchemas(t, env.Server)

		var rk rankingsBody
		getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
		if len(rk.Rows) < 2 {
			t.Fatalf("%d ranked cities", len(rk.Rows))
		}
		a, b := rk.Rows[0].City.Code, rk.Rows[1].City.Code
		var prof struct {
			Profile release.Profile `json:"profile"`
		}
		getJSON(t, c, "/api/v1/releases/latest/cities/"+a, &prof)
		whatIf := ""
		for _, v := range prof.Profile.Values {
			if v.Value != nil {
				whatIf = `{"values":{"` + v.Indicator + `":` + strconv.FormatFloat(*v.Value*1.1+1, 'g', -1, 64) + `}}`
				break
			}
		}
		var city map[string]any
		getJSON(t, c, "/api/v1/cities/"+a, &city)
		cityJSON, _ := json.Marshal(city)

		paths := strings.NewReplacer("{hash}", rk.Release, "{entity_type}", "city", "{entity_id}", a, "{edition}", "2026", "{city}", a)
		type call struct{ path, body string }
		calls := map[string][]call{
			"getRankings":       {{"?region=EU&sort=name", ""}, {"?limit=3", ""}, {"?limit=2&cursor=" + cursorOf(2), ""}},
			"compare":           {{"?c=" + a + "&c=" + b, ""}},
			"whatIf":            {{"", whatIf}},
			"putCity":           {{"", string(cityJSON)}},
			"listCities":        {{"", ""}, {"?limit=5", ""}, {"?region=EU&status=member", ""}},
			"listAudit":         {{"?limit=2", ""}},
			"putDataCallValues": {{"", `{"values":[{"indicator":"nope","value":1,"source":"x","year":2025}]}`}},
			"listInbox":         {{"", ""}, {"?limit=1&lang=ko", ""}},
			"markInboxRead":     {{"", `{"all":true}`}},
		}
		for _, op := range env.Server.APIOperations() {
			t.Run(op.ID, func(t *testing.T) {
				path := paths.Replace(op.Path)
				code := a
				if strings.Contains(op.Path, "/indicators/") {
					code = "EC-ICT-ICT-1C"
				}
				path = strings.ReplaceAll(path, "{code}", code)
				if op.ID == "getJob" {
					j, err := env.Server.Queue().Enqueue(context.Background(), "openapi.test", map[string]int{"n": 1}, 1)
					if err != nil {
						t.Fatal(err)
					}
					path = strings.ReplaceAll(path, "{id}", strconv.FormatInt(j.ID, 10))
				}
				if op.ID == "getFollowupStudy" { // a demo study, with its evidence
					var list struct {
						Studies []struct {
							ID int64 `json:"id"`
						} `json:"studies"`
					}
					getJSON(t, c, "/api/v1/followup/studies", &list)
					if len(list.Studies) == 0 {
						t.Fatal("the demo has no studies")
					}
					path = strings.ReplaceAll(path, "{id}", strconv.FormatInt(list.Studies[len(list.Studies)-1].ID, 10))
				}
				cs := calls[op.ID]
				if cs == nil {
					cs = []call{{"", ""}}
				}
				token := ""
				if op.Auth {
					token = admin
				}
				for _, cl := range cs {
					res, got := c.API(op.Method, path+cl.path, token, cl.body)
					if res.StatusCode >= 500 {
						t.Fatalf("%s %s: %d\n%.500s", op.Method, path+cl.path, res.StatusCode, got)
					}
					if op.ID != "openapi" {
						schemas.validate(t, op.ID, res.StatusCode, got)
					}
					if res.StatusCode < 400 && res.StatusCode != op.Status {
						t.Errorf("%s %s: %d, want %d", op.Method, path+cl.path, res.StatusCode, op.Status)
					}
				}
				// An error of the operation is a problem document too.
				bad, badToken, body := path, token, cs[0].body
				switch {
				case op.Auth:
					badToken = "" // 401
				case strings.Contains(op.Path, "{hash}"):
					bad = strings.Replace(path, rk.Release, strings.Repeat("0", 64), 1) // 404
				case strings.Contains(op.Path, "{code}"):
					bad = strings.Replace(path, a, "zz-nowhere", 1) // 404
				default:
					bad = path + "?limit=0" // 400 (or ignored: then 200)
				}
				res, got := c.API(op.Method, bad, badToken, body)
				if res.StatusCode < 400 && op.ID != "openapi" {
					schemas.validate(t, op.ID, res.StatusCode, got)
					return
				}
				if ct := res.Header.Get("Content-Type"); res.StatusCode >= 400 && !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("%s %s: %d with Content-Type %q, want a problem document", op.Method, bad, res.StatusCode, ct)
				}
				if res.StatusCode >= 400 {
					schemas.validate(t, op.ID, res.StatusCode, got)
				}
			})
		}
	})
}

// cursorOf is the API's cursor of a list position (web.Cursor), spelled out
// so the test fails if the encoding changes under clients.
func cursorOf(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset)))
}

// TestAPISchemaValidatorBites: an answer that breaks the document fails
// validation (a rank as text, a missing field, null rows).
func TestAPISchemaValidatorBites(t *testing.T) {
	env := demoEnv(t, storetest.OpenSQLite(t))
	schemas := newAPISchemas(t, env.Server)
	_, got := env.Client().API(http.MethodGet, "/api/v1/releases/latest/rankings?limit=2", "", "")
	for name, broken := range map[string]string{
		"rank as text":  strings.Replace(got, `"rank": `, `"rank": "1`, 1),
		"rows null":     `{"release":"x","edition":"2026","query":{},"total":0,"rows":null,"unranked":[],"next_cursor":null}`,
		"total missing": strings.Replace(got, `"total"`, `"totals"`, 1),
	} {
		if err := schemas.check(t, "getRankings", 200, broken); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
	if err := schemas.check(t, "getRankings", 200, got); err != nil {
		t.Errorf("the real answer fails: %v", err)
	}
}

// TestOpenAPIDescribesEveryProperty: every property of every request and
// response schema has a description (what it is, its unit), and the
// document has what clients and linters look for.
func TestOpenAPIDescribesEveryProperty(t *testing.T) {
	env := demoEnv(t, storetest.OpenSQLite(t))
	if missing := web.UndocumentedProperties(env.Server.APIOperations(), env.Server.APISchemaDocs()); len(missing) > 0 {
		t.Errorf("%d properties without a description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	doc := env.Server.OpenAPI()
	info := doc["info"].(map[string]any)
	if info["contact"] == nil || info["license"] == nil || len(doc["tags"].([]any)) < 5 {
		t.Errorf("info %v, tags %v", info, doc["tags"])
	}
	for _, op := range env.Server.APIOperations() {
		if op.Response == nil || op.Tag == "" || op.Summary == "" {
			t.Errorf("%s: response type %T, tag %q, summary %q", op.ID, op.Response, op.Tag, op.Summary)
		}
	}
}
