package release

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/hdi"
)

func TestEditionConfig(t *testing.T) {
	cc0 := &Licence{Name: "CC0-1.0"}
	tests := []struct {
		name        string
		raw         string
		wantErr     string
		wantStages  []string
		wantPeer    string
		wantLicence *Licence
	}{
		{"none: the defaults", "", "", nil, PeerByRegion, &Licence{Name: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0", Path: "https://creativecommons.org/licenses/by/4.0/"}},
		{"own stages", `{"stages": [{"name": "Low", "from": 0}, {"name": "High", "from": 60}]}`, "", []string{"Low", "High"}, PeerByRegion, nil},
		{"own policy", `{"peer_group": "country", "licence": {"name": "CC0-1.0"}}`, "", nil, PeerByCountry, cc0},
		{"misspelt field", `{"stagez": []}`, `unknown field "stagez"`, nil, "", nil},
		{"stages out of order", `{"stages": [{"name": "A", "from": 50}, {"name": "B", "from": 40}]}`, `stage "B" must start above stage "A"`, nil, "", nil},
		{"not JSON", `stages: 3`, "release configuration", nil, "", nil},
		{"unknown peer-group rule", `{"peer_group": "galaxy"}`, `peer_group must be one of`, nil, "", nil},
		{"licence without a name", `{"licence": {"title": "Public domain"}}`, `licence: name`, nil, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &catalogue.Edition{Code: "2026", Release: json.RawMessage(tc.raw)}
			c, err := EditionConfig(e)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), "2026") {
					t.Fatalf("error %v, want an invalid-input error naming the edition and %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range c.Stages {
				got = append(got, s.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.wantStages, ",") {
				t.Errorf("stages %v, want %v", got, tc.wantStages)
			}
			if c.PeerGroup != tc.wantPeer {
				t.Errorf("peer groups by %q, want %q", c.PeerGroup, tc.wantPeer)
			}
			want := tc.wantLicence
			if want == nil {
				l := DefaultLicence()
				want = &l
			}
			if diff := cmp.Diff(want, c.Licence); diff != "" {
				t.Errorf("licence (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPublishPolicy: the configuration's peer-group rule gives the cities
// their peer groups (and so their ratings) and its licence travels with the
// release; a draft that says otherwise is refused, not overridden.
func TestPublishPolicy(t *testing.T) {
	byCountry := func() PublishInput {
		d := testDraft(t)
		for i := range d.Cities {
			d.Cities[i].PeerGroup = ""
		}
		d.Licence = Licence{}
		cfg := testConfig()
		cfg.PeerGroup = PeerByCountry
		cfg.Licence = &Licence{Name: "CC0-1.0", Title: "Public domain"}
		return PublishInput{Draft: d, Config: cfg}
	}
	r := mustPublish(t, byCountry())
	rows, err := r.Rankings(RankingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	perCountry := map[string]int{}
	for _, row := range rows {
		if row.City.PeerGroup != row.City.Country {
			t.Errorf("%s: peer group %q, want its country %q", row.City.Code, row.City.PeerGroup, row.City.Country)
		}
		perCountry[row.City.Country]++
	}
	for _, row := range rows {
		// Groups smaller than MinGroup (3) are not rated.
		if rated := row.Rating != ""; rated != (perCountry[row.City.Country] >= DefaultMinGroup) {
			t.Errorf("%s (%d ranked cities in %s): rating %q", row.City.Code, perCountry[row.City.Country], row.City.Country, row.Rating)
		}
	}
	if got := r.Summary().Licence; got != (Licence{Name: "CC0-1.0", Title: "Public domain"}) {
		t.Errorf("licence %+v, want the configuration's", got)
	}
	if m := r.Methodology(); m.PeerGroup != PeerByCountry {
		t.Errorf("methodology: peer groups by %q, want %q", m.PeerGroup, PeerByCountry)
	}
	// The rule is part of what is hashed: by region is another release.
	in := byCountry()
	in.Config.PeerGroup = PeerByRegion
	if h, err := ContentHash(in); err != nil || h == r.Hash() {
		t.Errorf("peer groups by region: hash %s (%v), want another than %s", h, err, r.Hash())
	}
	for name, change := range map[string]func(*PublishInput){
		"a city's own peer group": func(in *PublishInput) { in.Draft.Cities[0].PeerGroup = "very-high" },
		"the draft's licence":     func(in *PublishInput) { in.Draft.Licence = Licence{Name: "CC-BY-4.0"} },
		"an unknown rule":         func(in *PublishInput) { in.Config.PeerGroup = "galaxy" },
	} {
		t.Run(name, func(t *testing.T) {
			in := byCountry()
			change(&in)
			if _, err := ContentHash(in); citylens.ErrorCode(err) != citylens.EINVALID {
				t.Errorf("error %v, want EINVALID", err)
			}
		})
	}
}

// TestWithPublishedAt: a release published at another time is the same
// release.
func TestWithPublishedAt(t *testing.T) {
	r := testRelease(t)
	later := r.WithPublishedAt(testTime.AddDate(0, 1, 0))
	if later.Hash() != r.Hash() || !later.Summary().PublishedAt.Equal(testTime.AddDate(0, 1, 0)) || !r.Summary().PublishedAt.Equal(testTime) {
		t.Errorf("published at %v (hash %s), original at %v (hash %s)", later.Summary().PublishedAt, later.Hash(), r.Summary().PublishedAt, r.Hash())
	}
	var doc struct {
		PublishedAt string `json:"published_at"`
	}
	b, _ := json.Marshal(later)
	if err := json.Unmarshal(b, &doc); err != nil || !strings.HasPrefix(doc.PublishedAt, "2026-07-01") {
		t.Errorf("document's publication time %q (%v)", doc.PublishedAt, err)
	}
	if _, err := Unmarshal(b); err != nil {
		t.Errorf("the re-timed document does not read back: %v", err)
	}
}

// TestPeerGroupsByHDI: with the edition setting "hdi", every city's peer
// group is its country's human development group (UNDP 2021), ratings are
// relative to the cities of its group (as IMD rates), and the release
// credits UNDP.
func TestPeerGroupsByHDI(t *testing.T) {
	d := testDraft(t)
	for i := range d.Cities {
		d.Cities[i].PeerGroup = ""
	}
	cfg := testConfig()
	cfg.PeerGroup = PeerByHDI
	r := mustPublish(t, PublishInput{Draft: d, Config: cfg})
	rows, err := r.Rankings(RankingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	byGroup := map[string][]RankingRow{}
	for _, row := range rows {
		if want := hdi.GroupOf(row.City.Country); row.City.PeerGroup != want {
			t.Errorf("%s (%s): peer group %q, want %q", row.City.Code, row.City.Country, row.City.PeerGroup, want)
		}
		byGroup[row.City.PeerGroup] = append(byGroup[row.City.PeerGroup], row)
	}
	if len(byGroup) < 2 {
		t.Fatalf("the fixture's cities fall in %d HDI groups: the test needs two", len(byGroup))
	}
	scale := DefaultRatings().Scale
	for g, members := range byGroup {
		if len(members) < DefaultMinGroup {
			for _, m := range members {
				if m.Rating != "" {
					t.Errorf("%s: rated %s in a group of %d", m.City.Code, m.Rating, len(members))
				}
			}
			continue
		}
		// Within a group the best is rated at the top of the scale and the
		// worst at the bottom, whatever the other groups' scores.
		best, worst := members[0], members[len(members)-1]
		if best.Rating != scale[0] || worst.Rating != scale[len(scale)-1] {
			t.Errorf("group %s: best %s rated %s, worst %s rated %s", g, best.City.Code, best.Rating, worst.City.Code, worst.Rating)
		}
	}
	if !strings.Contains(r.Summary().Attribution, "UNDP") {
		t.Errorf("attribution %q does not credit UNDP", r.Summary().Attribution)
	}
	if r.Methodology().PeerGroup != PeerByHDI {
		t.Errorf("methodology: rule %q", r.Methodology().PeerGroup)
	}
}
