package demo

import (
	"bytes"
	"context"
	"fmt"

	"github.com/citylens/citylens/internal/followup"
)

// seedFollowup puts the 2025 winners' feasibility studies under way,
// opened at the announcement: the gold winner's study done, every
// milestone with its evidence (a measured indicator, a link, a report
// file) and the secretariat's go; the silver's at risk, its second
// milestone due in ten days; the bronze's on track. Due dates are set from
// today, so the demo reads the same whenever it is seeded.
func seedFollowup(ctx context.Context, s Services, adminID int64, adminEmail string) error {
	if s.Followup == nil {
		return nil
	}
	admin := followup.Viewer{UserID: adminID, Email: adminEmail, Admin: true}
	if _, err := s.Followup.OpenForEdition(ctx, admin.Actor(), "2025"); err != nil {
		return err
	}
	studies, err := s.Followup.List(ctx, admin, "2025")
	if err != nil || len(studies) < 3 {
		return err
	}
	today := s.Followup.Time()
	due := func(days int) string { return today.AddDate(0, 0, days).Format(followup.DateLayout) }
	plan := func(st *followup.Study, days []int, reported []string) error {
		for i, m := range st.Milestones {
			if i >= len(days) {
				break
			}
			if err := s.Followup.UpdateMilestone(ctx, admin, st.ID, m.ID, followup.MilestoneEdit{Due: due(days[i]), Reported: reported[i],
				Deliverables: m.Deliverables, DeliverablesKO: m.DeliverablesKO}); err != nil {
				return fmt.Errorf("demo study %d: %w", st.ID, err)
			}
		}
		return nil
	}
	done, onTrack, atRisk := followup.StatusDone, followup.StatusOnTrack, followup.StatusAtRisk
	byGrade := map[string]*followup.Study{}
	for _, st := range studies {
		byGrade[st.Grade] = st
	}
	gold, silver, bronze := byGrade["gold"], byGrade["silver"], byGrade["bronze"]
	if gold == nil || silver == nil || bronze == nil {
		return nil
	}

	// Seoul is a partner city of the gold and silver studies, its focal
	// point editing them for it (and told of their milestones).
	for _, st := range []*followup.Study{gold, silver} {
		if err := s.Followup.AddPartner(ctx, admin, st.ID, followup.Partner{Kind: followup.PartnerCity, CityCode: "kr-seoul", Name: "Seoul",
			Role: "partner_city"}, demoFocalEmail); err != nil {
			return fmt.Errorf("demo study partner: %w", err)
		}
	}

	// The gold winner's study: done, with evidence.
	if err := plan(gold, []int{-300, -200, -100, -10}, []string{done, done, done, done}); err != nil {
		return err
	}
	evidence := []followup.Evidence{
		{Kind: followup.EvidenceIndicator, Label: "Residents served per week", Unit: "residents", Before: 1200, After: 3400, Public: true},
		{Kind: followup.EvidenceLink, Label: "The host city's announcement", URL: "https://example.org/demo/followup-2025", Public: true},
		{Kind: followup.EvidenceIndicator, Label: "Average response time", Unit: "minutes", Before: 38, After: 12, Public: true},
		{Kind: followup.EvidenceFile, Label: "Final evaluation (PDF)", Public: true},
	}
	for i, e := range evidence {
		var file *bytes.Reader
		if e.Kind == followup.EvidenceFile {
			file = bytes.NewReader(demoPDF)
		}
		var err error
		if file != nil {
			_, err = s.Followup.AddEvidence(ctx, admin, gold.ID, gold.Milestones[i].ID, e, "evaluation.pdf", file)
		} else {
			_, err = s.Followup.AddEvidence(ctx, admin, gold.ID, gold.Milestones[i].ID, e, "", nil)
		}
		if err != nil {
			return fmt.Errorf("demo evidence: %w", err)
		}
	}
	if err := s.Followup.Update(ctx, admin, gold.ID, followup.StudyEdit{Currency: "KRW", Budget: 480_000_000, Reported: onTrack,
		Risks:       "None left: the service runs on the host city's budget.",
		FinalReport: "The study nearly tripled the residents served each week and cut the average response time from 38 to 12 minutes. The host city takes the service into its regular budget."}); err != nil {
		return err
	}
	if err := s.Followup.Review(ctx, admin, gold.ID, "Evidence complete; figures checked against the operator's logs.", followup.DecisionGo,
		"Results above the targets; the host city funds the next phase."); err != nil {
		return err
	}

	// The silver winner's study: at risk.
	if err := plan(silver, []int{-60, 10, 120, 220}, []string{done, atRisk, onTrack, onTrack}); err != nil {
		return err
	}
	if _, err := s.Followup.AddEvidence(ctx, admin, silver.ID, silver.Milestones[0].ID, followup.Evidence{Kind: followup.EvidenceIndicator,
		Label: "Households reached", Unit: "households", Before: 0, After: 640, Public: true}, "", nil); err != nil {
		return err
	}
	if err := s.Followup.Update(ctx, admin, silver.ID, followup.StudyEdit{Currency: "USD", Budget: 350_000, Reported: atRisk,
		Risks: "The partner company's equipment arrives late; the funder's board meets after the milestone's date."}); err != nil {
		return err
	}

	// The bronze winner's study: on track.
	return plan(bronze, []int{-30, 60, 180, 270}, []string{done, onTrack, onTrack, onTrack})
}

// demoPDF is a one-page PDF, the demo's evaluation report.
var demoPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj " +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
