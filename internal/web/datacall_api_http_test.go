package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Expectations of the data call's API routes for the authorisation matrix:
// the same as the pages' (viewers read, editors write and submit).
func init() {
	featureMatrix["GET /api/v1/datacall/{edition}/cities/{city}"] = apiCallProbes("", "", viewers)
	featureMatrix["PUT /api/v1/datacall/{edition}/cities/{city}/values"] = apiCallProbes("/values", `{"values":[]}`, editors)
	featureMatrix["POST /api/v1/datacall/{edition}/cities/{city}/submit"] = apiCallProbes("/submit", "", editors)
}

func apiCallProbes(suffix, body string, allow [3][]string) []probe {
	p := "/api/v1/datacall/2026/cities/"
	return []probe{
		{Path: p + webtest.CityX + suffix, Body: body, Allow: allow[0]},
		{Path: p + webtest.CityXB + suffix, Body: body, Allow: allow[1]},
		{Path: p + webtest.CityY + suffix, Body: body, Allow: allow[2]},
	}
}

// Indicators the data-call API tests name (U4SSC, percentages from 0 to 100).
const (
	indUnemployment = "EC-P-EM-1C" // Seoul's was 50 in edition 2025
	indInternet     = "EC-ICT-ICT-1C"
)

// apiCallEnv is the fixture server with the U4SSC catalogue, a closed
// edition 2025 in which Seoul's unemployment rate was 50, and edition 2026
// (reference year 2025, previous edition 2025) open now.
type apiCallEnv struct {
	*webtest.Env
	t   *testing.T
	ed  *catalogue.Edition
	cat map[string]catalogue.Indicator
	c   *webtest.Client
}

func newAPICallEnv(t *testing.T, s storetest.Store) *apiCallEnv {
	t.Helper()
	ctx := context.Background()
	env := webtest.New(t, s)
	sys := auditlog.System("test")
	cs := &catalogue.Service{Store: env.Store, Audit: env.Store}
	if _, err := cs.SeedU4SSC(ctx, sys); err != nil {
		t.Fatal(err)
	}
	inds, err := env.Store.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	prev, _, err := catalogue.NewEdition("2025", "Smart Cities Index 2025", 2024, now.AddDate(-1, 0, 0), now.AddDate(0, 0, -300), inds)
	if err != nil {
		t.Fatal(err)
	}
	prev.Status = catalogue.StatusClosed
	if err := cs.CreateEdition(ctx, sys, prev); err != nil {
		t.Fatal(err)
	}
	svc := &datacall.Service{Store: env.Store, Catalogue: env.Store, Audit: env.Store}
	admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "admin@test.citylens"}
	if _, err := svc.Import(ctx, admin, "2025", []datacall.CityRef{{Code: webtest.CityX, Region: webtest.RegionA}}, []datacall.Entry{
		{City: webtest.CityX, Indicator: indUnemployment, Unit: "%", Value: "50", Source: "KOSTAT", DataYear: "2024"},
	}); err != nil {
		t.Fatal(err)
	}
	ed, _, err := catalogue.NewEdition("2026", "Smart Cities Index 2026", 2025, now.AddDate(0, 0, -10), now.AddDate(0, 0, 30), inds)
	if err != nil {
		t.Fatal(err)
	}
	ed.Status, ed.PreviousEdition = catalogue.StatusOpen, "2025"
	if err := cs.CreateEdition(ctx, sys, ed); err != nil {
		t.Fatal(err)
	}
	return &apiCallEnv{Env: env, t: t, ed: ed, cat: catalogue.Index(inds), c: env.Client()}
}

