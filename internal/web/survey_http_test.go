package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/web/webtest"
)

// surveyEnv is a test server with edition 2026 and its survey open now.
func surveyEnv(t testing.TB, s storetest.Store) *webtest.Env {
	t.Helper()
	env := webtest.New(t, s)
	ctx := context.Background()
	cs := &catalogue.Service{Store: env.Store, Audit: env.Store}
	if _, err := cs.SeedU4SSC(ctx, auditlog.System("test")); err != nil {
		t.Fatal(err)
	}
	inds, err := env.Store.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e, _, err := catalogue.NewEdition("2026", "Smart Cities Index 2026", 2025, now.AddDate(0, 0, -10), now.AddDate(0, 0, 30), inds)
	if err != nil {
		t.Fatal(err)
	}
	e.Status = catalogue.StatusOpen
	if err := cs.CreateEdition(ctx, auditlog.System("test"), e); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Services.Survey.Configure(ctx, auditlog.System("test"), survey.Survey{Edition: "2026",
		Opens: now.AddDate(0, 0, -10), Closes: now.AddDate(0, 0, 30)}); err != nil {
		t.Fatal(err)
	}
	return env
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)"`)

// answerForm is a complete, valid answer to the seeded instrument.
func answerForm(seed int) url.Values {
	v := url.Values{"sex": {"female"}, "age": {"30-44"}, "education": {"mid"}, "attention": {"2"}}
	for i, c := range []string{"hs_s1", "hs_s2", "hs_t1", "mo_s1", "mo_s2", "mo_t1", "ac_s1", "ac_t1", "op_s1", "op_t1", "go_s1", "go_t1"} {
		v.Set(c, strconv.Itoa(1+(i+seed)%5))
	}
	v["priorities"] = []string{"air", "housing"}
	return v
}

// formFields reads the hidden fields the form page carries.
func formFields(t *testing.T, page string) url.Values {
	t.Helper()
	out := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		out.Set(m[1], m[2])
	}
	return out
}

