package survey

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// SourceDemo marks synthetic demo responses.
const SourceDemo = "demo"

// DemoCity is a demo city the survey seeds responses for.
type DemoCity struct {
	Code       string
	Population int64
}

// Demo sizes: responses per city and wave, and the one city given too few.
const (
	DemoResponses = 120
	DemoFew       = 12 // covers every category once or more, but an effective n under 30
)

// SeedDemo seeds the demo survey idempotently: for each edition (oldest
// first, the last one open around now, the others closed), synthetic
// responses (source "demo") for the cities, population margins from each
// city's population, and the computed figures. The first city gets only
// DemoFew responses in the latest wave: its page says "too few
// responses". An edition that already has a survey is left alone.
func (s *Service) SeedDemo(ctx context.Context, actor auditlog.Actor, editions []string, cities []DemoCity) error {
	now := s.now()
	for k, ed := range editions {
		if _, err := s.Store.Survey(ctx, ed); err == nil {
			continue
		} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		latest := k == len(editions)-1
		sv := Survey{Edition: ed, Opens: now.AddDate(-(len(editions) - 1 - k), 0, -30), Closes: now.AddDate(-(len(editions) - 1 - k), 0, -1), Demo: true}
		if latest {
			sv.Closes = now.AddDate(0, 0, 45) // still open: residents can answer
		}
		if _, err := s.Configure(ctx, actor, sv); err != nil {
			return err
		}
		in, err := s.Store.SurveyInstrument(ctx, ed, 0)
		if err != nil {
			return err
		}
		margins := map[string]Population{}
		var rs []Response
		for i, c := range cities {
			n := DemoResponses
			if latest && i == 0 {
				n = DemoFew
			}
			rs = append(rs, demoResponses(in, ed, c.Code, n, k, now)...)
			margins[c.Code] = demoPopulation(c.Population)
		}
		err = s.Store.InTx(ctx, func(ctx context.Context) error {
			if err := s.Store.AddSurveyResponses(ctx, rs); err != nil {
				return err
			}
			return s.Store.PutSurveyMargins(ctx, ed, margins)
		})
		if err != nil {
			return err
		}
		if _, err := s.Compute(ctx, actor, ed); err != nil {
			return fmt.Errorf("demo survey %s: %w", ed, err)
		}
	}
	return nil
}

// demoPopulation splits a city's population by sex, age and education in
// fixed shares.
func demoPopulation(total int64) Population {
	t := float64(max(total, 1000))
	split := func(shares map[string]float64) map[string]float64 {
		out := map[string]float64{}
		for c, s := range shares {
			out[c] = t * s
		}
		return out
	}
	return Population{
		"sex":       split(map[string]float64{"female": 0.51, "male": 0.49}),
		"age":       split(map[string]float64{"18-29": 0.22, "30-44": 0.28, "45-64": 0.32, "65+": 0.18}),
		"education": split(map[string]float64{"low": 0.25, "mid": 0.42, "high": 0.33}),
	}
}

// demoResponses are n synthetic answers for a city: each area has a
// city-level tendency (from the city code, so the same every run), each
// resident a mood; answers are the rounded sum with noise. The weighting
// categories cycle so that every category has respondents, with a tilt
// towards the young and the educated (as online samples have), which the
// raking corrects.
func demoResponses(in *Instrument, edition, city string, n, wave int, now time.Time) []Response {
	h := fnv.New64a()
	h.Write([]byte(city))
	seed := h.Sum64()
	rng := rand.New(rand.NewPCG(seed, uint64(wave)+1))
	tendency := map[string]float64{}
	for _, a := range in.Areas {
		tendency[a.Code] = 2.3 + 1.6*rand.New(rand.NewPCG(seed, uint64(len(a.Code))*977)).Float64()
	}
	sexes := []string{"female", "male", "female", "male", "refused"}
	ages := []string{"18-29", "30-44", "18-29", "45-64", "30-44", "65+"}
	edus := []string{"high", "mid", "high", "low", "mid"}
	picks := []string{"housing", "jobs", "air", "congestion", "safety", "health", "transit", "green", "schools", "integrity", "waste", "voice", "advancement", "basics", "good_work"}
	out := make([]Response, 0, n)
	for i := range n {
		mood := rng.NormFloat64() * 0.5
		a := map[string]string{"sex": sexes[i%len(sexes)], "age": ages[i%len(ages)], "education": edus[(i/2)%len(edus)], "attention": "2"}
		if i%len(sexes) == 4 && n < 20 {
			a["sex"] = "female" // a small sample keeps every category
		}
		for _, it := range in.Items {
			if !it.Scaled() || it.Kind == KindAttention {
				continue
			}
			if rng.IntN(14) == 0 {
				if rng.IntN(2) == 0 {
					a[it.Code] = NotAvailable
				}
				continue
			}
			base := 3.2
			if it.Kind == KindRating {
				base = tendency[it.Area]
			}
			v := base + mood + rng.NormFloat64()*0.8
			if it.Reverse {
				v = 6 - v
			}
			a[it.Code] = fmt.Sprint(int(math.Max(1, math.Min(5, math.Round(v)))))
		}
		var p []string
		for _, j := range rng.Perm(len(picks))[:1+rng.IntN(5)] {
			p = append(p, picks[j])
		}
		secs := 240 + rng.Float64()*500
		if i%37 == 5 { // now and then a speeder who straight-lines: excluded
			secs = 25
			for _, it := range in.Items {
				if it.Kind == KindRating {
					a[it.Code] = "4"
				}
			}
		}
		out = append(out, Response{Edition: edition, City: city, Lang: []string{"en", "ko"}[i%2], Version: in.Version, Answers: a,
			Priorities: p, Seconds: secs, Source: SourceDemo, Submitted: now})
	}
	return out
}
