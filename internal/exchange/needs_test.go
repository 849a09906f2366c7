package exchange

import (
	"math"
	"testing"

	"github.com/citylens/citylens/internal/release"
)

func pillar(code string, score, q5, q95, median float64, rank int) release.PillarProfile {
	return release.PillarProfile{PillarScore: release.PillarScore{Code: code, Score: &score, Rank: rank, Band: release.Band{Q5: &q5, Q95: &q95}},
		Name: code, PeerMedian: &median}
}

func TestPillarItemsOnlyBeyondTheBand(t *testing.T) {
	p := &release.Profile{Pillars: []release.PillarProfile{
		pillar("mobility", 40, 35, 45, 58, 120),   // band wholly below the median: a need of 18 points
		pillar("environment", 50, 44, 61, 55, 80), // band holds the median: neither
		pillar("economy", 80, 76, 84, 60, 3),      // band wholly above: a strength of 20 points, 3rd
		pillar("health", 54, 50, 56.9, 57, 90),    // just below: a need of 3 points
	}}
	needs, strengths := PillarItems(p, 146)
	if len(needs) != 2 || needs[0].Theme != "mobility" || needs[0].Gap != 18 || math.Abs(needs[0].Weight-0.9) > 1e-12 ||
		needs[1].Theme != "health" || math.Abs(needs[1].Weight-0.15) > 1e-12 {
		t.Errorf("needs %+v", needs)
	}
	if len(strengths) != 1 || strengths[0].Theme != "economy" || strengths[0].Gap != 20 || strengths[0].Weight != 1 ||
		strengths[0].Rank != 3 || strengths[0].Of != 146 {
		t.Errorf("strengths %+v", strengths)
	}
}

func TestScorePairExplainsItsDrivers(t *testing.T) {
	busan := &Profile{City: "kr-busan", Region: "asia", PopulationClass: "large", IncomeGroup: "high", Stage: "advanced",
		Languages: []string{"ko", "en"}, UTCOffset: 9,
		Needs: []Item{{Theme: "mobility", Kind: KindPillar, Gap: 18, Weight: 0.9}, {Theme: "ports", Kind: KindStated, Weight: 0.6}, {Theme: "health", Kind: KindPillar, Weight: 0.5}}}
	rotterdam := &Profile{City: "nl-rotterdam", Region: "europe", PopulationClass: "large", IncomeGroup: "high", Stage: "advanced",
		Languages: []string{"nl", "en"}, UTCOffset: 1, Ties: []string{"kr-busan"},
		Strengths: []Item{{Theme: "mobility", Kind: KindPillar, Rank: 3, Of: 146, Weight: 0.5}, {Theme: "mobility", Kind: KindPractice, Ref: "12", Name: "Shared mobility hubs", Weight: 1},
			{Theme: "ports", Kind: KindPractice, Ref: "13", Name: "Smart port logistics", Weight: 1}}}
	sc := ScorePair(busan, rotterdam, Weights{Needs: 2, Context: 1, Practical: 1})
	// Needs: (0.9×1 + 0.6×1) / (0.9+0.6+0.5) = 0.75; context: 3 of 4 alike;
	// practical: English (1/3), 8 hours apart ((1−8/12)/3), a tie (1/3).
	if math.Abs(sc.Needs-0.75) > 1e-12 || sc.Context != 0.75 || math.Abs(sc.Practical-(1.0/3+1.0/9+1.0/3)) > 1e-12 {
		t.Errorf("parts %v %v %v", sc.Needs, sc.Context, sc.Practical)
	}
	want := int64(math.Round(1000 * (2*0.75 + 0.75 + (1.0/3 + 1.0/9 + 1.0/3)) / 4))
	if sc.Score != want {
		t.Errorf("score %d, want %d", sc.Score, want)
	}
	// The mobility need, met by the practice (weight 1, not the pillar's
	// 0.5), drove the pair most; then the ports practice.
	if len(sc.Drivers) != 2 || sc.Drivers[0].Need.Theme != "mobility" || sc.Drivers[0].Strength.Ref != "12" ||
		math.Abs(sc.Drivers[0].Share-0.45) > 1e-12 || sc.Drivers[1].Strength.Name != "Smart port logistics" {
		t.Errorf("drivers %+v", sc.Drivers)
	}
	// The other way round meets no need: no suggestion.
	if back := ScorePair(rotterdam, busan, DefaultWeights); back.Score != 0 || len(ScoreAll([]*Profile{busan, rotterdam}, DefaultWeights)) != 1 {
		t.Errorf("rotterdam learning from busan: %+v", back)
	}
}