// valueOf is a valid value of an indicator, as JSON, at position u (0..1) of its range.
func (e *apiCallEnv) valueOf(code string, u float64) string {
	ind := e.cat[code]
	v := 10 + 100*u
	if ind.Max != nil {
		v = *ind.Min + u*(*ind.Max-*ind.Min)
		if *ind.Max == 1 {
			v = float64(int(u + 0.5))
		}
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// others are edition 2026's indicators besides the two named ones, n of them.
func (e *apiCallEnv) others(n int) []string {
	var out []string
	for _, node := range e.ed.Indicators() {
		if node.Code != indUnemployment && node.Code != indInternet && len(out) < n {
			out = append(out, node.Code)
		}
	}
	if len(out) < n {
		e.t.Fatalf("edition 2026 has too few indicators")
	}
	return out
}

func callPath(city string) string { return "/api/v1/datacall/2026/cities/" + city }

func (e *apiCallEnv) get(token, city string) (*http.Response, string) {
	e.t.Helper()
	return e.c.API(http.MethodGet, callPath(city), token, "")
}

func (e *apiCallEnv) put(token, city, body string) (*http.Response, string) {
	e.t.Helper()
	return e.c.API(http.MethodPut, callPath(city)+"/values", token, body)
}

// batch builds a PUT body from entries written as JSON objects.
func batch(entries ...string) string { return `{"values":[` + strings.Join(entries, ",") + `]}` }

// entry is a valid entry of an indicator with value (JSON) v.
func entry(code, v string, more ...string) string {
	fields := []string{`"indicator":"` + code + `"`, `"value":` + v, `"source":"Seoul Open Data Plaza"`, `"year":2025`}
	return "{" + strings.Join(append(fields, more...), ",") + "}"
}

type callSubmission struct {
	Changed, Unchanged int
	Edition            struct {
		Code     string
		CallOpen bool `json:"call_open"`
	}
	City          struct{ Code, Name, Region string }
	State         string
	ReviewComment string     `json:"review_comment"`
	UpdatedAt     *time.Time `json:"updated_at"`
	UpdatedBy     string     `json:"updated_by"`
	CanEdit       bool       `json:"can_edit"`
	CanSubmit     bool       `json:"can_submit"`
	Entered       int
	Required      int
	Indicators    []callIndicator
}

type callIndicator struct {
	Code, Name, Unit string
	Min, Max         *float64
	ValidRange       string `json:"valid_range"`
	Required         bool
	LastValue        *float64 `json:"last_value"`
	Current          *struct {
		Value         float64
		Source        string
		Year          int
		Note          string
		Estimated     bool
		Comment       string
		ReviewComment string    `json:"review_comment"`
		UpdatedAt     time.Time `json:"updated_at"`
		UpdatedBy     string    `json:"updated_by"`
	}
}

func (s *callSubmission) indicator(t *testing.T, code string) callIndicator {
	t.Helper()
	for _, ind := range s.Indicators {
		if ind.Code == code {
			return ind
		}
	}
	t.Fatalf("no indicator %s in the submission", code)
	return callIndicator{}
}

type apiErrorBody struct {
	Error struct {
		Status   int
		Code     string
		Message  string
		Problems []struct {
			Entry     *int
			Indicator string
			Field     string
			Reason    string
		}
	}
}

func decode[T any](t *testing.T, what, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s: %v\n%.1000s", what, err, body)
	}
	return v
}

func wantAPI(t *testing.T, what string, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, res.StatusCode, want, body)
	}
	wantCT := "application/json"
	if want >= 400 {
		wantCT = "application/problem+json" // RFC 9457
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantCT) {
		t.Errorf("%s: Content-Type %q, want %s", what, ct, wantCT)
	}
}

// wantFields checks a body against the OpenAPI document's schema of the
// operation's success answer.
func wantFields(t *testing.T, s *web.Server, opID, body string) {
	t.Helper()
	v := newAPISchemas(t, s)
	v.validate(t, opID, v.ops[opID].Status, body)
}

// state is what a refused request must leave as it was: the city's values
// and the audit log of values.
type callState struct {
	Values []datacall.Value
	Audits int
}

