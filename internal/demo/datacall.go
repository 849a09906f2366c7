package demo

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
)

// seoul is the city left for the newcomer's walk-through: its 2026
// submission is an empty draft for the demo focal point to fill in.
const seoul = "kr-seoul"

// seedDataCall seeds, once, the U4SSC catalogue, a closed edition 2025
// with every demo city's accepted values and an open edition 2026 (window
// around now) where most cities are accepted, some wait for review, some
// are drafts and Seoul has not started. Values are synthetic and
// deterministic. Each edition is seeded in one transaction.
func seedDataCall(ctx context.Context, s Services) error {
	defer s.DataCall.Calls.Invalidate()
	if _, err := s.Catalogue.SeedU4SSC(ctx, system); err != nil {
		return err
	}
	inds, err := s.Store.Indicators(ctx)
	if err != nil {
		return err
	}
	cities, err := s.Store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	now := s.Now().UTC().Truncate(24 * time.Hour)
	specs := []struct {
		code, prev string
		ref        int
		status     string
		opens      time.Time
		closes     time.Time
	}{
		{"2025", "", 2024, catalogue.StatusClosed, now.AddDate(-1, -1, 0), now.AddDate(-1, 2, 0)},
		{"2026", "2025", 2025, catalogue.StatusOpen, now.AddDate(0, 0, -30), now.AddDate(0, 0, 60)},
	}
	admin := datacall.Actor{Role: datacall.RoleAdmin, Email: system.Email}
	for _, sp := range specs {
		_, err := s.Store.Edition(ctx, sp.code)
		if err == nil {
			continue // seeded before, or the secretariat's own (then left alone)
		}
		if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		e, _, err := catalogue.NewEdition(sp.code, "Smart Cities Index "+sp.code, sp.ref, sp.opens, sp.closes, inds)
		if err != nil {
			return err
		}
		e.PreviousEdition, e.Status = sp.prev, sp.status
		// The network rates cities as IMD does: within their country's
		// human development group.
		e.Release = json.RawMessage(`{"peer_group": "` + release.PeerByHDI + `"}`)
		err = s.Store.InTx(ctx, func(ctx context.Context) error {
			if err := s.Catalogue.CreateEdition(ctx, system, e); err != nil {
				return err
			}
			if err := s.Store.MarkDemoSeeded(ctx, SeededEdition, e.Code, s.Now()); err != nil {
				return err
			}
			return seedValues(ctx, s.DataCall, admin, e, catalogue.Index(inds), cities)
		})
		if err != nil {
			return err
		}
		s.Log.Info("demo edition seeded", "edition", e.Code, "cities", len(cities))
	}
	return nil
}

func seedValues(ctx context.Context, svc *datacall.Service, admin datacall.Actor, e *catalogue.Edition, cat map[string]catalogue.Indicator, cities []members.City) error {
	final := e.Status == catalogue.StatusClosed
	var refs []datacall.CityRef
	var entries []datacall.Entry
	state := map[string]string{}
	for i, c := range cities {
		st := datacall.StateAccepted
		switch {
		case final:
		case c.Code == seoul:
			st = ""
		case i%9 == 1:
			st = datacall.StateSubmitted
		case i%9 == 2:
			st = datacall.StateDraft
		}
		state[c.Code] = st
		if st == "" {
			continue
		}
		refs = append(refs, datacall.CityRef{Code: c.Code, Region: c.RegionCode})
		for k, n := range e.Indicators() {
			if st == datacall.StateDraft && k%2 == 1 {
				continue // a draft half filled in
			}
			ind := cat[n.Code]
			entries = append(entries, datacall.Entry{Row: len(entries) + 2, City: c.Code, Indicator: n.Code, Unit: ind.Unit,
				Value:  strconv.FormatFloat(Value(ind, c, e.ReferenceYear), 'f', -1, 64),
				Source: "Demo city statistics office (synthetic data)", DataYear: strconv.Itoa(e.ReferenceYear)})
		}
	}
	if _, err := svc.Import(ctx, admin, e.Code, refs, entries); err != nil {
		return err
	}
	for _, ref := range refs {
		actions := map[string][]string{
			datacall.StateSubmitted: {datacall.ActionSubmit},
			datacall.StateAccepted:  {datacall.ActionSubmit, datacall.ActionAccept},
		}[state[ref.Code]]
		for _, a := range actions {
			if _, err := svc.Transition(ctx, admin, e.Code, ref, a, "", nil); err != nil {
				return err
			}
		}
	}
	return nil
}
