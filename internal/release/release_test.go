package release

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

func TestPublishSameInputsSameHash(t *testing.T) {
	a := testRelease(t)
	b := testRelease(t)
	if len(a.Hash()) != 64 || strings.Trim(a.Hash(), "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not a hex SHA-256", a.Hash())
	}
	if a.Hash() != b.Hash() {
		t.Errorf("same inputs, hashes %s and %s", a.Hash(), b.Hash())
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("same inputs, different release documents")
	}
	// The order data points and cities come in does not matter.
	d := testDraft(t)
	for i, j := 0, len(d.Data)-1; i < j; i, j = i+1, j-1 {
		d.Data[i], d.Data[j] = d.Data[j], d.Data[i]
	}
	d.Cities[0], d.Cities[1] = d.Cities[1], d.Cities[0]
	if h := mustPublish(t, PublishInput{Draft: d, Config: testConfig()}).Hash(); h != a.Hash() {
		t.Errorf("reordered inputs: hash %s, want %s", h, a.Hash())
	}
	// Whatever a release is computed from changes its hash.
	changes := map[string]func(*PublishInput){
		"a value":        func(in *PublishInput) { in.Draft.Data[3].Value += 0.1 },
		"a source":       func(in *PublishInput) { in.Draft.Data[3].Source = "Another source" },
		"the method":     func(in *PublishInput) { in.Draft.Method.Normalise.High = 10 },
		"a weight":       func(in *PublishInput) { in.Draft.Framework[1].Weight = 2 },
		"the stages":     func(in *PublishInput) { in.Config.Stages = []Stage{{"Low", 0}, {"High", 50}} },
		"the seed":       func(in *PublishInput) { in.Config.Uncertainty.Seed = 8 },
		"a peer group":   func(in *PublishInput) { in.Draft.Cities[0].PeerGroup = "high" },
		"the edition":    func(in *PublishInput) { in.Draft.Edition = "2026b" },
		"the licence":    func(in *PublishInput) { in.Draft.Licence.Name = "CC0-1.0" },
		"the time (not)": nil,
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			in := PublishInput{Draft: testDraft(t), Config: testConfig(), PublishedAt: testTime.AddDate(0, 0, 1)}
			if change == nil {
				if h := mustPublish(t, in).Hash(); h != a.Hash() {
					t.Errorf("publication time changed the hash")
				}
				return
			}
			change(&in)
			if h := mustPublish(t, in).Hash(); h == a.Hash() {
				t.Errorf("changing %s kept the hash", name)
			}
		})
	}
}

func TestReleaseJSONRoundTrip(t *testing.T) {
	r := testRelease(t)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Fatal("a release read back writes a different document")
	}
	// Every query answers the same on the release read back.
	want, _ := r.Rankings(RankingQuery{})
	got, _ := back.Rankings(RankingQuery{})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rankings differ after a round trip (-want +got):\n%s", diff)
	}
	wp, _ := r.Profile("SEO")
	gp, _ := back.Profile("SEO")
	if diff := cmp.Diff(wp, gp); diff != "" {
		t.Errorf("profile differs after a round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(r.Methodology(), back.Methodology()); diff != "" {
		t.Errorf("methodology differs after a round trip (-want +got):\n%s", diff)
	}
	// A document whose content was edited no longer matches its hash.
	tampered := bytes.Replace(b, []byte(`"value":40,`), []byte(`"value":41,`), 1)
	if bytes.Equal(tampered, b) {
		t.Fatal("test document has no value 40 to tamper with")
	}
	if _, err := Unmarshal(tampered); citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("tampered document: got %v, want an EINVALID hash mismatch", err)
	}
	if _, err := Unmarshal([]byte(`{"hash":`)); citylens.ErrorCode(err) != citylens.EINVALID {
		t.Errorf("broken document: got %v, want EINVALID", err)
	}
}

