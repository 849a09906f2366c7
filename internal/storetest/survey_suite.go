package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/survey"
)

// SurveyStore is a store with the survey's interface besides the
// catalogue's; *sqlite.DB and *postgres.DB are both.
type SurveyStore interface {
	FeatureStore
	survey.Store
}

// SurveySuite covers the survey: instrument versions, responses with
// invitation codes, all-or-nothing uploads, margins, and a computation
// that equals R's figures on the reference survey or saves nothing.
var SurveySuite = []struct {
	Name string
	Test func(t *testing.T, s SurveyStore)
}{
	{"InstrumentVersions", testSurveyInstrumentVersions},
	{"ResponsesAndInvites", testSurveyResponses},
	{"UploadAllOrNothing", testSurveyUpload},
	{"ComputeEqualsR", testSurveyComputeR},
	{"ComputeFailsWhole", testSurveyComputeFails},
	{"OverrideAudited", testSurveyOverride},
	{"IndexFeed", testSurveyIndexFeed},
	{"TopicsEditedAndAudited", testSurveyTopics},
}

// RunSurveySuite runs SurveySuite against every database.
func RunSurveySuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range SurveySuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(SurveyStore)
					if !ok {
						t.Fatalf("%T does not implement survey.Store", s)
					}
					c.Test(t, s)
				})
			}
		})
	}
}

var st0 = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)

func surveyService(s SurveyStore) *survey.Service {
	return &survey.Service{Store: s, Audit: s, Now: func() time.Time { return st0 }}
}

