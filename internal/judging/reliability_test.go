package judging

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
// Annenberg School for Communication, University of Pennsylvania, section
// C: four observers, twelve units, missing values. The paper gives
// alpha = 0.743 (nominal) and 0.849 (interval).
var krippendorffExample = func() [][]float64 {
	m := Missing
	obs := [][]float64{
		{1, 2, 3, 3, 2, 1, 4, 1, 2, m, m, m}, // A
		{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, m, 3}, // B
		{m, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, m}, // C
		{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, m}, // D
	}
	units := make([][]float64, 12)
	for u := range units {
		for _, o := range obs {
			units[u] = append(units[u], o[u])
		}
	}
	return units
}()

func TestKrippendorffPublishedExample(t *testing.T) {
	a, ok := KrippendorffInterval(krippendorffExample)
	if !ok || !near(a, 0.849, 0.0005) {
		t.Fatalf("interval alpha %.4f (ok %v), paper 0.849", a, ok)
	}
	nom, ok := krippendorff(krippendorffExample, func(x, y float64) float64 {
		if x == y {
			return 0
		}
		return 1
	})
	if !ok || !near(nom, 0.743, 0.0005) {
		t.Fatalf("nominal alpha %.4f, paper 0.743", nom)
	}
}

func TestKrippendorffEdges(t *testing.T) {
	if _, ok := KrippendorffInterval([][]float64{{1, Missing}, {2, Missing}}); ok {
		t.Fatal("no pairable unit but ok")
	}
	if _, ok := KrippendorffInterval([][]float64{{3, 3}, {3, 3}}); ok {
		t.Fatal("no variation but ok")
	}
	// Perfect agreement with variation is 1.
	if a, ok := KrippendorffInterval([][]float64{{1, 1}, {5, 5}, {9, 9}}); !ok || !near(a, 1, 1e-12) {
		t.Fatalf("perfect agreement alpha %v", a)
	}
}

// Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in
// assessing rater reliability. Psychological Bulletin 86(2), 420–428,
// Table 2 (six targets, four judges) and Table 4 (the six ICCs:
// .17 .29 .71 for single ratings, .44 .62 .91 for the mean of four).
var shroutFleiss = [][]float64{
	{9, 2, 5, 8},
	{6, 1, 3, 2},
	{8, 4, 6, 8},
	{7, 1, 2, 6},
	{10, 5, 6, 9},
	{6, 2, 4, 7},
}

func TestICCShroutFleiss(t *testing.T) {
	c, ok := Intraclass(shroutFleiss)
	if !ok {
		t.Fatal("not ok")
	}
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"ICC(1,1)", c.ICC1, .17}, {"ICC(2,1)", c.ICC2, .29}, {"ICC(3,1)", c.ICC3, .71},
		{"ICC(1,4)", c.ICC1k, .44}, {"ICC(2,4)", c.ICC2k, .62}, {"ICC(3,4)", c.ICC3k, .91},
	} {
		if !near(x.got, x.want, 0.005) {
			t.Errorf("%s = %.4f, paper %.2f", x.name, x.got, x.want)
		}
	}
	// The one-way form with equal group sizes is ICC(1,1) and ICC(1,k).
	s, avg, ok := OneWayICC(shroutFleiss)
	if !ok || !near(s, c.ICC1, 1e-12) || !near(avg, c.ICC1k, 1e-12) {
		t.Fatalf("one-way %.4f %.4f, two-way table %.4f %.4f", s, avg, c.ICC1, c.ICC1k)
	}
}

func TestICCRefusesIncomplete(t *testing.T) {
	if _, ok := Intraclass([][]float64{{1, 2}, {3, Missing}}); ok {
		t.Fatal("missing value accepted")
	}
	if _, ok := Intraclass([][]float64{{1, 2}}); ok {
		t.Fatal("one target accepted")
	}
	if _, ok := Intraclass([][]float64{{4, 4}, {4, 4}}); ok {
		t.Fatal("no variation accepted")
	}
}
