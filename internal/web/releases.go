package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
)

// The release workflow (secretariat only): draft releases computed by the
// data call are reviewed and published by the publish-release job, which
// runs the uncertainty and sensitivity analyses (release.Publish) and
// stores the immutable release. A correction is a new release of the same
// edition with a change log.

// JobPublishRelease is the kind of the job that publishes a draft release.
const JobPublishRelease = "publish-release"

// PublishReleasePayload is its payload.
type PublishReleasePayload struct {
	DraftID     int64  `json:"draft_id"`
	Correct     bool   `json:"correct,omitempty"` // a correction of the edition's latest release
	ChangeNote  string `json:"change_note,omitempty"`
	N           int    `json:"n,omitempty"` // uncertainty replications (0: release.DefaultN)
	RequestedBy string `json:"requested_by"`
	UserID      int64  `json:"user_id"`
}

// maxPublishN bounds the replications one may ask for on the form.
const maxPublishN = 20000

func (s *Server) registerReleaseRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /admin/releases", AccessAdmin, s.releasesAdmin)
	s.page(mux, "GET /admin/releases/drafts/{id}", AccessAdmin, s.releaseReview)
	s.page(mux, "POST /admin/releases/drafts/{id}/publish", AccessAdmin, s.releasePublishRequest(false))
	s.page(mux, "POST /admin/releases/drafts/{id}/correct", AccessAdmin, s.releasePublishRequest(true))
	s.page(mux, "POST /admin/releases/drafts/{id}/preview", AccessAdmin, s.releasePreviewRequest)
}

func (s *Server) registerReleaseJobs(q *jobs.Queue) {
	q.Register(JobPublishRelease, s.publishReleaseJob)
	q.Register(JobPreviewRelease, s.previewReleaseJob)
}

func (s *Server) releaseWorkflow() *release.Workflow {
	return &release.Workflow{Store: s.store, Audit: s.store, Now: s.now}
}

// releaseNav adds the public explorer for everyone and the release
// workflow for the secretariat.
func (s *Server) releaseNav(v Viewer) []NavLink {
	links := []NavLink{{"/rankings", "nav.rankings"}, {"/methodology", "nav.methodology"}, {"/downloads", "nav.downloads"}}
	if isAdmin(v) {
		links = append(links, NavLink{"/admin/releases", "nav.releases"})
	}
	return links
}

type draftRow struct {
	Info      datacall.ReleaseInfo
	Published bool // a release of this exact content is published
	HasLive   bool // the edition already has a published release (so: correct)
}

type releasesAdminData struct {
	Drafts    []draftRow
	Published []release.Record
	Jobs      []jobs.Job
}

func (s *Server) releasesAdmin(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	eds, err := s.store.Editions(ctx)
	if err != nil {
		return err
	}
	pub, err := s.store.StoredReleases(ctx, release.Filter{})
	if err != nil {
		return err
	}
	live := map[string]bool{}
	for _, p := range pub {
		live[p.Edition] = true
	}
	d := releasesAdminData{Published: pub}
	published := s.publishedDrafts(pub)
	for _, e := range eds {
		infos, err := s.store.DraftReleases(ctx, e.Code)
		if err != nil {
			return err
		}
		for _, in := range infos {
			d.Drafts = append(d.Drafts, draftRow{Info: in, Published: published[in.ID], HasLive: live[in.Edition]})
		}
	}
	d.Jobs, err = s.store.ListJobs(ctx, jobs.Filter{Kind: JobPublishRelease, Limit: 20})
	if err != nil {
		return err
	}
	return s.render(w, r, "release_admin.html", "Releases", d)
}

func (s *Server) publishedDrafts(pub []release.Record) map[int64]bool {
	out := map[int64]bool{}
	for _, p := range pub {
		if p.DraftID != 0 {
			out[p.DraftID] = true
		}
	}
	return out
}

// reviewRow is one city of a draft under review.
type reviewRow struct {
	datacall.CityResult
	Rank     int
	Score    float64
	PrevRank int  // in the comparison release (0: not there)
	Change   *int // PrevRank − Rank
}

type releaseReviewData struct {
	Info       datacall.ReleaseInfo
	Draft      *datacall.DraftRelease
	Root       string
	Pillars    []string
	Rows       []reviewRow
	Against    *release.Record // what rank changes are measured against
	Live       *release.Record // the edition's latest published release (publishing corrects it)
	Published  bool
	DefaultN   int
	Indicators int
	// Preview is the draft's latest preview (nil: none yet), PreviewJobs
	// the latest preview jobs with their progress.
	Preview     *previewView
	PreviewJobs []jobs.Job
}