func (e *apiCallEnv) state(city string) callState {
	e.t.Helper()
	ctx := context.Background()
	vals, err := e.Store.CityValues(ctx, "2026", city)
	if err != nil {
		e.t.Fatal(err)
	}
	audits, err := e.Store.ListAudit(ctx, auditlog.Filter{EntityType: datacall.AuditValue, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return callState{Values: vals, Audits: len(audits)}
}

func (e *apiCallEnv) wantUnchanged(what string, before callState, city string) {
	e.t.Helper()
	if diff := cmp.Diff(before, e.state(city)); diff != "" {
		e.t.Errorf("%s changed the data (-before +after):\n%s", what, diff)
	}
}

// TestDataCallAPIAccess: tokens by scope and by city, as the pages' rules.
func TestDataCallAPIAccess(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		e := newAPICallEnv(t, s)
		focalW, focalR := e.APIToken(webtest.Focal, "write"), e.APIToken(webtest.Focal, "read")
		regional, admin := e.APIToken(webtest.Regional, "write"), e.APIToken(webtest.Admin, "write")
		judge := e.APIToken(webtest.Judge, "write")
		body := batch(entry(indInternet, "70"))

		// A read token reads its city's submission, with what a client needs
		// to fill it in.
		res, got := e.get(focalR, webtest.CityX)
		wantAPI(t, "GET with a read token", res, got, 200)
		wantFields(t, e.Server, "getDataCallCity", got)
		sub := decode[callSubmission](t, "GET", got)
		if sub.State != datacall.StateDraft || sub.City.Code != webtest.CityX || sub.Edition.Code != "2026" || !sub.Edition.CallOpen || !sub.CanEdit || !sub.CanSubmit {
			t.Errorf("submission: state %q, city %q, edition %+v, can edit %v, can submit %v", sub.State, sub.City.Code, sub.Edition, sub.CanEdit, sub.CanSubmit)
		}
		if len(sub.Indicators) != len(e.ed.Indicators()) || sub.Required == 0 || sub.Entered != 0 {
			t.Errorf("%d indicators (want %d), %d of %d required entered", len(sub.Indicators), len(e.ed.Indicators()), sub.Entered, sub.Required)
		}
		un := sub.indicator(t, indUnemployment)
		if un.Unit != "%" || un.Min == nil || *un.Min != 0 || un.Max == nil || *un.Max != 100 || un.ValidRange != "0 to 100" ||
			!un.Required || un.LastValue == nil || *un.LastValue != 50 || un.Current != nil || un.Name != e.cat[indUnemployment].Name {
			t.Errorf("unemployment row: %+v", un)
		}

		// A read token may not write; nothing is written.
		before := e.state(webtest.CityX)
		res, got = e.put(focalR, webtest.CityX, body)
		wantAPI(t, "PUT with a read token", res, got, http.StatusForbidden)
		if !strings.Contains(got, "read scope") {
			t.Errorf("read token refusal: %s", got)
		}
		res, got = e.c.API(http.MethodPost, callPath(webtest.CityX)+"/submit", focalR, "")
		wantAPI(t, "submit with a read token", res, got, http.StatusForbidden)
		e.wantUnchanged("a read token's PUT", before, webtest.CityX)

		// Another city's focal point is refused, reading and writing.
		res, got = e.get(focalW, webtest.CityXB)
		wantAPI(t, "GET another city", res, got, http.StatusForbidden)
		res, got = e.put(focalW, webtest.CityXB, body)
		wantAPI(t, "PUT another city", res, got, http.StatusForbidden)
		if vals := e.state(webtest.CityXB).Values; len(vals) != 0 {
			t.Errorf("another city's focal point stored %d values", len(vals))
		}

		// The regional officer reads the region's cities, writes none (as
		// on the pages); another region's city is refused.
		res, got = e.get(regional, webtest.CityXB)
		wantAPI(t, "regional GET", res, got, 200)
		res, got = e.get(regional, webtest.CityY)
		wantAPI(t, "regional GET another region", res, got, http.StatusForbidden)
		res, got = e.put(regional, webtest.CityX, body)
		wantAPI(t, "regional PUT", res, got, http.StatusForbidden)

		// Others and nobody.
		res, got = e.get(judge, webtest.CityX)
		wantAPI(t, "judge GET", res, got, http.StatusForbidden)
		res, got = e.get("", webtest.CityX)
		wantAPI(t, "anonymous GET", res, got, http.StatusUnauthorized)
		res, got = e.put("", webtest.CityX, body)
		wantAPI(t, "anonymous PUT", res, got, http.StatusUnauthorized)
		res, got = e.get(focalR, "no-such-city")
		wantAPI(t, "unknown city", res, got, http.StatusNotFound)
		res, got = e.c.API(http.MethodGet, "/api/v1/datacall/1999/cities/"+webtest.CityX, focalR, "")
		wantAPI(t, "unknown edition", res, got, http.StatusNotFound)
		e.wantUnchanged("refused requests", before, webtest.CityX)

		// The write token saves, recorded in the audit log as its owner's.
		res, got = e.put(focalW, webtest.CityX, body)
		wantAPI(t, "PUT with a write token", res, got, 200)
		wantFields(t, e.Server, "putDataCallValues", got)
		sub = decode[callSubmission](t, "PUT", got)
		cur := sub.indicator(t, indInternet).Current
		if sub.Changed != 1 || sub.Unchanged != 0 || cur == nil || cur.Value != 70 || cur.Source != "Seoul Open Data Plaza" || cur.Year != 2025 ||
			cur.UpdatedBy != "focal@test.citylens" || cur.UpdatedAt.IsZero() || sub.Entered != 1 {
			t.Errorf("after the PUT: changed %d, unchanged %d, entered %d, value %+v", sub.Changed, sub.Unchanged, sub.Entered, cur)
		}
		audits, err := e.Store.ListAudit(context.Background(), auditlog.Filter{EntityType: datacall.AuditValue,
			EntityID: datacall.ValueEntityID("2026", webtest.CityX, indInternet)})
		if err != nil || len(audits) != 1 || audits[0].ActorEmail != "focal@test.citylens" || audits[0].Action != "datacall.value.set" {
			t.Errorf("audit of the saved value: %+v, %v", audits, err)
		}
		// The secretariat may write any city's.
		res, got = e.put(admin, webtest.CityY, body)
		wantAPI(t, "admin PUT", res, got, 200)
	})
}