// seedSurvey seeds edition 2026 with a survey open around st0, and cities.
func seedSurvey(t *testing.T, s SurveyStore, cities ...string) *survey.Service {
	t.Helper()
	seedEdition(t, s, "2026", catalogue.StatusOpen)
	for _, c := range cities {
		seedCity(t, s, c, "AS")
	}
	sv := surveyService(s)
	if _, err := sv.Configure(context.Background(), auditlog.System("test"),
		survey.Survey{Edition: "2026", Opens: st0.AddDate(0, 0, -7), Closes: st0.AddDate(0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	return sv
}

var surveyActor = auditlog.Actor{Email: "analyst@test"}

func answers(overrides map[string]string) map[string][]string {
	v := map[string][]string{"sex": {"female"}, "age": {"30-44"}, "education": {"mid"}, "attention": {"2"}}
	for i, c := range []string{"hs_s1", "hs_s2", "mo_s1", "mo_t1", "ac_s1", "op_t2", "go_t1"} {
		v[c] = []string{fmt.Sprint(1 + i%5)}
	}
	for k, x := range overrides {
		v[k] = []string{x}
	}
	return v
}

func testSurveyInstrumentVersions(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	sv := seedSurvey(t, s)
	v1, err := s.SurveyInstrument(ctx, "2026", 0)
	if err != nil || v1.Version != 1 {
		t.Fatalf("seeded instrument %v, %v", v1, err)
	}
	edit := v1.Clone()
	hs := &edit.Items[0]
	hs.Label["ko"] = survey.Text{Text: "고친 문장."}
	v2, err := sv.SaveInstrument(ctx, surveyActor, "2026", edit)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.SurveyInstrument(ctx, "2026", 0)
	if err != nil || got.Version != 2 || v2.Version != 2 {
		t.Fatalf("latest %v, %v", got.Version, err)
	}
	it, _ := got.Item(hs.Code)
	if it.Label["ko"].Text != "고친 문장." || it.Label["ko"].By != "analyst@test" || !it.Label["ko"].At.Equal(st0) {
		t.Errorf("edited text's provenance %+v", it.Label["ko"])
	}
	if it.Label["en"].By != survey.SeedAuthor {
		t.Errorf("unchanged text lost its provenance: %+v", it.Label["en"])
	}
	old, err := s.SurveyInstrument(ctx, "2026", 1)
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := old.Item(hs.Code); it.Label["ko"].Text == "고친 문장." {
		t.Error("version 1 changed")
	}
	// An invalid version is refused and stores nothing.
	bad := got.Clone()
	bad.Items[0].Label["ko"] = survey.Text{}
	_, err = sv.SaveInstrument(ctx, surveyActor, "2026", bad)
	wantErrCode(t, err, citylens.EINVALID)
	if latest, _ := s.SurveyInstrument(ctx, "2026", 0); latest.Version != 2 {
		t.Errorf("a refused instrument stored as version %d", latest.Version)
	}
	_, err = s.SurveyInstrument(ctx, "1999", 0)
	wantErrCode(t, err, citylens.ENOTFOUND)
}

func testSurveyResponses(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	sv := seedSurvey(t, s, "kr-seoul")
	r, err := sv.Submit(ctx, survey.Submission{Edition: "2026", City: "kr-seoul", Lang: "ko", Values: answers(nil), Seconds: 200})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.SurveyResponses(ctx, "2026", "kr-seoul")
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored %v, %v", stored, err)
	}
	if got := stored[0]; got.ID != r.ID || got.Lang != "ko" || got.Answers["hs_s1"] != "1" || got.Answers["sex"] != "female" ||
		!got.Submitted.Equal(st0.Truncate(time.Hour)) {
		t.Errorf("stored response %+v", got)
	}
	// A missing required answer: refused naming the field, nothing stored.
	v := answers(nil)
	delete(v, "age")
	_, err = sv.Submit(ctx, survey.Submission{Edition: "2026", City: "kr-seoul", Values: v})
	wantErrCode(t, err, citylens.EINVALID)
	if e := citylens.AsError(err); len(e.Problems) != 1 || e.Problems[0].Field != "age" {
		t.Errorf("problems %v", e.Problems)
	}
	// An unknown city: refused, nothing stored.
	_, err = sv.Submit(ctx, survey.Submission{Edition: "2026", City: "xx-nowhere", Values: answers(nil)})
	wantErrCode(t, err, citylens.EINVALID)
	// Invitation codes: one response per code.
	codes, err := sv.NewInvites(ctx, surveyActor, "2026", "kr-seoul", 2, func(b []byte) {
		for i := range b {
			b[i] = byte(i * 7)
		}
	})
	if err == nil {
		t.Fatalf("two identical codes accepted: %v", codes)
	}
	n := byte(0)
	codes, err = sv.NewInvites(ctx, surveyActor, "2026", "kr-seoul", 2, func(b []byte) {
		n++
		for i := range b {
			b[i] = byte(i) + n*11
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Submit(ctx, survey.Submission{Edition: "2026", City: "kr-seoul", Values: answers(nil), Invite: codes[0]}); err != nil {
		t.Fatal(err)
	}
	_, err = sv.Submit(ctx, survey.Submission{Edition: "2026", City: "kr-seoul", Values: answers(map[string]string{"hs_s1": "5"}), Invite: codes[0]})
	wantErrCode(t, err, citylens.ECONFLICT)
	_, err = sv.Submit(ctx, survey.Submission{Edition: "2026", City: "kr-seoul", Values: answers(nil), Invite: "NOPE-NOPE"})
	wantErrCode(t, err, citylens.ENOTFOUND)
	if all, _ := s.SurveyResponses(ctx, "2026", ""); len(all) != 2 {
		t.Errorf("%d responses stored, want 2 (the duplicate changed something)", len(all))
	}
	// The window closed: refused.
	closed := &survey.Service{Store: s, Now: func() time.Time { return st0.AddDate(0, 2, 0) }}
	_, err = closed.Submit(ctx, survey.Submission{Edition: "2026", City: "kr-seoul", Values: answers(nil)})
	wantErrCode(t, err, citylens.ECONFLICT)
}

func testSurveyUpload(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	sv := seedSurvey(t, s, "kr-seoul", "kr-busan")
	good := "city,lang,seconds,hs_s1,mo_s1,sex,age,education,priorities\n" +
		"kr-seoul,ko,300,4,5,male,18-29,high,air jobs\n" +
		"kr-busan,en,250,2,na,female,65+,low,\n"
	n, err := sv.ImportResponses(ctx, surveyActor, "2026", "paper.csv", []byte(good), 0)
	if err != nil || n != 2 {
		t.Fatalf("imported %d, %v", n, err)
	}
	// KoboToolbox layout: group paths, 0/1 choice columns, start/end, metadata.
	kobo := "start,end,g/hs_s1,g/sex,g/age,g/education,priorities/air,priorities/jobs,city,_id,_uuid\n" +
		"2026-04-01T10:00:00Z,2026-04-01T10:05:00Z,3,male,45-64,mid,1,0,kr-busan,17,abc\n"
	if n, err := sv.ImportResponses(ctx, surveyActor, "2026", "kobo.csv", []byte(kobo), 0); err != nil || n != 1 {
		t.Fatalf("Kobo layout: %d, %v", n, err)
	}
	rs, _ := s.SurveyResponses(ctx, "2026", "kr-busan")
	if len(rs) != 2 || rs[1].Seconds != 300 || strings.Join(rs[1].Priorities, ",") != "air" || rs[1].Source != survey.SourcePaper {
		t.Errorf("Kobo response %+v", rs)
	}
	// One bad row (an out-of-range answer) and one unknown city: nothing imported, both named.
	bad := "city,hs_s1,sex,age,education\n" +
		"kr-seoul,4,male,18-29,high\n" +
		"kr-seoul,9,male,18-29,high\n"
	_, err = sv.ImportResponses(ctx, surveyActor, "2026", "paper.csv", []byte(bad), 0)
	wantErrCode(t, err, citylens.EINVALID)
	if e := citylens.AsError(err); len(e.Problems) != 1 || e.Problems[0].Row != 3 || e.Problems[0].Column != "hs_s1" {
		t.Errorf("problems %+v", e.Problems)
	}
	unknown := "city,hs_s1,sex,age,education\nkr-seoul,4,male,18-29,high\nxx-nowhere,4,male,18-29,high\n"
	_, err = sv.ImportResponses(ctx, surveyActor, "2026", "paper.csv", []byte(unknown), 0)
	wantErrCode(t, err, citylens.EINVALID)
	if all, _ := s.SurveyResponses(ctx, "2026", ""); len(all) != 3 {
		t.Errorf("%d responses after refused uploads, want 3", len(all))
	}
	// Margins: categories that don't sum to the same total are refused with the row.
	margins := "city,variable,category,population\nkr-seoul,sex,female,60\nkr-seoul,sex,male,40\nkr-seoul,age,18-29,50\nkr-seoul,age,30-44,20\n" +
		"kr-seoul,age,45-64,10\nkr-seoul,age,65+,10\nkr-seoul,education,low,30\nkr-seoul,education,mid,30\nkr-seoul,education,high,40\n"
	_, err = sv.ImportMargins(ctx, surveyActor, "2026", "m.csv", []byte(margins), 0)
	wantErrCode(t, err, citylens.EINVALID)
	if e := citylens.AsError(err); len(e.Problems) != 1 || e.Problems[0].Field != "age" || e.Problems[0].Row != 2 {
		t.Errorf("margin problems %+v", e.Problems)
	}
	unknownCat := strings.Replace(margins, "age,65+,10", "age,90+,10", 1)
	_, err = sv.ImportMargins(ctx, surveyActor, "2026", "m.csv", []byte(unknownCat), 0)
	if e := citylens.AsError(err); e == nil || e.Problems[0].Row != 7 || e.Problems[0].Column != "category" {
		t.Errorf("unknown category: %v", err)
	}
	if m, _ := s.SurveyMargins(ctx, "2026"); len(m) != 0 {
		t.Errorf("refused margins stored: %v", m)
	}
}

// referenceResponses reads the R reference survey (internal/survey/testdata)
// as one upload file per city, with a CityLens city code, and its margins.
func referenceFiles(t *testing.T, cityCode func(string) string) (responses, margins []byte, cities []string) {
	t.Helper()
	dir := filepath.Join("..", "survey", "testdata", "rsurvey")
	read := func(name string) [][]string {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	// The reference's q01..q12 are put on the seeded bank's first twelve
	// rating items (all direct statements: the reverse-keyed ones are not
	// used).
	items := []string{"hs_s1", "hs_s2", "hs_t1", "hs_t2", "mo_s1", "mo_s2", "mo_t1", "mo_t2", "ac_s1", "ac_s2", "ac_t1", "ac_t2"}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(append([]string{"city", "sex", "age", "education"}, items...))
	seen := map[string]bool{}
	for _, r := range read("responses.csv")[1:] {
		c := cityCode(r[1])
		if !seen[c] {
			seen[c] = true
			cities = append(cities, c)
		}
		w.Write(append([]string{c, r[2], r[3], r[4]}, r[5:]...))
	}
	w.Flush()
	responses = bytes.Clone(b.Bytes())
	b.Reset()
	w = csv.NewWriter(&b)
	for i, r := range read("margins.csv") {
		if i > 0 {
			r[0] = cityCode(r[0])
		}
		w.Write(r)
	}
	w.Flush()
	return responses, b.Bytes(), cities
}

func testSurveyComputeR(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	code := func(c string) string { return "ref-" + strings.ToLower(c) }
	responses, margins, cities := referenceFiles(t, code)
	sv := seedSurvey(t, s, cities...)
	if _, err := sv.ImportResponses(ctx, surveyActor, "2026", "ref.csv", responses, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sv.ImportMargins(ctx, surveyActor, "2026", "margins.csv", margins, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Compute(ctx, surveyActor, "2026"); err != nil {
		t.Fatal(err)
	}
	res, err := s.SurveyResults(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	// Figures read back from the database equal R's (city_summary.csv,
	// item_estimates.csv of the reference), within 1e-9 relative; the
	// standard error is the calibrated one (agree_se_calibrated: svymean
	// on the raked design).
	want := []struct {
		city, item       string
		nEff, agree, ase float64
	}{
		{"ref-c01", "hs_s1", 150.269699927612123, 0.473805888026652466, 0.040869990522180724},
		{"ref-c01", "hs_t2", 150.269699927612123, 0.533101316205029319, 0.041700310860505123},
	}
	for _, w := range want {
		c, ok := res.City(w.city)
		if !ok {
			t.Fatalf("no result for %s", w.city)
		}
		it, _ := c.ItemOf(w.item)
		for _, f := range [][2]float64{{c.Design.NEff, w.nEff}, {it.Agree.Mean, w.agree}, {it.Agree.SE, w.ase}} {
			if math.Abs(f[0]-f[1]) > 1e-9*math.Abs(f[1]) {
				t.Errorf("%s %s: %.15g, R %.15g", w.city, w.item, f[0], f[1])
			}
		}
	}
	if len(res.Cities) != 6 {
		t.Errorf("%d cities computed, want 6", len(res.Cities))
	}
	// A reverse-keyed item left unanswered has no figure: null, not 0.
	c, _ := res.City("ref-c01")
	if it, _ := c.ItemOf("hs_s3"); it.Score.N != 0 || !math.IsNaN(it.Score.Mean) {
		t.Errorf("unanswered item read back as %+v", it.Score)
	}
}

func testSurveyComputeFails(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	sv := seedSurvey(t, s, "kr-seoul")
	rows := "city,hs_s1,sex,age,education\n"
	for i := 0; i < 10; i++ {
		rows += fmt.Sprintf("kr-seoul,%d,%s,18-29,high\n", 1+i%5, []string{"male", "female"}[i%2])
	}
	if _, err := sv.ImportResponses(ctx, surveyActor, "2026", "p.csv", []byte(rows), 0); err != nil {
		t.Fatal(err)
	}
	_, err := sv.Compute(ctx, surveyActor, "2026")
	if e := citylens.AsError(err); e == nil || len(e.Problems) != 1 || !strings.Contains(e.Problems[0].String(), "kr-seoul: no population margins") {
		t.Fatalf("no margins: %v", err)
	}
	margins := "city,variable,category,population\nkr-seoul,sex,female,60\nkr-seoul,sex,male,40\nkr-seoul,age,18-29,50\nkr-seoul,age,65+,50\n" +
		"kr-seoul,education,high,100\n"
	if _, err := sv.ImportMargins(ctx, surveyActor, "2026", "m.csv", []byte(margins), 0); err != nil {
		t.Fatal(err)
	}
	_, err = sv.Compute(ctx, surveyActor, "2026")
	e := citylens.AsError(err)
	if e == nil || len(e.Problems) != 1 || e.Problems[0].String() != "kr-seoul, age=65+: category 65+ of age has population but no respondent" {
		t.Fatalf("empty category: %v %+v", err, e)
	}
	_, err = s.SurveyResults(ctx, "2026")
	wantErrCode(t, err, citylens.ENOTFOUND)
}

func testSurveyOverride(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	sv := seedSurvey(t, s, "kr-seoul")
	r, err := sv.Submit(ctx, survey.Submission{Edition: "2026", City: "kr-seoul", Values: answers(nil)})
	if err != nil {
		t.Fatal(err)
	}
	wantErrCode(t, sv.Override(ctx, surveyActor, r.ID, "include", ""), citylens.EINVALID)
	if err := sv.Override(ctx, surveyActor, r.ID, "exclude", "same household answered twice"); err != nil {
		t.Fatal(err)
	}
	got, err := s.SurveyResponse(ctx, r.ID)
	if err != nil || got.Override != "exclude" || got.OverrideBy != "analyst@test" || got.Valid() {
		t.Errorf("override %+v, %v", got, err)
	}
	hist, err := s.ListAudit(ctx, auditlog.Filter{EntityType: "survey_response"})
	if err != nil || len(hist) != 1 || hist[0].Action != "survey.override" {
		t.Errorf("audit %v, %v", hist, err)
	}
	wantErrCode(t, sv.Override(ctx, surveyActor, 999999, "exclude", "x"), citylens.ENOTFOUND)
}

// The people-centric pillar fed from the survey: values with their
// provenance, and their sampling errors as the uncertainty analysis's
// input, so rank bands reflect the survey's precision.
func testSurveyIndexFeed(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	code := func(c string) string { return "ref-" + strings.ToLower(c) }
	responses, margins, cities := referenceFiles(t, code)
	sv := seedSurvey(t, s, cities...)
	if _, err := sv.ImportResponses(ctx, surveyActor, "2026", "ref.csv", responses, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sv.ImportMargins(ctx, surveyActor, "2026", "margins.csv", margins, 0); err != nil {
		t.Fatal(err)
	}
	res, err := sv.Compute(ctx, surveyActor, "2026")
	if err != nil {
		t.Fatal(err)
	}
	vals, err := sv.IndexValues(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	// The reference answers cover health and safety, mobility and
	// activities: 3 areas × 2 pillars per city; the others have no answers
	// and are left out (missing, not 0).
	if len(vals) != 6*6 {
		t.Fatalf("%d index values, want 36", len(vals))
	}
	v := vals[0]
	c, _ := res.City(v.City)
	g, _ := c.Group("cell", "health_safety", survey.PillarStructures)
	if v.Indicator != "PC-HEALTH_SAFETY-S" || math.Abs(v.Value-g.Score.Mean) > 1e-12 || math.Abs(v.SE-g.Score.SE) > 1e-12 {
		t.Errorf("index value %+v, group %+v", v, g.Score)
	}
	if want := fmt.Sprintf("waves 2026 (100%%); n = %d, effective n = %.0f, margin of error ±%.1f", c.Responses-c.Excluded, g.Score.NEff, survey.Z95*g.Score.SE); !strings.Contains(v.Source, want) {
		t.Errorf("provenance %q lacks %q", v.Source, want)
	}
	// Into an index: one pillar over the six indicators, the uncertainty
	// analysis drawing each value from its sampling distribution.
	nodes := []engine.Node{{Code: "PC", Kind: engine.Aggregate, Weight: 1}}
	cols := map[string][]float64{}
	unit := map[string]int{}
	for i, c := range cities {
		unit[c] = i
	}
	for _, x := range vals {
		if cols[x.Indicator] == nil {
			cols[x.Indicator] = make([]float64, len(cities))
			nodes = append(nodes, engine.Node{Code: x.Indicator, Parent: "PC", Kind: engine.Indicator, Weight: 1, Direction: 1})
		}
		cols[x.Indicator][unit[x.City]] = x.Value
	}
	f, err := engine.NewFramework(nodes)
	if err != nil {
		t.Fatal(err)
	}
	d := &engine.Data{Units: cities, Columns: cols}
	band := func(scale float64) float64 {
		in := survey.SamplingInput(vals)
		for k := range in.Sampling {
			in.Sampling[k].SE *= scale
		}
		a, err := engine.NewAnalysis(ctx, f, d, engine.DefaultMethod(), engine.UncertaintySpec{Inputs: []engine.UncertainInput{in}})
		if err != nil {
			t.Fatal(err)
		}
		ua, err := a.RunUA(ctx, 300, 2026)
		if err != nil || ua.Failed > 0 {
			t.Fatalf("uncertainty: %v (%d failed)", err, ua.Failed)
		}
		var w float64
		for _, u := range ua.Units {
			w += u.Q95 - u.Q5
		}
		return w
	}
	if none, survey := band(0), band(1); none != 0 || !(survey > 0) {
		t.Errorf("rank bands: %v without sampling error, %v with the survey's", none, survey)
	}
}

// The perception-versus-data mapping: a new survey starts with the
// default pairs the catalogue has indicators for; an edit replaces the
// pairs in order and is audited; a mapping naming an unknown item or
// indicator is refused with every problem named and nothing saved.
func testSurveyTopics(t *testing.T, s SurveyStore) {
	ctx := context.Background()
	crime, tti := -1, -1
	if err := s.PutIndicators(ctx, []catalogue.Indicator{
		{Code: "SC-SH-SA-8C", Name: "Violent Crime Rate", Unit: "per 100,000 inhabitants", Direction: crime},
		{Code: "EC-I-T-5A", Name: "Travel Time Index", Unit: "ratio", Direction: tti},
	}); err != nil {
		t.Fatal(err)
	}
	sv := seedSurvey(t, s)
	got, err := sv.Topics(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, x := range got {
		codes = append(codes, x.Item+"/"+x.Indicator)
		if x.UpdatedBy != survey.SeedAuthor {
			t.Errorf("seeded pair %+v", x)
		}
	}
	// The two the catalogue has, in the default order, and only those the
	// catalogue knows.
	for _, want := range []string{"hs_s1/SC-SH-SA-8C", "mo_s1/EC-I-T-5A"} {
		if !slices.Contains(codes, want) {
			t.Errorf("default pairs %v lack %s", codes, want)
		}
	}
	for _, x := range got {
		if _, err := s.IndicatorDirection(ctx, x.Indicator); err != nil {
			t.Errorf("seeded pair with an indicator the catalogue lacks: %+v (%v)", x, err)
		}
	}

	edit := []survey.Topic{{Item: "mo_s1", Indicator: "EC-I-T-5A", LowerBetter: true}, {Item: " at_online ", Indicator: "SC-SH-SA-8C"}}
	saved, err := sv.SaveTopics(ctx, surveyActor, "2026", edit)
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.SurveyTopics(ctx, "2026")
	if err != nil || len(got) != 2 || got[0].Item != "mo_s1" || !got[0].LowerBetter || got[1].Item != "at_online" || got[1].LowerBetter ||
		got[1].UpdatedBy != "analyst@test" || !got[1].UpdatedAt.Equal(saved[1].UpdatedAt) {
		t.Fatalf("saved %+v, read back %+v, %v", saved, got, err)
	}
	all, err := s.SurveyTopics(ctx, "")
	if err != nil || len(all) != 2 {
		t.Errorf("every edition's pairs: %+v, %v", all, err)
	}
	hist, err := s.ListAudit(ctx, auditlog.Filter{EntityType: "survey"})
	if err != nil {
		t.Fatal(err)
	}
	var audited bool
	for _, h := range hist {
		if h.Action == "survey.topics" && h.EntityID == "2026" && h.ActorEmail == "analyst@test" &&
			strings.Contains(string(h.After), "mo_s1 ↔ EC-I-T-5A (lower is better)") && strings.Contains(string(h.Before), "hs_s1 ↔ SC-SH-SA-8C") {
			audited = true
		}
	}
	if !audited {
		t.Errorf("no audit entry of the edit in %+v", hist)
	}

	// Unknown item, unknown indicator, the survey's own indicator, an
	// item that is not rated, a repeated pair: refused, every row named,
	// nothing saved.
	_, err = sv.SaveTopics(ctx, surveyActor, "2026", []survey.Topic{
		{Item: "mo_s1", Indicator: "EC-I-T-5A"},
		{Item: "no_such_item", Indicator: "SC-SH-SA-8C"},
		{Item: "hs_s1", Indicator: "XX-NOPE-1"},
		{Item: "sex", Indicator: "PC-MOBILITY-S"},
		{Item: "mo_s1", Indicator: "EC-I-T-5A"},
	})
	e := citylens.AsError(err)
	if e == nil || e.Code != citylens.EINVALID {
		t.Fatalf("bad mapping: %v", err)
	}
	var problems []string
	for _, p := range e.Problems {
		problems = append(problems, p.String())
	}
	want := []string{
		`row 2, item: unknown survey item "no_such_item"`,
		`row 3, indicator: unknown indicator "XX-NOPE-1"`,
		`row 4, item: survey item "sex" is not a rating (weight)`,
		`row 4, indicator: PC-MOBILITY-S is the survey's own indicator`,
		`row 5, item: mo_s1 and EC-I-T-5A are already paired in row 1`,
	}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	if again, _ := s.SurveyTopics(ctx, "2026"); len(again) != 2 || again[0] != got[0] || again[1] != got[1] {
		t.Errorf("a refused mapping changed the saved one: %+v", again)
	}
	_, err = sv.SaveTopics(ctx, surveyActor, "2026", make([]survey.Topic, survey.MaxTopics+1))
	wantErrCode(t, err, citylens.EINVALID)
	_, err = sv.SaveTopics(ctx, surveyActor, "1999", edit)
	wantErrCode(t, err, citylens.ENOTFOUND)
}
