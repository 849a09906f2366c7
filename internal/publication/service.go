// Package publication is the index workflow from a data call's accepted
// values to a published release: computing an edition into a draft
// (datacall), previewing a draft and publishing it or a correction of the
// edition's release (release.Publish), each as a job with progress, and the
// secretariat's review of a draft. It bridges the data call and the release
// domains, which know nothing of each other, and takes every policy (peer
// groups, licence, stages, ratings, analyses) from the edition's release
// configuration (release.EditionConfig).
//
// A release is built once per content: a publication whose content hash
// is that of the draft's stored preview stores the preview's release
// instead of running the analyses again.
package publication

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
)

// Store is what the workflow reads and writes: member cities, the
// catalogue and editions, the data call's drafts, releases and previews,
// jobs and the audit log.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
	Indicators(ctx context.Context) ([]catalogue.Indicator, error)
	Edition(ctx context.Context, code string) (*catalogue.Edition, error)
	Editions(ctx context.Context) ([]*catalogue.Edition, error)
	DraftReleases(ctx context.Context, edition string) ([]datacall.ReleaseInfo, error)
	DraftRelease(ctx context.Context, id int64) (*datacall.DraftRelease, datacall.ReleaseInfo, error)
	StoredReleases(ctx context.Context, f release.Filter) ([]release.Record, error)
	release.PreviewStore
	jobs.Store
	auditlog.Store
}

// Service runs the workflow. Construct it once (cmd/citylens) and register
// its jobs on the queue (RegisterJobs); Store, DataCall and Releases are
// required.
type Service struct {
	Store    Store
	DataCall *datacall.Service // computes editions
	Releases *release.Workflow // stores publications
	Now      func() time.Time
	// Demo marks every release this service publishes as demonstration data.
	Demo bool
	// Survey, when set, feeds the people-centric pillar: the residents'
	// survey's values enter every publication of an edition that has them.
	Survey SurveySource
	// Publish builds a release (the engine and the analyses); nil:
	// release.Publish. Tests wrap it to count builds.
	Publish func(ctx context.Context, in release.PublishInput) (*release.Release, error)

	mu        sync.Mutex
	loaded    map[string]*release.Release // stored releases and previews, by key (see load)
	order     []string                    // load order, for eviction
	listeners []func(release.Record)
}

// maxLoaded bounds the releases and previews a service keeps parsed.
const maxLoaded = 6

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) build(ctx context.Context, in release.PublishInput) (*release.Release, error) {
	if s.Publish != nil {
		return s.Publish(ctx, in)
	}
	return release.Publish(ctx, in)
}

// OnPublish adds fn to what runs after every publication this service
// stores (e.g. a server forgetting its cached list of releases).
func (s *Service) OnPublish(fn func(release.Record)) {
	s.mu.Lock()
	s.listeners = append(s.listeners, fn)
	s.mu.Unlock()
}

func (s *Service) published(rec release.Record) {
	s.mu.Lock()
	fns := append([]func(release.Record){}, s.listeners...)
	s.mu.Unlock()
	for _, fn := range fns {
		fn(rec)
	}
}

// Latest returns the latest published release of an edition (ENOTFOUND
// when it has none).
func (s *Service) Latest(ctx context.Context, edition string) (release.Record, error) {
	return s.Releases.Latest(ctx, edition)
}

// Load returns a stored release by hash. Releases are immutable, so the
// few the workflow reads again and again (the previous edition's, the one
// a correction corrects) are kept parsed.
func (s *Service) Load(ctx context.Context, hash string) (*release.Release, error) {
	return s.load("release/"+hash, func() (*release.Release, error) { return s.Releases.Load(ctx, hash) })
}

// load returns the release kept under key, or reads it with read and keeps it.
func (s *Service) load(key string, read func() (*release.Release, error)) (*release.Release, error) {
	s.mu.Lock()
	r, ok := s.loaded[key]
	s.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := read()
	if err != nil {
		return nil, err
	}
	s.keep(key, r)
	return r, nil
}

