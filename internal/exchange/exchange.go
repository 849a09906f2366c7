// Package exchange is the network's knowledge exchange. This first part is
// the practice library: cases (a city's practice with its context, themes,
// results and contacts), made from prize applications whose applicant
// agreed to share them, from the winners' feasibility studies, or added
// directly by the secretariat and member cities, each public or for members only, and searched in English and
// Korean with facets. Needs and strengths, partner matching and
// partnerships are later parts (docs/knowledge.md).
package exchange

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Visibilities of a case.
const (
	Public  = "public"
	Members = "members" // member cities and the secretariat only
)

// Link kinds between cases.
const (
	TransferredTo = "transferred_to"
	AdaptedFrom   = "adapted_from"
)

// Population bands and budget bands (facet values).
var (
	PopulationBands = []string{"lt100k", "100k-500k", "500k-1m", "1m-5m", "gt5m"}
	BudgetBands     = []string{"lt100k", "100k-1m", "1m-10m", "gt10m"}
	ESGPillars      = []string{"environmental", "social", "governance"}
	Stages          = []string{"concept", "planned", "pilot", "ongoing", "scaled"}
)

// Multi-valued fields of a case, each a facet.
const (
	FieldThemes       = "themes"
	FieldSDGs         = "sdgs"
	FieldTechnologies = "technologies"
	FieldTargetGroups = "target_groups"
	FieldLanguages    = "languages"
)

// Facets are the fields a search counts and filters on, in display order.
var Facets = []string{"region", "country", "city", "population_band", FieldThemes, FieldSDGs, "esg_pillar", "stage",
	FieldTechnologies, FieldTargetGroups, "budget_band", FieldLanguages, "source"}

// Bounds of a case and of a search.
const (
	MaxTitle     = 200
	MaxText      = 20000 // summary, results, evidence
	MaxShort     = 500   // contacts
	MaxTags      = 30    // values of one multi-valued field
	MaxTagChars  = 60
	MaxLinks     = 30
	MaxQuery     = 200 // characters of a search query
	MaxTerms     = 12  // terms of a search query
	MaxFilters   = 20
	DefaultLimit = 20
	MaxLimit     = 100
)

// Link is a relation to another case.
type Link struct {
	Kind   string `json:"kind"` // TransferredTo or AdaptedFrom
	CaseID int64  `json:"case_id"`
	Title  string `json:"title,omitempty"` // filled on read, when visible
}

