package judging

import (
	"math/rand/v2"
	"testing"
)

func sheet(vals ...int) Sheet {
	s := Sheet{Scores: map[string]int{}}
	for i, c := range DefaultRubric().Criteria {
		s.Scores[c.Code] = vals[i%len(vals)]
	}
	return s
}

func TestAnalyseSideBySide(t *testing.T) {
	r := DefaultRubric()
	// Judge 1 is two points more lenient than judge 2 on every criterion;
	// application 3 is seen only by judge 2, so its raw mean (5) is below
	// application 2's (6, judge 1 only) though its quality is higher.
	in := []Judged{
		{1, 1, sheet(8)}, {1, 2, sheet(6)},
		{2, 1, sheet(6)},
		{3, 2, sheet(5)},
		{4, 1, sheet(9)}, {4, 2, sheet(7)},
	}
	rep := Analyse(r, in, nil, "s")
	by := map[int64]AppResult{}
	for _, a := range rep.Apps {
		by[a.App] = a
	}
	if by[2].Raw != 6 || by[3].Raw != 5 {
		t.Fatalf("raw %v %v", by[2].Raw, by[3].Raw)
	}
	if !near(by[2].Adjusted, 5, 1e-9) || !near(by[3].Adjusted, 6, 1e-9) {
		t.Fatalf("adjusted %v %v", by[2].Adjusted, by[3].Adjusted)
	}
	order := []int64{}
	for _, a := range rep.Apps {
		order = append(order, a.App)
	}
	if order[0] != 4 || order[1] != 1 || order[2] != 3 || order[3] != 2 {
		t.Fatalf("ranked by adjusted: %v", order)
	}
	if len(rep.Reliability) != 7 || rep.Reliability[0].Criterion != "" {
		t.Fatalf("reliability rows %+v", rep.Reliability)
	}
	if rep.Reliability[0].Crossed != nil {
		t.Fatal("incomplete design given two-way ICCs")
	}
}

func TestAnalyseCrossedUsesShroutFleiss(t *testing.T) {
	var in []Judged
	for i, row := range shroutFleiss {
		for j, v := range row {
			in = append(in, Judged{int64(i + 1), int64(j + 1), sheet(int(v))})
		}
	}
	rep := Analyse(DefaultRubric(), in, nil, "s")
	rel := rep.Reliability[1] // the first criterion
	if rel.Crossed == nil || !near(rel.Crossed.ICC3k, .91, 0.005) || !rel.Low {
		t.Fatalf("crossed %+v", rel)
	}
}

func BenchmarkAnalyse6000(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	var in []Judged
	for app := range int64(2000) {
		for _, j := range r.Perm(100)[:3] {
			in = append(in, Judged{app, int64(j), sheet(1+r.IntN(10), 1+r.IntN(10), 1+r.IntN(10))})
		}
	}
	rb := DefaultRubric()
	for b.Loop() {
		rep := Analyse(rb, in, nil, "2026")
		if len(rep.Apps) != 2000 {
			b.Fatal(len(rep.Apps))
		}
	}
}
