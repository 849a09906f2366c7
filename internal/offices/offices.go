// Package offices is the network's regional offices' view of their region
// (issue 16, item 5): an office's public page (its cities and the public
// partnerships among them) and its dashboard for the secretariat and the
// region's regional officers: the cities' data-call status in the current
// edition, the prize applications of the latest prize edition, the
// feasibility studies, every partnership (members-only ones too) and the
// network's events with people of the region's cities registered. It only
// reads, through the services and stores that own each part.
package offices

import (
	"context"
	"sort"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
)

// Directory is what offices read of the member directory.
type Directory interface {
	ListOffices(ctx context.Context) ([]members.Office, error)
	Office(ctx context.Context, code string) (members.Office, error)
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
}

// Sources are the other parts of the platform a dashboard reads.
type Sources interface {
	Editions(ctx context.Context) ([]*catalogue.Edition, error) // newest first
	PrizeEditions(ctx context.Context) ([]*prize.Edition, error)
	PrizeApplications(ctx context.Context, f prize.ApplicationFilter) ([]*prize.Application, error)
	FollowupStudies(ctx context.Context, edition string) ([]*followup.Study, error)
	Events(ctx context.Context, limit, offset int) ([]*events.Event, error)
	EventRegistrations(ctx context.Context, eventID int64) ([]events.Registration, error)
}

// Service builds the offices' pages.
type Service struct {
	Directory    Directory
	Sources      Sources
	DataCall     *datacall.Service
	Partnerships *exchange.PartnershipService
}

// Viewer is who reads an office's dashboard.
type Viewer struct {
	Admin  bool   // the secretariat: every office
	Region string // a regional officer's region: its offices only
}

// MaxEvents bounds the events a dashboard looks through.
const MaxEvents = 500

// Page is an office's public page.
type Page struct {
	Office       members.Office
	Cities       []members.City // served by the office, by name
	Partnerships []*exchange.Partnership
	// Parties are the partnerships' cities (any office's) and partner
	// organisations' names, by code.
	Parties  map[string]members.City
	Partners map[string]string
}

// CityRow is one city of a dashboard.
type CityRow struct {
	City         members.City
	CallState    string // the data call's state in Edition; "" when the city has no submission
	Entered      int    // required indicators with a value
	Required     int
	Applications int // applications of the prize edition from the city
	Studies      int
	Partnerships int
}

// EventRow is an event with people of the region registered.
type EventRow struct {
	Event      *events.Event
	Registered int // registrations (not cancelled) from the region's cities
}

// Dashboard is an office's dashboard.
type Dashboard struct {
	Page
	Edition      *catalogue.Edition // the data call shown (nil: none)
	PrizeEdition *prize.Edition     // the prize edition shown (nil: none)
	Rows         []CityRow
	CallStates   map[string]int // cities by data-call state ("" none)
	Applications []*prize.Application
	Studies      []*followup.Study
	Events       []EventRow
}

// List lists the offices.
func (s *Service) List(ctx context.Context) ([]members.Office, error) {
	return s.Directory.ListOffices(ctx)
}

// Page is office code's public page: its cities and the public
// partnerships of any of them.
func (s *Service) Page(ctx context.Context, code string) (*Page, error) {
	return s.page(ctx, code, exchange.Viewer{})
}

