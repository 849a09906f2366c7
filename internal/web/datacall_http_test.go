package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
)

// callEnv is a real server on a real database with an open edition 2026
// drawn from the U4SSC catalogue, three cities and one user per role.
type callEnv struct {
	t     *testing.T
	srv   *web.Server
	store app.Store
	ts    *httptest.Server
	cat   map[string]catalogue.Indicator
	ed    *catalogue.Edition
}

const testPassword = "correct horse battery"

func newCallEnv(t *testing.T, s storetest.Store) *callEnv {
	t.Helper()
	ctx := context.Background()
	st, ok := s.(app.Store)
	if !ok {
		t.Fatalf("%T is not an app.Store", s)
	}
	now := time.Now().UTC()
	srv, err := app.NewServer(web.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Argon2: &accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []members.City{
		{Code: "kr-seoul", Name: "Seoul", Country: "KR", RegionCode: "AS", Latitude: 37.5, Longitude: 127, Population: 9e6, Status: members.StatusMember},
		{Code: "kr-busan", Name: "Busan", Country: "KR", RegionCode: "AS", Latitude: 35.1, Longitude: 129, Population: 3e6, Status: members.StatusMember},
		{Code: "nl-rotterdam", Name: "Rotterdam", Country: "NL", RegionCode: "EU", Latitude: 51.9, Longitude: 4.5, Population: 6e5, Status: members.StatusMember},
	} {
		if err := st.PutCity(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []accounts.User{
		{Email: "admin@test", Role: accounts.RoleAdmin},
		{Email: "asia@test", Role: accounts.RoleRegional, RegionCode: "AS"},
		{Email: "europe@test", Role: accounts.RoleRegional, RegionCode: "EU"},
		{Email: "seoul@test", Role: accounts.RoleFocal, CityCode: "kr-seoul"},
		{Email: "busan@test", Role: accounts.RoleFocal, CityCode: "kr-busan"},
		{Email: "judge@test", Role: accounts.RoleJudge},
	} {
		if _, err := srv.Accounts().AddUser(ctx, auditlog.System("test"), u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	cs := &catalogue.Service{Store: st, Audit: st}
	if _, err := cs.SeedU4SSC(ctx, auditlog.System("test")); err != nil {
		t.Fatal(err)
	}
	inds, err := st.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ed, _, err := catalogue.NewEdition("2026", "Smart Cities Index 2026", 2025, now.AddDate(0, 0, -10), now.AddDate(0, 0, 30), inds)
	if err != nil {
		t.Fatal(err)
	}
	ed.Status = catalogue.StatusOpen
	if err := cs.CreateEdition(ctx, auditlog.System("test"), ed); err != nil {
		t.Fatal(err)
	}
	env := &callEnv{t: t, srv: srv, store: st, cat: catalogue.Index(inds), ed: ed}
	// Busan and Rotterdam are accepted already, so the edition can be computed.
	svc := &datacall.Service{Store: st, Catalogue: st, Audit: st}
	admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "admin@test"}
	for i, c := range []datacall.CityRef{{Code: "kr-busan", Region: "AS"}, {Code: "nl-rotterdam", Region: "EU"}} {
		var entries []datacall.Entry
		for _, n := range ed.Indicators() {
			entries = append(entries, datacall.Entry{City: c.Code, Indicator: n.Code, Unit: env.cat[n.Code].Unit,
				Value: env.valueFor(n.Code, 0.3+0.4*float64(i)), Source: "statistics office", DataYear: "2025"})
		}
		if _, err := svc.Import(ctx, admin, "2026", []datacall.CityRef{c}, entries); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{datacall.ActionSubmit, datacall.ActionAccept} {
			if _, err := svc.Transition(ctx, admin, "2026", c, a, "", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	env.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(env.ts.Close)
	return env
}

// valueFor is a valid value of an indicator at position u (0..1) of its range.
func (env *callEnv) valueFor(code string, u float64) string {
	ind := env.cat[code]
	v := 10 + 100*u
	if ind.Max != nil {
		v = *ind.Min + u*(*ind.Max-*ind.Min)
		if *ind.Max == 1 {
			v = float64(int(u + 0.5))
		}
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// browser is a signed-in (or anonymous) user agent that does not follow redirects.
type browser struct {
	env  *callEnv
	c    *http.Client
	csrf string
}

var csrfPattern = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

func (env *callEnv) browser(email string) *browser {
	env.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{env: env, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	b.refreshCSRF()
	if email == "" {
		return b
	}
	res, _ := b.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/"}})
	if res.StatusCode != http.StatusSeeOther {
		env.t.Fatalf("login %s: status %d", email, res.StatusCode)
	}
	b.refreshCSRF()
	return b
}

func (b *browser) refreshCSRF() {
	_, body := b.get("/login")
	if m := csrfPattern.FindStringSubmatch(body); m != nil {
		b.csrf = m[1]
	}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.env.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.env.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, b.env.ts.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf)
	req, _ := http.NewRequest(http.MethodPost, b.env.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) upload(path, name string, data io.Reader) (*http.Response, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", b.csrf)
		fw, _ := mw.CreateFormFile("file", name)
		io.Copy(fw, data)
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest(http.MethodPost, b.env.ts.URL+path, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func wantStatus(t *testing.T, what string, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, res.StatusCode, want, body)
	}
}

// flash is the flash message a redirect carries, worded as the next page
// shows it (the redirect names its key, arguments and language, signed).
func flash(res *http.Response) string { return flashText(res) }

func flashText(res *http.Response) string {
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		return ""
	}
	q := u.Query()
	lang, _ := i18n.Parse(q.Get("fl"))
	return web.FlashMessage(testCatalog, lang, q.Get("flash"), q.Get("fa"))
}

var testCatalog = func() *i18n.Catalog {
	c, err := i18n.Load()
	if err != nil {
		panic(err)
	}
	return c
}()

// fill writes values into a downloaded template's input columns, row by
// row, as a city would; bad maps an indicator to a raw value to enter instead.
func (env *callEnv) fill(tpl []byte, u float64, bad map[string]any) []byte {
	env.t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		env.t.Fatal(err)
	}
	rows, err := f.GetRows(datacall.SheetData)
	if err != nil {
		env.t.Fatal(err)
	}
	for i, row := range rows[1:] {
		code := row[2]
		var v any = env.valueFor(code, u)
		if b, ok := bad[code]; ok {
			v = b
		}
		vals := []any{v, "Seoul Open Data Plaza", 2025, "", "no", ""}
		if err := f.SetSheetRow(datacall.SheetData, "I"+strconv.Itoa(i+2), &vals); err != nil {
			env.t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		env.t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDataCallHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newCallEnv(t, s)
		ctx := context.Background()
		seoul := "/datacall/2026/cities/kr-seoul"
		nInd := len(env.ed.Indicators())

		// The catalogue is public, with its attribution.
		anon := env.browser("")
		res, body := anon.get("/catalogue")
		wantStatus(t, "catalogue", res, body, 200)
		if !strings.Contains(body, "Household Internet Access") || !strings.Contains(body, catalogue.U4SSCAttribution) {
			t.Errorf("catalogue page lacks indicators or attribution")
		}
		res, body = anon.get("/catalogue/EC-P-EM-1C")
		wantStatus(t, "indicator page", res, body, 200)
		if !strings.Contains(body, "Unemployment Rate") || !strings.Contains(body, "lower is better") {
			t.Errorf("indicator page: %.500s", body)
		}
		res, body = anon.get("/catalogue/NOPE")
		wantStatus(t, "unknown indicator", res, body, 404)
		res, body = anon.get(seoul)
		wantStatus(t, "anonymous data call", res, body, http.StatusSeeOther)

		// Seoul's focal point: its own city only.
		focal := env.browser("seoul@test")
		res, body = focal.get(seoul)
		wantStatus(t, "focal point's page", res, body, 200)
		if !strings.Contains(body, "0 of "+strconv.Itoa(nInd)+" required values") {
			t.Errorf("progress missing from the city page")
		}
		res, body = focal.get("/datacall/2026/cities/kr-busan")
		wantStatus(t, "another city's page", res, body, 403)
		res, body = focal.get("/datacall/2026/cities/kr-busan/template.xlsx")
		wantStatus(t, "another city's template", res, body, 403)
		res, tpl := focal.get(seoul + "/template.xlsx")
		wantStatus(t, "template", res, "", 200)
		if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("template content type %q", ct)
		}

		// A workbook with bad rows imports nothing and lists every problem.
		bad := env.fill([]byte(tpl), 0.5, map[string]any{"EC-P-EM-1C": "n/a", "EC-ICT-ICT-1C": 140})
		res, body = focal.upload(seoul+"/upload", "seoul.xlsx", bytes.NewReader(bad))
		wantStatus(t, "bad upload", res, body, 400)
		for _, want := range []string{"EC-P-EM-1C", `&#34;n/a&#34; is not a number`, "EC-ICT-ICT-1C", "140 is outside the valid range (0 to 100)"} {
			if !strings.Contains(body, want) {
				t.Errorf("bad upload page lacks %q", want)
			}
		}
		if vals, _ := env.store.CityValues(ctx, "2026", "kr-seoul"); len(vals) != 0 {
			t.Fatalf("a refused upload stored %d values", len(vals))
		}
		// Wrong type, oversized.
		res, body = focal.upload(seoul+"/upload", "report.pdf", strings.NewReader("%PDF-1.7 ..."))
		wantStatus(t, "pdf upload", res, body, 400)
		if !strings.Contains(body, "is a PDF") {
			t.Errorf("pdf upload: %.300s", body)
		}
		res, body = focal.upload(seoul+"/upload", "huge.csv", io.LimitReader(zeros{}, datacall.DefaultMaxUploadBytes+2<<20))
		wantStatus(t, "oversized upload", res, body, http.StatusRequestEntityTooLarge)
		req, _ := http.NewRequest(http.MethodPost, env.ts.URL+seoul+"/upload", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		res, body = focal.do(req)
		wantStatus(t, "json to an upload form", res, body, http.StatusUnsupportedMediaType)

		// The good workbook imports every value; the same file again changes nothing.
		good := env.fill([]byte(tpl), 0.5, nil)
		res, body = focal.upload(seoul+"/upload", "seoul.xlsx", bytes.NewReader(good))
		wantStatus(t, "good upload", res, body, http.StatusSeeOther)
		if got, want := flash(res), fmt.Sprintf("%d values changed, 0 unchanged", nInd); !strings.Contains(got, want) {
			t.Errorf("flash %q, want %q", got, want)
		}
		res, body = focal.upload(seoul+"/upload", "seoul.xlsx", bytes.NewReader(good))
		wantStatus(t, "second upload", res, body, http.StatusSeeOther)
		if got, want := flash(res), fmt.Sprintf("0 values changed, %d unchanged", nInd); !strings.Contains(got, want) {
			t.Errorf("flash %q, want %q", got, want)
		}

		// The web form: an invalid value is refused with the form kept, then a valid one saves.
		form := url.Values{"v_EC-P-EM-1C": {"105"}, "src_EC-P-EM-1C": {"KOSTAT"}, "yr_EC-P-EM-1C": {"2025"}}
		res, body = focal.post(seoul+"/values", form)
		wantStatus(t, "form with a value out of range", res, body, 400)
		if !strings.Contains(body, "105 is outside the valid range (0 to 100)") || !strings.Contains(body, `value="105"`) {
			t.Errorf("form error page: %.500s", body)
		}
		form.Set("v_EC-P-EM-1C", "50.5")
		res, body = focal.post(seoul+"/values", form)
		wantStatus(t, "form save", res, body, http.StatusSeeOther)
		res, body = focal.get(seoul + "/history/EC-P-EM-1C")
		wantStatus(t, "history", res, body, 200)
		if strings.Count(body, "<td>seoul@test</td>") != 2 || !strings.Contains(body, "50.5 %") {
			t.Errorf("history page: %.1500s", body)
		}

		// Submit; the focal point cannot review.
		res, body = focal.post(seoul+"/submit", nil)
		wantStatus(t, "submit", res, body, http.StatusSeeOther)
		res, body = focal.post(seoul+"/review", url.Values{"action": {"accept"}})
		wantStatus(t, "focal point reviewing", res, body, 403)
		res, body = focal.post(seoul+"/values", form)
		wantStatus(t, "editing a submitted city", res, body, http.StatusConflict)

		// Europe's officer sees neither Seoul in the queue nor may act on it.
		europe := env.browser("europe@test")
		res, body = europe.get("/datacall/2026/review")
		wantStatus(t, "europe queue", res, body, 200)
		if strings.Contains(body, "Seoul") {
			t.Errorf("Europe's queue lists Seoul")
		}
		res, body = europe.post(seoul+"/review", url.Values{"action": {"accept"}})
		wantStatus(t, "europe accepting seoul", res, body, 403)

		// Asia's officer returns with a comment on one value, then accepts the resubmission.
		asia := env.browser("asia@test")
		res, body = asia.get("/datacall/2026/review")
		wantStatus(t, "asia queue", res, body, 200)
		if !strings.Contains(body, "Seoul") {
			t.Errorf("Asia's queue lacks Seoul")
		}
		res, body = asia.post(seoul+"/review", url.Values{"action": {"return"}, "comment": {"  "}})
		wantStatus(t, "return without comment", res, body, 400)
		// The form again, not a bare error page: the reason, the review
		// buttons, the values.
		if !strings.Contains(body, `id="review-refused"`) || !strings.Contains(body, `name="action" value="return"`) || !strings.Contains(body, `name="rc_EC-P-EM-1C"`) {
			t.Errorf("a refused return does not give the form back: %.600s", body)
		}
		res, body = asia.post(seoul+"/review", url.Values{"action": {"return"}, "rc_EC-P-EM-1C": {"Is this the ILO definition?"}})
		wantStatus(t, "return", res, body, http.StatusSeeOther)
		res, body = focal.get(seoul)
		wantStatus(t, "returned submission", res, body, http.StatusOK)
		if !strings.Contains(body, "Is this the ILO definition?") || !strings.Contains(body, "<strong>returned</strong>") {
			t.Errorf("the focal point does not see the reviewer's comment")
		}
		res, body = focal.post(seoul+"/submit", nil)
		wantStatus(t, "resubmit", res, body, http.StatusSeeOther)
		res, body = asia.post(seoul+"/review", url.Values{"action": {"accept"}})
		wantStatus(t, "accept", res, body, http.StatusSeeOther)
		if sub, _ := env.store.Submission(ctx, "2026", "kr-seoul"); sub.State != datacall.StateAccepted {
			t.Fatalf("Seoul is %s, want accepted", sub.State)
		}

		// Coverage: reviewers only, scoped.
		res, body = asia.get("/datacall/2026/coverage")
		wantStatus(t, "coverage", res, body, 200)
		if !strings.Contains(body, "Busan") || strings.Contains(body, "Rotterdam") {
			t.Errorf("Asia's coverage board is not scoped to Asia")
		}
		res, body = focal.get("/datacall/2026/coverage")
		wantStatus(t, "focal coverage", res, body, 403)
		judge := env.browser("judge@test")
		res, body = judge.get(seoul)
		wantStatus(t, "judge", res, body, 403)

		// The secretariat computes the edition as a background job.
		admin := env.browser("admin@test")
		res, body = europe.post("/admin/editions/2026/compute", nil)
		wantStatus(t, "officer computing", res, body, 403)
		res, body = admin.post("/admin/editions/2026/compute", nil)
		wantStatus(t, "compute", res, body, http.StatusSeeOther)
		ran, err := env.srv.Queue().RunOne(ctx, "test-worker")
		if err != nil || !ran {
			t.Fatalf("compute job: ran %v, %v", ran, err)
		}
		rels, err := env.store.DraftReleases(ctx, "2026")
		if err != nil || len(rels) != 1 || rels[0].Cities != 3 {
			t.Fatalf("draft releases %+v, %v", rels, err)
		}
		res, body = admin.get("/admin/editions/2026")
		wantStatus(t, "edition page", res, body, 200)
		if !strings.Contains(body, "done") || !strings.Contains(body, fmt.Sprintf("/admin/editions/2026/releases/%d", rels[0].ID)) {
			t.Errorf("edition page lacks the job or the release: %.3000s", body)
		}
		res, body = admin.get(fmt.Sprintf("/admin/editions/2026/releases/%d", rels[0].ID))
		wantStatus(t, "release page", res, body, 200)
		for _, c := range []string{"Seoul", "Busan", "Rotterdam", rels[0].Hash} {
			if !strings.Contains(body, c) {
				t.Errorf("release page lacks %q", c)
			}
		}
	})
}

// TestDataCallRefusalsInReadersLanguage: a refused value on the city's
// form, an upload with errors, a file that is not a template and a refused
// submission are shown in the reader's language: the form's fields by
// their headings, every problem of an upload with its row and column, and
// the data call's rules, all worded by key (Korean for a Korean reader,
// with no English reason left).
func TestDataCallRefusalsInReadersLanguage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newCallEnv(t, s)
		seoul := "/datacall/2026/cities/kr-seoul"
		focal := env.browser("seoul@test")
		unit := env.cat["EC-P-EM-1C"].Unit
		other := env.ed.Indicators()[1].Code
		csv := "City code,Indicator code,Value,Unit,Source,Data year\n" +
			"kr-seoul,EC-P-EM-1C,50,\"" + unit + "\",KOSTAT,2025\n" +
			"kr-seoul,EC-P-EM-1C,51,\"" + unit + "\",KOSTAT,2025\n" +
			"kr-seoul," + other + ",lots,\"" + env.cat[other].Unit + "\",KOSTAT,2025\n"
		for _, tc := range []struct {
			lang                       string
			form, upload, file, submit []string
			english                    []string // reasons a Korean page must not show
		}{
			{"ko",
				[]string{"아무것도 저장되지 않았습니다: 문제 1건.", "지표 EC-P-EM-1C, 값: 105는 유효 범위(0 ~ 100)를 벗어납니다", "값: 105는 유효 범위"},
				// The file's column with its Korean heading.
				[]string{"업로드 거부", "문제가 2건", `<td class="num">3</td><td>지표 (indicator)</td><td>kr-seoul</td><td>EC-P-EM-1C</td><td>이 도시와 지표의 두 번째 값입니다(첫 값은 2행)</td>`,
					`<td class="num">4</td><td>값 (value)</td><td>kr-seoul</td><td>` + other + `</td><td>"lots"는 숫자가 아닙니다`},
				[]string{"잘못된 요청", `파일 "seoul.pdf"은(는) PDF입니다: XLSX 양식이나 CSV 파일을 올리세요`},
				[]string{"필수 지표", "개에 아직 값이 없습니다"},
				[]string{"is outside the valid range", "a second value", "is not a number", "is a PDF", "still without a value"}},
			{"en",
				[]string{"Nothing was saved: 1 problem(s).", "indicator EC-P-EM-1C, Value: 105 is outside the valid range (0 to 100)", "Value: 105 is outside"},
				[]string{"Upload refused", "has 2 problem(s)", `<td class="num">3</td><td>indicator</td><td>kr-seoul</td><td>EC-P-EM-1C</td><td>a second value for this city and indicator (first on row 2)</td>`,
					`<td class="num">4</td><td>value</td><td>kr-seoul</td><td>` + other + `</td><td>"lots" is not a number`},
				[]string{"Bad Request", `the file "seoul.pdf" is a PDF: upload the XLSX template or a CSV file`},
				[]string{"required indicators are still without a value"},
				nil},
		} {
			res, body := focal.get(seoul + "?lang=" + tc.lang) // the language cookie
			wantStatus(t, "city page in "+tc.lang, res, body, 200)
			pages := []struct {
				what  string
				send  func() (*http.Response, string)
				wants []string
			}{
				{"refused value", func() (*http.Response, string) {
					return focal.post(seoul+"/values", url.Values{"v_EC-P-EM-1C": {"105"}, "src_EC-P-EM-1C": {"KOSTAT"}, "yr_EC-P-EM-1C": {"2025"}})
				}, tc.form},
				{"upload with errors", func() (*http.Response, string) {
					return focal.upload(seoul+"/upload", "seoul.csv", strings.NewReader(csv))
				}, tc.upload},
				{"a PDF", func() (*http.Response, string) {
					return focal.upload(seoul+"/upload", "seoul.pdf", strings.NewReader("%PDF-1.7 ..."))
				}, tc.file},
				{"incomplete submission", func() (*http.Response, string) { return focal.post(seoul+"/submit", nil) }, tc.submit},
			}
			for _, p := range pages {
				res, body := p.send()
				wantStatus(t, p.what+" in "+tc.lang, res, body, 400)
				body = html.UnescapeString(body)
				for _, w := range p.wants {
					if !strings.Contains(body, w) {
						t.Errorf("%s in %s: the page lacks %q", p.what, tc.lang, w)
					}
				}
				for _, e := range tc.english {
					if strings.Contains(body, e) {
						t.Errorf("%s in %s: the page shows the English %q", p.what, tc.lang, e)
					}
				}
			}
		}
	})
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
