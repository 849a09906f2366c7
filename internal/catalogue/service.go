package catalogue

import (
	"context"
	"reflect"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// Service applies the catalogue's rules: validation, and an audit entry in
// the same transaction as every change.
type Service struct {
	Store interface {
		Store
		EditionStore
	}
	Audit auditlog.Store
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// SeedU4SSC adds the U4SSC indicators that the catalogue lacks; indicators
// already there (perhaps edited by the secretariat) are left alone, but for
// one with no Korean text at all (stored before the catalogue had it),
// which is given the seed's Korean name, unit and definition. Seeding again
// changes nothing. It returns how many were added.
func (s *Service) SeedU4SSC(ctx context.Context, actor auditlog.Actor) (int, error) {
	seed, err := SeedU4SSC()
	if err != nil {
		return 0, err
	}
	added := 0
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		have, err := s.Store.Indicators(ctx)
		if err != nil {
			return err
		}
		known := Index(have)
		var missing, korean []Indicator
		for _, ind := range seed {
			old, ok := known[ind.Code]
			switch {
			case !ok:
				missing = append(missing, ind)
			case old.Ko == Korean{} && old.Xwalk.U4SSC == ind.Xwalk.U4SSC:
				old.Ko = ind.Ko
				korean = append(korean, old)
			}
		}
		if len(missing)+len(korean) == 0 {
			return nil
		}
		if err := s.Store.PutIndicators(ctx, append(missing, korean...)); err != nil {
			return err
		}
		added = len(missing)
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "catalogue.seed", "catalogue", "u4ssc", nil,
			map[string]any{"added": len(missing), "korean_added": len(korean), "source": U4SSCAttribution})
	})
	return added, err
}

// How an indicator write treats an existing indicator of the same code.
type putMode int

const (
	upsert   putMode = iota // create or replace
	mustNew                 // ECONFLICT when the code is taken
	mustHave                // ENOTFOUND when there is none
)

// PutIndicator validates and stores one indicator, created or replaced,
// with its audit entry. Storing an unchanged indicator records nothing.
func (s *Service) PutIndicator(ctx context.Context, actor auditlog.Actor, ind Indicator) error {
	return s.putIndicator(ctx, actor, ind, upsert)
}

// CreateIndicator validates and stores a new indicator, with its audit
// entry; a code already in the catalogue is ECONFLICT.
func (s *Service) CreateIndicator(ctx context.Context, actor auditlog.Actor, ind Indicator) error {
	return s.putIndicator(ctx, actor, ind, mustNew)
}

// UpdateIndicator validates and replaces an indicator of the catalogue,
// with its audit entry; ENOTFOUND when there is none. Editions draw their
// indicators' direction, unit and goalposts from the catalogue when they
// are computed (see EditionsUsing): published releases keep theirs.
func (s *Service) UpdateIndicator(ctx context.Context, actor auditlog.Actor, ind Indicator) error {
	return s.putIndicator(ctx, actor, ind, mustHave)
}

func (s *Service) putIndicator(ctx context.Context, actor auditlog.Actor, ind Indicator, mode putMode) error {
	verr := ind.Validate()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		before, err := s.Store.Indicator(ctx, ind.Code)
		exists := err == nil
		if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		switch {
		case mode == mustNew && exists:
			p := citylens.Problem{Field: "code"}.Keyed("catalogue.problem.code_taken", "indicator code %q is taken: the catalogue has it (%s)", ind.Code, before.Name)
			if verr != nil {
				return invalid(ind.Code, append(ind.Problems(), p))
			}
			return &citylens.Error{Code: citylens.ECONFLICT, Key: p.Key, Args: p.Args, Message: p.Reason, Problems: []citylens.Problem{p}}
		case mode == mustHave && !exists:
			return citylens.Ef(citylens.ENOTFOUND, "catalogue.error.not_found", "indicator %q not found", ind.Code)
		}
		if verr != nil {
			return verr
		}
		var prev any
		action := "indicator.create"
		if exists {
			if reflect.DeepEqual(before, ind) {
				return nil
			}
			prev, action = before, "indicator.update"
		}
		if err := s.Store.PutIndicators(ctx, []Indicator{ind}); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), actor, action, "indicator", ind.Code, prev, ind)
	})
}

