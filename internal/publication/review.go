package publication

import (
	"context"
	"sort"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
)

// DraftRow is one draft release in the secretariat's overview.
type DraftRow struct {
	Info      datacall.ReleaseInfo
	Published bool // a release of this draft is published
	HasLive   bool // the edition already has a published release (so: correct)
}

// Overview is the release workflow at a glance: every edition's drafts,
// the stored releases and the latest publish jobs.
type Overview struct {
	Drafts    []DraftRow
	Published []release.Record
	Jobs      []jobs.Job
	// Corrections lists the live releases an engine fix has made wrong:
	// each needs a correction published through the workflow.
	Corrections []CorrectionNeeded
}

// CorrectionNeeded is a live (latest published) release of an edition
// computed by an engine that scored lower-is-better indicators under
// goalposts the wrong way round (release.GoalpostsReversed).
type CorrectionNeeded struct {
	Edition    string
	Hash       string
	Indicators []string
	// List is Indicators joined for display.
	List string
}

// Overview returns the workflow's overview.
func (s *Service) Overview(ctx context.Context) (*Overview, error) {
	eds, err := s.Store.Editions(ctx)
	if err != nil {
		return nil, err
	}
	pub, err := s.Store.StoredReleases(ctx, release.Filter{})
	if err != nil {
		return nil, err
	}
	live := map[string]bool{}
	for _, p := range pub {
		live[p.Edition] = true
	}
	o := &Overview{Published: pub}
	published := publishedDrafts(pub)
	for _, e := range eds {
		infos, err := s.Store.DraftReleases(ctx, e.Code)
		if err != nil {
			return nil, err
		}
		for _, in := range infos {
			o.Drafts = append(o.Drafts, DraftRow{Info: in, Published: published[in.ID], HasLive: live[in.Edition]})
		}
	}
	if o.Jobs, err = s.PublishJobs(ctx); err != nil {
		return nil, err
	}
	if o.Corrections, err = s.correctionsNeeded(ctx, pub); err != nil {
		return nil, err
	}
	return o, nil
}

// correctionsNeeded checks each edition's live release against the engine
// fixes that change published scores.
func (s *Service) correctionsNeeded(ctx context.Context, pub []release.Record) ([]CorrectionNeeded, error) {
	latest := map[string]release.Record{}
	for _, p := range pub {
		if p.State != release.StatePublished {
			continue
		}
		if l, ok := latest[p.Edition]; !ok || p.PublishedAt.After(l.PublishedAt) || (p.PublishedAt.Equal(l.PublishedAt) && p.ID > l.ID) {
			latest[p.Edition] = p
		}
	}
	var out []CorrectionNeeded
	for _, ed := range sortedEditions(latest) {
		rec := latest[ed]
		r, err := s.Load(ctx, rec.Hash)
		if err != nil {
			return nil, err
		}
		if inds := r.GoalpostsReversed(); len(inds) > 0 {
			out = append(out, CorrectionNeeded{Edition: ed, Hash: rec.Hash, Indicators: inds, List: strings.Join(inds, ", ")})
		}
	}
	return out, nil
}

func sortedEditions(m map[string]release.Record) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func publishedDrafts(pub []release.Record) map[int64]bool {
	out := map[int64]bool{}
	for _, p := range pub {
		if p.DraftID != 0 {
			out[p.DraftID] = true
		}
	}
	return out
}

// ReviewRow is one city of a draft under review.
type ReviewRow struct {
	datacall.CityResult
	Rank     int
	Score    float64
	PrevRank int  // in the comparison release (0: not there)
	Change   *int // PrevRank − Rank
}

// Review is what the secretariat reviews of a draft before publishing it.
type Review struct {
	Info       datacall.ReleaseInfo
	Draft      *datacall.DraftRelease
	Root       string
	Pillars    []string
	Rows       []ReviewRow     // by index rank
	Against    *release.Record // what rank changes are measured against
	Common     int             // cities ranked in both: a change is a move among them
	Live       *release.Record // the edition's latest published release (publishing corrects it)
	Published  bool            // a release of this draft is published
	DefaultN   int             // the replications to publish with
	Indicators int
	// Preview is the draft's latest preview (nil: none yet), PreviewJobs
	// the latest preview jobs with their progress.
	Preview     *PreviewView
	PreviewJobs []jobs.Job
	// Ranked counts the draft's ranked cities; NotRanked lists every member
	// city the published release would list as not ranked: those the
	// method screened out and the members with no accepted data, by name
	// (the same count as the published rankings page).
	Ranked    int
	NotRanked []NotRanked
	// Note and FormError refill a refused publish or correct form: the note
	// typed and why it was refused (set by the page, not the service).
	Note, FormError string
}

// NotRanked is a member city a draft does not rank, and why.
type NotRanked struct {
	Code, Name   string
	Availability float64 // share of the indicators with a value (0 without data)
	NoData       bool    // no accepted value at all
}