func (s *Service) page(ctx context.Context, code string, v exchange.Viewer) (*Page, error) {
	o, err := s.Directory.Office(ctx, code)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, citylens.Ef(citylens.ENOTFOUND, "regoffice.error.notfound", "Regional office %s not found.", code)
		}
		return nil, err
	}
	all, err := s.Directory.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return nil, err
	}
	p := &Page{Office: o, Parties: map[string]members.City{}, Partners: map[string]string{}}
	var codes []string
	byCode := map[string]members.City{}
	for _, c := range all {
		byCode[c.Code] = c
		if c.OfficeCode == o.Code {
			p.Cities = append(p.Cities, c)
			codes = append(codes, c.Code)
		}
	}
	sort.Slice(p.Cities, func(i, j int) bool { return p.Cities[i].Name < p.Cities[j].Name })
	if s.Partnerships != nil && len(codes) > 0 {
		if p.Partnerships, err = s.Partnerships.List(ctx, v, exchange.PartnershipFilter{Cities: codes}); err != nil {
			return nil, err
		}
		for _, pt := range p.Partnerships {
			for _, c := range pt.Cities() {
				p.Parties[c] = byCode[c]
			}
			if pt.Partner != "" {
				p.Partners[pt.Partner] = s.Partnerships.PartnerName(ctx, pt.Partner)
			}
		}
	}
	return p, nil
}

// Dashboard is office code's dashboard for v: the secretariat's for any
// office, a regional officer's for the offices of its region only.
func (s *Service) Dashboard(ctx context.Context, v Viewer, code string) (*Dashboard, error) {
	o, err := s.Directory.Office(ctx, code)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, citylens.Ef(citylens.ENOTFOUND, "regoffice.error.notfound", "Regional office %s not found.", code)
		}
		return nil, err
	}
	if !v.Admin && (v.Region == "" || v.Region != o.RegionCode) {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "regoffice.error.forbidden", "The dashboard of %s is for the secretariat and the officers of its region.", o.Name)
	}
	p, err := s.page(ctx, code, exchange.Viewer{Member: true})
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Page: *p, CallStates: map[string]int{}}
	idx := map[string]int{}
	codes := make([]string, len(p.Cities))
	for i, c := range p.Cities {
		idx[c.Code] = i
		codes[i] = c.Code
		d.Rows = append(d.Rows, CityRow{City: c})
	}
	// The data call: the newest open edition, else the newest.
	eds, err := s.Sources.Editions(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range eds {
		if e.Status == catalogue.StatusOpen {
			d.Edition = e
			break
		}
	}
	if d.Edition == nil && len(eds) > 0 {
		d.Edition = eds[0]
	}
	if d.Edition != nil && len(codes) > 0 && s.DataCall != nil {
		b, err := s.DataCall.CoverageBoard(ctx, d.Edition, "", codes)
		if err != nil {
			return nil, err
		}
		for _, cp := range b.Progress {
			if i, ok := idx[cp.City]; ok {
				d.Rows[i].CallState, d.Rows[i].Entered, d.Rows[i].Required = cp.State, cp.Entered, cp.Required
			}
		}
	}
	for _, r := range d.Rows {
		d.CallStates[r.CallState]++
	}
	// The prize: the newest edition's applications from the cities.
	peds, err := s.Sources.PrizeEditions(ctx)
	if err != nil {
		return nil, err
	}
	if len(peds) > 0 {
		d.PrizeEdition = peds[0]
		apps, err := s.Sources.PrizeApplications(ctx, prize.ApplicationFilter{Edition: peds[0].Code})
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			if i, ok := idx[a.CityCode]; ok && a.State != prize.StateDraft {
				d.Rows[i].Applications++
				d.Applications = append(d.Applications, a)
			}
		}
	}
	studies, err := s.Sources.FollowupStudies(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, st := range studies {
		if i, ok := idx[st.HostCity]; ok {
			d.Rows[i].Studies++
			d.Studies = append(d.Studies, st)
		}
	}
	for _, pt := range d.Partnerships {
		for _, c := range pt.Cities() {
			if i, ok := idx[c]; ok {
				d.Rows[i].Partnerships++
			}
		}
	}
	evs, err := s.Sources.Events(ctx, MaxEvents, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		regs, err := s.Sources.EventRegistrations(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, r := range regs {
			if _, ok := idx[r.CityCode]; ok && r.State != events.StateCancelled {
				n++
			}
		}
		if n > 0 {
			d.Events = append(d.Events, EventRow{Event: e, Registered: n})
		}
	}
	return d, nil
}