func (s *Service) keep(key string, r *release.Release) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded == nil {
		s.loaded = map[string]*release.Release{}
	}
	if _, ok := s.loaded[key]; ok {
		return
	}
	for len(s.order) >= maxLoaded {
		delete(s.loaded, s.order[0])
		s.order = s.order[1:]
	}
	s.loaded[key] = r
	s.order = append(s.order, key)
}

// Compute computes an edition from its accepted values into a draft
// release (see datacall.Service.ComputeEdition), the member cities grouped
// as the edition's release configuration says, so the draft and its
// release are computed from the same data set.
func (s *Service) Compute(ctx context.Context, a auditlog.Actor, edition string, progress func(datacall.Progress)) (int64, *datacall.DraftRelease, error) {
	e, err := s.Store.Edition(ctx, edition)
	if err != nil {
		return 0, nil, err
	}
	cfg, err := release.EditionConfig(e)
	if err != nil {
		return 0, nil, err
	}
	ms, err := s.Store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return 0, nil, err
	}
	cities := make([]datacall.City, len(ms))
	for i, m := range ms {
		cities[i] = datacall.City{Code: m.Code, Name: m.Name, Region: m.RegionCode, Country: m.Country,
			PeerGroup: cfg.PeerGroupOf(releaseCity(m)), Population: m.Population}
	}
	return s.DataCall.ComputeEdition(ctx, a, edition, cities, progress)
}

// releaseCity is a member city as a release knows it; its peer group comes
// from the release configuration's rule.
func releaseCity(c members.City) release.City {
	return release.City{Code: c.Code, Name: c.Name, Country: c.Country, Region: c.RegionCode,
		Population: c.Population, Lat: c.Latitude, Lon: c.Longitude}
}

// Attribution is what every release of the network credits: the indicator
// catalogue's authors and the sources of the member directory.
const Attribution = catalogue.U4SSCAttribution + ". " + members.DemoAttribution

// DraftOf turns a data call's draft into a release's draft: its framework,
// method and data points; the member cities it has a result or data for
// (names, places and sizes from the member directory); the catalogue's
// definitions and ranges of its indicators. Peer groups and the licence
// are not set here: the edition's release configuration gives them at
// publication.
func DraftOf(dr *datacall.DraftRelease, cities []members.City, cat map[string]catalogue.Indicator) release.Draft {
	byCode := map[string]members.City{}
	for _, c := range cities {
		byCode[c.Code] = c
	}
	d := release.Draft{Edition: dr.Edition, Framework: dr.Framework, Method: dr.Method, Attribution: Attribution}
	inData := map[string]bool{}
	for _, p := range dr.Data {
		d.Data = append(d.Data, release.DataPoint{City: p.City, Indicator: p.Indicator, Value: p.Value, Source: p.Source, DataYear: p.DataYear, Estimated: p.Estimated})
		inData[p.City] = true
	}
	seen := map[string]bool{}
	add := func(code, name string) {
		if seen[code] {
			return
		}
		seen[code] = true
		c, ok := byCode[code]
		if !ok {
			d.Cities = append(d.Cities, release.City{Code: code, Name: name})
			return
		}
		d.Cities = append(d.Cities, releaseCity(c))
	}
	for _, res := range dr.Results {
		add(res.City, res.Name)
	}
	for _, u := range dr.Unranked {
		add(u.City, u.City)
	}
	for _, c := range cities {
		if inData[c.Code] {
			add(c.Code, c.Name)
		}
	}
	d.Indicators = release.InfoFromCatalogue(cat, engineIndicators(dr))
	return d
}

func engineIndicators(dr *datacall.DraftRelease) []string {
	var codes []string
	for _, n := range dr.Framework {
		if n.Kind == engine.Indicator {
			codes = append(codes, n.Code)
		}
	}
	return codes
}