func TestReleaseIsImmutable(t *testing.T) {
	r := testRelease(t)
	before, _ := json.Marshal(r)
	r.Cities()[0].Name = "changed"
	rows, _ := r.Rankings(RankingQuery{})
	rows[0].Pillars.Slice()[0].Code = "X"
	*rows[0].RankBand.Q5 = -1
	rows[0].TiedWith = append(rows[0].TiedWith[:0], "X")
	p, _ := r.Profile("SEO")
	p.Values[0].Source = "changed"
	p.Pillars[0].Code = "X"
	d := r.Draft()
	d.Data[0].Value = -99
	d.Framework[0].Weight = 42
	d.Method.Normalise.High = 7
	c := r.Config()
	c.Stages[0].Name = "changed"
	r.Methodology().Tree[0].Weight = 9
	after, _ := json.Marshal(r)
	if !bytes.Equal(before, after) {
		t.Error("changing what a release returned changed the release")
	}
	again, _ := r.Rankings(RankingQuery{})
	if again[0].Pillars.At(0).Code == "X" || *again[0].RankBand.Q5 == -1 {
		t.Error("a ranking row's pillars are shared with the release")
	}
}

func TestPublishBadInput(t *testing.T) {
	other := mustPublish(t, PublishInput{Draft: func() Draft { d := testDraft(t); d.Edition = "2025"; return d }(), Config: testConfig()})
	cases := []struct {
		name   string
		change func(*PublishInput)
		code   string
		want   string
	}{
		{"no edition", func(in *PublishInput) { in.Draft.Edition = " " }, citylens.EINVALID, "names no edition"},
		{"one city", func(in *PublishInput) { in.Draft.Cities = in.Draft.Cities[:1] }, citylens.EINVALID, "at least 2"},
		{"city twice", func(in *PublishInput) { in.Draft.Cities[1].Code = in.Draft.Cities[0].Code }, citylens.EINVALID, `"SEO" appears twice`},
		{"bad latitude", func(in *PublishInput) { in.Draft.Cities[2].Lat = 91 }, citylens.EINVALID, "not a latitude"},
		{"negative population", func(in *PublishInput) { in.Draft.Cities[2].Population = -1 }, citylens.EINVALID, "negative"},
		{"unknown city in data", func(in *PublishInput) { in.Draft.Data[0].City = "XXX" }, citylens.EINVALID, `city "XXX" is not a city`},
		{"unknown indicator in data", func(in *PublishInput) { in.Draft.Data[0].Indicator = "Z9" }, citylens.EINVALID, `"Z9" is not an indicator`},
		{"NaN value", func(in *PublishInput) { in.Draft.Data[0].Value = engine.NA }, citylens.EINVALID, "not a finite number"},
		{"point twice", func(in *PublishInput) { in.Draft.Data[1] = in.Draft.Data[0] }, citylens.EINVALID, "appears twice"},
		{"two roots", func(in *PublishInput) { in.Draft.Framework[1].Parent = "" }, citylens.EINVALID, "2 roots"},
		{"info for an aggregate", func(in *PublishInput) { in.Draft.Indicators[0].Code = "E" }, citylens.EINVALID, `"E", which is not an indicator`},
		{"stages not ascending", func(in *PublishInput) { in.Config.Stages = []Stage{{"A", 0}, {"B", 50}, {"C", 40}} }, citylens.EINVALID, "lowest first"},
		{"stages for no pillar", func(in *PublishInput) { in.Config.PillarStages = map[string][]Stage{"X": DefaultStages()} }, citylens.EINVALID, `"X" is not a pillar`},
		{"rating rule", func(in *PublishInput) { in.Config.Ratings.Rule = "curve" }, citylens.EINVALID, "rule must be"},
		{"rating scale", func(in *PublishInput) { in.Config.Ratings.Scale = []string{"A", "A"} }, citylens.EINVALID, "distinct"},
		{"uncertainty target", func(in *PublishInput) {
			in.Config.Uncertainty.Spec = DefaultUncertainty(mustFramework(t, in.Draft), in.Draft.Method)
			in.Config.Uncertainty.Spec.Target = "E"
		}, citylens.EINVALID, "target must be the index"},
		{"one replication", func(in *PublishInput) { in.Config.Uncertainty.N = 1 }, citylens.EINVALID, "must be from 2 to 20000"},
		{"too many replications", func(in *PublishInput) { in.Config.Uncertainty.N = MaxReplications + 1 }, citylens.EINVALID, "must be from 2 to 20000"},
		{"too large a bootstrap", func(in *PublishInput) { in.Config.Uncertainty.Bootstrap = MaxReplications + 1 }, citylens.EINVALID, "bootstrap from 0 to 20000"},
		{"method", func(in *PublishInput) { in.Draft.Method.Impute.Method = "magic" }, citylens.EINVALID, "unknown method"},
		{"previous of the same edition", func(in *PublishInput) {
			in.Previous = mustPublish(t, PublishInput{Draft: testDraft(t), Config: testConfig()})
		}, citylens.EINVALID, "publish a correction"},
		{"correcting another edition", func(in *PublishInput) { in.Corrects = other }, citylens.EINVALID, "cannot correct"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := PublishInput{Draft: testDraft(t), Config: testConfig(), PublishedAt: testTime}
			tc.change(&in)
			r, err := Publish(context.Background(), in)
			if r != nil || citylens.ErrorCode(err) != tc.code || !strings.Contains(citylens.ErrorMessage(err), tc.want) {
				t.Errorf("got %v (%s), want %s containing %q", err, citylens.ErrorCode(err), tc.code, tc.want)
			}
		})
	}
}

