package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/members"
)

// valuesOf makes one value of each indicator for city in edition, values
// base+i.
func valuesOf(edition, city string, inds []catalogue.Node, base float64) []datacall.Value {
	out := make([]datacall.Value, 0, len(inds))
	for i, n := range inds {
		out = append(out, datacall.Value{Edition: edition, City: city, Indicator: n.Code, Value: base + float64(i), Unit: "u",
			Provenance: datacall.Provenance{Source: "stats", DataYear: 2024}, UpdatedBy: "x@y", UpdatedAt: ft0})
	}
	return out
}

// testValueRefs checks that the database refuses a value of an unknown
// edition, city or indicator (the foreign keys of migration 106), naming
// it, and that the refused batch writes nothing, even inside a
// transaction that goes on and commits.
func testValueRefs(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	featureCity(t, s, "kr-seoul", "AS")
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	inds := e.Indicators()
	stored := valuesOf("2026", "kr-seoul", inds[:3], 1)
	if err := s.PutValues(ctx, stored); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		bad  func(v *datacall.Value)
		want string
	}{
		{"edition", func(v *datacall.Value) { v.Edition = "1999" }, `save values: edition "1999" does not exist`},
		{"city", func(v *datacall.Value) { v.City = "xx-nowhere" }, `save values: city "xx-nowhere" does not exist`},
		{"indicator", func(v *datacall.Value) { v.Indicator = "NO-SUCH-IND" }, `save values: indicator "NO-SUCH-IND" does not exist`},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Changes to the stored values and new ones, with the bad value
			// last, after several of SQLite's 200-row statements.
			var batch []datacall.Value
			for i := range 3 {
				city := fmt.Sprintf("kr-city%d", i)
				featureCity(t, s, city, "AS")
				batch = append(batch, valuesOf("2026", city, inds, 100)...)
			}
			batch = append(batch, valuesOf("2026", "kr-seoul", inds[:3], 50)...)
			bad := batch[len(batch)-1]
			c.bad(&bad)
			batch = append(batch, bad)
			beforeVals, _ := s.EditionValues(ctx, "2026")
			beforeCC, beforeIC, _ := s.ValueCounts(ctx, "2026", "")

			err := s.PutValues(ctx, batch)
			wantErrCode(t, err, citylens.EINVALID)
			if citylens.ErrorMessage(err) != c.want {
				t.Errorf("message %q, want %q", citylens.ErrorMessage(err), c.want)
			}
			// Inside a transaction that carries on after the refusal.
			err = s.InTx(ctx, func(ctx context.Context) error {
				if err := s.PutValues(ctx, batch); citylens.ErrorMessage(err) != c.want {
					t.Errorf("in a transaction: %v, want %q", err, c.want)
				}
				return s.PutSubmission(ctx, datacall.Submission{Edition: "2026", City: "kr-seoul", State: datacall.StateDraft})
			})
			if err != nil {
				t.Fatalf("the transaction after a refused batch: %v", err)
			}
			afterVals, _ := s.EditionValues(ctx, "2026")
			afterCC, afterIC, _ := s.ValueCounts(ctx, "2026", "")
			if diff := cmp.Diff(beforeVals, afterVals); diff != "" {
				t.Errorf("a refused batch changed values (-before +after):\n%s", diff)
			}
			sortCounts(beforeCC, beforeIC)
			sortCounts(afterCC, afterIC)
			if diff := cmp.Diff(beforeCC, afterCC); diff != "" {
				t.Errorf("a refused batch changed the city counts (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(beforeIC, afterIC); diff != "" {
				t.Errorf("a refused batch changed the indicator counts (-before +after):\n%s", diff)
			}
		})
	}
	// Written straight to the table, bypassing the store, still refused.
	err := execRaw(ctx, s, `INSERT INTO datacall_values (edition, city, indicator, value, unit, source, data_year)
		VALUES ('2026', 'xx-nowhere', '`+inds[0].Code+`', 1, 'u', 's', 2024)`)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		t.Errorf("a raw insert of an unknown city: %v, want a foreign key violation", err)
	}
}