// TestDataCallAPIBatch: all or nothing, every problem named, idempotent,
// the jump rule, and values visible on the city's page.
func TestDataCallAPIBatch(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		e := newAPICallEnv(t, s)
		focal := e.APIToken(webtest.Focal, "write")
		o := e.others(5)

		base := e.state(webtest.CityX)
		res, got := e.put(focal, webtest.CityX, batch(entry(indUnemployment, "48"), entry(indInternet, "70")))
		wantAPI(t, "first save", res, got, 200)
		before := e.state(webtest.CityX)
		if len(before.Values) != 2 || before.Audits != base.Audits+2 {
			t.Fatalf("after the first save: %d values, %d audit entries", len(before.Values), before.Audits)
		}

		// One batch, one problem of each kind beside a valid change: 422,
		// every problem by entry, indicator and field, nothing written.
		bad := batch(
			entry(indInternet, "75"),
			entry(indUnemployment, "105"),
			entry("NO-SUCH-1", "1"),
			`{"indicator":"`+o[0]+`","value":`+e.valueOf(o[0], 0.5)+`,"year":2025}`,
			`{"indicator":"`+o[1]+`","value":`+e.valueOf(o[1], 0.5)+`,"source":"x","year":2030}`,
			`{"indicator":"`+o[2]+`","value":null,"source":"x","year":2025}`,
			entry(indInternet, "75"),
			entry(o[3], e.valueOf(o[3], 0.5), `"unit":"km"`),
			`{"indicator":"`+o[4]+`","value":null}`,
		)
		res, got = e.put(focal, webtest.CityX, bad)
		wantAPI(t, "invalid batch", res, got, http.StatusUnprocessableEntity)
		ae := decode[apiErrorBody](t, "invalid batch", got)
		type key struct {
			Entry            int
			Indicator, Field string
		}
		var keys []key
		reasons := map[key]string{}
		for _, p := range ae.Error.Problems {
			if p.Entry == nil {
				t.Errorf("problem without an entry: %+v", p)
				continue
			}
			k := key{*p.Entry, p.Indicator, p.Field}
			keys = append(keys, k)
			reasons[k] = p.Reason
		}
		sort.SliceStable(keys, func(i, j int) bool { return keys[i].Entry < keys[j].Entry })
		// Entry 8, a null alone, lacks its source and year too.
		want := []key{{1, indUnemployment, "value"}, {2, "NO-SUCH-1", "indicator"}, {3, o[0], "source"}, {4, o[1], "year"},
			{5, o[2], "value"}, {6, indInternet, "indicator"}, {7, o[3], "unit"}, {8, o[4], "value"}, {8, o[4], "source"}, {8, o[4], "year"}}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("problems (-want +got):\n%s\n%s", diff, got)
		}
		for k, sub := range map[key]string{
			{1, indUnemployment, "value"}: "105 is outside the valid range (0 to 100)",
			{2, "NO-SUCH-1", "indicator"}: "not part of edition 2026",
			{3, o[0], "source"}:           "missing",
			{4, o[1], "year"}:             "2030 is after the edition's reference year 2025",
			{5, o[2], "value"}:            "cannot be cleared",
			{6, indInternet, "indicator"}: "first in entry 0",
			{7, o[3], "unit"}:             `"km" does not match`,
			{8, o[4], "value"}:            "cannot be cleared",
		} {
			if !strings.Contains(reasons[k], sub) {
				t.Errorf("entry %d %s: reason %q, want it to say %q", k.Entry, k.Field, reasons[k], sub)
			}
		}
		if ae.Error.Code != "invalid" || ae.Error.Status != 422 || !strings.Contains(ae.Error.Message, "10 problems in the batch of 9 entries; nothing was saved") {
			t.Errorf("error: %d %s %q", ae.Error.Status, ae.Error.Code, ae.Error.Message)
		}
		e.wantUnchanged("the invalid batch", before, webtest.CityX)

		// A valid batch writes the changes only; sent again, it writes nothing.
		good := batch(
			entry(indUnemployment, "49", `"note":"ILO definition"`, `"estimated":true`),
			entry(indInternet, "70"),
			entry(o[0], e.valueOf(o[0], 0.25)),
		)
		res, got = e.put(focal, webtest.CityX, good)
		wantAPI(t, "valid batch", res, got, 200)
		sub := decode[callSubmission](t, "valid batch", got)
		if sub.Changed != 2 || sub.Unchanged != 1 {
			t.Errorf("valid batch: changed %d, unchanged %d, want 2 and 1", sub.Changed, sub.Unchanged)
		}
		un := sub.indicator(t, indUnemployment).Current
		if un == nil || un.Value != 49 || un.Note != "ILO definition" || !un.Estimated {
			t.Errorf("unemployment after the batch: %+v", un)
		}
		after := e.state(webtest.CityX)
		if len(after.Values) != 3 || after.Audits != before.Audits+2 {
			t.Errorf("after the valid batch: %d values, %d audit entries (before %d)", len(after.Values), after.Audits, before.Audits)
		}
		res, got = e.put(focal, webtest.CityX, good)
		wantAPI(t, "the same batch again", res, got, 200)
		sub = decode[callSubmission](t, "the same batch again", got)
		if sub.Changed != 0 || sub.Unchanged != 3 {
			t.Errorf("the same batch again: changed %d, unchanged %d, want 0 and 3", sub.Changed, sub.Unchanged)
		}
		e.wantUnchanged("the same batch again", after, webtest.CityX)

		// Last edition's 50 to 90 is a jump of 80 %: it needs a comment.
		res, got = e.put(focal, webtest.CityX, batch(entry(indUnemployment, "90")))
		wantAPI(t, "jump without a comment", res, got, http.StatusUnprocessableEntity)
		ae = decode[apiErrorBody](t, "jump", got)
		if len(ae.Error.Problems) != 1 || ae.Error.Problems[0].Field != "comment" || *ae.Error.Problems[0].Entry != 0 ||
			!strings.Contains(ae.Error.Problems[0].Reason, "changes from last edition's 50 to 90") {
			t.Errorf("jump problems: %+v", ae.Error.Problems)
		}
		e.wantUnchanged("a jump without a comment", after, webtest.CityX)
		res, got = e.put(focal, webtest.CityX, batch(entry(indUnemployment, "90", `"comment":"plant closures in 2025"`)))
		wantAPI(t, "jump with a comment", res, got, 200)
		jumped := decode[callSubmission](t, "jump", got)
		if c := jumped.indicator(t, indUnemployment).Current; c == nil || c.Value != 90 || c.Comment != "plant closures in 2025" {
			t.Errorf("after the explained jump: %+v", c)
		}

		// The values saved through the API are the page's.
		page := e.ClientAs(webtest.Focal)
		res, got = page.Get("/datacall/2026/cities/" + webtest.CityX)
		if res.StatusCode != 200 {
			t.Fatalf("city page: %d", res.StatusCode)
		}
		for _, w := range []string{`name="v_` + indUnemployment + `" value="90"`, `name="v_` + indInternet + `" value="70"`, "plant closures in 2025", "Seoul Open Data Plaza"} {
			if !strings.Contains(got, w) {
				t.Errorf("the city page lacks %q", w)
			}
		}
		res, got = page.Get("/datacall/2026/cities/" + webtest.CityX + "/history/" + indUnemployment)
		if res.StatusCode != 200 || strings.Count(got, "<td>focal@test.citylens</td>") != 3 {
			t.Errorf("history page (%d) does not show the three API saves by the focal point", res.StatusCode)
		}
	})
}