func mustFramework(t testing.TB, d Draft) *engine.Framework {
	f, err := engine.NewFramework(d.Framework)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPublishCancelledAndProgress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Publish(ctx, PublishInput{Draft: testDraft(t), Config: testConfig()}); citylens.ErrorCode(err) != citylens.ECANCELED {
		t.Errorf("cancelled publication: got %v, want ECANCELED", err)
	}
	last := map[string]Progress{}
	var order []string
	mustPublish(t, PublishInput{Draft: testDraft(t), Config: testConfig(), Workers: 2, Progress: func(p Progress) {
		if len(order) == 0 || order[len(order)-1] != p.Stage {
			order = append(order, p.Stage)
		}
		last[p.Stage] = p
	}})
	if diff := cmp.Diff([]string{StageBuilding, StageUncertainty, StageSensitivity, StageFinishing}, order); diff != "" {
		t.Errorf("progress stages (-want +got):\n%s", diff)
	}
	if p := last[StageUncertainty]; p.Done != 200 || p.Total != 200 {
		t.Errorf("last uncertainty progress %d/%d, want 200/200", p.Done, p.Total)
	}
}

func TestStages(t *testing.T) {
	st := DefaultStages()
	for _, tc := range []struct {
		score float64
		want  string
	}{{-5, "Emerging"}, {0, "Emerging"}, {39.999, "Emerging"}, {40, "Developing"}, {54.9, "Developing"}, {55, "Advanced"}, {69.99, "Advanced"}, {70, "Leading"}, {100, "Leading"}, {engine.NA, ""}} {
		t.Run(num(tc.score), func(t *testing.T) {
			if got := stageOf(st, tc.score); got != tc.want {
				t.Errorf("stage of %v: %q, want %q", tc.score, got, tc.want)
			}
		})
	}
}

func TestRatings(t *testing.T) {
	na := engine.NA
	five := Ratings{Scale: []string{"A", "B", "C", "D", "E"}, Rule: RatingRange, MinGroup: 3}
	cases := []struct {
		name   string
		rule   Ratings
		scores []float64
		want   []string
	}{
		// Range: position (s-10)/(60-10): 0, .2, .5, .79, 1 -> bands 0,1,2,3,4 (worst first).
		{"range", five, []float64{10, 20, 35, 49.5, 60}, []string{"E", "D", "C", "B", "A"}},
		{"range, missing score not rated", five, []float64{10, na, 60, 35}, []string{"E", "", "A", "C"}},
		{"range, too small a group", five, []float64{10, 60, na}, []string{"", "", ""}},
		{"range, all equal: the middle", five, []float64{50, 50, 50}, []string{"C", "C", "C"}},
		// Quantile: mid-ranks 1, 2.5, 2.5, 4 of 4 -> positions 0, .5, .5, 1.
		{"quantile with a tie", Ratings{Scale: five.Scale, Rule: RatingQuantile, MinGroup: 3}, []float64{1, 5, 5, 90}, []string{"E", "C", "C", "A"}},
		{"IMD scale", DefaultRatings(), []float64{0, 9.9, 10, 55, 89, 90, 100}, []string{"D", "D", "C", "BB", "AA", "AAA", "AAA"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.rule.rate(tc.scores)); diff != "" {
				t.Errorf("ratings (-want +got):\n%s", diff)
			}
		})
	}
	// In a release: each peer group is rated on its own scale.
	r := testRelease(t)
	rows, _ := r.Rankings(RankingQuery{})
	best := map[string]string{}
	for _, row := range rows {
		if _, seen := best[row.City.PeerGroup]; !seen {
			best[row.City.PeerGroup] = row.Rating
		}
	}
	// very-high has 5 ranked cities, high 5; medium (NBO) and low are too small to rate.
	if diff := cmp.Diff(map[string]string{"very-high": "AAA", "high": "AAA", "medium": ""}, best); diff != "" {
		t.Errorf("best rating per peer group (-want +got):\n%s", diff)
	}
}

