package notify

import (
	"context"
	"sync"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/release"
)

// CityFacts is what the store reads in one go for a city's home.
type CityFacts struct {
	City     string
	CityName string
	// The data call: the current edition (the newest open one, else the
	// newest closed one), the city's submission state ("" when it has
	// none), its value counts and the values a reviewer returned with a
	// comment.
	Edition       string
	EditionName   string
	EditionStatus string
	Closes        time.Time
	State         string
	Values        int
	Optional      int
	Returned      int
	// The newest published release (of any edition): its hash.
	ReleaseEdition string
	ReleaseHash    string
	ReleaseTitle   string
	// The survey of the current edition: whether there is one and the
	// city's responses.
	SurveyEdition string
	Responses     int
	Applications  []HomeApplication
}

// HomeApplication is one prize application of the city.
type HomeApplication struct {
	ID      int64
	Edition string
	Title   string
	State   string
}

// HomeStore reads a city's facts.
type HomeStore interface {
	CityFacts(ctx context.Context, city string) (CityFacts, error)
}

// Calls loads an edition's data call (datacall.Service.LoadCall, cached).
type Calls interface {
	LoadCall(ctx context.Context, edition string) (*datacall.Call, error)
}

// Releases loads published releases (publication.Service, cached).
type Releases interface {
	Load(ctx context.Context, hash string) (*release.Release, error)
}

// Home is a city's home: the focal point's dashboard.
type Home struct {
	City     string
	CityName string
	DataCall *HomeDataCall
	Results  *HomeResults
	Survey   *HomeSurvey
	Prize    []HomeApplication
}

// HomeDataCall is the city's status in the current data call.
type HomeDataCall struct {
	Edition, EditionName, EditionStatus string
	Closes                              time.Time
	State                               string // draft when the city has not started
	Entered, Required, Optional         int
	Returned                            int
}

// HomeResults is the city's result in the newest release; Ranked false
// (with Rank 0 and Score nil) when the city is in it unranked; Missing
// when it is not in it at all.
type HomeResults struct {
	Edition, Title, Hash string
	Missing              bool
	Ranked               bool
	Rank                 int
	Of                   int
	Score                *float64
	ScoreBand            release.Band
	RankBand             release.Band
	Stage                string
}

// HomeSurvey is the survey of the current edition for the city.
type HomeSurvey struct {
	Edition   string
	Responses int
}

// HomeService builds homes.
type HomeService struct {
	Store    HomeStore
	Calls    Calls
	Releases Releases

	mu      sync.Mutex
	results map[[2]string]*HomeResults // (release hash, city) → result; releases never change
}

// maxKeptResults bounds the kept results.
const maxKeptResults = 20000

// Home returns a city's home.
func (h *HomeService) Home(ctx context.Context, city string) (*Home, error) {
	if city == "" {
		return nil, citylens.E(citylens.EFORBIDDEN, "notify.error.no_city")
	}
	f, err := h.Store.CityFacts(ctx, city)
	if err != nil {
		return nil, err
	}
	home := &Home{City: f.City, CityName: f.CityName, Prize: f.Applications}
	if f.Edition != "" {
		dc := &HomeDataCall{Edition: f.Edition, EditionName: f.EditionName, EditionStatus: f.EditionStatus, Closes: f.Closes,
			State: f.State, Entered: f.Values - f.Optional, Optional: f.Optional, Returned: f.Returned}
		if dc.State == "" {
			dc.State = datacall.StateDraft
		}
		call, err := h.Calls.LoadCall(ctx, f.Edition)
		if err != nil {
			return nil, err
		}
		for _, n := range call.Edition.Indicators() {
			if !n.Optional {
				dc.Required++
			}
		}
		home.DataCall = dc
	}
	if f.ReleaseHash != "" {
		res, err := h.result(ctx, f, city)
		if err != nil {
			return nil, err
		}
		home.Results = res
	}
	if f.SurveyEdition != "" {
		home.Survey = &HomeSurvey{Edition: f.SurveyEdition, Responses: f.Responses}
	}
	return home, nil
}

func (h *HomeService) result(ctx context.Context, f CityFacts, city string) (*HomeResults, error) {
	key := [2]string{f.ReleaseHash, city}
	h.mu.Lock()
	r, ok := h.results[key]
	h.mu.Unlock()
	if ok {
		return r, nil
	}
	rel, err := h.Releases.Load(ctx, f.ReleaseHash)
	if err != nil {
		return nil, err
	}
	r = &HomeResults{Edition: f.ReleaseEdition, Title: f.ReleaseTitle, Hash: f.ReleaseHash}
	sum := rel.Summary()
	r.Of = sum.Ranked
	p, err := rel.Profile(city)
	switch {
	case citylens.ErrorCode(err) == citylens.ENOTFOUND:
		r.Missing = true
	case err != nil:
		return nil, err
	default:
		r.Ranked, r.Rank, r.Score, r.ScoreBand, r.RankBand, r.Stage = p.Ranked, p.Rank, p.Score, p.ScoreBand, p.RankBand, p.Stage
	}
	h.mu.Lock()
	if h.results == nil || len(h.results) >= maxKeptResults {
		h.results = map[[2]string]*HomeResults{}
	}
	h.results[key] = r
	h.mu.Unlock()
	return r, nil
}