// TestDataCallAPIBodies: what the PUT refuses before looking at values.
func TestDataCallAPIBodies(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		e := newAPICallEnv(t, s)
		focal := e.APIToken(webtest.Focal, "write")
		before := e.state(webtest.CityX)
		path := callPath(webtest.CityX) + "/values"
		for _, tc := range []struct {
			name, body string
			status     int
			want       []string // in the message
		}{
			{"malformed", "{\"values\": [\n  {\"indicator\": \"EC-P-EM-1C\", \"value\": 12,}\n]}", 400, []string{"line 2, column 43", "invalid character '}'"}},
			{"truncated", `{"values": [{"indicator": "EC-P-EM-1C"`, 400, []string{"line 1, column 39", "ends too soon"}},
			{"two objects", `{"values": []} {}`, 400, []string{"line 1, column 16", "unexpected data after the JSON value"}},
			{"not an object", `[1, 2]`, 400, []string{`expected an object {"values": [...]}, got a JSON array`}},
			{"values not a list", `{"values": {"EC-P-EM-1C": 12}}`, 400, []string{"values: expected an array, got a JSON object"}},
			{"unknown top-level field", `{"values": [], "city": "kr-seoul"}`, 400, []string{`unknown field "city"`}},
			{"a city in an entry", batch(entry(indInternet, "70", `"city":"kr-busan"`)), 400, []string{"values[0].city: unknown field"}},
			{"no values", `{}`, 400, []string{"values: missing"}},
			{"empty batch", `{"values": []}`, 400, []string{"the batch is empty"}},
			{"empty body", ``, 400, []string{"the body is empty"}},
			{"unknown and mistyped fields", batch(entry(indInternet, "70", `"value_text":"70"`), entry(indInternet, `"70"`), entry(indInternet, "70", `"estimated":"no"`), `5`), 400,
				[]string{"values[0].value_text: unknown field", `values[1].value: expected a number, got a JSON string`, "values[2].estimated: expected true or false, got a JSON string", "values[3]: expected an object, got a JSON number"}},
			{"year not whole", batch(`{"indicator":"EC-ICT-ICT-1C","value":70,"source":"x","year":2024.5}`), 400, []string{"values[0].year: expected an integer, got a JSON number 2024.5"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, got := e.c.API(http.MethodPut, path, focal, tc.body)
				wantAPI(t, tc.name, res, got, tc.status)
				msg := decode[apiErrorBody](t, tc.name, got).Error.Message
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("message %q lacks %q", msg, w)
					}
				}
			})
		}
		// Every entry's problem at once, by index and field.
		res, got := e.c.API(http.MethodPut, path, focal, batch(entry(indInternet, "70"), entry(indInternet, "70", `"foo":1`), entry(indInternet, "true")))
		wantAPI(t, "entries that cannot be read", res, got, 400)
		var fields []string
		for _, p := range decode[apiErrorBody](t, "entries", got).Error.Problems {
			fields = append(fields, fmt.Sprintf("%d:%s", *p.Entry, p.Field))
		}
		if diff := cmp.Diff([]string{"1:foo", "2:value"}, fields); diff != "" {
			t.Errorf("problems of unreadable entries (-want +got):\n%s", diff)
		}

		// Content type and size.
		res, got = e.c.Send(http.MethodPut, path, "text/plain", strings.NewReader(batch(entry(indInternet, "70"))))
		wantAPI(t, "no token, text/plain", res, got, http.StatusUnauthorized)
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
			req, _ := http.NewRequest(http.MethodPut, e.URL(path), strings.NewReader(batch(entry(indInternet, "70"))))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			req.Header.Set("Authorization", "Bearer "+focal)
			res, got = e.c.Do(req)
			wantAPI(t, "Content-Type "+ct, res, got, http.StatusUnsupportedMediaType)
		}
		// Larger than the route's limit: a note of 5 MiB.
		huge := batch(entry(indInternet, "70", `"note":"`+strings.Repeat("n", 5<<20)+`"`))
		res, got = e.c.API(http.MethodPut, path, focal, huge)
		wantAPI(t, "oversized body", res, got, http.StatusRequestEntityTooLarge)
		if !strings.Contains(got, "4 MiB") {
			t.Errorf("oversized body: %.300s", got)
		}
		// Within the limit, an over-long note is the checks' to refuse (422).
		long := batch(entry(indInternet, "70", `"note":"`+strings.Repeat("n", 3000)+`"`))
		res, got = e.c.API(http.MethodPut, path, focal, long)
		wantAPI(t, "over-long note", res, got, http.StatusUnprocessableEntity)
		if p := decode[apiErrorBody](t, "note", got).Error.Problems; len(p) != 1 || p[0].Field != "note" || !strings.Contains(p[0].Reason, "longer than 2000") {
			t.Errorf("over-long note: %+v", p)
		}
		e.wantUnchanged("refused bodies", before, webtest.CityX)
	})
}