func TestRankChangeSincePreviousEdition(t *testing.T) {
	prevDraft := testDraft(t)
	prevDraft.Edition = "2025"
	// Seoul was not a member in 2025; Busan's values were worse.
	var cities []City
	for _, c := range prevDraft.Cities {
		if c.Code != "SEO" {
			cities = append(cities, c)
		}
	}
	prevDraft.Cities = cities
	var data []DataPoint
	for _, p := range prevDraft.Data {
		if p.City == "SEO" {
			continue
		}
		data = append(data, p)
	}
	prevDraft.Data = data
	prev := mustPublish(t, PublishInput{Draft: prevDraft, Config: testConfig()})
	cur := mustPublish(t, PublishInput{Draft: testDraft(t), Config: testConfig(), Previous: prev})
	if cur.Summary().Previous != prev.Hash() || cur.Summary().PreviousEdition != "2025" {
		t.Errorf("summary names previous %q (%s)", cur.Summary().Previous, cur.Summary().PreviousEdition)
	}
	prevRows, _ := prev.Rankings(RankingQuery{})
	prevRank := map[string]int{}
	for _, row := range prevRows {
		prevRank[row.City.Code] = row.Rank
	}
	rows, _ := cur.Rankings(RankingQuery{})
	// The change is measured among the cities ranked in both editions: the
	// rank among them then minus the rank among them now.
	among := func(rank map[string]int) map[string]int {
		out := map[string]int{}
		for c, r := range rank {
			n := 1
			for o, q := range rank {
				if o != c && q < r {
					n++
				}
			}
			out[c] = n
		}
		return out
	}
	nowRank := map[string]int{}
	for _, row := range rows {
		if _, ok := prevRank[row.City.Code]; ok {
			nowRank[row.City.Code] = row.Rank
		}
	}
	then, now := among(prevRank), among(nowRank)
	for _, row := range rows {
		t.Run(row.City.Code, func(t *testing.T) {
			pr, ok := prevRank[row.City.Code]
			switch {
			case !ok && (row.Change != nil || row.PrevRank != 0 || !row.New):
				t.Errorf("new city: change %v, previous rank %d, new %v", row.Change, row.PrevRank, row.New)
			case ok && (row.Change == nil || *row.Change != then[row.City.Code]-now[row.City.Code] || row.PrevRank != pr || row.New):
				t.Errorf("change %v, previous rank %d; want %d, %d", row.Change, row.PrevRank, then[row.City.Code]-now[row.City.Code], pr)
			}
		})
	}
	// Seoul (rank 6, new) pushes the cities below it down one rank, but
	// moves no one among the cities ranked in both: Ulaanbaatar's values
	// did not change, nor does its place.
	for _, row := range rows {
		if row.City.Code == "ULN" && (row.Change == nil || *row.Change != 0 || row.PrevRank != row.Rank-1) {
			t.Errorf("ULN change %v, previous rank %d, rank %d: want change 0", row.Change, row.PrevRank, row.Rank)
		}
	}
}

