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
// already there (perhaps edited by the secretariat) are left alone, so
// seeding again changes nothing. It returns how many were added.
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
		var missing []Indicator
		for _, ind := range seed {
			if _, ok := known[ind.Code]; !ok {
				missing = append(missing, ind)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if err := s.Store.PutIndicators(ctx, missing); err != nil {
			return err
		}
		added = len(missing)
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "catalogue.seed", "catalogue", "u4ssc", nil,
			map[string]any{"added": len(missing), "source": U4SSCAttribution})
	})
	return added, err
}

// PutIndicator validates and stores one indicator, with its audit entry.
func (s *Service) PutIndicator(ctx context.Context, actor auditlog.Actor, ind Indicator) error {
	if err := ind.Validate(); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		before, err := s.Store.Indicator(ctx, ind.Code)
		var prev any
		switch citylens.ErrorCode(err) {
		case "":
			if reflect.DeepEqual(before, ind) {
				return nil
			}
			prev = before
		case citylens.ENOTFOUND:
		default:
			return err
		}
		if err := s.Store.PutIndicators(ctx, []Indicator{ind}); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "indicator.put", "indicator", ind.Code, prev, ind)
	})
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
				return citylens.Errorf(citylens.EINVALID, "edition %q: previous edition %q does not exist", e.Code, e.PreviousEdition)
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