func (s *Server) releaseReview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	dr, info, err := s.store.DraftRelease(ctx, id)
	if err != nil {
		return err
	}
	d := releaseReviewData{Info: info, Draft: dr, DefaultN: release.DefaultN}
	for _, n := range dr.Framework {
		switch {
		case n.Kind == engine.Aggregate && n.Parent == "":
			d.Root = n.Code
		case n.Kind == engine.Indicator:
			d.Indicators++
		}
	}
	for _, n := range dr.Framework {
		if n.Kind == engine.Aggregate && n.Parent == d.Root {
			d.Pillars = append(d.Pillars, n.Code)
		}
	}
	wf := s.releaseWorkflow()
	if live, err := wf.Latest(ctx, dr.Edition); err == nil {
		d.Live, d.Against = &live, &live
	} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return err
	}
	if d.Against == nil {
		if e, err := s.store.Edition(ctx, dr.Edition); err == nil && e.PreviousEdition != "" {
			if prev, err := wf.Latest(ctx, e.PreviousEdition); err == nil {
				d.Against = &prev
			}
		}
	}
	prevRank := map[string]int{}
	if d.Against != nil {
		rel, err := s.loadRelease(ctx, d.Against.Hash)
		if err != nil {
			return err
		}
		rows, err := rel.Rankings(release.RankingQuery{})
		if err != nil {
			return err
		}
		for _, row := range rows {
			prevRank[row.City.Code] = row.Rank
		}
	}
	for _, res := range dr.Results {
		row := reviewRow{CityResult: res, Rank: res.Ranks[d.Root], Score: res.Scores[d.Root], PrevRank: prevRank[res.City]}
		if row.PrevRank > 0 && row.Rank > 0 {
			c := row.PrevRank - row.Rank
			row.Change = &c
		}
		d.Rows = append(d.Rows, row)
	}
	sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Rank < d.Rows[j].Rank })
	pub, err := s.store.StoredReleases(ctx, release.Filter{Edition: dr.Edition})
	if err != nil {
		return err
	}
	d.Published = s.publishedDrafts(pub)[id]
	if d.Preview, err = s.draftPreview(ctx, id); err != nil {
		return err
	}
	if d.Preview != nil && d.Preview.Rec.N > 0 {
		d.DefaultN = d.Preview.Rec.N // publish what was previewed
	}
	if d.PreviewJobs, err = s.previewJobs(ctx, id); err != nil {
		return err
	}
	return s.render(w, r, "release_review.html", fmt.Sprintf("Draft release %d", id), d)
}

func (s *Server) releasePublishRequest(correct bool) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		_, info, err := s.store.DraftRelease(ctx, id)
		if err != nil {
			return err
		}
		p := PublishReleasePayload{DraftID: id, Correct: correct, ChangeNote: strings.TrimSpace(r.PostFormValue("note"))}
		if p.N, err = replicationsParam(r); err != nil {
			return err
		}
		_, liveErr := s.releaseWorkflow().Latest(ctx, info.Edition)
		hasLive := liveErr == nil
		if liveErr != nil && citylens.ErrorCode(liveErr) != citylens.ENOTFOUND {
			return liveErr
		}
		switch {
		case correct && !hasLive:
			return citylens.Errorf(citylens.ECONFLICT, "edition %s has no published release to correct: publish it first", info.Edition)
		case !correct && hasLive:
			return citylens.Errorf(citylens.ECONFLICT, "edition %s already has a published release: publish this draft as a correction, with a note", info.Edition)
		case correct && p.ChangeNote == "":
			return citylens.Errorf(citylens.EINVALID, "a correction needs a note saying what it corrects")
		}
		v := viewer(r)
		p.RequestedBy, p.UserID = v.User.Email, v.User.ID
		j, err := s.queue.Enqueue(ctx, JobPublishRelease, p, 2)
		if err != nil {
			return err
		}
		key := "flash.publishing"
		if correct {
			key = "flash.publishing_correction"
		}
		s.redirectFlash(w, r, "/admin/releases", key, info.Edition, id, j.ID)
		return nil
	}
}

// publishReleaseJob publishes a draft: the analyses run first (with
// progress), then the release and its audit entry commit together, so a
// killed run leaves nothing and its retry starts afresh.
func (s *Server) publishReleaseJob(ctx context.Context, j jobs.Job, progress jobs.Progress) error {
	var p PublishReleasePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.DraftID <= 0 {
		return citylens.Errorf(citylens.EINVALID, "%s: payload needs a draft_id", JobPublishRelease)
	}
	who := auditlog.Actor{UserID: p.UserID, Email: p.RequestedBy}
	if who.Email == "" {
		who = auditlog.System("job")
	}
	dr, info, err := s.store.DraftRelease(ctx, p.DraftID)
	if err != nil {
		return err
	}
	in, err := s.releaseInput(ctx, dr, p.Correct)
	if err != nil {
		return err
	}
	in.Config.Uncertainty.N = p.N
	in.Progress = func(pr release.Progress) {
		frac := 0.0
		if pr.Total > 0 {
			frac = float64(pr.Done) / float64(pr.Total)
		}
		progress(frac, fmt.Sprintf("%s %d/%d", pr.Stage, pr.Done, pr.Total))
	}
	rel, err := release.Publish(ctx, in)
	if err != nil {
		return err
	}
	_, err = s.releaseWorkflow().Save(ctx, who, release.PublishRequest{Release: rel, DraftID: p.DraftID, Demo: s.cfg.Demo,
		ChangeNote: p.ChangeNote, CreatedBy: info.CreatedBy, CreatedAt: info.CreatedAt})
	if err == nil {
		s.explorer.forget()
	}
	return err
}

