package demo

import (
	"context"
	"sort"
	"time"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/eurostat"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
)

// EurostatEdition is the edition code of the real-data example release.
const EurostatEdition = "eurostat-urban-audit"

// uncertainty keeps serve --demo quick to start: 200 uncertainty
// replications (publishing from the workflow uses release.DefaultN = 1,000)
// and a small sensitivity design. The methodology page says how many ran.
var uncertainty = release.Uncertainty{N: 200, Seed: release.DefaultSeed, SAN: 40, Bootstrap: 50}

// seedReleases publishes, once, every demo edition of the data call
// (oldest first, so the newer one measures rank changes against it) and the
// Eurostat real-data example. Editions with a published release are left
// alone.
func seedReleases(ctx context.Context, s Services) error {
	pub := s.Publication
	eds, err := s.Store.Editions(ctx)
	if err != nil {
		return err
	}
	sort.Slice(eds, func(i, j int) bool { return eds[i].ReferenceYear < eds[j].ReferenceYear })
	mine, err := s.Store.DemoSeeded(ctx, SeededEdition)
	if err != nil {
		return err
	}
	seeded := map[string]bool{}
	for _, c := range mine {
		seeded[c] = true
	}
	for _, e := range eds {
		if !seeded[e.Code] {
			continue // not the demo's: never computed or published here
		}
		done, err := pub.HasLive(ctx, e.Code)
		if err != nil {
			return err
		}
		if done {
			continue
		}
		start := time.Now()
		infos, err := s.Store.DraftReleases(ctx, e.Code)
		if err != nil {
			return err
		}
		var id int64
		if len(infos) > 0 {
			id = infos[0].ID
		} else if id, _, err = pub.Compute(ctx, system, e.Code, nil); err != nil {
			return err
		}
		u := uncertainty
		rec, err := pub.PublishDraft(ctx, system, publication.Publication{DraftID: id, Uncertainty: &u, Demo: true}, nil)
		if err != nil {
			return err
		}
		s.Log.Info("demo release published", "edition", e.Code, "hash", release.ShortHash(rec.Hash), "cities", rec.Cities,
			"replications", uncertainty.N, "took", time.Since(start).Round(time.Millisecond))
	}
	if done, err := pub.HasLive(ctx, EurostatEdition); err != nil || done {
		return err
	}
	start := time.Now()
	dr, err := eurostatDraft()
	if err != nil {
		return err
	}
	licence := release.DefaultLicence()
	rec, err := pub.PublishExample(ctx, system, release.PublishInput{Draft: dr,
		Config: release.Config{Uncertainty: uncertainty, PeerGroup: release.PeerByCountry, Licence: &licence}},
		"Urban environment index of EU cities (Eurostat, real data)")
	if err != nil {
		return err
	}
	s.Log.Info("example release published", "edition", EurostatEdition, "hash", release.ShortHash(rec.Hash), "cities", rec.Cities,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// eurostatDraft is the Eurostat Urban Audit example as a release draft:
// real values with the year each was reported, cities placed by their
// coordinates (rated within their country: see seedReleases).
func eurostatDraft() (release.Draft, error) {
	ed, err := eurostat.Load()
	if err != nil {
		return release.Draft{}, err
	}
	d := release.Draft{Edition: EurostatEdition, Framework: ed.Framework, Method: ed.Method, Attribution: ed.Attribution}
	for _, c := range ed.Cities {
		d.Cities = append(d.Cities, release.City{Code: c.Code, Name: c.Name, Country: c.Country, Region: "EU", Lat: c.Lat, Lon: c.Lon})
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
