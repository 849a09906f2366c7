package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

func uploadCSV(t *testing.T, c *webtest.Client, path, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.CSRF)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return c.Send(http.MethodPost, path, mw.FormDataContentType(), &buf)
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "members", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func snapshot(t *testing.T, s storetest.Store) ([]members.City, int) {
	t.Helper()
	ctx := context.Background()
	cs, err := s.ListCities(ctx, members.CityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	es, err := s.ListAudit(ctx, auditlog.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return cs, len(es)
}

func TestMemberImportAllOrNothingAndIdempotent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		admin := env.ClientAs(webtest.Admin)
		before, auditBefore := snapshot(t, s)

		res, body := uploadCSV(t, admin, "/admin/members/import", "members_bad.csv", readFixture(t, "members_bad.csv"))
		expectStatus(t, "bad file", res, body, http.StatusBadRequest)
		for _, want := range []string{
			"row 3, column code", "row 3, column name: is required", "row 3, column country", "row 3, column latitude",
			"row 3, column population", "row 3, column status", "row 3, column member_since",
			"row 5, column code: &#34;jp-osaka&#34; already appears on row 2",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("error page lacks %q", want)
			}
		}
		after, auditAfter := snapshot(t, s)
		if d := cmp.Diff(before, after); d != "" || auditAfter != auditBefore {
			t.Fatalf("a rejected import changed data (audit %d → %d):\n%s", auditBefore, auditAfter, d)
		}
		// The office of another region is a database-level check: the
		// file parses, and the import still stores nothing.
		fixed := strings.Replace(string(readFixture(t, "members_bad.csv")), "Bad Code,,,Japan,AS,,95,135,lots,mayor,June 2015\n", "", 1)
		fixed = strings.Replace(fixed, "jp-osaka,Osaka again,,JPN,AS,,34.69,135.50,1,member,\n", "", 1)
		res, body = uploadCSV(t, admin, "/admin/members/import", "members_bad.csv", []byte(fixed))
		expectStatus(t, "office of another region", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "row 3, column office: office &#34;office-asia&#34; serves region AS, not EU") {
			t.Errorf("office problem not reported:\n%s", body)
		}
		if _, err := s.City(context.Background(), "jp-osaka"); err == nil {
			t.Fatal("a rejected import stored its good row")
		}

		valid := readFixture(t, "members_valid.csv")
		res, body = uploadCSV(t, admin, "/admin/members/import", "members_valid.csv", valid)
		expectStatus(t, "valid file", res, body, http.StatusSeeOther)
		if got := flash(res); !strings.Contains(got, "2 created, 0 updated, 1 unchanged") {
			t.Errorf("first import: %q", got)
		}
		once, auditOnce := snapshot(t, s)
		res, body = uploadCSV(t, admin, "/admin/members/import", "members_valid.csv", valid)
		expectStatus(t, "same file again", res, body, http.StatusSeeOther)
		if got := flash(res); !strings.Contains(got, "0 created, 0 updated, 3 unchanged") {
			t.Errorf("second import: %q", got)
		}
		twice, auditTwice := snapshot(t, s)
		if d := cmp.Diff(once, twice); d != "" || auditTwice != auditOnce {
			t.Errorf("importing the same file twice changed something (audit %d → %d):\n%s", auditOnce, auditTwice, d)
		}
		osaka, err := s.City(context.Background(), "jp-osaka")
		if err != nil || osaka.LocalName != "大阪" || osaka.OfficeCode != "office-asia" {
			t.Errorf("imported Osaka = %+v, %v", osaka, err)
		}
	})
}

func TestBadInput(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		admin := env.ClientAs(webtest.Admin)
		token := env.APIToken(webtest.Admin, "write")
		before, _ := snapshot(t, s)
		big := bytes.Repeat([]byte("x"), 2<<20)
		for _, tc := range []struct {
			name string
			send func() (*http.Response, string)
			want int
			msg  string
		}{
			{"oversized form", func() (*http.Response, string) {
				return admin.Send(http.MethodPost, "/admin/members/"+webtest.CityX, "application/x-www-form-urlencoded",
					strings.NewReader("csrf="+admin.CSRF+"&name="+string(big)))
			}, http.StatusRequestEntityTooLarge, "larger than the limit of 1 MiB"},
			{"oversized upload", func() (*http.Response, string) {
				return uploadCSV(t, admin, "/admin/members/import", "huge.csv", bytes.Repeat([]byte("a,b\n"), 5<<20))
			}, http.StatusRequestEntityTooLarge, "larger than the limit of 16 MiB"},
			{"oversized JSON", func() (*http.Response, string) {
				return admin.API(http.MethodPut, "/api/v1/cities/"+webtest.CityX, token, `{"name":"`+string(big)+`"}`)
			}, http.StatusRequestEntityTooLarge, "larger than the limit"},
			{"form as JSON", func() (*http.Response, string) {
				return admin.Send(http.MethodPost, "/admin/members/"+webtest.CityX, "application/json", strings.NewReader(`{}`))
			}, http.StatusUnsupportedMediaType, "Content-Type must be application/x-www-form-urlencoded"},
			{"API as form", func() (*http.Response, string) {
				req, _ := http.NewRequest(http.MethodPut, env.URL("/api/v1/cities/"+webtest.CityX), strings.NewReader("name=x"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", "Bearer "+token)
				return admin.Do(req)
			}, http.StatusUnsupportedMediaType, "Content-Type must be application/json"},
			{"malformed form", func() (*http.Response, string) {
				return admin.Send(http.MethodPost, "/admin/members/"+webtest.CityX, "application/x-www-form-urlencoded",
					strings.NewReader("csrf="+admin.CSRF+"&name=%zz"))
			}, http.StatusBadRequest, "the form could not be read"},
			{"malformed multipart", func() (*http.Response, string) {
				return admin.Send(http.MethodPost, "/admin/members/import", "multipart/form-data; boundary=xyz", strings.NewReader("garbage"))
			}, http.StatusBadRequest, "the form could not be read"},
			{"malformed JSON", func() (*http.Response, string) {
				return admin.API(http.MethodPut, "/api/v1/cities/"+webtest.CityX, token, `{"name": `)
			}, http.StatusBadRequest, "the JSON body could not be read"},
			{"unknown JSON field", func() (*http.Response, string) {
				return admin.API(http.MethodPut, "/api/v1/cities/"+webtest.CityX, token, `{"nmae": "Seoul"}`)
			}, http.StatusBadRequest, `unknown field \"nmae\"`},
			{"invalid city form", func() (*http.Response, string) {
				return admin.PostForm("/admin/members/"+webtest.CityX, url.Values{"name": {""}, "latitude": {"north"}, "longitude": {"127"},
					"population": {"1"}, "country": {"KOR"}, "region": {"AS"}, "status": {"member"}})
			}, http.StatusBadRequest, "latitude: &#34;north&#34; is not a number"},
			{"invalid city JSON", func() (*http.Response, string) {
				return admin.API(http.MethodPut, "/api/v1/cities/"+webtest.CityX, token,
					`{"name":"Seoul","country":"Korea","region":"AS","latitude":137,"longitude":127,"status":"member"}`)
			}, http.StatusBadRequest, `"column": "latitude"`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := tc.send()
				expectStatus(t, tc.name, res, body, tc.want)
				if !strings.Contains(body, tc.msg) {
					t.Errorf("answer lacks %q:\n%.600s", tc.msg, body)
				}
			})
		}
		after, _ := snapshot(t, s)
		if d := cmp.Diff(before, after); d != "" {
			t.Errorf("bad requests changed data:\n%s", d)
		}
	})
}

