// Package explorerweb is the public explorer: the home page with the
// network map, and the pages, CSV files and JSON API of published
// releases (rankings with uncertainty bands, city profiles with peers,
// twins and what-if, compare, indicators, methodology, downloads). Only
// published releases are shown; what they show never changes, so the
// explorer keeps the releases it reads and the pages it renders.
package explorerweb

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"math"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Store is what the explorer reads: the stored releases, the network's
// editions, and its regions and cities.
type Store interface {
	StoredReleases(ctx context.Context, f release.Filter) ([]release.Record, error)
	StoredRelease(ctx context.Context, hash string) (release.Record, error)
	Editions(ctx context.Context) ([]*catalogue.Edition, error)
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
	ListRegions(ctx context.Context) ([]members.Region, error)
}

// Config is what the explorer needs.
type Config struct {
	Store Store
	// Releases reads a stored release's document.
	Releases *release.Workflow
	// Publication tells the explorer when this replica publishes, so the
	// new release shows at once (other replicas' within recordsTTL).
	Publication *publication.Service
	Limits      Limits
	// Survey reads the perception-versus-data mapping and the survey's
	// figures (nil: the city pages show no measured topics and there is
	// no disagreement list).
	Survey SurveyReader
	// Partnerships are the network's public partnerships (nil: no map, no
	// partnerships on profiles).
	Partnerships Partnerships
}

// Explorer is the explorer area. It keeps what never changes (published
// releases, by hash, their rendered page content and, for anonymous
// readers, whole responses) and, briefly, the list of releases and member
// cities. Reads of the hot path take no lock shared by all requests.
type Explorer struct {
	s            *web.Server
	store        Store
	releases     *release.Workflow
	publication  *publication.Service
	limits       Limits
	survey       SurveyReader
	partnerships Partnerships

	loaded       sync.Map   // hash → *loadedRelease
	loadedMu     sync.Mutex // guards order
	order        []string   // load order, for eviction
	loads        singleflight.Group
	releaseReads atomic.Uint64 // releases read from the store

	snap    atomic.Pointer[recordsSnap]
	snapMu  sync.Mutex    // orders a new snapshot after Published
	gen     atomic.Uint64 // counts Published calls
	refresh atomic.Bool   // a refresh of snap is under way
	snaps   singleflight.Group

	pages     pageCache
	responses *web.ResponseCache

	maps     sync.Map // drawn home maps (worldMap) by language, release, cities and measure
	mapCount atomic.Int64
	pdfs     sync.Map // printed profiles ([]byte) by language, release, members and city
	pdfCount atomic.Int64
}

// New makes the explorer area.
func New(cfg Config) *Explorer {
	l := cfg.Limits
	if l == (Limits{}) {
		l = LimitsOf(0)
	}
	return &Explorer{store: cfg.Store, releases: cfg.Releases, publication: cfg.Publication, limits: l, survey: cfg.Survey, partnerships: cfg.Partnerships,
		pages:     pageCache{maxEntries: l.Pages, maxBytes: l.PageBytes},
		responses: web.NewResponseCache(l.Responses, l.ResponseBytes)}
}

// Nav is the explorer's public pages, for everyone.
func (a *Explorer) Nav(web.Viewer) []web.NavLink {
	return []web.NavLink{{Href: "/rankings", Label: "nav.rankings"}, {Href: "/methodology", Label: "nav.methodology"},
		{Href: "/downloads", Label: "nav.downloads"}}
}

