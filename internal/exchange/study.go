package exchange

import (
	"context"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/prize"
)

// Study is a winning project's feasibility study (package followup) as
// the library takes it: only what the study's public progress page shows
// (the application layer passes the study as a visitor sees it), and the
// prize application it follows, for the project's own description when
// its applicant agreed to share it.
type Study struct {
	ID           int64
	Title        string
	Organisation string
	Country      string
	Stage        string
	HostCity     string // a member city's code, or ""
	HostCityName string
	FinalReport  string
	Partners     []string // names of the partners
	Milestones   []StudyMilestone
	Evidence     []StudyEvidence // public evidence only
	Demo         bool
	Application  *prize.Application // the winning application, or nil
}

// StudyMilestone is a milestone of a study's plan as its page shows it.
type StudyMilestone struct {
	Title, TitleKO, Deliverables, DeliverablesKO string
}

// StudyEvidence is one piece of a study's public evidence: a link or
// file (Label and URL) or a measured indicator (Label, Unit, Before,
// After).
type StudyEvidence struct {
	Kind          string // "file", "link" or "indicator"
	Label, URL    string
	Unit          string
	Before, After string
}

// FromStudy is the case of study st. Its text is what the study's public
// page shows: the title, host city, country, stage, partners, the plan's
// milestones (English and Korean), the final report and the public
// evidence (measured indicators as results, links and files as
// evidence). When the applicant agreed to share the project (ConsentKey),
// the application's summary, Korean title and summary, themes, SDGs,
// target groups and ESG pillar join it, and the case takes the
// visibility the applicant chose; without consent it holds only what the
// public page shows, and is public.
func FromStudy(st Study) *Case {
	c := &Case{Source: "study", StudyID: st.ID, Title: st.Title, CityCode: st.HostCity, CityName: st.HostCityName,
		Country: st.Country, Stage: st.Stage, Contacts: st.Organisation, Visibility: Public, Demo: st.Demo,
		Tags: map[string][]string{}}
	if !contains(Stages, c.Stage) {
		c.Stage = ""
	}
	if c.CityCode == "" && c.CityName == "" {
		c.CityName = st.Country
	}
	var en, ko []string
	if a := st.Application; a != nil {
		vis := a.Answers.First(ConsentKey)
		if vis == Public || vis == Members {
			p := FromApplication(a, vis)
			c.Visibility = vis
			c.TitleKO, c.ESGPillar = p.TitleKO, p.ESGPillar
			if s := strings.TrimSpace(p.Summary); s != "" {
				en = append(en, s)
			}
			if s := strings.TrimSpace(p.SummaryKO); s != "" {
				ko = append(ko, s)
			}
			for _, f := range []string{FieldThemes, FieldSDGs, FieldTargetGroups} {
				c.Tags[f] = p.Tags[f]
			}
		}
	}
	if s := strings.TrimSpace(st.FinalReport); s != "" {
		en = append(en, s)
	}
	for _, m := range st.Milestones {
		en = append(en, joinNonEmpty(": ", m.Title, m.Deliverables))
		if m.TitleKO != "" || m.DeliverablesKO != "" {
			ko = append(ko, joinNonEmpty(": ", m.TitleKO, m.DeliverablesKO))
		}
	}
	if len(st.Partners) > 0 {
		en = append(en, strings.Join(st.Partners, ", "))
	}
	c.Summary = clip(strings.Join(en, "\n"), MaxText)
	c.SummaryKO = clip(strings.Join(ko, "\n"), MaxText)
	if c.Summary == "" && c.SummaryKO == "" {
		c.Summary = c.Title // a study with nothing public yet but its title
	}
	var results, evidence []string
	for _, e := range st.Evidence {
		switch e.Kind {
		case "indicator":
			results = append(results, strings.TrimSpace(e.Label+": "+e.Before+" → "+e.After+" "+e.Unit))
		default:
			evidence = append(evidence, joinNonEmpty(" ", e.Label, e.URL))
		}
	}
	c.Results = clip(strings.Join(results, "\n"), MaxText)
	c.Evidence = clip(strings.Join(evidence, "\n"), MaxText)
	c.Contacts = clip(c.Contacts, MaxShort)
	langs := []string{"en"}
	if c.SummaryKO != "" || c.TitleKO != "" {
		langs = append(langs, "ko")
	}
	c.Tags[FieldLanguages] = langs
	return c
}

func joinNonEmpty(sep string, xs ...string) string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, sep)
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// PublishStudy makes (or refreshes) the library's case of feasibility
// study st (FromStudy): one case a study. The case links to the winning
// project's case ("adapted from") when the project has one; links the
// case had to other cases are kept. The follow-up calls it (through
// internal/app) in the transaction of every change of a study.
func (s *Service) PublishStudy(ctx context.Context, actor auditlog.Actor, st Study) error {
	c := FromStudy(st)
	if err := s.fill(ctx, c); err != nil {
		if citylens.ErrorCode(err) != citylens.EINVALID {
			return err
		}
		c.CityCode = "" // a host city no longer in the directory: keep its name
		if c.CityName == "" {
			c.CityName = st.Country
		}
	}
	old, err := s.Store.ExchangeCaseByStudy(ctx, st.ID)
	exists := err == nil
	if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return err
	}
	if exists {
		for _, l := range old.Links {
			if l.Kind != AdaptedFrom || st.Application == nil {
				c.Links = append(c.Links, l)
			}
		}
	}
	if st.Application != nil {
		if p, err := s.Store.ExchangeCaseByApplication(ctx, st.Application.ID); err == nil {
			c.Links = append([]Link{{Kind: AdaptedFrom, CaseID: p.ID}}, c.Links...)
		} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
	}
	if len(c.Links) > MaxLinks {
		c.Links = c.Links[:MaxLinks]
	}
	if err := c.Validate(); err != nil {
		return citylens.Ef(citylens.EINVALID, "exchange.error.study", "Study %d could not become a case.", st.ID).
			WithProblems(citylens.AsError(err).Problems...)
	}
	now := s.now()
	c.UpdatedAt = now
	action := "exchange.case.study"
	if exists {
		c.ID, c.CreatedAt, c.CreatedBy = old.ID, old.CreatedAt, old.CreatedBy
		if err := s.Store.UpdateExchangeCase(ctx, c); err != nil {
			return err
		}
		return s.record(ctx, actor, action, c, old)
	}
	c.CreatedAt, c.CreatedBy = now, actor.UserID
	if err := s.Store.CreateExchangeCase(ctx, c); err != nil {
		return err
	}
	return s.record(ctx, actor, action, c, nil)
}
