package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
)

// ExchangeStore is a store with the practice library's records.
type ExchangeStore interface {
	Store
	exchange.Store
}

// ExchangeSuite covers the practice library (package exchange).
var ExchangeSuite = []struct {
	Name string
	Test func(t *testing.T, s ExchangeStore)
}{
	{"CaseRoundTrip", testExchangeRoundTrip},
	{"SearchEnglishKoreanFacetsVisibility", testExchangeSearch},
	{"SearchWhileWriting", testExchangeSearchWhileWriting},
	{"SearchRanking", testExchangeSearchRanking},
	{"WarmIndexThenSearch", testExchangeWarmIndex},
}

// RunExchangeSuite runs ExchangeSuite against every database.
func RunExchangeSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range ExchangeSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(ExchangeStore)
					if !ok {
						t.Fatal("the store lacks the practice library's records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

func exchangeCase(title, titleKO, summary, summaryKO, region, vis string, themes ...string) *exchange.Case {
	c := &exchange.Case{Source: "direct", Title: title, TitleKO: titleKO, Summary: summary, SummaryKO: summaryKO,
		CityName: "City of " + title, Country: "KOR", Region: region, Visibility: vis, Stage: "pilot",
		Tags: map[string][]string{exchange.FieldThemes: themes}, CreatedAt: t0, UpdatedAt: t0}
	return c
}

func testExchangeRoundTrip(t *testing.T, s ExchangeStore) {
	ctx := context.Background()
	a := exchangeCase("Shared mobility hubs", "공유 모빌리티 허브", "Bike and scooter hubs at metro stations.", "", "asia", exchange.Public, "mobility")
	if err := s.CreateExchangeCase(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := exchangeCase("Smart port logistics", "", "Container tracking.", "", "europe", exchange.Members, "ports")
	b.Links = []exchange.Link{{Kind: exchange.AdaptedFrom, CaseID: a.ID}}
	b.Tags[exchange.FieldLanguages] = []string{"en", "nl"}
	if err := s.CreateExchangeCase(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.ExchangeCase(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("case read back differs (-want +got):\n%s", diff)
	}
	if _, err := s.ExchangeCase(ctx, 999999); citylens.ErrorCode(err) != citylens.ENOTFOUND {
		t.Errorf("missing case: %v, want ENOTFOUND", err)
	}
	if _, err := s.ExchangeCaseByApplication(ctx, 42); citylens.ErrorCode(err) != citylens.ENOTFOUND {
		t.Errorf("missing application's case: %v, want ENOTFOUND", err)
	}
	// An update replaces the index terms and facets: the old title no
	// longer matches, the new one does.
	a.Title, a.CityName, a.Tags[exchange.FieldThemes] = "Flood sensors", "Busan", []string{"water"}
	if err := s.UpdateExchangeCase(ctx, a); err != nil {
		t.Fatal(err)
	}
	r, err := s.SearchExchangeCases(ctx, exchange.Terms("shared", true), exchange.Query{Members: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 0 {
		t.Errorf("the old title still matches: %d cases", r.Total)
	}
	r, err = s.SearchExchangeCases(ctx, exchange.Terms("flood", true), exchange.Query{Members: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 1 || r.Cases[0].ID != a.ID {
		t.Errorf("new title: %d cases, want case %d", r.Total, a.ID)
	}
	if want := []exchange.FacetCount{{Value: "water", Count: 1}}; !cmp.Equal(r.Facets[exchange.FieldThemes], want) {
		t.Errorf("themes facet %v, want %v", r.Facets[exchange.FieldThemes], want)
	}
	a.ID = 999999
	if err := s.UpdateExchangeCase(ctx, a); citylens.ErrorCode(err) != citylens.ENOTFOUND {
		t.Errorf("update of a missing case: %v, want ENOTFOUND", err)
	}
}

func testExchangeSearch(t *testing.T, s ExchangeStore) {
	ctx := context.Background()
	cases := []*exchange.Case{
		exchangeCase("Shared mobility hubs", "공유 모빌리티 허브", "Bike and scooter sharing at metro stations.", "지하철역의 자전거와 킥보드 공유.", "asia", exchange.Public, "mobility"),
		exchangeCase("Traffic congestion AI", "교통혼잡 인공지능 신호", "Adaptive traffic signals.", "교통혼잡을 줄이는 적응형 신호.", "asia", exchange.Public, "mobility", "ai"),
		exchangeCase("Smart port logistics", "스마트 항만 물류", "Container tracking in the port.", "항만의 컨테이너 추적.", "europe", exchange.Members, "ports", "mobility"),
		exchangeCase("Elderly care sensors", "어르신 돌봄 센서", "Sensors alert carers.", "센서가 돌봄 인력에게 알린다.", "europe", exchange.Public, "health"),
	}
	for _, c := range cases {
		if err := s.CreateExchangeCase(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(r exchange.Result) []int64 {
		var out []int64
		for _, c := range r.Cases {
			out = append(out, c.ID)
		}
		return out
	}
	search := func(text string, members bool, filters map[string][]string) exchange.Result {
		t.Helper()
		r, err := s.SearchExchangeCases(ctx, exchange.Terms(text, true), exchange.Query{Text: text, Members: members, Filters: filters, Limit: 10})
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		return r
	}
	for _, tc := range []struct {
		text    string
		members bool
		want    []int64
	}{
		{"traffic", false, []int64{cases[1].ID}},
		{"TRAFF", false, []int64{cases[1].ID}},  // a prefix, case aside
		{"교통혼잡", false, []int64{cases[1].ID}},   // Korean: two-character terms
		{"교통", false, []int64{cases[1].ID}},     // a stem inside a longer word
		{"혼잡을", false, []int64{cases[1].ID}},    // with a particle, found in 교통혼잡을
		{"공유 자전거", false, []int64{cases[0].ID}}, // every term must match
		{"항만", false, nil},                      // members only: hidden
		{"항만", true, []int64{cases[2].ID}},      // shown to members
		{"container port", true, []int64{cases[2].ID}},
		{"scooter", false, []int64{cases[0].ID}}, // the Korean title does not hide the English summary
		{"센서", true, []int64{cases[3].ID}},
		{"nothing-like-this", true, nil},
	} {
		if got := ids(search(tc.text, tc.members, nil)); !cmp.Equal(got, tc.want) {
			t.Errorf("search %q (members %v): cases %v, want %v", tc.text, tc.members, got, tc.want)
		}
	}
	// Facets count what the viewer may see: the members-only port case
	// counts for members only.
	r := search("", false, nil)
	if r.Total != 3 {
		t.Errorf("visitor's library: %d cases, want 3", r.Total)
	}
	want := []exchange.FacetCount{{Value: "mobility", Count: 2}, {Value: "ai", Count: 1}, {Value: "health", Count: 1}}
	if !cmp.Equal(r.Facets[exchange.FieldThemes], want) {
		t.Errorf("visitor's themes %v, want %v", r.Facets[exchange.FieldThemes], want)
	}
	if got := r.Facets["region"]; !cmp.Equal(got, []exchange.FacetCount{{Value: "asia", Count: 2}, {Value: "europe", Count: 1}}) {
		t.Errorf("visitor's regions %v", got)
	}
	r = search("", true, nil)
	if r.Total != 4 || r.Facets[exchange.FieldThemes][0] != (exchange.FacetCount{Value: "mobility", Count: 3}) {
		t.Errorf("member's library: %d cases, themes %v", r.Total, r.Facets[exchange.FieldThemes])
	}
	// Filters: any value within a field, every field.
	r = search("", true, map[string][]string{"region": {"europe"}, exchange.FieldThemes: {"mobility", "health"}})
	if got := ids(r); !cmp.Equal(got, []int64{cases[3].ID, cases[2].ID}) {
		t.Errorf("europe and (mobility or health): %v", got)
	}
	r = search("sensors", false, map[string][]string{"region": {"asia"}})
	if r.Total != 0 || len(r.Cases) != 0 {
		t.Errorf("sensors in asia: %d", r.Total)
	}
	// Similar cases: most shared themes and stage first, members-only
	// ones for members only.
	sim := func(members bool) []int64 {
		t.Helper()
		cs, err := s.SimilarExchangeCases(ctx, cases[0].ID, members, 5)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if got, want := sim(false), []int64{cases[1].ID, cases[3].ID}; !cmp.Equal(got, want) {
		t.Errorf("visitor's similar cases %v, want %v", got, want)
	}
	if got, want := sim(true), []int64{cases[2].ID, cases[1].ID, cases[3].ID}; !cmp.Equal(got, want) {
		t.Errorf("member's similar cases %v, want %v", got, want)
	}
	// Paging keeps the total.
	r, err := s.SearchExchangeCases(ctx, nil, exchange.Query{Members: true, Limit: 1, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 4 || len(r.Cases) != 1 || r.Cases[0].ID != cases[2].ID {
		t.Errorf("second page of one: total %d, %v", r.Total, ids(r))
	}
	// The facet index follows writes: the port case made public with a
	// new theme, and a new case, count at once (and the old theme of the
	// port case no longer does).
	port := cases[2]
	port.Visibility = exchange.Public
	port.Tags[exchange.FieldThemes] = []string{"ports", "energy"}
	if err := s.UpdateExchangeCase(ctx, port); err != nil {
		t.Fatal(err)
	}
	extra := exchangeCase("Solar roofs", "태양광 지붕", "Solar panels on schools.", "학교 지붕의 태양광.", "africa", exchange.Public, "energy")
	if err := s.CreateExchangeCase(ctx, extra); err != nil {
		t.Fatal(err)
	}
	r = search("", false, nil)
	want = []exchange.FacetCount{{Value: "energy", Count: 2}, {Value: "mobility", Count: 2}, {Value: "ai", Count: 1}, {Value: "health", Count: 1}, {Value: "ports", Count: 1}}
	if r.Total != 5 || !cmp.Equal(r.Facets[exchange.FieldThemes], want) {
		t.Errorf("after the writes: %d cases, themes %v, want 5 and %v", r.Total, r.Facets[exchange.FieldThemes], want)
	}
	if got := ids(search("항만", false, nil)); !cmp.Equal(got, []int64{port.ID}) {
		t.Errorf("the port case made public: visitor finds %v", got)
	}
	if got := ids(search("", false, map[string][]string{exchange.FieldThemes: {"energy"}})); !cmp.Equal(got, []int64{extra.ID, port.ID}) {
		t.Errorf("energy: %v, want the new case then the port case", got)
	}
}

// testExchangeSearchWhileWriting searches from several goroutines while
// cases are added: every search's total and facet count agree with each
// other (one consistent view), and the last search counts every case.
func testExchangeSearchWhileWriting(t *testing.T, s ExchangeStore) {
	ctx := context.Background()
	const n = 40
	done := make(chan error, 1)
	go func() {
		for i := range n {
			c := exchangeCase(fmt.Sprintf("Water sensor %d", i), "", "", "", "asia", exchange.Public, "water")
			if err := s.CreateExchangeCase(ctx, c); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				r, err := s.SearchExchangeCases(ctx, exchange.Terms("water", true), exchange.Query{Limit: 5})
				if err != nil {
					errs <- err.Error()
					return
				}
				water := 0
				if fs := r.Facets[exchange.FieldThemes]; len(fs) == 1 {
					water = fs[0].Count
				}
				if r.Total != water || len(r.Cases) != min(5, r.Total) {
					errs <- fmt.Sprintf("total %d, water facet %d, page %d", r.Total, water, len(r.Cases))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r, err := s.SearchExchangeCases(ctx, nil, exchange.Query{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != n || r.Facets[exchange.FieldThemes][0] != (exchange.FacetCount{Value: "water", Count: n}) {
		t.Errorf("after the writes: %d cases, themes %v", r.Total, r.Facets[exchange.FieldThemes])
	}
}

// testExchangeSearchRanking checks the order of results, the same on both
// databases (the store ranks in memory, BM25 with the title counted
// twice): a match in the title before one in the summary only, in English
// and Korean; among equal matches the shorter case first, then the newest;
// a prefix finds every word it begins; a page deep in many matches is the
// same slice of the whole order.
func testExchangeSearchRanking(t *testing.T, s ExchangeStore) {
	ctx := context.Background()
	add := func(c *exchange.Case) *exchange.Case {
		t.Helper()
		c.CityName = "Anytown"
		if err := s.CreateExchangeCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	inSummary := add(exchangeCase("River basin monitoring", "하천 유역 관측", "Flood alerts for the river basin.", "홍수 경보를 보낸다.", "asia", exchange.Public, "water"))
	inTitle := add(exchangeCase("Flood warning", "홍수 경보", "Alerts for the river basin.", "하천 유역에 경보를 보낸다.", "asia", exchange.Public, "water"))
	longer := add(exchangeCase("Flood warning", "홍수 경보", "Alerts for the river basin, the coast, the harbour and the old town.", "하천 유역에 경보를 보낸다.", "asia", exchange.Public, "water"))
	twin := add(exchangeCase("Flood warning", "홍수 경보", "Alerts for the river basin.", "하천 유역에 경보를 보낸다.", "asia", exchange.Public, "water"))
	sensor := add(exchangeCase("Sensor grid", "", "One sensor a street.", "", "asia", exchange.Public, "data"))
	sensors := add(exchangeCase("Noise sensors", "", "Sensors on lamp posts.", "", "asia", exchange.Public, "data"))
	ids := func(text string, offset, limit int) ([]int64, int) {
		t.Helper()
		r, err := s.SearchExchangeCases(ctx, exchange.Terms(text, true), exchange.Query{Text: text, Offset: offset, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, c := range r.Cases {
			out = append(out, c.ID)
		}
		return out, r.Total
	}
	// The twin (same words, added later) before inTitle; the longer one
	// after both; the summary-only match last.
	want := []int64{twin.ID, inTitle.ID, longer.ID, inSummary.ID}
	for _, q := range []string{"flood", "홍수", "flood 홍수"} {
		if got, _ := ids(q, 0, 10); !cmp.Equal(got, want) {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
	if got, total := ids("sens", 0, 10); total != 2 || !cmp.Equal(got, []int64{sensors.ID, sensor.ID}) && !cmp.Equal(got, []int64{sensor.ID, sensors.ID}) {
		t.Errorf("prefix sens: %v of %d, want both sensor cases", got, total)
	}
	// Forty matches of growing length: page 2 of 2 (the store keeps only
	// the best 4 of 40 in order) is the 3rd and 4th.
	var many []int64
	for i := range 40 {
		var words []string
		for j := range i%20 + 1 {
			words = append(words, fmt.Sprintf("word%d", j))
		}
		c := exchangeCase("Street lighting", "", "Lamps "+strings.Join(words, " ")+".", "", "europe", exchange.Public, "energy")
		many = append(many, add(c).ID)
	}
	// By length (i%20), then newest: i = 20, 0, 21, 1, 22, 2, ...
	if got, total := ids("lighting", 2, 2); total != 40 || !cmp.Equal(got, []int64{many[21], many[1]}) {
		t.Errorf("lighting, 3rd and 4th: %v of %d, want %v", got, total, []int64{many[21], many[1]})
	}
	if got, _ := ids("lighting", 0, 40); len(got) != 40 || got[2] != many[21] || got[39] != many[19] {
		t.Errorf("lighting, all 40: %v", got)
	}
}

// exchangeWarmer is a store whose library index is warmed at start.
type exchangeWarmer interface {
	exchange.IndexWarmer
	ExchangeIndexLoads() int
	HookExchangeIndex(beforeLoad, beforeWait func())
}

// The server's warm-up loads the index once; a search that starts while
// the warm-up is still loading waits for it, finds the right cases and
// does not load the library a second time.
func testExchangeWarmIndex(t *testing.T, s ExchangeStore) {
	ctx := context.Background()
	w, ok := s.(exchangeWarmer)
	if !ok {
		t.Fatal("the store has no library index to warm")
	}
	pub := exchangeCase("Shared mobility hubs", "공유 모빌리티 허브", "Bike hubs.", "", "asia", exchange.Public, "mobility")
	mem := exchangeCase("Mobility data exchange", "모빌리티 데이터", "Members' data.", "", "asia", exchange.Members, "mobility")
	other := exchangeCase("Flood sensors", "홍수 센서", "Rivers.", "", "europe", exchange.Public, "water")
	for _, c := range []*exchange.Case{pub, mem, other} {
		if err := s.CreateExchangeCase(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	loading, release, searching := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var once sync.Once
	var waits sync.Mutex
	n := 0
	w.HookExchangeIndex(func() {
		once.Do(func() { close(loading); <-release })
	}, func() {
		waits.Lock()
		defer waits.Unlock()
		if n++; n == 2 { // the search, after the warm-up
			close(searching)
		}
	})
	warmed := make(chan error, 1)
	go func() { warmed <- w.WarmExchangeIndex(ctx) }()
	<-loading // the warm-up holds the index, about to read the library
	type result struct {
		r   exchange.Result
		err error
	}
	found := make(chan result, 1)
	go func() {
		r, err := s.SearchExchangeCases(ctx, exchange.Terms("모빌리티", true), exchange.Query{Limit: 10})
		found <- result{r, err}
	}()
	<-searching // the search has started before the warm-up finished
	close(release)
	if err := <-warmed; err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	got := <-found
	if got.err != nil {
		t.Fatalf("search during the warm-up: %v", got.err)
	}
	if got.r.Total != 1 || len(got.r.Cases) != 1 || got.r.Cases[0].ID != pub.ID {
		t.Errorf("search during the warm-up: %d cases %v, want only the public case %d", got.r.Total, got.r.Cases, pub.ID)
	}
	if want := []exchange.FacetCount{{Value: "mobility", Count: 1}}; !cmp.Equal(got.r.Facets[exchange.FieldThemes], want) {
		t.Errorf("themes facet %v, want %v (the members-only case is not counted)", got.r.Facets[exchange.FieldThemes], want)
	}
	if l := w.ExchangeIndexLoads(); l != 1 {
		t.Errorf("the library was loaded %d times, want once", l)
	}
	// Warmed, the index still follows writes.
	later := exchangeCase("Mobility on demand", "", "Buses.", "", "asia", exchange.Public, "mobility")
	if err := s.CreateExchangeCase(ctx, later); err != nil {
		t.Fatal(err)
	}
	r, err := s.SearchExchangeCases(ctx, exchange.Terms("mobility", true), exchange.Query{Members: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 3 {
		t.Errorf("after a new case: %d cases for a member, want 3", r.Total)
	}
	if l := w.ExchangeIndexLoads(); l != 1 {
		t.Errorf("the library was loaded %d times after a write, want once", l)
	}
}
