package app

import (
	"context"
	"strconv"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/prize"
)

// The knowledge library and the winners' follow-up meet here, so neither
// package imports the other: every change of a feasibility study
// (followup.Service.Changed, in the change's transaction) refreshes the
// study's case in the library (exchange.Service.PublishStudy).

// Applications is what the hook reads of the prize.
type applications interface {
	PrizeApplication(ctx context.Context, id int64) (*prize.Application, error)
}

// studyToLibrary is the Changed hook of the follow-up: the library's case
// of st, made of what a visitor sees of the study (followup.Public) and
// its winning application.
func studyToLibrary(lib *exchange.Service, apps applications) func(ctx context.Context, actor auditlog.Actor, st *followup.Study) error {
	return func(ctx context.Context, actor auditlog.Actor, st *followup.Study) error {
		var a *prize.Application
		if st.AppID != 0 {
			var err error
			if a, err = apps.PrizeApplication(ctx, st.AppID); err != nil {
				return err
			}
		}
		return lib.PublishStudy(ctx, actor, LibraryStudy(followup.Public(st), a))
	}
}

// LibraryStudy is public study st (followup.Public: public evidence only,
// no working notes) as the library takes it, with its application a.
func LibraryStudy(st *followup.Study, a *prize.Application) exchange.Study {
	out := exchange.Study{ID: st.ID, Title: st.Title, Organisation: st.Organisation, Country: st.Country, Stage: st.Stage,
		HostCity: st.HostCity, HostCityName: st.HostCityName, FinalReport: st.FinalReport, Demo: st.Demo, Application: a}
	for _, p := range st.Partners {
		out.Partners = append(out.Partners, p.Name)
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	for _, m := range st.Milestones {
		out.Milestones = append(out.Milestones, exchange.StudyMilestone{Title: m.Title, TitleKO: m.TitleKO,
			Deliverables: m.Deliverables, DeliverablesKO: m.DeliverablesKO})
		for _, e := range m.Evidence {
			if !e.Public {
				continue
			}
			x := exchange.StudyEvidence{Kind: e.Kind, Label: e.Label}
			switch e.Kind {
			case followup.EvidenceLink:
				x.URL = e.URL
			case followup.EvidenceFile:
				x.URL = "/followup/files/" + e.FileID
			case followup.EvidenceIndicator:
				x.Unit, x.Before, x.After = e.Unit, num(e.Before), num(e.After)
			}
			out.Evidence = append(out.Evidence, x)
		}
	}
	return out
}