// Register adds the explorer's pages, files and API, listens for this
// replica's publications and makes its caches' sizes gauges of /metrics. Pages of the latest release live at /rankings,
// /cities/{code}...; any published release's at /releases/{hash}/....
func (a *Explorer) Register(s *web.Server) {
	a.s = s
	if a.publication != nil {
		a.publication.OnPublish(func(release.Record) { a.Published() })
	}
	// A new perception-versus-data mapping shows at once on this replica
	// (on the others within recordsTTL: it is in the cache keys' digest).
	if n, ok := a.survey.(interface{ OnTopics(func()) }); ok {
		n.OnTopics(a.Published)
	}
	if a.partnerships != nil {
		a.partnerships.OnChange(a.Published) // the snapshot holds the public partnerships
	}
	// Cache policies (web.CachePolicy): what a release alone decides is
	// immutable under its hash (CacheRelease); "latest", the lists of
	// releases and a city's page (its trend grows with new editions) are
	// public briefly, then revalidated (CacheShort).
	short, rel := web.WithCache(web.CacheShort), web.WithCache(web.CacheRelease)
	s.Page("GET /{$}", web.AccessPublic, a.explorerHome, short)
	for _, base := range []string{"", "/releases/{hash}"} {
		s.Page("GET "+base+"/rankings", web.AccessPublic, a.explorerRankings, rel)
		s.Page("GET "+base+"/rankings.csv", web.AccessPublic, a.explorerRankingsCSV, rel)
		s.Page("GET "+base+"/cities/{code}", web.AccessPublic, a.explorerCity, short)
		s.Page("GET "+base+"/compare", web.AccessPublic, a.explorerCompare, rel)
		s.Page("GET "+base+"/compare.csv", web.AccessPublic, a.explorerCompareCSV, rel)
		s.Page("GET "+base+"/indicators/{code}", web.AccessPublic, a.explorerIndicator, rel)
		s.Page("GET "+base+"/indicators/{code}/distribution.csv", web.AccessPublic, a.explorerDistributionCSV, rel)
		s.Page("GET "+base+"/methodology", web.AccessPublic, a.explorerMethodology, rel)
		// The mapping and the survey's figures change apart from the
		// release: short caching.
		s.Page("GET "+base+"/perception", web.AccessPublic, a.explorerPerception, short)
		s.Page("GET "+base+"/perception.csv", web.AccessPublic, a.explorerPerceptionCSV, short)
	}
	s.Page("GET /releases", web.AccessPublic, a.explorerReleases, short)
	s.Page("GET /releases/{hash}", web.AccessPublic, a.explorerRelease, rel)
	s.Page("GET /downloads", web.AccessPublic, a.explorerDownloads, short)
	s.Page("GET /partnerships", web.AccessPublic, a.explorerPartnerships, short)
	s.Page("GET /releases/{hash}/download/{file}", web.AccessPublic, a.explorerDownload, rel)
	a.registerExplorerAPI(s)
	a.registerCharts(s)

	s.CacheGauges("citylens_explorer_response_cache", "explorer's cache of whole responses to anonymous readers", a.responses.Stats)
	s.CacheGauges("citylens_explorer_page_cache", "explorer's cache of rendered page contents", a.pages.stats)
	s.Gauge("citylens_explorer_release_cache_entries", "Published releases the explorer holds in memory.", func() float64 {
		a.loadedMu.Lock()
		defer a.loadedMu.Unlock()
		return float64(len(a.order))
	})
	s.Gauge("citylens_explorer_release_cache_max_entries", "Bound on the published releases the explorer holds in memory.",
		func() float64 { return float64(a.limits.Releases) })
	s.Gauge("citylens_explorer_release_reads", "Releases the explorer read from the store since the start.",
		func() float64 { return float64(a.releaseReads.Load()) })
}

// Templates are the explorer's pages.
func (a *Explorer) Templates() fs.FS { return templateFiles }

// TemplateFuncs are the explorer's template functions (besides the core's
// figures: num, numd, signed, rankBand).
func (a *Explorer) TemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"bandBar":  bandBar,
		"bandCell": bandCell,
		"add":      func(a, b int) int { return a + b },
		"deref":    func(p *float64) float64 { return derefOr(p, math.NaN()) },
		"hasValue": func(p *float64) bool { return p != nil },
	}
}

// whatIfSchema is a what-if request: indicator values to change.
var whatIfSchema = map[string]any{"type": "object", "required": []string{"values"}, "additionalProperties": false, "properties": map[string]any{
	"values": map[string]any{"type": "object", "description": "indicator code → new value (a number, or a string holding one)",
		"additionalProperties": map[string]any{"type": []string{"number", "string"}}}}}