// EditionUse is an edition whose framework holds an indicator.
type EditionUse struct {
	Edition *Edition
	// Direction is the edition's own direction for the indicator (0: it
	// takes the catalogue's).
	Direction int
	Optional  bool
}

// EditionsUsing lists the editions whose framework holds the indicator,
// newest first. Their next computation takes the indicator's direction
// (unless the edition sets its own), unit and valid range (the
// goalposts) from the catalogue as it is then.
func (s *Service) EditionsUsing(ctx context.Context, code string) ([]EditionUse, error) {
	eds, err := s.Store.Editions(ctx)
	if err != nil {
		return nil, err
	}
	var out []EditionUse
	for _, e := range eds {
		for _, n := range e.Framework {
			if n.Kind == KindIndicator && n.Code == code {
				out = append(out, EditionUse{Edition: e, Direction: n.Direction, Optional: n.Optional})
				break
			}
		}
	}
	return out, nil
}

// ScoringChanges names what changed between two versions of an indicator
// that changes the scores or the checks of an edition using it: direction,
// unit, min, max (in that order; empty when none did).
func ScoringChanges(before, after Indicator) []string {
	var out []string
	if before.Direction != after.Direction {
		out = append(out, "direction")
	}
	if before.Unit != after.Unit {
		out = append(out, "unit")
	}
	same := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	if !same(before.Min, after.Min) {
		out = append(out, "min")
	}
	if !same(before.Max, after.Max) {
		out = append(out, "max")
	}
	return out
}

// CreateEdition validates and stores a new edition.
func (s *Service) CreateEdition(ctx context.Context, actor auditlog.Actor, e *Edition) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		inds, err := s.Store.Indicators(ctx)
		if err != nil {
			return err
		}
		if err := e.Validate(Index(inds)); err != nil {
			return err
		}
		if e.PreviousEdition != "" {
			if _, err := s.Store.Edition(ctx, e.PreviousEdition); err != nil {
				return citylens.Ef(citylens.EINVALID, "catalogue.edition.no_previous", "edition %q: previous edition %q does not exist", e.Code, e.PreviousEdition)
			}
		}
		if err := s.Store.CreateEdition(ctx, e); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "edition.create", "edition", e.Code, nil, e)
	})
}

// SetStatus opens, closes or reopens an edition's data call.
func (s *Service) SetStatus(ctx context.Context, actor auditlog.Actor, code, status string) (*Edition, error) {
	var out *Edition
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.Store.Edition(ctx, code)
		if err != nil {
			return err
		}
		inds, err := s.Store.Indicators(ctx)
		if err != nil {
			return err
		}
		before := e.Status
		if err := e.SetStatus(status, Index(inds)); err != nil {
			return err
		}
		if err := s.Store.UpdateEdition(ctx, e); err != nil {
			return err
		}
		out = e
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "edition.status", "edition", code,
			map[string]string{"status": before}, map[string]string{"status": status})
	})
	return out, err
}

// UpdateWindow changes an edition's data-call window.
func (s *Service) UpdateWindow(ctx context.Context, actor auditlog.Actor, code string, opens, closes time.Time) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.Store.Edition(ctx, code)
		if err != nil {
			return err
		}
		inds, err := s.Store.Indicators(ctx)
		if err != nil {
			return err
		}
		before := map[string]time.Time{"opens": e.Opens, "closes": e.Closes}
		e.Opens, e.Closes = opens, closes
		if err := e.Validate(Index(inds)); err != nil {
			return err
		}
		if err := s.Store.UpdateEdition(ctx, e); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "edition.window", "edition", code, before,
			map[string]time.Time{"opens": opens, "closes": closes})
	})
}