// releaseInput builds what release.Publish needs from a draft: the member
// cities' context, the catalogue's definitions and ranges, the previous
// edition's release and, for a correction, the release it corrects.
func (s *Server) releaseInput(ctx context.Context, dr *datacall.DraftRelease, correct bool) (release.PublishInput, error) {
	in := release.PublishInput{PublishedAt: s.now().UTC()}
	cities, err := s.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return in, err
	}
	inds, err := s.store.Indicators(ctx)
	if err != nil {
		return in, err
	}
	in.Draft = draftFromDataCall(dr, cities, catalogue.Index(inds))
	wf := s.releaseWorkflow()
	if correct {
		live, err := wf.Latest(ctx, dr.Edition)
		if err != nil {
			return in, err
		}
		if in.Corrects, err = s.loadRelease(ctx, live.Hash); err != nil {
			return in, err
		}
	}
	e, err := s.store.Edition(ctx, dr.Edition)
	if err == nil {
		if in.Config, err = editionReleaseConfig(e); err != nil {
			return in, err
		}
	}
	if err == nil && e.PreviousEdition != "" {
		prev, err := wf.Latest(ctx, e.PreviousEdition)
		switch {
		case err == nil:
			if in.Previous, err = s.loadRelease(ctx, prev.Hash); err != nil {
				return in, err
			}
		case citylens.ErrorCode(err) != citylens.ENOTFOUND:
			return in, err
		}
	} else if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return in, err
	}
	return in, nil
}

// draftFromDataCall turns a data call's draft into a release draft. The
// peer group a city's rating is relative to is its world region (the demo
// network has no HDI or income groups).
func draftFromDataCall(dr *datacall.DraftRelease, cities []members.City, cat map[string]catalogue.Indicator) release.Draft {
	byCode := map[string]members.City{}
	for _, c := range cities {
		byCode[c.Code] = c
	}
	d := release.Draft{Edition: dr.Edition, Framework: dr.Framework, Method: dr.Method,
		Licence:     release.Licence{Name: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0", Path: "https://creativecommons.org/licenses/by/4.0/"},
		Attribution: catalogue.U4SSCAttribution + " " + members.DemoAttribution}
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
		d.Cities = append(d.Cities, release.City{Code: c.Code, Name: c.Name, Country: c.Country, Region: c.RegionCode,
			Population: c.Population, Lat: c.Latitude, Lon: c.Longitude, PeerGroup: c.RegionCode})
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
	var codes []string
	for _, n := range dr.Framework {
		if n.Kind == engine.Indicator {
			codes = append(codes, n.Code)
		}
	}
	d.Indicators = release.InfoFromCatalogue(cat, codes)
	return d
}

// parseReleaseConfig reads an edition's release configuration (stages,
// pillar stages, ratings, uncertainty): strictly, so a misspelt field is an
// error naming it rather than a silent default. Ranges and names are checked
// again against the framework when a release is previewed or published.
func parseReleaseConfig(b []byte) (release.Config, error) {
	var c release.Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, citylens.Errorf(citylens.EINVALID, "release configuration: %v", err)
	}
	if dec.More() {
		return c, citylens.Errorf(citylens.EINVALID, "release configuration: one JSON object expected")
	}
	for i := 1; i < len(c.Stages); i++ {
		if !(c.Stages[i].From > c.Stages[i-1].From) {
			return c, citylens.Errorf(citylens.EINVALID, "release configuration: stage %q must start above stage %q", c.Stages[i].Name, c.Stages[i-1].Name)
		}
	}
	return c, nil
}

// editionReleaseConfig is the release configuration an edition's releases
// are published with: the edition's own, or the release package's defaults.
func editionReleaseConfig(e *catalogue.Edition) (release.Config, error) {
	if len(e.Release) == 0 {
		return release.Config{}, nil
	}
	c, err := parseReleaseConfig(e.Release)
	if err != nil {
		return c, citylens.Errorf(citylens.EINVALID, "edition %s: %s", e.Code, citylens.ErrorMessage(err))
	}
	return c, nil
}