// Review returns a draft's review: its cities with their rank changes
// since the edition's live release or, without one, the previous
// edition's; its preview, and whether publishing now would give it.
func (s *Service) Review(ctx context.Context, id int64) (*Review, error) {
	dr, info, err := s.Store.DraftRelease(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Review{Info: info, Draft: dr, DefaultN: release.DefaultN}
	ed, err := s.Store.Edition(ctx, dr.Edition)
	if err != nil {
		return nil, err
	}
	if cfg, err := release.EditionConfig(ed); err == nil && cfg.Uncertainty.N > 0 {
		d.DefaultN = cfg.Uncertainty.N // the form proposes what the edition asks for
	}
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
	if err := s.notRanked(ctx, d); err != nil {
		return nil, err
	}
	if live, err := s.Latest(ctx, dr.Edition); err == nil {
		d.Live, d.Against = &live, &live
	} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return nil, err
	}
	if d.Against == nil {
		if ed.PreviousEdition != "" {
			if prev, err := s.Latest(ctx, ed.PreviousEdition); err == nil {
				d.Against = &prev
			}
		}
	}
	prevRank, prevScore := map[string]int{}, map[string]float64{}
	if d.Against != nil {
		rel, err := s.Load(ctx, d.Against.Hash)
		if err != nil {
			return nil, err
		}
		rows, err := rel.Rankings(release.RankingQuery{})
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			prevRank[row.City.Code], prevScore[row.City.Code] = row.Rank, row.Score
		}
	}
	// A change of rank is measured among the cities ranked in both, so a
	// city that joins or leaves the ranking moves no one else's rank.
	nowScore := map[string]float64{}
	for _, res := range dr.Results {
		if _, was := prevScore[res.City]; was && res.Ranks[d.Root] > 0 {
			nowScore[res.City] = res.Scores[d.Root]
		}
	}
	for c := range prevScore {
		if _, both := nowScore[c]; !both {
			delete(prevScore, c)
		}
	}
	d.Common = len(nowScore)
	before, after := ranksAmong(prevScore), ranksAmong(nowScore)
	for _, res := range dr.Results {
		row := ReviewRow{CityResult: res, Rank: res.Ranks[d.Root], Score: res.Scores[d.Root], PrevRank: prevRank[res.City]}
		if a, ok := after[res.City]; ok {
			c := before[res.City] - a
			row.Change = &c
		}
		d.Rows = append(d.Rows, row)
	}
	sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Rank < d.Rows[j].Rank })
	pub, err := s.Store.StoredReleases(ctx, release.Filter{Edition: dr.Edition})
	if err != nil {
		return nil, err
	}
	d.Published = publishedDrafts(pub)[id]
	if d.Preview, err = s.previewView(ctx, id); err != nil {
		return nil, err
	}
	if d.Preview != nil && d.Preview.Rec.N > 0 {
		d.DefaultN = d.Preview.Rec.N // publish what was previewed
	}
	if d.PreviewJobs, err = s.PreviewJobs(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// notRanked counts the draft's ranked cities and lists the member cities
// it does not rank, as the published release will.
func (s *Service) notRanked(ctx context.Context, d *Review) error {
	cities, err := s.Store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	name := map[string]string{}
	for _, c := range cities {
		name[c.Code] = c.Name
	}
	in := map[string]bool{}
	for _, res := range d.Draft.Results {
		in[res.City] = true
		if res.Ranks[d.Root] > 0 {
			d.Ranked++
		}
	}
	for _, u := range d.Draft.Unranked {
		in[u.City] = true
		d.NotRanked = append(d.NotRanked, NotRanked{Code: u.City, Name: nameOr(name[u.City], u.City), Availability: u.Availability})
	}
	for _, c := range cities {
		if c.Status == members.StatusMember && !in[c.Code] {
			d.NotRanked = append(d.NotRanked, NotRanked{Code: c.Code, Name: c.Name, NoData: true})
		}
	}
	sort.Slice(d.NotRanked, func(i, j int) bool {
		if d.NotRanked[i].Name != d.NotRanked[j].Name {
			return d.NotRanked[i].Name < d.NotRanked[j].Name
		}
		return d.NotRanked[i].Code < d.NotRanked[j].Code
	})
	return nil
}

func nameOr(name, code string) string {
	if name == "" {
		return code
	}
	return name
}

// PreviewView is what a review shows of a draft's preview.
type PreviewView struct {
	Rec     release.Preview
	Current bool  // publishing now would give this very release
	Err     error // why currency could not be checked (a page words it in its reader's language)
	Rows    []release.RankingRow
	Names   map[string]string
	Audit   []release.AuditFlag
	Unc     release.UncertaintyInfo
	Ranked  int
	Ties    int // tie groups of more than one city
	Against string
}

// previewView loads a draft's preview: nil without one.
func (s *Service) previewView(ctx context.Context, id int64) (*PreviewView, error) {
	rec, doc, err := s.Store.Preview(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, nil
		}
		return nil, err
	}
	rel, err := s.parsedPreview(rec.Hash, doc)
	if err != nil {
		return nil, err
	}
	pv := &PreviewView{Rec: rec, Names: map[string]string{}}
	if in, err := s.currentInput(ctx, id, rec.N); err != nil {
		pv.Err = err
	} else if h, err := release.ContentHash(in); err != nil {
		pv.Err = err
	} else {
		pv.Current = h == rec.Hash
	}
	if pv.Rows, err = rel.Rankings(release.RankingQuery{}); err != nil {
		return nil, err
	}
	pv.Ranked = len(pv.Rows)
	groups := map[int]bool{}
	for _, row := range pv.Rows {
		if row.TieSize > 1 {
			groups[row.TieGroup] = true
		}
	}
	pv.Ties = len(groups)
	for _, c := range rel.Cities() {
		pv.Names[c.Code] = c.Name
	}
	m := rel.Methodology()
	pv.Audit, pv.Unc, pv.Against = m.Audit, m.Uncertainty, m.Summary.PreviousEdition
	return pv, nil
}

// ranksAmong ranks cities by score, highest first; equal scores share the
// best rank.
func ranksAmong(score map[string]float64) map[string]int {
	codes := make([]string, 0, len(score))
	for c := range score {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return score[codes[i]] > score[codes[j]] })
	out := make(map[string]int, len(codes))
	for i, c := range codes {
		if i > 0 && score[c] == score[codes[i-1]] {
			out[c] = out[codes[i-1]]
		} else {
			out[c] = i + 1
		}
	}
	return out
}