// publishInput is what publishing a draft takes: the release draft, the
// edition's release configuration, the previous edition's latest release
// (rank changes) and, for a correction, the release it corrects.
func (s *Service) publishInput(ctx context.Context, dr *datacall.DraftRelease, correct bool, override *release.Uncertainty, n int) (release.PublishInput, error) {
	in, err := s.editionInput(ctx, dr, correct)
	if err != nil {
		return in, err
	}
	if override != nil {
		in.Config.Uncertainty = *override
	} else {
		in.Config.Uncertainty.N = n
	}
	// The residents' survey: the people-centric pillar, its values and
	// their sampling error.
	vals, inst, err := s.surveyValues(ctx, dr.Edition)
	if err != nil || len(vals) == 0 {
		return in, err
	}
	addSurvey(&in.Draft, vals, inst)
	return in, addSampling(&in.Config.Uncertainty, in.Draft, vals)
}

// editionInput is publishInput before the uncertainty settings and the survey.
func (s *Service) editionInput(ctx context.Context, dr *datacall.DraftRelease, correct bool) (release.PublishInput, error) {
	in := release.PublishInput{PublishedAt: s.now().UTC()}
	cities, err := s.Store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return in, err
	}
	inds, err := s.Store.Indicators(ctx)
	if err != nil {
		return in, err
	}
	in.Draft = DraftOf(dr, cities, catalogue.Index(inds))
	if correct {
		live, err := s.Latest(ctx, dr.Edition)
		if err != nil {
			return in, err
		}
		if in.Corrects, err = s.Load(ctx, live.Hash); err != nil {
			return in, err
		}
	}
	e, err := s.Store.Edition(ctx, dr.Edition)
	switch {
	case citylens.ErrorCode(err) == citylens.ENOTFOUND:
		e = &catalogue.Edition{Code: dr.Edition} // the defaults, no previous edition
	case err != nil:
		return in, err
	}
	if in.Config, err = release.EditionConfig(e); err != nil {
		return in, err
	}
	if e.PreviousEdition == "" {
		return in, nil
	}
	prev, err := s.Latest(ctx, e.PreviousEdition)
	switch {
	case err == nil:
		in.Previous, err = s.Load(ctx, prev.Hash)
		return in, err
	case citylens.ErrorCode(err) == citylens.ENOTFOUND:
		return in, nil
	}
	return in, err
}

// currentInput is what publishing a draft now would take: a correction
// when its edition already has a release.
func (s *Service) currentInput(ctx context.Context, id int64, n int) (release.PublishInput, error) {
	dr, _, err := s.Store.DraftRelease(ctx, id)
	if err != nil {
		return release.PublishInput{}, err
	}
	hasLive, err := s.HasLive(ctx, dr.Edition)
	if err != nil {
		return release.PublishInput{}, err
	}
	return s.publishInput(ctx, dr, hasLive, nil, n)
}

// HasLive reports whether an edition has a published release (so a new
// publication of it is a correction).
func (s *Service) HasLive(ctx context.Context, edition string) (bool, error) {
	_, err := s.Latest(ctx, edition)
	switch {
	case err == nil:
		return true, nil
	case citylens.ErrorCode(err) == citylens.ENOTFOUND:
		return false, nil
	}
	return false, err
}

// Publication is a draft to publish.
type Publication struct {
	DraftID    int64
	Correct    bool   // a correction of the edition's latest release
	ChangeNote string // what a correction corrects (required for one)
	N          int    // uncertainty replications (0: the edition's, or release.DefaultN)
	// Uncertainty, when set, replaces the edition's analyses (the demo's
	// quick ones); N is then ignored.
	Uncertainty *release.Uncertainty
	Demo        bool // demonstration data (also when the service's Demo is set)
}