func merge(a, b url.Values) url.Values {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func responsesOf(t testing.TB, env *webtest.Env, city string) []survey.Response {
	t.Helper()
	rs, err := env.Store.SurveyResponses(context.Background(), "2026", city)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func upload(t *testing.T, c *webtest.Client, path, name string, data []byte) (*http.Response, string) {
	t.Helper()
	if c.CSRF == "" {
		c.Get("/admin/survey")
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.CSRF)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return c.Send(http.MethodPost, path, mw.FormDataContentType(), &b)
}

// solvePoW finds the proof of work the form's challenge asks for.
func solvePoW(challenge string) string {
	parts := strings.Split(challenge, ".")
	diff, _ := strconv.Atoi(parts[2])
	for n := 0; ; n++ {
		sum := sha256.Sum256([]byte(parts[0] + strconv.Itoa(n)))
		zeros := 0
		for _, b := range sum {
			if b == 0 {
				zeros += 8
				continue
			}
			for m := byte(0x80); m > 0 && b&m == 0; m >>= 1 {
				zeros++
			}
			break
		}
		if zeros >= diff {
			return strconv.Itoa(n)
		}
	}
}

func TestSurveyHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := surveyEnv(t, s)
		form := "/survey/2026/" + webtest.CityX

		// The form in Korean: every question and choice in Korean.
		resident := env.Client()
		res, page := resident.Get(form + "?lang=ko")
		if res.StatusCode != 200 {
			t.Fatalf("form: %d", res.StatusCode)
		}
		for _, want := range []string{"어두워진 뒤에도 우리 동네를 혼자 걸을 때", "매우 그렇다", "밝히고 싶지 않음", "응답 보내기"} {
			if !strings.Contains(page, want) {
				t.Errorf("Korean form lacks %q", want)
			}
		}
		for _, english := range []string{"Strongly agree", "Prefer not to say", "I feel safe", "Send my answers", "Invitation code"} {
			if strings.Contains(page, english) {
				t.Errorf("Korean form shows English %q", english)
			}
		}

		// A missing required answer: 400 naming the question, nothing stored.
		bad := answerForm(0)
		bad.Del("age")
		res, page = resident.PostForm(form+"?lang=ko", merge(formFields(t, page), bad))
		if res.StatusCode != 400 || !strings.Contains(page, "응답이 필요합니다") || !strings.Contains(page, `id="e-age"`) {
			t.Errorf("missing answer: %d\n%s", res.StatusCode, page)
		}
		if n := len(responsesOf(t, env, webtest.CityX)); n != 0 {
			t.Fatalf("%d responses stored after a refusal", n)
		}
		// A valid response, with the proof of work solved.
		_, page = resident.Get(form)
		fields := formFields(t, page)
		fields.Set("pow_solution", solvePoW(fields.Get("pow")))
		res, page = resident.PostForm(form, merge(fields, answerForm(0)))
		if res.StatusCode != 200 || !strings.Contains(page, "Seoul에 대한 응답이 기록되었습니다") {
			t.Fatalf("submit: %d\n%s", res.StatusCode, page)
		}
		rs := responsesOf(t, env, webtest.CityX)
		if len(rs) != 1 || rs[0].Answers["hs_s1"] != "1" || strings.Join(rs[0].Priorities, ",") != "air,housing" || rs[0].Seconds < 0 {
			t.Fatalf("stored %+v", rs)
		}
		// The same browser again: refused, nothing changes.
		res, _ = resident.PostForm(form, merge(formFields(t, page), answerForm(1)))
		if res.StatusCode != http.StatusConflict {
			t.Errorf("duplicate: %d, want 409", res.StatusCode)
		}
		if n := len(responsesOf(t, env, webtest.CityX)); n != 1 {
			t.Errorf("%d responses after a duplicate, want 1", n)
		}
		// The honeypot filled: refused.
		bot := env.Client()
		_, page = bot.Get(form)
		res, _ = bot.PostForm(form, merge(merge(formFields(t, page), answerForm(2)), url.Values{"website": {"http://spam.example"}}))
		if res.StatusCode != 400 {
			t.Errorf("honeypot: %d", res.StatusCode)
		}

		// A flood from one address without the proof of work is slowed:
		// after the stricter limit, 429 with Retry-After.
		var limited *http.Response
		for i := 0; i < 10 && limited == nil; i++ {
			c := env.Client()
			_, page := c.Get(form)
			res, _ := c.PostForm(form, merge(formFields(t, page), answerForm(i)))
			if res.StatusCode == http.StatusTooManyRequests {
				limited = res
			}
		}
		if limited == nil || limited.Header.Get("Retry-After") == "" {
			t.Fatalf("a flood was not slowed")
		}
		flood := len(responsesOf(t, env, webtest.CityX))
		if flood > 6 {
			t.Errorf("%d responses stored from one address", flood)
		}
	})
}

func TestSurveyFieldworkAndResultsHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := surveyEnv(t, s)
		admin := env.ClientAs(webtest.Admin)
		ctx := context.Background()

		// A paper upload with one bad row imports nothing and names the row.
		var rows strings.Builder
		rows.WriteString("city,seconds,hs_s1,hs_s2,hs_t1,mo_s1,mo_t1,ac_s1,sex,age,education\n")
		for i := 0; i < 60; i++ {
			fmt.Fprintf(&rows, "%s,%d,%d,%d,%d,%d,%d,%d,%s,%s,%s\n", webtest.CityX, 300+i, 1+i%5, 1+(i/2)%5, 1+(i/3)%5, 2+i%4, 1+(i+1)%5, 3,
				[]string{"female", "male"}[i%2], []string{"18-29", "30-44", "45-64", "65+"}[i%4], []string{"low", "mid", "high"}[i%3])
		}
		// A speeder who also straight-lines: two flags, excluded.
		fmt.Fprintf(&rows, "%s,20,4,4,4,4,4,4,male,30-44,high\n", webtest.CityX)
		good := rows.String()
		badFile := strings.Replace(good, "\n"+webtest.CityX+",305,", "\n"+webtest.CityX+",305,x", 1)
		res, page := upload(t, admin, "/admin/survey/2026/responses", "paper.csv", []byte(badFile))
		if res.StatusCode != 400 || !strings.Contains(page, "row 7") || !strings.Contains(page, "hs_s1") {
			t.Fatalf("bad upload: %d\n%s", res.StatusCode, page)
		}
		if n := len(responsesOf(t, env, "")); n != 0 {
			t.Fatalf("%d responses imported from a refused file", n)
		}
		res, _ = upload(t, admin, "/admin/survey/2026/responses", "paper.csv", []byte(good))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", res.StatusCode)
		}
		if n := len(responsesOf(t, env, webtest.CityX)); n != 61 {
			t.Fatalf("%d responses imported, want 61", n)
		}
		margins := "city,variable,category,population\n"
		for _, m := range [][3]string{{"sex", "female", "5100"}, {"sex", "male", "4900"}, {"age", "18-29", "2000"}, {"age", "30-44", "3000"},
			{"age", "45-64", "3000"}, {"age", "65+", "2000"}, {"education", "low", "3000"}, {"education", "mid", "4000"}, {"education", "high", "3000"}} {
			margins += webtest.CityX + "," + m[0] + "," + m[1] + "," + m[2] + "\n"
		}
		if res, page := upload(t, admin, "/admin/survey/2026/margins", "margins.csv", []byte(margins)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("margins: %d %s", res.StatusCode, page)
		}
		if res, page := admin.PostForm("/admin/survey/2026/compute", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("compute: %d %s", res.StatusCode, page)
		}
		// The speeder is excluded, with its reasons listed for the secretariat.
		_, page = admin.Get("/admin/survey/2026")
		for _, want := range []string{"answered in under half the city&#39;s median time", "the same answer to every statement", "excluded"} {
			if !strings.Contains(page, want) {
				t.Errorf("admin page lacks %q", want)
			}
		}
		res2, err := env.Store.SurveyResults(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		c, _ := res2.City(webtest.CityX)
		if c.Responses != 61 || c.Excluded != 1 || c.Design.N != 60 {
			t.Errorf("city result: %d responses, %d excluded, n %d", c.Responses, c.Excluded, c.Design.N)
		}
		// The results page: error bars, the margin in plain words, no
		// figure for an item no one answered.
		_, page = env.Client().Get("/survey/2026/" + webtest.CityX + "/results")
		overall, _ := c.Group("overall", "", "")
		moe := strconv.FormatFloat(overall.Score.MOE(), 'f', 1, 64)
		for _, want := range []string{`class="errbar"`, "Based on 60 valid responses", "±" + moe + " points", "no answers"} {
			if !strings.Contains(page, want) {
				t.Errorf("results page lacks %q", want)
			}
		}
		hs, _ := c.ItemOf("hs_s1")
		if want := strconv.FormatFloat(hs.Score.Mean, 'f', 1, 64) + ` <span class="moe">± ` + strconv.FormatFloat(hs.Score.MOE(), 'f', 1, 64); !strings.Contains(page, want) {
			t.Errorf("results page lacks hs_s1's score %q", want)
		}
		_, page = env.Client().Get("/survey/2026/" + webtest.CityX + "/results?lang=ko")
		if !strings.Contains(page, "유효 응답 60건에") || strings.Contains(page, "Based on") {
			t.Errorf("Korean results page not in Korean")
		}
		// The response-level download: the secretariat's only, no identifier.
		res, body := admin.Get("/admin/survey/2026/responses.csv")
		if res.StatusCode != 200 || !strings.HasPrefix(body, "city,lang,source,valid,flags,") || strings.Contains(body, "submitted") {
			t.Errorf("responses download: %d %.200s", res.StatusCode, body)
		}
		if res, _ := env.Client().Get("/admin/survey/2026/responses.csv"); res.StatusCode == 200 && res.Request.URL.Path == "/admin/survey/2026/responses.csv" {
			t.Error("the response-level data is public")
		}
	})
}

