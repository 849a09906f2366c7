package exchange

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
)

// ConsentKey is the prize form's answer by which an applicant agrees to
// share the project in the library: "public" or "members" (its
// visibility); any other answer, or none, keeps the application out.
const ConsentKey = prize.FieldLibraryConsent

// Applications is what the library reads of the prize.
type Applications interface {
	PrizeApplications(ctx context.Context, f prize.ApplicationFilter) ([]*prize.Application, error)
}

// Cities is what the library reads of the member directory.
type Cities interface {
	City(ctx context.Context, code string) (members.City, error)
}

// Service runs the practice library.
type Service struct {
	Store  Store
	Prize  Applications
	Cities Cities
	Audit  auditlog.Store
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) record(ctx context.Context, actor auditlog.Actor, action string, c *Case, before any) error {
	if s.Audit == nil {
		return nil
	}
	return auditlog.Record(ctx, s.Audit, s.now(), actor, action, "exchange_case", strconv.FormatInt(c.ID, 10), before, c)
}

func notFound(id int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "exchange.error.notfound", "Case %d not found.", id)
}

// Get is case id as v may see it: a members-only case is ENOTFOUND for a
// visitor, and links to cases v may not see are left out.
func (s *Service) Get(ctx context.Context, v Viewer, id int64) (*Case, error) {
	c, err := s.Store.ExchangeCase(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, notFound(id)
		}
		return nil, err
	}
	if c.Visibility != Public && !v.Member {
		return nil, notFound(id)
	}
	var links []Link
	for _, l := range c.Links {
		o, err := s.Store.ExchangeCase(ctx, l.CaseID)
		if err != nil || o.Visibility != Public && !v.Member {
			continue
		}
		l.Title = o.Title
		links = append(links, l)
	}
	c.Links = links
	return c, nil
}

// fill takes the city's name, country and region from the directory when
// the case names a member city.
func (s *Service) fill(ctx context.Context, c *Case) error {
	if c.CityCode == "" || s.Cities == nil {
		return nil
	}
	city, err := s.Cities.City(ctx, c.CityCode)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return citylens.Ef(citylens.EINVALID, "exchange.error.case", "the case was not saved: correct the fields named below").
				WithProblems(citylens.Problem{Field: "city_code"}.Keyed("exchange.error.city", "no member city %s", c.CityCode))
		}
		return err
	}
	c.CityName = city.Name
	if c.Country == "" {
		c.Country = city.Country
	}
	if c.Region == "" {
		c.Region = city.RegionCode
	}
	if c.PopulationBand == "" && city.Population > 0 {
		c.PopulationBand = PopulationBand(city.Population)
	}
	return nil
}

// PopulationBand is the band of a population.
func PopulationBand(n int64) string {
	switch {
	case n < 100_000:
		return "lt100k"
	case n < 500_000:
		return "100k-500k"
	case n < 1_000_000:
		return "500k-1m"
	case n < 5_000_000:
		return "1m-5m"
	}
	return "gt5m"
}

func (s *Service) checkLinks(ctx context.Context, c *Case) error {
	for _, l := range c.Links {
		if _, err := s.Store.ExchangeCase(ctx, l.CaseID); err != nil {
			if citylens.ErrorCode(err) == citylens.ENOTFOUND {
				return citylens.Ef(citylens.EINVALID, "exchange.error.case", "the case was not saved: correct the fields named below").
					WithProblems(citylens.Problem{Field: "links"}.Keyed("exchange.error.nolink", "no case %d", l.CaseID))
			}
			return err
		}
	}
	return nil
}

// Create adds a practice directly: the secretariat for any city, a focal
// point for its own city.
func (s *Service) Create(ctx context.Context, v Viewer, actor auditlog.Actor, c *Case) error {
	if !v.Admin {
		if !v.Member || v.City == "" {
			return citylens.Ef(citylens.EFORBIDDEN, "exchange.error.forbidden", "Only the secretariat and member cities add practices.")
		}
		c.CityCode = v.City // a focal point adds its own city's practices
	}
	c.Source, c.ApplicationID, c.CreatedBy = "direct", 0, v.UserID
	if err := s.fill(ctx, c); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkLinks(ctx, c); err != nil {
			return err
		}
		if err := s.Store.CreateExchangeCase(ctx, c); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.case.create", c, nil)
	})
}

