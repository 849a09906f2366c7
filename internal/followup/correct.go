package followup

import (
	"context"
	"strings"

	"github.com/citylens/citylens"
)

// Corrections of a study's partners and evidence: its editors (CanEdit)
// change or remove what was entered; every change is in the audit log
// with the record before and after, and a refused change saves nothing.

func partnerNotFound(pid int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "followup.error.partner", "Partner %d not found.", pid)
}

func evidenceNotFound(eid int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "followup.error.evidence", "Evidence %d not found.", eid)
}

func partnerOf(st *Study, pid int64) (Partner, bool) {
	for _, p := range st.Partners {
		if p.ID == pid {
			return p, true
		}
	}
	return Partner{}, false
}

func evidenceOf(st *Study, eid int64) (Evidence, bool) {
	for _, m := range st.Milestones {
		for _, e := range m.Evidence {
			if e.ID == eid {
				return e, true
			}
		}
	}
	return Evidence{}, false
}

// checkPartner bounds a partner city's code and checks p.
func checkPartner(p *Partner) error {
	if p.Kind != PartnerCity {
		p.CityCode = ""
	} else if !codeRe.MatchString(p.CityCode) || len(p.CityCode) > maxIndicatorID {
		return invalid([]citylens.Problem{citylens.Problem{Field: "city_code"}.Keyed("followup.error.city", "%q is not a city's code", p.CityCode)})
	}
	return p.Validate()
}

// UpdatePartner changes a partner's kind, city, name, role and account:
// email names a new account, "" keeps the partner's own unless noAccount.
func (s *Service) UpdatePartner(ctx context.Context, v Viewer, id, pid int64, p Partner, email string, noAccount bool) error {
	return s.mutate(ctx, v, id, "followup.partner.update", func(ctx context.Context, st *Study) (any, any, error) {
		before, ok := partnerOf(st, pid)
		if !ok {
			return nil, nil, partnerNotFound(pid)
		}
		p.ID, p.StudyID = pid, id
		p.Name, p.CityCode = strings.TrimSpace(p.Name), strings.TrimSpace(p.CityCode)
		if err := checkPartner(&p); err != nil {
			return nil, nil, err
		}
		var err error
		if p.UserID, err = s.userByEmail(ctx, "email", email); err != nil {
			return nil, nil, err
		}
		if p.UserID == 0 && !noAccount {
			p.UserID = before.UserID
		}
		if err := s.Store.UpdateFollowupPartner(ctx, p); err != nil {
			return nil, nil, err
		}
		return before, p, nil
	})
}

// RemovePartner removes a partner from a study.
func (s *Service) RemovePartner(ctx context.Context, v Viewer, id, pid int64) error {
	return s.mutate(ctx, v, id, "followup.partner.remove", func(ctx context.Context, st *Study) (any, any, error) {
		before, ok := partnerOf(st, pid)
		if !ok {
			return nil, nil, partnerNotFound(pid)
		}
		if err := s.Store.DeleteFollowupPartner(ctx, id, pid); err != nil {
			return nil, nil, err
		}
		return before, nil, nil
	})
}

// EvidenceEdit is what editors correct of evidence: its kind and its
// file's bytes stay (a wrong file is removed and added again).
type EvidenceEdit struct {
	Label     string
	Public    bool
	URL       string // a link's
	Indicator string // a measured indicator's
	Unit      string
	Before    float64
	After     float64
}

// UpdateEvidence corrects evidence.
func (s *Service) UpdateEvidence(ctx context.Context, v Viewer, id, eid int64, ed EvidenceEdit) error {
	return s.mutate(ctx, v, id, "followup.evidence.update", func(ctx context.Context, st *Study) (any, any, error) {
		before, ok := evidenceOf(st, eid)
		if !ok {
			return nil, nil, evidenceNotFound(eid)
		}
		e := before
		e.Label, e.Public = strings.TrimSpace(ed.Label), ed.Public
		switch e.Kind {
		case EvidenceLink:
			e.URL = strings.TrimSpace(ed.URL)
		case EvidenceIndicator:
			e.Indicator, e.Unit, e.Before, e.After = strings.TrimSpace(ed.Indicator), strings.TrimSpace(ed.Unit), ed.Before, ed.After
		case EvidenceFile:
			if e.Label == "" {
				e.Label = e.FileName
			}
		}
		if err := e.Validate(); err != nil {
			return nil, nil, err
		}
		if err := s.Store.UpdateFollowupEvidence(ctx, e); err != nil {
			return nil, nil, err
		}
		return before, e, nil
	})
}

// RemoveEvidence removes evidence, and its file with it.
func (s *Service) RemoveEvidence(ctx context.Context, v Viewer, id, eid int64) error {
	return s.mutate(ctx, v, id, "followup.evidence.remove", func(ctx context.Context, st *Study) (any, any, error) {
		before, ok := evidenceOf(st, eid)
		if !ok {
			return nil, nil, evidenceNotFound(eid)
		}
		if err := s.Store.DeleteFollowupEvidence(ctx, id, eid); err != nil {
			return nil, nil, err
		}
		return before, nil, nil
	})
}