// TestDataCallAPIWorkflow: submit as the page does, then no more changes;
// the call window and the edition's status as for the form.
func TestDataCallAPIWorkflow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		e := newAPICallEnv(t, s)
		ctx := context.Background()
		focal, admin := e.APIToken(webtest.Focal, "write"), e.APIToken(webtest.Admin, "write")
		submit := func(token string) (*http.Response, string) {
			return e.c.API(http.MethodPost, callPath(webtest.CityX)+"/submit", token, "")
		}

		// Incomplete: refused, still a draft.
		res, got := e.put(focal, webtest.CityX, batch(entry(indInternet, "70")))
		wantAPI(t, "first value", res, got, 200)
		res, got = submit(focal)
		wantAPI(t, "incomplete submit", res, got, http.StatusBadRequest)
		if sub, _ := e.Store.Submission(ctx, "2026", webtest.CityX); sub.State != datacall.StateDraft {
			t.Fatalf("after a refused submit: %s", sub.State)
		}

		// Every value of the edition in one batch, then submit.
		var all []string
		for _, n := range e.ed.Indicators() {
			v := e.valueOf(n.Code, 0.5)
			if n.Code == indUnemployment {
				v = "52"
			}
			all = append(all, entry(n.Code, v))
		}
		res, got = e.put(focal, webtest.CityX, batch(all...))
		wantAPI(t, "every value", res, got, 200)
		sub := decode[callSubmission](t, "every value", got)
		if sub.Entered != sub.Required || !sub.CanSubmit {
			t.Fatalf("after every value: %d of %d entered, can submit %v", sub.Entered, sub.Required, sub.CanSubmit)
		}
		res, got = submit(focal)
		wantAPI(t, "submit", res, got, 200)
		wantFields(t, e.Server, "submitDataCall", got)
		sub = decode[callSubmission](t, "submit", got)
		if sub.State != datacall.StateSubmitted || sub.CanEdit || sub.CanSubmit || sub.UpdatedBy != "focal@test.citylens" || sub.UpdatedAt == nil {
			t.Errorf("after submit: %+v", sub)
		}

		// Submitted: no PUT (even a valid one, even the admin's), no second submit.
		before := e.state(webtest.CityX)
		for _, token := range []string{focal, admin} {
			res, got = e.put(token, webtest.CityX, batch(entry(indInternet, "71")))
			wantAPI(t, "PUT after submit", res, got, http.StatusConflict)
			if !strings.Contains(got, "values can be changed only while it is a draft or returned") {
				t.Errorf("PUT after submit: %s", got)
			}
		}
		// The workflow speaks before the entries' problems.
		res, got = e.put(focal, webtest.CityX, batch(entry(indInternet, "700")))
		wantAPI(t, "invalid PUT after submit", res, got, http.StatusConflict)
		res, got = submit(focal)
		wantAPI(t, "second submit", res, got, http.StatusConflict)
		e.wantUnchanged("PUTs to a submitted city", before, webtest.CityX)

		// Returned by the reviewer: editable again, the comments shown.
		svc := &datacall.Service{Store: e.Store, Catalogue: e.Store, Audit: e.Store}
		officer := datacall.Actor{Role: datacall.RoleRegional, Region: webtest.RegionA, Email: "regional@test.citylens"}
		if _, err := svc.Transition(ctx, officer, "2026", datacall.CityRef{Code: webtest.CityX, Region: webtest.RegionA}, datacall.ActionReturn,
			"Please check the labour figures", map[string]string{indUnemployment: "Is this the ILO definition?"}); err != nil {
			t.Fatal(err)
		}
		res, got = e.get(focal, webtest.CityX)
		wantAPI(t, "returned", res, got, 200)
		sub = decode[callSubmission](t, "returned", got)
		if c := sub.indicator(t, indUnemployment).Current; sub.State != datacall.StateReturned || sub.ReviewComment != "Please check the labour figures" ||
			!sub.CanEdit || c == nil || c.ReviewComment != "Is this the ILO definition?" {
			t.Errorf("returned submission: state %s, comment %q, can edit %v, value %+v", sub.State, sub.ReviewComment, sub.CanEdit, c)
		}
		res, got = e.put(focal, webtest.CityX, batch(entry(indUnemployment, "52", `"note":"ILO definition"`)))
		wantAPI(t, "PUT when returned", res, got, 200)
		res, got = submit(focal)
		wantAPI(t, "resubmit", res, got, 200)

		// Edition 2025's call is closed: its focal point may not change it,
		// the secretariat may (as with the form).
		p2025 := "/api/v1/datacall/2025/cities/" + webtest.CityX + "/values"
		body := batch(`{"indicator":"` + indInternet + `","value":60,"source":"KOSTAT","year":2024}`)
		res, got = e.c.API(http.MethodPut, p2025, focal, body)
		wantAPI(t, "PUT to a closed call", res, got, http.StatusConflict)
		if !strings.Contains(got, "the data call is closed") {
			t.Errorf("closed call: %s", got)
		}
		res, got = e.c.API(http.MethodPut, p2025, admin, body)
		wantAPI(t, "admin PUT to a closed call", res, got, 200)
	})
}
