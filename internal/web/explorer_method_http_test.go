package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
)

// TestExplorerUnevenTree: a correction of the demo's 2026 release whose
// framework hangs an indicator straight under the index, carries an
// unscored indicator and fills scores after scoring renders: the
// methodology shows the tree as written (by depth), the city page flags the
// imputed scores with how they were filled, in English and Korean.
func TestExplorerUnevenTree(t *testing.T) {
	s := storetest.OpenSQLite(t)
	env := demoEnv(t, s)
	ctx := context.Background()
	wf := &release.Workflow{Store: s, Audit: s}
	load := func(edition string) *release.Release {
		t.Helper()
		rec, err := wf.Latest(ctx, edition)
		if err != nil {
			t.Fatal(err)
		}
		r, err := wf.Load(ctx, rec.Hash)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r25, r26 := load("2025"), load("2026")
	dr := r26.Draft()
	// The first pillar with three or more indicators: its first indicator
	// moves under the index, its second becomes unscored.
	kids := map[string][]int{}
	for i, n := range dr.Framework {
		if n.Kind == engine.Indicator {
			kids[n.Parent] = append(kids[n.Parent], i)
		}
	}
	var moved, unscored string
	for _, n := range dr.Framework {
		if k := kids[n.Code]; n.Kind == engine.Aggregate && len(k) >= 3 {
			dr.Framework[k[0]].Parent = "INDEX"
			dr.Framework[k[1]].Weight = 0
			moved, unscored = dr.Framework[k[0]].Code, dr.Framework[k[1]].Code
			break
		}
	}
	if moved == "" {
		t.Fatal("no pillar with three indicators in the demo")
	}
	if root := dr.Framework[0]; root.Code != "INDEX" {
		t.Fatalf("the demo's root is %q", root.Code)
	}
	dr.Method.Impute = engine.Imputation{Method: engine.ImputeMean, Stage: engine.ImputeNormalised}
	// Leave out the first city's value of the moved indicator: its score is filled after scoring.
	gap := dr.Cities[0].Code
	var data []release.DataPoint
	for _, p := range dr.Data {
		if p.City != gap || p.Indicator != moved {
			data = append(data, p)
		}
	}
	if len(data) != len(dr.Data)-1 {
		t.Fatalf("%s has no value of %s to leave out", gap, moved)
	}
	dr.Data = data
	cfg := r26.Config()
	cfg.Uncertainty.N, cfg.Uncertainty.SkipSA = 20, true
	cfg.Uncertainty.Spec = engine.UncertaintySpec{} // the defaults, over the reshaped tree's pillars
	fix, err := release.Publish(ctx, release.PublishInput{Draft: dr, Config: cfg, Previous: r25, Corrects: r26, PublishedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Save(ctx, auditlog.System("test"), release.PublishRequest{Release: fix, Title: "2026, uneven", ChangeNote: "framework reshaped"}); err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	res, body := c.Get("/methodology")
	if res.StatusCode != 200 {
		t.Fatalf("GET /methodology: %d", res.StatusCode)
	}
	// The moved indicator sits at depth 1, beside the pillars.
	i := strings.Index(body, `/indicators/`+moved+`"`)
	row := ""
	if i >= 0 {
		if j := strings.LastIndex(body[:i], "<tr "); j >= 0 {
			row = body[j:i]
		}
	}
	if !strings.Contains(row, " depth-1\"") {
		t.Errorf("methodology: %s not shown at depth 1\n%.3000s", moved, body)
	}
	// The city with the gap: its page flags the score with how it was filled.
	city := gap
	vals, err := fix.Values(city)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals {
		if v.Indicator == moved && (!v.Imputed || v.ImputedStage != engine.ImputeNormalised || v.Score == nil || v.Value != nil) {
			t.Fatalf("%s/%s: %+v, want a score filled after scoring", city, moved, v)
		}
	}
	for lang, want := range map[string]string{"en": "Score filled after scoring with the mean of the other cities&#39; scores", "ko": "점수화 후 다른 도시 점수의 평균으로 점수를 채움"} {
		res, body := c.Get("/cities/" + city + "?lang=" + lang)
		if res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /cities/%s?lang=%s: %d, no %q\n%.2000s", city, lang, res.StatusCode, want, body)
		}
	}
	if res, _ := c.Get("/rankings"); res.StatusCode != 200 {
		t.Errorf("GET /rankings: %d", res.StatusCode)
	}
	if res, _ := c.Get("/indicators/" + unscored); res.StatusCode != 200 {
		t.Errorf("GET /indicators/%s (unscored): %d", unscored, res.StatusCode)
	}
}
