package web

import (
	"context"
	"sort"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/eurostat"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
)

// EurostatEdition is the edition code of the real-data example release.
const EurostatEdition = "eurostat-urban-audit"

// demoUncertainty keeps serve --demo quick to start: 200 uncertainty
// replications (publishing from the workflow uses release.DefaultN = 1,000)
// and a small sensitivity design. The methodology page says how many ran.
var demoUncertainty = release.Uncertainty{N: 200, Seed: release.DefaultSeed, SAN: 40, Bootstrap: 50}

// seedReleaseDemo publishes, once, every demo edition of the data call
// (oldest first, so the newer one measures rank changes against it) and the
// Eurostat real-data example. Idempotent: editions with a published release
// are left alone.
func (s *Server) seedReleaseDemo(ctx context.Context) error {
	sys := auditlog.System("demo-seed")
	eds, err := s.store.Editions(ctx)
	if err != nil {
		return err
	}
	sort.Slice(eds, func(i, j int) bool { return eds[i].ReferenceYear < eds[j].ReferenceYear })
	wf := s.releaseWorkflow()
	cities, err := s.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	for _, e := range eds {
		if _, err := wf.Latest(ctx, e.Code); err == nil {
			continue
		} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		start := time.Now()
		infos, err := s.store.DraftReleases(ctx, e.Code)
		if err != nil {
			return err
		}
		var id int64
		if len(infos) > 0 {
			id = infos[0].ID
		} else {
			id, _, err = s.dataCallService().ComputeEdition(ctx, sys, e.Code, dataCallCities(cities), nil)
			if err != nil {
				return err
			}
		}
		dr, info, err := s.store.DraftRelease(ctx, id)
		if err != nil {
			return err
		}
		in, err := s.releaseInput(ctx, dr, false)
		if err != nil {
			return err
		}
		in.Config.Uncertainty = demoUncertainty
		rel, err := release.Publish(ctx, in)
		if err != nil {
			return err
		}
		if _, err := wf.Save(ctx, sys, release.PublishRequest{Release: rel, DraftID: id, Demo: true,
			CreatedBy: info.CreatedBy, CreatedAt: info.CreatedAt}); err != nil {
			return err
		}
		s.log.Info("demo release published", "edition", e.Code, "hash", shortHash(rel.Hash()), "cities", rel.Summary().Cities,
			"replications", demoUncertainty.N, "took", time.Since(start).Round(time.Millisecond))
	}
	if _, err := wf.Latest(ctx, EurostatEdition); err == nil {
		s.explorer.forget()
		return nil
	} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return err
	}
	start := time.Now()
	dr, err := eurostatDraft()
	if err != nil {
		return err
	}
	rel, err := release.Publish(ctx, release.PublishInput{Draft: dr, PublishedAt: s.now().UTC(),
		Config: release.Config{Uncertainty: demoUncertainty}})
	if err != nil {
		return err
	}
	if _, err := wf.Save(ctx, sys, release.PublishRequest{Release: rel, Title: "Urban environment index of EU cities (Eurostat, real data)",
		CreatedBy: sys.Email}); err != nil {
		return err
	}
	s.log.Info("example release published", "edition", EurostatEdition, "hash", shortHash(rel.Hash()), "cities", rel.Summary().Cities,
		"took", time.Since(start).Round(time.Millisecond))
	s.explorer.forget()
	return nil
}

// eurostatDraft is the Eurostat Urban Audit example as a release draft:
// real values with the year each was reported, cities placed by their
// coordinates, rated within their country.
func eurostatDraft() (release.Draft, error) {
	ed, err := eurostat.Load()
	if err != nil {
		return release.Draft{}, err
	}
	d := release.Draft{Edition: EurostatEdition, Framework: ed.Framework, Method: ed.Method,
		Licence:     release.Licence{Name: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0", Path: "https://creativecommons.org/licenses/by/4.0/"},
		Attribution: ed.Attribution}
	for _, c := range ed.Cities {
		d.Cities = append(d.Cities, release.City{Code: c.Code, Name: c.Name, Country: c.Country, Region: "EU", Lat: c.Lat, Lon: c.Lon, PeerGroup: c.Country})
	}
	var inds []string
	for _, n := range ed.Framework {
		if n.Kind == engine.Indicator {
			inds = append(inds, n.Code)
			if n.Denominator != "" {
				inds = append(inds, n.Denominator)
			}
		}
	}
	for i, u := range ed.Data.Units {
		for _, code := range inds {
			col, ok := ed.Data.Columns[code]
			if !ok || engine.IsNA(col[i]) {
				continue
			}
			d.Data = append(d.Data, release.DataPoint{City: u, Indicator: code, Value: col[i], Source: "Eurostat, Urban Audit (urb_cenv and related tables)",
				DataYear: ed.Year[u][code]})
		}
	}
	return d, nil
}

func dataCallCities(cities []members.City) []datacall.City {
	out := make([]datacall.City, len(cities))
	for i, c := range cities {
		out[i] = datacall.City{Code: c.Code, Name: c.Name, Region: c.RegionCode, Country: c.Country}
	}
	return out
}