// A category with population but no respondents fails the computation
// with the city, variable and category named, and saves nothing.
func TestSurveyComputeRefusalHTTP(t *testing.T) {
	env := surveyEnv(t, storetest.OpenSQLite(t))
	admin := env.ClientAs(webtest.Admin)
	up := "city,hs_s1,sex,age,education\n" + webtest.CityX + ",4,male,18-29,high\n" + webtest.CityX + ",2,female,18-29,high\n"
	if res, _ := upload(t, admin, "/admin/survey/2026/responses", "p.csv", []byte(up)); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	m := "city,variable,category,population\n" + webtest.CityX + ",sex,male,50\n" + webtest.CityX + ",sex,female,50\n" +
		webtest.CityX + ",age,18-29,60\n" + webtest.CityX + ",age,65+,40\n" + webtest.CityX + ",education,high,100\n"
	if res, _ := upload(t, admin, "/admin/survey/2026/margins", "m.csv", []byte(m)); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	res, page := admin.PostForm("/admin/survey/2026/compute", nil)
	if res.StatusCode != 400 || !strings.Contains(page, webtest.CityX) || !strings.Contains(page, "age = 65&#43; has population but no respondent") {
		t.Errorf("refusal: %d\n%s", res.StatusCode, page)
	}
	if _, err := env.Store.SurveyResults(context.Background(), "2026"); err == nil {
		t.Error("results saved after a refusal")
	}
}

// The demo network's survey: 2025 closed and 2026 open, figures for the
// demo cities, the first city with too few responses to publish.
func TestSurveyDemoHTTP(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	env.SeedDemo()
	ctx := context.Background()
	sv, err := env.Store.Survey(ctx, "2026")
	if err != nil || !sv.Demo || !sv.OpenAt(time.Now()) {
		t.Fatalf("demo survey 2026: %+v, %v", sv, err)
	}
	res, err := env.Store.SurveyResults(ctx, "2026")
	if err != nil || len(res.Cities) < 2 {
		t.Fatalf("demo results: %v", err)
	}
	few, many := res.Cities[0], res.Cities[1]
	for _, c := range res.Cities {
		if c.Responses == survey.DemoFew {
			few = c
		} else {
			many = c
		}
	}
	if few.Responses != survey.DemoFew || few.Design.NEff >= survey.MinEffectiveN {
		t.Errorf("the small city: %d responses, n_eff %v", few.Responses, few.Design.NEff)
	}
	c := env.Client()
	_, page := c.Get("/survey/2026/" + few.City + "/results")
	if !strings.Contains(page, "too few to publish figures") || !strings.Contains(page, "too few responses") {
		t.Errorf("the small city's page does not say too few")
	}
	_, page = c.Get("/survey/2026/" + many.City + "/results")
	if !strings.Contains(page, `class="errbar"`) || strings.Contains(page, "too few to publish") {
		t.Errorf("a demo city's page shows no figures")
	}
	if res, _ := c.Get("/survey/2026/" + many.City); res.StatusCode != 200 {
		t.Errorf("the open demo survey's form: %d", res.StatusCode)
	}
	if _, page := c.Get("/survey/2025/" + many.City); !strings.Contains(page, "The survey is not open") {
		t.Errorf("the 2025 demo survey is open")
	}
	// Two waves pooled 3:2, renormalised: 60 % and 40 %.
	_, page = c.Get("/survey/2026/" + many.City + "/results")
	if !strings.Contains(page, "Across waves") || !strings.Contains(page, "2026 60%, 2025 40%") {
		t.Errorf("the pooled figures are missing")
	}
	// Cities compared on one statement: a difference only beyond the
	// combined margin.
	_, page = c.Get("/survey/2026/compare?item=hs_s1&city=" + many.City)
	ref, _ := many.ItemOf("hs_s1")
	seen := 0
	for _, o := range res.Cities {
		x, _ := o.ItemOf("hs_s1")
		if o.City == many.City || x.Score.TooFew() {
			continue
		}
		d := x.Score.Mean - ref.Score.Mean
		m := survey.Z95 * math.Sqrt(x.Score.SE*x.Score.SE+ref.Score.SE*ref.Score.SE)
		want := "no clear difference"
		if d > m {
			want = "higher"
		} else if d < -m {
			want = "lower"
		}
		row := regexp.MustCompile(`/survey/2026/` + regexp.QuoteMeta(o.City) + `/results">[^<]*</a></th>.*?</tr>`).FindString(page)
		if !strings.Contains(row, "<td>"+want+"</td>") {
			t.Errorf("%s against %s: want %q in %s", o.City, many.City, want, row)
		}
		seen++
	}
	if seen < 5 {
		t.Errorf("only %d cities compared", seen)
	}
}