func TestAPICityEditAndHistory(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		c := env.Client()
		read := env.APIToken(webtest.Focal, "read")
		write := env.APIToken(webtest.Focal, "write")
		body := `{"name":"Seoul","local_name":"서울특별시","latitude":37.5665,"longitude":126.978,"population":9500000,"status":"former","region":"EU"}`
		res, out := c.API(http.MethodPut, "/api/v1/cities/"+webtest.CityX, read, body)
		expectStatus(t, "read token writing", res, out, http.StatusForbidden)
		res, out = c.API(http.MethodPut, "/api/v1/cities/"+webtest.CityX, write, body)
		expectStatus(t, "focal point edits own city", res, out, http.StatusOK)
		var city members.City
		if err := json.Unmarshal([]byte(out), &city); err != nil {
			t.Fatal(err)
		}
		// Membership fields are the secretariat's: ignored for a focal point.
		if city.LocalName != "서울특별시" || city.Population != 9500000 || city.Status != members.StatusMember || city.RegionCode != "AS" {
			t.Errorf("saved city = %+v", city)
		}
		res, out = c.API(http.MethodGet, "/api/v1/history/city/"+webtest.CityX, write, "")
		expectStatus(t, "history", res, out, http.StatusOK)
		var h struct{ Entries []auditlog.Entry }
		if err := json.Unmarshal([]byte(out), &h); err != nil {
			t.Fatal(err)
		}
		compact := func(b []byte) string {
			var buf bytes.Buffer
			json.Compact(&buf, b)
			return buf.String()
		}
		if len(h.Entries) < 2 || h.Entries[0].Action != "city.update" || h.Entries[0].ActorEmail != "focal@test.citylens" ||
			h.Entries[0].RemoteAddr != "127.0.0.1" || !strings.Contains(compact(h.Entries[0].Before), `"population":9963000`) ||
			!strings.Contains(compact(h.Entries[0].After), `"population":9500000`) {
			t.Errorf("history = %+v", h.Entries)
		}
		res, out = c.API(http.MethodGet, "/api/v1/me", "not-a-token", "")
		expectStatus(t, "bad token", res, out, http.StatusUnauthorized)
		if !strings.Contains(out, `"code": "unauthorized"`) {
			t.Errorf("401 body = %s", out)
		}
		// The admin audit page filters by entity.
		admin := env.ClientAs(webtest.Admin)
		res, out = admin.Get("/admin/audit?entity_type=city&entity_id=" + webtest.CityX + "&actor=focal@test.citylens")
		expectStatus(t, "audit page", res, out, http.StatusOK)
		if !strings.Contains(out, "city.update") || strings.Contains(out, "city.create") {
			t.Errorf("audit page filter failed:\n%.2000s", out)
		}
		res, out = admin.Get("/admin/audit?since=yesterday")
		expectStatus(t, "bad audit filter", res, out, http.StatusBadRequest)
	})
}

func TestHealthReadyMetricsAndNotFound(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	c := env.Client()
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/healthz", "ok", 200},
		{"/readyz", "ready: sqlite", 200},
		{"/no/such/page", "there is no page at /no/such/page", 404},
		{"/api/v1/cities/xx-nowhere", `city \"xx-nowhere\" not found`, 404},
		{"/metrics", `citylens_http_requests_total{route="GET /healthz",status="200"} 1`, 200},
		{"/metrics", `citylens_http_request_duration_seconds_bucket{route="GET /api/v1/cities/{code}",status="404",le="+Inf"} 1`, 200},
		{"/metrics", `citylens_jobs{state="queued"} 0`, 200},
		{"/metrics", `go_goroutines`, 200},
	} {
		res, body := c.Get(tc.path)
		if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s = %d, want %d with %q:\n%.500s", tc.path, res.StatusCode, tc.status, tc.want, body)
		}
	}
}