func TestCorrection(t *testing.T) {
	orig := testRelease(t)
	d := testDraft(t)
	for i, p := range d.Data {
		if p.City == "BUS" && p.Indicator == "S1" {
			d.Data[i].Value = 90 // was 37.5
		}
		if p.City == "SEO" && p.Indicator == "G1" {
			d.Data[i].Source = "Seoul Metropolitan Government"
		}
	}
	fix := mustPublish(t, PublishInput{Draft: d, Config: testConfig(), Corrects: orig})
	if fix.Summary().Corrects != orig.Hash() || fix.Hash() == orig.Hash() {
		t.Fatalf("correction: corrects %q, hash %s (original %s)", fix.Summary().Corrects, fix.Hash(), orig.Hash())
	}
	log := fix.Changes()
	has := func(c Change) bool {
		for _, x := range log {
			if x == c {
				return true
			}
		}
		return false
	}
	oldBUS, _ := orig.Profile("BUS")
	newBUS, _ := fix.Profile("BUS")
	for _, want := range []Change{
		{Kind: ChangeValue, City: "BUS", Code: "S1", Old: "37.5", New: "90"},
		{Kind: ChangeProvenance, City: "SEO", Code: "G1", Old: provenance(mustPoint(t, orig, "SEO", "G1")), New: provenance(mustPoint(t, fix, "SEO", "G1"))},
		{Kind: ChangeScore, City: "BUS", Code: "INDEX", Old: num(*oldBUS.Score), New: num(*newBUS.Score)},
		{Kind: ChangeRank, City: "BUS", Code: "INDEX", Old: rankText(oldBUS.Rank), New: rankText(newBUS.Rank)},
	} {
		if !has(want) {
			t.Errorf("change log lacks %+v", want)
		}
	}
	if oldBUS.Stage != newBUS.Stage && !has(Change{Kind: ChangeStage, City: "BUS", Code: "INDEX", Old: oldBUS.Stage, New: newBUS.Stage}) {
		t.Errorf("change log lacks BUS's stage change %s -> %s", oldBUS.Stage, newBUS.Stage)
	}
	// Every logged score is a real change, and every changed index score is logged.
	for _, c := range orig.Cities() {
		o, _ := orig.Profile(c.Code)
		n, _ := fix.Profile(c.Code)
		changed := o.Score != nil && *o.Score != *n.Score
		if changed != has(Change{Kind: ChangeScore, City: c.Code, Code: "INDEX", Old: num(deref(o.Score)), New: num(deref(n.Score))}) {
			t.Errorf("%s: index score %v -> %v, logged: %v", c.Code, o.Score, n.Score, !changed)
		}
	}
	for _, c := range log {
		if c.Kind == ChangeMethod || c.Kind == ChangeFramework || c.Kind == ChangeConfig {
			t.Errorf("only data changed, but the log says %+v", c)
		}
	}
	// A correction that changes nothing is refused.
	_, err := Publish(context.Background(), PublishInput{Draft: testDraft(t), Config: testConfig(), Corrects: orig, PublishedAt: testTime})
	if citylens.ErrorCode(err) != citylens.ECONFLICT {
		t.Errorf("empty correction: got %v, want ECONFLICT", err)
	}
	// A correction of a correction that restores the original is a new release.
	back := mustPublish(t, PublishInput{Draft: testDraft(t), Config: testConfig(), Corrects: fix})
	if back.Hash() == orig.Hash() || back.Hash() == fix.Hash() {
		t.Error("restoring the original content reused a hash")
	}
	if !has(Change{Kind: ChangeValue, City: "BUS", Code: "S1", Old: "37.5", New: "90"}) {
		t.Fatal("unreachable")
	}
}

func mustPoint(t testing.TB, r *Release, city, ind string) DataPoint {
	t.Helper()
	i, ok := r.points[[2]string{city, ind}]
	if !ok {
		t.Fatalf("no data point %s/%s", city, ind)
	}
	return r.d.Data[i]
}

// TestCorrectionSaysWhatSettingChanged: a correction that changes the
// configuration names each changed setting with its old and new value, not
// "configuration changed".
func TestCorrectionSaysWhatSettingChanged(t *testing.T) {
	orig := testRelease(t)
	cfg := testConfig()
	cfg.Uncertainty.N = 300
	cfg.TieOverlap = 0.7
	fix := mustPublish(t, PublishInput{Draft: testDraft(t), Config: cfg, Corrects: orig})
	got := map[string]Change{}
	for _, c := range fix.Changes() {
		if c.Kind == ChangeConfig {
			got[c.Code] = c
		}
	}
	for code, want := range map[string][2]string{"uncertainty.n": {"200", "300"}, "tie_overlap": {"", "0.7"}} {
		c, ok := got[code]
		if !ok || c.Old != want[0] || c.New != want[1] {
			t.Errorf("change log entry for %s: %+v, want %s -> %s (log %v)", code, c, want[0], want[1], got)
		}
	}
	for code, c := range got {
		if c.New == "changed" {
			t.Errorf("%s: the log says only %q", code, c.New)
		}
	}
}