// The secretariat edits the instrument in the browser and by workbook;
// every page in Korean is in Korean.
func TestSurveyInstrumentEditingHTTP(t *testing.T) {
	env := surveyEnv(t, storetest.OpenSQLite(t))
	admin := env.ClientAs(webtest.Admin)
	ctx := context.Background()
	for _, p := range []string{"/admin/survey?lang=ko", "/admin/survey/2026?lang=ko", "/admin/survey/2026/instrument?lang=ko"} {
		res, page := admin.Get(p)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		for _, english := range []string{"Survey administration", "Upload", "Settings", "Save as a new version", "Decision", "Weighting and figures"} {
			if strings.Contains(page, ">"+english) {
				t.Errorf("%s shows English %q", p, english)
			}
		}
	}
	// A text changed in the browser: a new version, credited to the admin.
	form := url.Values{"languages": {"en ko"}, "item:hs_s1|ko": {"밤에도 동네를 안심하고 걸을 수 있다."}}
	res, page := admin.PostForm("/admin/survey/2026/instrument", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, page)
	}
	in, err := env.Services.Survey.Instrument(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	it, _ := in.Item("hs_s1")
	if in.Version != 2 || it.Label["ko"].Text != "밤에도 동네를 안심하고 걸을 수 있다." || it.Label["ko"].By != env.Users[webtest.Admin].Email {
		t.Errorf("version %d, text %+v", in.Version, it.Label["ko"])
	}
	if it.Label["en"].By != survey.SeedAuthor {
		t.Errorf("the unchanged English text lost its provenance: %+v", it.Label["en"])
	}
	// An empty required text: refused, nothing saved.
	res, _ = admin.PostForm("/admin/survey/2026/instrument", url.Values{"item:hs_s1|ko": {""}})
	if res.StatusCode != 400 {
		t.Errorf("an empty text: %d", res.StatusCode)
	}
	// The workbook down and up again: version 3, the same texts.
	res, body := admin.Get("/admin/survey/2026/instrument.xlsx")
	if res.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Fatalf("download: %d", res.StatusCode)
	}
	if res, page := upload(t, admin, "/admin/survey/2026/instrument.xlsx", "form.xlsx", []byte(body)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, page)
	}
	again, _ := env.Services.Survey.Instrument(ctx, "2026")
	if it2, _ := again.Item("hs_s1"); again.Version != 3 || it2.Label["ko"] != it.Label["ko"] {
		t.Errorf("after the round trip: version %d, %+v", again.Version, it2.Label["ko"])
	}
	// Not a workbook: refused with a message, nothing saved.
	if res, _ := upload(t, admin, "/admin/survey/2026/instrument.xlsx", "form.xlsx", []byte("PK\x03\x04garbage")); res.StatusCode != 400 {
		t.Errorf("a broken workbook: %d", res.StatusCode)
	}
}
