package exchange

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/prize"
)

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		in    string
		query bool
		want  []string
	}{
		{"Shared Mobility, shared bikes!", false, []string{"shared", "mobility", "bikes"}},
		{"교통혼잡을 줄이다", false, []string{"교통", "통혼", "혼잡", "잡을", "줄이", "이다"}},
		{"물", false, []string{"물"}},
		{"AI교통", false, []string{"ai", "교통"}}, // a script change splits a word
		{"café", false, []string{"café"}},
		{`") OR 1=1; DROP TABLE x --`, true, []string{"or", "1", "drop", "table", "x"}},
		{`"*" ^ :* & |`, true, nil},
		{"NEAR(a b)", true, []string{"near", "a", "b"}},
	} {
		if got := Terms(tc.in, tc.query); !cmp.Equal(got, tc.want) {
			t.Errorf("Terms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := Terms(strings.Repeat("alpha beta gamma delta ", 10)+"a b c d e f g h i j k l m n", true)
	if len(long) != MaxTerms {
		t.Errorf("a long query keeps %d terms, want %d", len(long), MaxTerms)
	}
	for _, term := range Terms("교통 'x' \"y\" (z) * : & | ! \\ ; -- %", false) {
		for _, r := range term {
			if strings.ContainsRune(`'"()*:&|!\;-%`, r) {
				t.Errorf("term %q holds a query character", term)
			}
		}
	}
}

func TestValidateNamesFields(t *testing.T) {
	c := &Case{Title: strings.Repeat("x", MaxTitle+1), Visibility: "secret", Stage: "launched",
		Tags:  map[string][]string{"colour": {"red"}, FieldThemes: {" mobility ", "mobility", ""}},
		Links: []Link{{Kind: "copied", CaseID: 3}}}
	err := c.Validate()
	ce := citylens.AsError(err)
	if ce == nil || ce.Code != citylens.EINVALID {
		t.Fatalf("Validate: %v, want EINVALID", err)
	}
	fields := map[string]bool{}
	for _, p := range ce.Problems {
		fields[p.Field] = true
	}
	for _, f := range []string{"title", "summary", "city", "visibility", "stage", "colour", "links"} {
		if !fields[f] {
			t.Errorf("no problem names %s: %v", f, ce.Problems)
		}
	}
	ok := &Case{Title: "Flood sensors", Summary: "Sensors.", CityName: "Busan", Country: "kor",
		Tags: map[string][]string{FieldThemes: {" water ", "water", ""}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if ok.Visibility != Public || ok.Source != "direct" || ok.Country != "KOR" || !cmp.Equal(ok.Tags[FieldThemes], []string{"water"}) {
		t.Errorf("normalised case: %+v", ok)
	}
}

func TestFromApplication(t *testing.T) {
	a := &prize.Application{ID: 7, Title: "Night buses", CityName: "Seoul", Country: "KOR", Stage: "pilot", Organisation: "Seoul Metro",
		Answers: prize.Answers{"summary": {"Buses at night."}, "original_language": {"ko"}, "title_original": {"심야버스"},
			"summary_original": {"심야에 운행하는 버스."}, "themes": {"mobility"}, "esg_pillar": {"social"}, "budget": {"1500000", "USD"}}}
	c := FromApplication(a, Members)
	want := &Case{Source: "prize", ApplicationID: 7, Title: "Night buses", TitleKO: "심야버스", Summary: "Buses at night.",
		SummaryKO: "심야에 운행하는 버스.", CityName: "Seoul", Country: "KOR", Stage: "pilot", ESGPillar: "social", BudgetBand: "1m-10m",
		Contacts: "Seoul Metro", Visibility: Members,
		Tags: map[string][]string{FieldThemes: {"mobility"}, FieldSDGs: nil, FieldTargetGroups: nil, FieldLanguages: {"en", "ko"}}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("case of an application (-want +got):\n%s", diff)
	}
	a.Answers["budget"] = []string{"1500000", "KRW"} // no rate: no band, rather than a wrong one
	if c := FromApplication(a, Public); c.BudgetBand != "" {
		t.Errorf("a budget in won has band %q", c.BudgetBand)
	}
}

// The prize's default form asks the consent the import reads, and its
// yes-answers are the library's visibilities.
func TestDefaultPrizeFormAsksLibraryConsent(t *testing.T) {
	var got []string
	for _, f := range prize.DefaultForm().Fields {
		if f.Key == ConsentKey {
			if f.Kind != prize.KindChoice || f.LabelKO == "" {
				t.Errorf("consent field %+v", f)
			}
			for _, o := range f.Options {
				got = append(got, o.Value)
			}
		}
	}
	if want := []string{Public, Members, "no"}; !slices.Equal(got, want) {
		t.Errorf("consent options %v, want %v", got, want)
	}
}

// A study's case holds what its public page shows, and the project's
// description only with the applicant's consent, taking its visibility.
func TestFromStudy(t *testing.T) {
	st := Study{ID: 7, Title: "Night buses", Organisation: "City of Seoul", Country: "KOR", Stage: "pilot", HostCityName: "Seoul",
		Milestones: []StudyMilestone{{Title: "Work plan", TitleKO: "공동 작업 계획", Deliverables: "Signed plan"}},
		Evidence:   []StudyEvidence{{Kind: "indicator", Label: "Riders", Unit: "a week", Before: "10", After: "20"}, {Kind: "link", Label: "Report", URL: "https://example.org/r"}}}
	c := FromStudy(st)
	if c.Source != "study" || c.StudyID != 7 || c.Visibility != Public || c.Summary != "Work plan: Signed plan" || c.SummaryKO != "공동 작업 계획" ||
		c.Results != "Riders: 10 → 20 a week" || c.Evidence != "Report https://example.org/r" || len(c.Tags[FieldThemes]) != 0 {
		t.Errorf("without an application: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the case does not validate: %v", err)
	}
	st.Application = &prize.Application{ID: 3, Title: "Night buses", Answers: prize.Answers{"summary": {"Buses at night."}, "themes": {"mobility"},
		ConsentKey: {Members}}}
	c = FromStudy(st)
	if c.Visibility != Members || !strings.HasPrefix(c.Summary, "Buses at night.\n") || len(c.Tags[FieldThemes]) != 1 {
		t.Errorf("shared with members: %+v", c)
	}
	st.Application.Answers[ConsentKey] = []string{"no"}
	st.Milestones, st.Evidence = nil, nil
	c = FromStudy(st)
	if c.Visibility != Public || c.Summary != "Night buses" || len(c.Tags[FieldThemes]) != 0 {
		t.Errorf("without consent and nothing public: %+v", c)
	}
}