// Case is one practice of the library.
type Case struct {
	ID             int64               `json:"id"`
	Source         string              `json:"source"`         // "prize", "study" or "direct"
	ApplicationID  int64               `json:"application_id"` // the prize application it came from, or 0
	StudyID        int64               `json:"study_id"`       // the feasibility study it is, or 0
	Title          string              `json:"title"`
	TitleKO        string              `json:"title_ko"`
	Summary        string              `json:"summary"`
	SummaryKO      string              `json:"summary_ko"`
	CityCode       string              `json:"city_code"` // a member city, or ""
	CityName       string              `json:"city_name"`
	Country        string              `json:"country"`
	Region         string              `json:"region"`
	PopulationBand string              `json:"population_band"`
	ESGPillar      string              `json:"esg_pillar"`
	Stage          string              `json:"stage"`
	BudgetBand     string              `json:"budget_band"`
	Results        string              `json:"results"`
	Evidence       string              `json:"evidence"` // evidence of the results: sources, links
	Contacts       string              `json:"contacts"`
	Tags           map[string][]string `json:"tags"` // themes, sdgs, technologies, target_groups, languages
	Links          []Link              `json:"links"`
	Visibility     string              `json:"visibility"`
	Demo           bool                `json:"demo,omitempty"`
	CreatedBy      int64               `json:"-"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
}

// TitleIn is the title in lang ("ko" or "en"), falling back to English.
func (c *Case) TitleIn(lang string) string {
	if lang == "ko" && c.TitleKO != "" {
		return c.TitleKO
	}
	return c.Title
}

// SummaryIn is the summary in lang, falling back to English.
func (c *Case) SummaryIn(lang string) string {
	if lang == "ko" && c.SummaryKO != "" {
		return c.SummaryKO
	}
	return c.Summary
}

// FacetValues are the case's values of facet field (one or none for a
// single-valued field).
func (c *Case) FacetValues(field string) []string {
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	switch field {
	case "region":
		return one(c.Region)
	case "country":
		return one(c.Country)
	case "city":
		if c.CityCode != "" {
			return one(c.CityCode)
		}
		return one(c.CityName)
	case "population_band":
		return one(c.PopulationBand)
	case "esg_pillar":
		return one(c.ESGPillar)
	case "stage":
		return one(c.Stage)
	case "budget_band":
		return one(c.BudgetBand)
	case "source":
		return one(c.Source)
	}
	return c.Tags[field]
}

// SearchText is what the full-text index holds of the case: its terms
// (Terms) of every text field and tag.
func (c *Case) SearchText() []string {
	parts := []string{c.Title, c.TitleKO, c.Summary, c.SummaryKO, c.CityName, c.Country, c.Results, c.Evidence}
	for _, f := range []string{FieldThemes, FieldSDGs, FieldTechnologies, FieldTargetGroups} {
		parts = append(parts, c.Tags[f]...)
	}
	return Terms(strings.Join(parts, " "), false)
}

var multiFields = []string{FieldThemes, FieldSDGs, FieldTechnologies, FieldTargetGroups, FieldLanguages}

// Validate normalises c and checks its fields, naming each one at fault.
func (c *Case) Validate() error {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	trim := func(p *string) { *p = strings.TrimSpace(*p) }
	for _, p := range []*string{&c.Title, &c.TitleKO, &c.Summary, &c.SummaryKO, &c.CityCode, &c.CityName, &c.Country,
		&c.Region, &c.PopulationBand, &c.ESGPillar, &c.Stage, &c.BudgetBand, &c.Results, &c.Evidence, &c.Contacts, &c.Visibility} {
		trim(p)
	}
	c.Country = strings.ToUpper(c.Country)
	if c.Source == "" {
		c.Source = "direct"
	}
	if c.Visibility == "" {
		c.Visibility = Public
	}
	if c.Title == "" {
		add("title", "exchange.error.required", "required")
	}
	if c.Summary == "" && c.SummaryKO == "" {
		add("summary", "exchange.error.required", "required")
	}
	if c.CityName == "" && c.CityCode == "" {
		add("city", "exchange.error.required", "required")
	}
	for f, v := range map[string]string{"title": c.Title, "title_ko": c.TitleKO, "city_name": c.CityName, "region": c.Region} {
		if utf8.RuneCountInString(v) > MaxTitle {
			add(f, "exchange.error.too_long", "at most %d characters", MaxTitle)
		}
	}
	for f, v := range map[string]string{"summary": c.Summary, "summary_ko": c.SummaryKO, "results": c.Results, "evidence": c.Evidence} {
		if utf8.RuneCountInString(v) > MaxText {
			add(f, "exchange.error.too_long", "at most %d characters", MaxText)
		}
	}
	if utf8.RuneCountInString(c.Contacts) > MaxShort {
		add("contacts", "exchange.error.too_long", "at most %d characters", MaxShort)
	}
	if len(c.Country) > 3 {
		add("country", "exchange.error.country", "an ISO 3166 country code")
	}
	choice := func(field, v string, allowed []string) {
		if v != "" && !contains(allowed, v) {
			add(field, "exchange.error.choice", "not one of %s", strings.Join(allowed, ", "))
		}
	}
	choice("visibility", c.Visibility, []string{Public, Members})
	choice("population_band", c.PopulationBand, PopulationBands)
	choice("budget_band", c.BudgetBand, BudgetBands)
	choice("esg_pillar", c.ESGPillar, ESGPillars)
	choice("stage", c.Stage, Stages)
	tags := map[string][]string{}
	for f, vs := range c.Tags {
		if !contains(multiFields, f) {
			add(f, "exchange.error.field", "not a field of a case")
			continue
		}
		seen := map[string]bool{}
		var out []string
		for _, v := range vs {
			v = strings.TrimSpace(v)
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			if utf8.RuneCountInString(v) > MaxTagChars {
				add(f, "exchange.error.too_long", "at most %d characters", MaxTagChars)
				break
			}
			out = append(out, v)
		}
		if len(out) > MaxTags {
			add(f, "exchange.error.too_many", "at most %d values", MaxTags)
		}
		if len(out) > 0 {
			tags[f] = out
		}
	}
	c.Tags = tags
	if len(c.Links) > MaxLinks {
		add("links", "exchange.error.too_many", "at most %d values", MaxLinks)
	}
	for _, l := range c.Links {
		if l.Kind != TransferredTo && l.Kind != AdaptedFrom || l.CaseID <= 0 || l.CaseID == c.ID {
			add("links", "exchange.error.link", "a link is to another case, transferred to or adapted from")
			break
		}
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "exchange.error.case", "the case was not saved: correct the fields named below").WithProblems(ps...)
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Viewer is who reads or writes the library.
type Viewer struct {
	UserID int64
	Member bool   // a member city's staff or the secretariat: sees members-only cases
	Admin  bool   // the secretariat: adds and edits any case
	City   string // a focal point's city: adds and edits its city's cases
}

// CanEdit reports whether v may add or change a case of city.
func (v Viewer) CanEdit(city string) bool {
	return v.Admin || v.Member && v.City != "" && v.City == city
}

// Query is a search of the library.
type Query struct {
	Text    string              // words in English or Korean
	Filters map[string][]string // facet field -> values (any of them)
	Members bool                // include members-only cases
	Limit   int
	Offset  int
}

// FacetCount is one value of a facet with its number of matching cases.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is a page of a search.
type Result struct {
	Total  int                     `json:"total"`
	Cases  []*Case                 `json:"cases"`
	Facets map[string][]FacetCount `json:"facets"`
	Terms  []string                `json:"terms"` // the terms searched, as the index holds them
}

// Store is what the library needs from the database. Methods join the
// transaction carried by ctx; missing records are ENOTFOUND.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// CreateExchangeCase sets c.ID; ECONFLICT if its prize application
	// already has a case.
	CreateExchangeCase(ctx context.Context, c *Case) error
	UpdateExchangeCase(ctx context.Context, c *Case) error
	ExchangeCase(ctx context.Context, id int64) (*Case, error)
	ExchangeCaseByApplication(ctx context.Context, applicationID int64) (*Case, error)
	// ExchangeCaseByStudy is the case of a feasibility study
	// (Service.PublishStudy): one a study, a unique key.
	ExchangeCaseByStudy(ctx context.Context, studyID int64) (*Case, error)
	// SearchExchangeCases runs q: terms (from Terms, all must match, each
	// as a prefix; none for every case, newest first), filters,
	// visibility; the total and facets count every matching case the
	// viewer may see. Matches come best first (BM25, a term in the title
	// counting twice), then newest.
	SearchExchangeCases(ctx context.Context, terms []string, q Query) (Result, error)
	// SimilarExchangeCases lists up to limit other cases sharing the most
	// themes, SDGs, technologies, target groups, ESG pillar and stage with
	// case id (public ones only unless members), most shared first.
	SimilarExchangeCases(ctx context.Context, id int64, members bool, limit int) ([]*Case, error)
}

// SimilarFields are the facets whose shared values make cases similar.
var SimilarFields = []string{FieldThemes, FieldSDGs, FieldTechnologies, FieldTargetGroups, "esg_pillar", "stage"}