// testCountsKept checks the value counts the database keeps against counts
// computed from the values after each kind of write: puts, updates,
// acceptance and reopening, a new framework, deletes, a value moved to
// another city, a city moved to another region.
func testCountsKept(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	for _, c := range []struct{ code, region string }{{"kr-seoul", "AS"}, {"kr-busan", "AS"}, {"fr-lyon", "EU"}} {
		featureCity(t, s, c.code, c.region)
	}
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	seedEdition(t, s, "2025", catalogue.StatusClosed) // counts of another edition stay apart
	inds := e.Indicators()
	n := len(inds)
	step := func(what string) {
		t.Helper()
		for _, ed := range []string{"2026", "2025"} {
			wantCountsOfValues(t, s, ed, what)
		}
	}
	put := func(vals []datacall.Value) {
		t.Helper()
		if err := s.PutValues(ctx, vals); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(q string) {
		t.Helper()
		if err := execRaw(ctx, s, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	setState := func(city, state string) {
		t.Helper()
		if err := s.PutSubmission(ctx, datacall.Submission{Edition: "2026", City: city, State: state, UpdatedAt: ft0}); err != nil {
			t.Fatal(err)
		}
	}
	step("no values")

	put(valuesOf("2026", "kr-seoul", inds, 1))
	put(append(valuesOf("2026", "kr-busan", inds[:n/2], 1), valuesOf("2026", "fr-lyon", inds[:n/3], 1)...))
	put(valuesOf("2025", "kr-seoul", inds[:5], 1))
	step("first values")
	put(append(valuesOf("2026", "kr-seoul", inds, 7), valuesOf("2026", "kr-busan", inds[n/2:n/2+4], 7)...))
	step("changed values and a few new ones")

	setState("kr-seoul", datacall.StateSubmitted)
	step("submitted")
	setState("kr-seoul", datacall.StateAccepted)
	setState("fr-lyon", datacall.StateAccepted) // a submission stored accepted at once
	step("accepted")
	setState("kr-seoul", datacall.StateAccepted) // saved again: no change
	step("accepted again")
	setState("kr-seoul", datacall.StateDraft)
	step("reopened")
	setState("kr-seoul", datacall.StateAccepted)

	// Some indicators become optional, the last one no longer is.
	e.Framework = append([]catalogue.Node(nil), e.Framework...)
	for i := range e.Framework {
		if e.Framework[i].Kind == catalogue.KindIndicator {
			e.Framework[i].Optional = e.Framework[i].Code == inds[0].Code || e.Framework[i].Code == inds[n/2+1].Code
		}
	}
	if err := s.UpdateEdition(ctx, e); err != nil {
		t.Fatal(err)
	}
	step("new framework")
	put(valuesOf("2026", "fr-lyon", inds[n/3:n/3+3], 1))
	put(valuesOf("2026", "fr-lyon", inds[:1], 5))
	step("values of an accepted city, optional ones")

	exec(`DELETE FROM datacall_values WHERE edition = '2026' AND city = 'kr-seoul' AND indicator IN ('` + inds[0].Code + `', '` + inds[1].Code + `')`)
	exec(`DELETE FROM datacall_values WHERE edition = '2026' AND city = 'fr-lyon'`)
	step("deleted values")
	exec(`UPDATE datacall_values SET city = 'kr-busan' WHERE edition = '2026' AND city = 'kr-seoul' AND indicator = '` + inds[n-1].Code + `'`)
	exec(`UPDATE datacall_values SET edition = '2025' WHERE edition = '2026' AND city = 'kr-seoul' AND indicator = '` + inds[n-2].Code + `'`)
	step("values moved to another city and edition")

	busan := members.City{Code: "kr-busan", Name: "kr-busan", Country: "KOR", RegionCode: "EU", Latitude: 35, Longitude: 129,
		Population: 1000, Status: members.StatusMember, MemberSince: "2020-01-01"}
	if err := s.PutCity(ctx, busan); err != nil {
		t.Fatal(err)
	}
	step("a city moved to another region")
	setState("kr-busan", datacall.StateAccepted)
	exec(`DELETE FROM datacall_submissions WHERE city = 'kr-seoul'`)
	step("a submission deleted")
	// Emptied tables (TRUNCATE fires no row trigger on PostgreSQL).
	empty := "DELETE FROM "
	if s.Dialect() == "postgres" {
		empty = "TRUNCATE "
	}
	exec(empty + "datacall_submissions")
	step("submissions emptied")
	exec(empty + "datacall_values")
	step("values emptied")
}

// wantCountsOfValues compares the edition's stored counts, for all regions
// and for each, with counts computed from its values.
func wantCountsOfValues(t *testing.T, s FeatureStore, edition, what string) {
	t.Helper()
	ctx := context.Background()
	e, err := s.Edition(ctx, edition)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := s.EditionValues(ctx, edition)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := s.Submissions(ctx, edition)
	if err != nil {
		t.Fatal(err)
	}
	cities, err := s.ListCities(ctx, members.CityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	region := map[string]string{}
	for _, c := range cities {
		region[c.Code] = c.RegionCode
	}
	accepted := map[string]bool{}
	for _, sub := range subs {
		accepted[sub.City] = sub.State == datacall.StateAccepted
	}
	optional := map[string]bool{}
	for _, code := range datacall.OptionalIndicators(e) {
		optional[code] = true
	}
	for _, r := range []string{"", "AS", "EU", "AF"} {
		byCity := map[string]*datacall.CityCount{}
		byInd := map[string]*datacall.IndicatorCount{}
		for _, v := range vals {
			if r != "" && region[v.City] != r {
				continue
			}
			c := byCity[v.City]
			if c == nil {
				c = &datacall.CityCount{City: v.City}
				byCity[v.City] = c
			}
			i := byInd[v.Indicator]
			if i == nil {
				i = &datacall.IndicatorCount{Indicator: v.Indicator}
				byInd[v.Indicator] = i
			}
			c.Values++
			i.Cities++
			if optional[v.Indicator] {
				c.Optional++
			}
			if accepted[v.City] {
				i.Accepted++
			}
		}
		var wantCC []datacall.CityCount
		for _, c := range byCity {
			wantCC = append(wantCC, *c)
		}
		var wantIC []datacall.IndicatorCount
		for _, i := range byInd {
			wantIC = append(wantIC, *i)
		}
		gotCC, gotIC, err := s.ValueCounts(ctx, edition, r)
		if err != nil {
			t.Fatal(err)
		}
		sortCounts(wantCC, wantIC)
		sortCounts(gotCC, gotIC)
		if diff := cmp.Diff(wantCC, gotCC); diff != "" {
			t.Errorf("%s: edition %s, region %q: city counts (-from values +stored):\n%s", what, edition, r, diff)
		}
		if diff := cmp.Diff(wantIC, gotIC); diff != "" {
			t.Errorf("%s: edition %s, region %q: indicator counts (-from values +stored):\n%s", what, edition, r, diff)
		}
	}
}

func sortCounts(cc []datacall.CityCount, ic []datacall.IndicatorCount) {
	sort.Slice(cc, func(i, j int) bool { return cc[i].City < cc[j].City })
	sort.Slice(ic, func(i, j int) bool { return ic[i].Indicator < ic[j].Indicator })
}