// Update replaces case c.ID's fields: the secretariat, or the focal point
// of the case's city.
func (s *Service) Update(ctx context.Context, v Viewer, actor auditlog.Actor, c *Case) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		old, err := s.Store.ExchangeCase(ctx, c.ID)
		if err != nil {
			return err
		}
		if !v.CanEdit(old.CityCode) {
			if old.Visibility != Public && !v.Member {
				return notFound(c.ID)
			}
			return citylens.Ef(citylens.EFORBIDDEN, "exchange.error.forbidden", "Only the secretariat and member cities add practices.")
		}
		if !v.Admin {
			c.CityCode = old.CityCode
		}
		c.Source, c.ApplicationID, c.CreatedBy, c.CreatedAt, c.Demo = old.Source, old.ApplicationID, old.CreatedBy, old.CreatedAt, old.Demo
		if err := s.fill(ctx, c); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if err := s.checkLinks(ctx, c); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		if err := s.Store.UpdateExchangeCase(ctx, c); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.case.update", c, old)
	})
}

// Imported counts an import from the prize.
type Imported struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
	Skipped int `json:"skipped"` // submitted applications whose applicant did not agree
}

// ImportPrize makes a case of every submitted application of edition
// (not withdrawn, not desk-rejected) whose applicant agreed (ConsentKey),
// and refreshes the cases made before; the secretariat only.
func (s *Service) ImportPrize(ctx context.Context, v Viewer, actor auditlog.Actor, edition string) (Imported, error) {
	var n Imported
	if !v.Admin {
		return n, citylens.Ef(citylens.EFORBIDDEN, "exchange.error.forbidden", "Only the secretariat and member cities add practices.")
	}
	apps, err := s.Prize.PrizeApplications(ctx, prize.ApplicationFilter{Edition: edition, State: prize.StateSubmitted})
	if err != nil {
		return n, err
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		for _, a := range apps {
			if a.State != prize.StateSubmitted || a.Screening == prize.ScreenRejected {
				continue
			}
			vis := a.Answers.First(ConsentKey)
			if vis != Public && vis != Members {
				n.Skipped++
				continue
			}
			c := FromApplication(a, vis)
			created, err := s.upsertFromApplication(ctx, v.UserID, a, c)
			if err != nil {
				return err
			}
			if created {
				n.Created++
			} else {
				n.Updated++
			}
			if err := s.record(ctx, actor, "exchange.case.import", c, nil); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// upsertFromApplication stores c, the case of application a: a new case,
// or the one made from a before (keeping its links, creation and — when
// c names none — the award it records).
func (s *Service) upsertFromApplication(ctx context.Context, by int64, a *prize.Application, c *Case) (created bool, err error) {
	if err := s.fill(ctx, c); err != nil && citylens.ErrorCode(err) != citylens.EINVALID {
		return false, err
	}
	old, err := s.Store.ExchangeCaseByApplication(ctx, a.ID)
	exists := err == nil
	if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return false, err
	}
	if exists && c.Evidence == "" {
		c.Evidence = old.Evidence
	}
	if err := c.Validate(); err != nil {
		return false, citylens.Ef(citylens.EINVALID, "exchange.error.import", "Application %s could not become a case.", a.Ref()).
			WithProblems(citylens.AsError(err).Problems...)
	}
	if exists {
		c.ID, c.CreatedAt, c.CreatedBy, c.Links = old.ID, old.CreatedAt, old.CreatedBy, old.Links
		c.UpdatedAt = s.now()
		return false, s.Store.UpdateExchangeCase(ctx, c)
	}
	c.CreatedAt, c.UpdatedAt, c.CreatedBy = s.now(), s.now(), by
	return true, s.Store.CreateExchangeCase(ctx, c)
}

// PublishAward makes (or refreshes) the library's case of prize
// application a, which won award (e.g. "Seoul Smart City Prize 2026:
// Winner (Gold)"), when its applicant agreed to share it (ConsentKey); the
// award is the case's evidence line. It reports whether a case was made
// or refreshed: false, and nothing stored, without consent. The prize's
// judging calls it at the announcement.
func (s *Service) PublishAward(ctx context.Context, actor auditlog.Actor, a *prize.Application, award string) (bool, error) {
	vis := a.Answers.First(ConsentKey)
	if vis != Public && vis != Members {
		return false, nil
	}
	c := FromApplication(a, vis)
	c.Evidence = award
	if _, err := s.upsertFromApplication(ctx, actor.UserID, a, c); err != nil {
		return false, err
	}
	return true, s.record(ctx, actor, "exchange.case.award", c, nil)
}

// FromApplication is the case of prize application a, with visibility vis.
func FromApplication(a *prize.Application, vis string) *Case {
	ans := a.Answers
	c := &Case{
		Source: "prize", ApplicationID: a.ID, Title: a.Title, Summary: a.Summary(),
		CityCode: a.CityCode, CityName: a.CityName, Country: a.Country, Stage: a.Stage,
		ESGPillar: ans.First("esg_pillar"), Results: ans.First("results"), Visibility: vis, Demo: a.Demo,
		Tags: map[string][]string{
			FieldThemes: ans["themes"], FieldSDGs: ans["sdgs"], FieldTargetGroups: ans["target_groups"],
		},
	}
	if ans.First(prize.FieldOriginal) == "ko" {
		c.TitleKO, c.SummaryKO = ans.First("title_original"), ans.First("summary_original")
	}
	langs := []string{"en"}
	if l := ans.First(prize.FieldOriginal); l != "" && l != "en" {
		langs = append(langs, l)
	}
	c.Tags[FieldLanguages] = langs
	if !contains(ESGPillars, c.ESGPillar) {
		c.ESGPillar = ""
	}
	if !contains(Stages, c.Stage) {
		c.Stage = ""
	}
	// Bands are in US dollars: an amount in another currency is not
	// converted (no exchange rates here), so it gets no band.
	if ms := ans["budget"]; len(ms) == 2 && strings.EqualFold(ms[1], "USD") {
		c.BudgetBand = budgetBand(ms[0])
	}
	c.Contacts = a.Organisation
	if c.CityCode == "" && c.CityName == "" {
		c.CityName = a.Country
	}
	return c
}

func budgetBand(amount string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(amount), 64)
	if err != nil || f < 0 {
		return ""
	}
	switch {
	case f < 100_000:
		return "lt100k"
	case f < 1_000_000:
		return "100k-1m"
	case f < 10_000_000:
		return "1m-10m"
	}
	return "gt10m"
}

// Search runs q as v may see it: members-only cases only for members,
// bounded query, filters and page. A query with no searchable term lists
// the library.
func (s *Service) Search(ctx context.Context, v Viewer, q Query) (Result, error) {
	if len([]rune(q.Text)) > MaxQuery {
		q.Text = string([]rune(q.Text)[:MaxQuery])
	}
	terms := Terms(q.Text, true)
	q.Members = v.Member
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	if q.Offset < 0 || q.Offset > 100_000 {
		q.Offset = 0
	}
	filters := map[string][]string{}
	n := 0
	for f, vs := range q.Filters {
		if !contains(Facets, f) {
			continue
		}
		for _, val := range vs {
			if val == "" || len(val) > MaxTagChars*4 || n >= MaxFilters {
				continue
			}
			filters[f] = append(filters[f], val)
			n++
		}
	}
	q.Filters = filters
	r, err := s.Store.SearchExchangeCases(ctx, terms, q)
	r.Terms = terms
	return r, err
}

// MaxSimilar is how many similar cases a case's page lists.
const MaxSimilar = 5

// Similar lists the cases most like case id that v may see.
func (s *Service) Similar(ctx context.Context, v Viewer, id int64) ([]*Case, error) {
	return s.Store.SimilarExchangeCases(ctx, id, v.Member, MaxSimilar)
}

// IndexWarmer is a store whose search index loads ahead of the first
// search (the store's index in memory).
type IndexWarmer interface {
	WarmExchangeIndex(ctx context.Context) error
}

// Warm loads the library's search index now, when the store has one to
// load; a search meanwhile waits for this load and uses it. The server
// calls it in the background when it starts.
func (s *Service) Warm(ctx context.Context) error {
	if w, ok := s.Store.(IndexWarmer); ok {
		return w.WarmExchangeIndex(ctx)
	}
	return nil
}