// PublishDraft publishes a draft now (the publish-release job runs it) and
// stores the release with its audit entry. When the draft's preview has
// the content publishing would give, that release is stored, published
// now, and nothing is built again.
func (s *Service) PublishDraft(ctx context.Context, a auditlog.Actor, p Publication, progress func(release.Progress)) (release.Record, error) {
	dr, info, err := s.Store.DraftRelease(ctx, p.DraftID)
	if err != nil {
		return release.Record{}, err
	}
	in, err := s.publishInput(ctx, dr, p.Correct, p.Uncertainty, p.N)
	if err != nil {
		return release.Record{}, err
	}
	in.Progress = progress
	rel, err := s.previewed(ctx, p.DraftID, in)
	if err != nil {
		return release.Record{}, err
	}
	if rel != nil {
		rel = rel.WithPublishedAt(in.PublishedAt)
		if progress != nil {
			progress(release.Progress{Stage: release.StageFinishing, Done: 1, Total: 1})
		}
	} else if rel, err = s.build(ctx, in); err != nil {
		return release.Record{}, err
	}
	rec, err := s.Releases.Save(ctx, a, release.PublishRequest{Release: rel, DraftID: p.DraftID, Demo: s.Demo || p.Demo,
		ChangeNote: p.ChangeNote, CreatedBy: info.CreatedBy, CreatedAt: info.CreatedAt})
	if err != nil {
		return release.Record{}, err
	}
	s.published(rec)
	return rec, nil
}

// previewed returns the draft's preview when it is the release in would
// give (same content hash), else nil.
func (s *Service) previewed(ctx context.Context, draftID int64, in release.PublishInput) (*release.Release, error) {
	rec, doc, err := s.Store.Preview(ctx, draftID)
	switch {
	case citylens.ErrorCode(err) == citylens.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	}
	h, err := release.ContentHash(in)
	if err != nil {
		return nil, err
	}
	if rec.Hash != h {
		return nil, nil
	}
	rel, err := s.parsedPreview(rec.Hash, doc)
	if err != nil {
		return nil, err
	}
	if rel.Hash() != h { // the document read back checks its own hash
		return nil, nil
	}
	return rel, nil
}

// parsedPreview reads a preview's document once (by hash).
func (s *Service) parsedPreview(hash string, doc []byte) (*release.Release, error) {
	return s.load("preview/"+hash, func() (*release.Release, error) { return release.Unmarshal(doc) })
}

// PublishExample publishes a release that has no draft in the data call
// (e.g. the Eurostat example, computed from real data in a file) under
// title. It is not marked as demonstration data.
func (s *Service) PublishExample(ctx context.Context, a auditlog.Actor, in release.PublishInput, title string) (release.Record, error) {
	if in.PublishedAt.IsZero() {
		in.PublishedAt = s.now().UTC()
	}
	rel, err := s.build(ctx, in)
	if err != nil {
		return release.Record{}, err
	}
	rec, err := s.Releases.Save(ctx, a, release.PublishRequest{Release: rel, Title: title, CreatedBy: a.Email})
	if err != nil {
		return release.Record{}, err
	}
	s.published(rec)
	return rec, nil
}

// Preview computes a draft exactly as publishing it now would (the same
// content hash) and keeps the result as the draft's preview, replacing an
// older one, in one write. Nothing a preview stores is published.
func (s *Service) Preview(ctx context.Context, a auditlog.Actor, draftID int64, n int, jobID int64, progress func(release.Progress)) (release.Preview, error) {
	in, err := s.currentInput(ctx, draftID, n)
	if err != nil {
		return release.Preview{}, err
	}
	in.Progress = progress
	rel, err := s.build(ctx, in)
	if err != nil {
		return release.Preview{}, err
	}
	doc, err := json.Marshal(rel)
	if err != nil {
		return release.Preview{}, citylens.Errorf(citylens.EINTERNAL, "preview of draft %d: %v", draftID, err)
	}
	who := a.Email
	if who == "" {
		who = "job"
	}
	pv := release.Preview{DraftID: draftID, Hash: rel.Hash(), N: n, JobID: jobID, CreatedBy: who, CreatedAt: s.now()}
	if err := s.Store.PutPreview(ctx, pv, doc); err != nil {
		return release.Preview{}, err
	}
	s.keep("preview/"+pv.Hash, rel)
	return pv, nil
}
