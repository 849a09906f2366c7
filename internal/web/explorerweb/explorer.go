package explorerweb

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/eurostat"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// recordsSnap is the list of published releases, newest first, the
// network's editions and member cities, as read at a moment.
type recordsSnap struct {
	records []release.Record
	network map[string]bool
	members map[string]members.City // member cities by code
	digest  string                  // identifies the members' list (and the public partnerships) in cache keys
	at      time.Time
	// partnerships are the public partnerships (explorer_partnerships.go).
	partnerships *partnershipSnap
}

type loadedRelease struct {
	rel *release.Release
	sum release.Summary
}

// recordsTTL bounds how long another replica's new publication takes to
// show here; this replica's own Published at once.
const recordsTTL = 2 * time.Second

// Published drops the cached release list (a release was published).
func (a *Explorer) Published() {
	a.snapMu.Lock()
	defer a.snapMu.Unlock()
	a.gen.Add(1)
	a.snap.Store(nil)
}

// Release returns a stored release by hash, from the cache when it was
// read before. Concurrent first reads of one release share one load (a
// large release takes a while to read, and a burst of requests must not
// read it once each).
func (a *Explorer) Release(ctx context.Context, hash string) (*release.Release, error) {
	l, err := a.loadedRelease(ctx, hash)
	if err != nil {
		return nil, err
	}
	return l.rel, nil
}

func (a *Explorer) loadedRelease(ctx context.Context, hash string) (*loadedRelease, error) {
	if r, ok := a.loaded.Load(hash); ok {
		return r.(*loadedRelease), nil
	}
	ch := a.loads.DoChan(hash, recovering("reading release "+hash, func() (any, error) {
		if r, ok := a.loaded.Load(hash); ok { // loaded since the read above
			return r, nil
		}
		// The load is shared: it must not stop because the first caller left.
		rel, err := a.releases.Load(context.WithoutCancel(ctx), hash)
		if err != nil {
			return nil, err
		}
		a.releaseReads.Add(1)
		l := &loadedRelease{rel: rel, sum: rel.Summary()}
		a.loadedMu.Lock()
		defer a.loadedMu.Unlock()
		if len(a.order) >= max(a.limits.Releases, 1) {
			a.loaded.Delete(a.order[0])
			a.order = a.order[1:]
		}
		a.loaded.Store(hash, l)
		a.order = append(a.order, hash)
		return l, nil
	}))
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*loadedRelease), nil
	case <-ctx.Done():
		return nil, citylens.Errorf(citylens.ECANCELED, "loading release %s: %v", release.ShortHash(hash), ctx.Err())
	}
}

// publishedRecords lists the published releases, newest first, and which
// editions are the network's (catalogue editions) rather than examples.
func (a *Explorer) publishedRecords(ctx context.Context) ([]release.Record, map[string]bool, error) {
	snap, err := a.explorerSnap(ctx)
	if err != nil {
		return nil, nil, err
	}
	return snap.records, snap.network, nil
}

// explorerSnap returns the current list of releases and members, read
// again after recordsTTL: by one request while the others keep the one
// they have. Without one (at the start, after Published), requests wait
// for a single read.
func (a *Explorer) explorerSnap(ctx context.Context) (*recordsSnap, error) {
	old := a.snap.Load()
	if old != nil && a.s.Now().Sub(old.at) < recordsTTL {
		return old, nil
	}
	if old != nil && !a.refresh.CompareAndSwap(false, true) {
		return old, nil // another request is reading it
	}
	if old != nil {
		defer a.refresh.Store(false)
	}
	gen := a.gen.Load()
	ch := a.snaps.DoChan(strconv.FormatUint(gen, 10), recovering("reading the list of releases", func() (any, error) {
		snap, err := a.readSnap(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		a.snapMu.Lock()
		defer a.snapMu.Unlock()
		if a.gen.Load() == gen { // else a release was published during the read
			a.snap.Store(snap)
		}
		return snap, nil
	}))
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*recordsSnap), nil
	case <-ctx.Done():
		return nil, citylens.Errorf(citylens.ECANCELED, "reading the published releases: %v", ctx.Err())
	}
}

// readSnap reads the list of releases and members.
func (a *Explorer) readSnap(ctx context.Context) (*recordsSnap, error) {
	recs, err := a.store.StoredReleases(ctx, release.Filter{State: release.StatePublished})
	if err != nil {
		return nil, err
	}
	eds, err := a.store.Editions(ctx)
	if err != nil {
		return nil, err
	}
	cities, err := a.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return nil, err
	}
	snap := &recordsSnap{records: recs, network: map[string]bool{}, members: map[string]members.City{}, at: a.s.Now()}
	for _, ed := range eds {
		snap.network[ed.Code] = true
	}
	if snap.records == nil {
		snap.records = []release.Record{}
	}
	h := sha256.New()
	for _, c := range cities {
		if c.Status == members.StatusMember {
			snap.members[c.Code] = c
			// Everything the pages show or filter members by (population: the
			// population-class filter) is in the digest of the cache keys.
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s\x00", c.Code, c.Name, c.Country, c.RegionCode, c.Population, c.Names.En, c.Names.Ko)
		}
	}
	// The perception-versus-data mapping shows on the city pages and
	// the disagreement lists: an edit changes the cache keys.
	if a.survey != nil {
		topics, err := a.survey.Topics(ctx, "")
		if err != nil {
			return nil, err
		}
		for _, t := range topics {
			fmt.Fprintf(h, "topic\x00%s\x00%s\x00%v\x00%d\x00", t.Item, t.Indicator, t.LowerBetter, t.UpdatedAt.UnixMicro())
		}
	}
	if snap.partnerships, err = a.readPartnerships(ctx, cities, h); err != nil {
		return nil, err
	}
	snap.digest = hex.EncodeToString(h.Sum(nil)[:8])
	return snap, nil
}

// latestRecord is the release the explorer shows by default: the newest
// publication of the network's editions (an example edition only when the
// network has none).
func latestRecord(recs []release.Record, net map[string]bool) (release.Record, bool) {
	for _, r := range recs {
		if net[r.Edition] {
			return r, true
		}
	}
	if len(recs) > 0 {
		return recs[0], true
	}
	return release.Record{}, false
}

// relView is the release a page shows, with what its templates need.
type relView struct {
	Rec         release.Record
	Sum         release.Summary
	Base        string // link prefix: "" (latest) or "/releases/{hash}"
	Latest      bool
	Attribution string
	rel         *release.Release
	records     []release.Record
	network     map[string]bool
	snap        *recordsSnap
	// lang and cat word the view's names for its page (set by the page).
	lang i18n.Lang
	cat  *i18n.Catalog
}

// in sets the language the view's names are given in.
func (v *relView) in(lang i18n.Lang, cat *i18n.Catalog) *relView {
	v.lang, v.cat = lang, cat
	if v.rel != nil {
		// Indicator and pillar names, units and definitions in lang.
		v.rel = v.rel.In(string(lang))
	}
	return v
}

// CityName is a city's name in the page's language: its Korean name on a
// Korean page, its common English name (Cairo for Al-Qahirah) on an
// English one, from the member directory; name (the release's) otherwise.
func (v *relView) CityName(code, name string) string {
	if v.snap != nil {
		if m, ok := v.snap.members[code]; ok {
			return m.NameIn(string(v.lang))
		}
	}
	return name
}

// OtherName is the official name shown beside CityName when they differ
// ("" when they are the same).
func (v *relView) OtherName(code, name string) string {
	if n := v.CityName(code, name); n != name {
		return name
	}
	return ""
}

// localTitle words well-known index names in the page's language.
func (v *relView) localTitle(t string) string { return localTitle(v.cat, v.lang, t) }

// Title is another release's title in the page's language.
func (v *relView) Title(rec release.Record) string { return v.localTitle(rec.DisplayTitle()) }

// localTitle words the network's index and the Eurostat example's names
// in lang (a release's title is stored in English).
func localTitle(cat *i18n.Catalog, lang i18n.Lang, t string) string {
	if cat == nil || lang == i18n.English {
		return t
	}
	if rest, ok := strings.CutPrefix(t, "Smart Cities Index"); ok {
		return cat.T(lang, "ex.index.sci") + rest
	}
	if strings.HasPrefix(t, "Urban environment") {
		return cat.T(lang, "ex.index.eurostat")
	}
	return t
}

// nodeNames are the release's node names by code, the index's in the
// page's language.
func (v *relView) nodeNames() map[string]string {
	out := nodeNames(v.rel)
	if idx := v.Sum.Index; idx != "" {
		out[idx] = v.localTitle(out[idx])
	}
	return out
}

// The network releases' credits, now and as releases published before
// the sources were separated carry them.
const (
	publicationAttribution    = publication.Attribution
	oldPublicationAttribution = catalogue.U4SSCAttribution + " " + members.DemoAttribution
)

// AttributionText is the release's sources in the page's language: the
// network's and the Eurostat example's known credits are worded by key;
// any other as stored.
func (v *relView) AttributionText() string {
	if v.cat == nil {
		return v.Attribution
	}
	switch v.Attribution {
	case publicationAttribution, oldPublicationAttribution:
		return v.cat.T(v.lang, "ex.attribution.network")
	case eurostat.Attribution:
		return v.cat.T(v.lang, "ex.attribution.eurostat")
	}
	return v.Attribution
}

// DownloadBase is where the release's files are.
func (v *relView) DownloadBase() string { return "/releases/" + v.Rec.Hash + "/download/" }

// APIBase is the release's API prefix.
func (v *relView) APIBase() string { return "/api/v1/releases/" + v.Rec.Hash }

// Name is the release's title, its edition's year once ("Smart Cities
// Index 2026"; the Eurostat example's own title).
func (v *relView) Name() string {
	if strings.TrimSpace(v.Rec.Title) != "" {
		return v.localTitle(v.Rec.DisplayTitle())
	}
	return v.localTitle(release.TitleOf(v.Sum.IndexName, v.Rec.Edition))
}

// Short is the first 12 characters of the hash.
func (v *relView) Short() string { return release.ShortHash(v.Rec.Hash) }

// minHashPrefix is the shortest prefix of a release hash a link may use.
const minHashPrefix = 8

// resolveRelease finds the release a request names: its {hash} path value
// ("latest" or absent: the default release). Only published releases are
// found; anything else is ENOTFOUND.
func (a *Explorer) resolveRelease(r *http.Request) (*relView, error) {
	ctx := r.Context()
	snap, err := a.explorerSnap(ctx)
	if err != nil {
		return nil, err
	}
	recs, net := snap.records, snap.network
	hash := r.PathValue("hash")
	v := &relView{records: recs, network: net, snap: snap}
	if hash == "" || hash == "latest" {
		rec, ok := latestRecord(recs, net)
		if !ok {
			return nil, citylens.Ef(citylens.ENOTFOUND, "ex.error.no_release", "no release has been published yet")
		}
		v.Rec, v.Latest = rec, true
	} else {
		found := false
		for _, rec := range recs {
			if rec.Hash == hash {
				v.Rec, found = rec, true
				break
			}
		}
		if !found && len(hash) >= minHashPrefix {
			// A short hash as pages show it (12 characters) names the
			// published release it begins, when only one does.
			n := 0
			for _, rec := range recs {
				if strings.HasPrefix(rec.Hash, hash) {
					v.Rec, n = rec, n+1
				}
			}
			found = n == 1
		}
		if !found {
			rec, err := a.store.StoredRelease(ctx, hash) // published by another replica a moment ago
			if err != nil || rec.State != release.StatePublished {
				return nil, citylens.Ef(citylens.ENOTFOUND, "ex.error.unknown_release", "there is no published release %q", hash)
			}
			v.Rec = rec
		}
		v.Base = "/releases/" + v.Rec.Hash
	}
	l, err := a.loadedRelease(ctx, v.Rec.Hash)
	if err != nil {
		return nil, err
	}
	v.rel, v.Sum = l.rel, l.sum
	v.Sum.Pillars = append([]string(nil), l.sum.Pillars...)
	v.Attribution = v.Sum.Attribution
	return v, nil
}

// family is the releases a trend runs over: the network's for a network
// edition, the edition's own otherwise.
func (a *Explorer) family(ctx context.Context, v *relView) ([]*release.Release, error) {
	var out []*release.Release
	for _, rec := range v.records {
		if v.network[v.Rec.Edition] && v.network[rec.Edition] || rec.Edition == v.Rec.Edition {
			r, err := a.Release(ctx, rec.Hash)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// --- home ---

type explorerHomeData struct {
	R          *relView
	Cities     int
	Members    int
	Regions    []regionCount
	WorldMap   *worldMap
	Top        []release.RankingRow
	MaxRank    int
	Others     []release.Record // other editions' latest releases
	HasRelease bool
}

//go:embed worldmap/land.svgpath
var worldLand string

type regionCount struct {
	members.Region
	Cities int
}

// mapXY projects lon/lat equirectangularly onto the 720 × 360 map canvas.
func mapXY(lat, lon float64) (x, y float64) { return (lon + 180) * 2, (90 - lat) * 2 }

func (a *Explorer) explorerHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cities, err := a.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	regions, err := a.store.ListRegions(ctx)
	if err != nil {
		return err
	}
	d := explorerHomeData{Cities: len(cities)}
	count := map[string]int{}
	for _, c := range cities {
		count[c.RegionCode]++
		if c.Status == members.StatusMember {
			d.Members++
		}
	}
	for _, rg := range regions {
		d.Regions = append(d.Regions, regionCount{rg, count[rg.Code]})
	}
	v, err := a.resolveRelease(r)
	switch {
	case err == nil:
		d.R, d.HasRelease = v.in(web.RequestLang(w, r), a.s.Catalog()), true
	case citylens.ErrorCode(err) != citylens.ENOTFOUND:
		return err
	}
	if d.HasRelease {
		rows, err := v.rel.Rankings(release.RankingQuery{})
		if err != nil {
			return err
		}
		d.MaxRank = len(rows)
		if len(rows) > 10 {
			rows = rows[:10]
		}
		d.Top = rows
		seen := map[string]bool{v.Rec.Edition: true}
		for _, rec := range v.records {
			if !seen[rec.Edition] {
				seen[rec.Edition] = true
				d.Others = append(d.Others, rec)
			}
		}
	}
	d.WorldMap, err = a.worldMap(web.RequestLang(w, r), cities, d.R, r.URL.Query().Get("map"))
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "explorer_home.html", d)
}

// --- rankings ---

type rankingsData struct {
	R          *relView
	Query      release.RankingQuery
	Rows       []release.RankingRow
	Total      int
	All        int // ranked cities
	Page       int
	Pages      int
	Regions    []string
	PeerGroups []string
	PopClasses []string
	Stages     []release.Stage
	Unranked   []unrankedRow
	Names      map[string]string // city code → name (ties)
	Pillars    []string
	// PillarNames are the pillars' names in the page's language by code.
	PillarNames map[string]string
	SortLinks   map[string]string
	PageLinks   []pageLink
	CSVHref     string
	APIHref     string
	TieOverlap  float64 // the tie rule's share of common ranks
}

type pageLink struct {
	N       int
	Href    string
	Current bool
}

const rankingsPerPage = 50

// rankingsParams are the query parameters of the rankings page.
var rankingsParams = []string{"region", "peer_group", "population_class", "stage", "sort", "reverse", "page"}

// maxStandings bounds the strengths and weaknesses a profile page lists.
const maxStandings = 10

func rankingQueryOf(q url.Values) (release.RankingQuery, error) {
	rq := release.RankingQuery{Region: q.Get("region"), PeerGroup: q.Get("peer_group"), PopulationClass: q.Get("population_class"),
		Stage: q.Get("stage"), Sort: q.Get("sort")}
	switch q.Get("reverse") {
	case "", "0", "false":
	case "1", "true":
		rq.Reverse = true
	default:
		return rq, citylens.Ef(citylens.EINVALID, "ex.error.reverse", "reverse must be 1 or 0, not %q", q.Get("reverse"))
	}
	return rq, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, citylens.Ef(citylens.EINVALID, "ex.error.int_param", "%s must be a whole number from %d to %d, not %q", name, lo, hi, v)
	}
	return n, nil
}

func (a *Explorer) explorerRankings(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	return a.renderExplorer(w, r, "explorer_rankings.html", v, rankingsParams, func(lang i18n.Lang) (any, error) {
		q := r.URL.Query()
		rq, err := rankingQueryOf(q)
		if err != nil {
			return nil, err
		}
		page, err := intParam(q, "page", 1, 1, 1<<20)
		if err != nil {
			return nil, err
		}
		all, err := v.rel.Ranking(release.RankingQuery{Limit: 1})
		if err != nil {
			return nil, err
		}
		rq.Offset, rq.Limit = (page-1)*rankingsPerPage, rankingsPerPage
		if rq.Sort == release.SortName { // by the names the page shows
			rq.Names = map[string]string{}
			for _, c := range v.rel.Cities() {
				rq.Names[c.Code] = v.CityName(c.Code, c.Name)
			}
		}
		res, err := v.rel.Ranking(rq)
		if err != nil {
			return nil, err
		}
		if pages := max(1, (res.Total+rankingsPerPage-1)/rankingsPerPage); page > pages {
			return nil, citylens.Ef(citylens.ENOTFOUND, "ex.error.no_page", "there is no page %d of this ranking: it has %d", page, pages)
		}
		d := &rankingsData{R: v, Query: rq, Rows: res.Rows, Total: res.Total, All: all.Total, Page: page,
			Pages: (res.Total + rankingsPerPage - 1) / rankingsPerPage, PopClasses: release.PopulationClasses(),
			Unranked: a.unrankedRows(lang, v, rq), Names: map[string]string{}, Pillars: v.Sum.Pillars, PillarNames: v.nodeNames(), SortLinks: map[string]string{},
			TieOverlap: v.rel.TieOverlap(),
		}
		stages, err := v.rel.Stages("")
		if err != nil {
			return nil, err
		}
		d.Stages = stages
		regions, peers := map[string]bool{}, map[string]bool{}
		for _, c := range v.rel.Cities() {
			d.Names[c.Code] = v.CityName(c.Code, c.Name)
			if c.Region != "" {
				regions[c.Region] = true
			}
			if c.PeerGroup != "" {
				peers[c.PeerGroup] = true
			}
		}
		d.Regions, d.PeerGroups = sortedSet(regions), sortedSet(peers)
		base := url.Values{}
		for k, val := range map[string]string{"region": rq.Region, "peer_group": rq.PeerGroup, "population_class": rq.PopulationClass, "stage": rq.Stage} {
			if val != "" {
				base.Set(k, val)
			}
		}
		api := url.Values{}
		for k, vs := range base {
			api[k] = vs
		}
		if rq.Sort != "" {
			api.Set("sort", rq.Sort)
		}
		if rq.Reverse {
			api.Set("reverse", "1")
		}
		d.APIHref = v.APIBase() + "/rankings?" + api.Encode()
		d.CSVHref = v.Base + "/rankings.csv?" + api.Encode()
		for _, key := range append([]string{release.SortRank, release.SortName, release.SortScore, release.SortChange}, v.Sum.Pillars...) {
			l := url.Values{}
			for k, vs := range base {
				l[k] = vs
			}
			l.Set("sort", key)
			cur := rq.Sort
			if cur == "" {
				cur = release.SortRank
			}
			if cur == key && !rq.Reverse {
				l.Set("reverse", "1")
			}
			d.SortLinks[key] = v.Base + "/rankings?" + l.Encode()
		}
		for p := 1; p <= d.Pages; p++ {
			l := url.Values{}
			for k, vs := range api {
				l[k] = vs
			}
			l.Set("page", strconv.Itoa(p))
			d.PageLinks = append(d.PageLinks, pageLink{N: p, Href: v.Base + "/rankings?" + l.Encode(), Current: p == page})
		}
		return d, nil
	})
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unrankedRow is a city of the network not ranked in a release, and why.
type unrankedRow struct {
	Code, Name, Country string
	Availability        float64 // share of the indicators with a value
	InRelease           bool    // false: no accepted data at all
	Why                 string
}

// whyUnranked says, in lang, why a city is not ranked: no data in the
// release, below the method's data-availability threshold, or too little
// data otherwise.
func (a *Explorer) whyUnranked(lang i18n.Lang, rel *release.Release, inRelease bool, avail float64) string {
	if !inRelease {
		return a.s.Catalog().T(lang, "ex.unranked.no_data")
	}
	if sc := rel.Screening(); sc.Method != "" && sc.Method != engine.ScreenNone && sc.Threshold > 0 && avail < sc.Threshold {
		return a.s.Catalog().T(lang, "ex.unranked.screened", pct(avail), pct(sc.Threshold))
	}
	return a.s.Catalog().T(lang, "ex.unranked.low", pct(avail))
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" }

// unrankedRows lists the release's cities that are not ranked and, for a
// release of the network's index, the member cities it has no data for: no
// city of the network is silently dropped. Those of the ranking's region,
// peer group and population class filters, by name.
func (a *Explorer) unrankedRows(lang i18n.Lang, v *relView, rq release.RankingQuery) []unrankedRow {
	match := func(region, peerGroup string, population int64) bool {
		return (rq.Region == "" || rq.Region == region) && (rq.PeerGroup == "" || rq.PeerGroup == peerGroup) &&
			(rq.PopulationClass == "" || rq.PopulationClass == release.PopulationClassOf(population))
	}
	var out []unrankedRow
	in := map[string]bool{}
	for _, c := range v.rel.Cities() {
		in[c.Code] = true
	}
	for _, u := range v.rel.Unranked() {
		if match(u.City.Region, u.City.PeerGroup, u.City.Population) {
			out = append(out, unrankedRow{Code: u.City.Code, Name: u.City.Name, Country: u.City.Country, Availability: u.DataAvailability,
				InRelease: true, Why: a.whyUnranked(lang, v.rel, true, u.DataAvailability)})
		}
	}
	if v.snap != nil && v.network[v.Rec.Edition] {
		// A member city the release left out is in the peer group the
		// release's own rule gives it (releases stored before the rule was
		// recorded grouped the network's cities by region).
		cfg := v.rel.Config()
		if cfg.PeerGroup == "" {
			cfg.PeerGroup = release.PeerByRegion
		}
		for code, m := range v.snap.members {
			peer := cfg.PeerGroupOf(release.City{Region: m.RegionCode, Country: m.Country, Population: m.Population})
			if !in[code] && match(m.RegionCode, peer, m.Population) {
				out = append(out, unrankedRow{Code: code, Name: m.Name, Country: m.Country, Why: a.whyUnranked(lang, v.rel, false, 0)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// --- city profile ---

type cityData struct {
	R        *relView
	P        *release.Profile
	Trend    []release.TrendPoint
	Chart    figure // pillars
	TrendSVG figure // rank across editions
	Links    profileLinks
	Names    map[string]string // aggregate code → name
	Stages   []release.Stage
	MaxRank  int
	Pillars  []string
	// A city not ranked here: why, and its latest ranking elsewhere (nil:
	// none). NotInRelease marks a member city the release has no data for.
	NotInRelease bool
	Why          string
	RankedIn     *release.TrendPoint
	CityNames    map[string]string // the tied cities' names, in the page's language
	Perception   []perceptionRow   // residents' ratings beside the measured indicators; nil: no survey
	Partnerships []partnershipRow  // the city's public partnerships, the other party second; nil: none
}

func (a *Explorer) explorerCity(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	return a.renderExplorer(w, r, "explorer_city.html", v, nil, func(lang i18n.Lang) (any, error) {
		code := r.PathValue("code")
		p, err := v.rel.Profile(code)
		notIn := false
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			// A member city of the network the release has no data for gets
			// a page saying so; an unknown code stays a 404.
			m, ok := v.snap.members[code]
			if !ok || !v.network[v.Rec.Edition] {
				return nil, err
			}
			p, err, notIn = &release.Profile{City: release.City{Code: m.Code, Name: m.Name, Country: m.Country, Region: m.RegionCode,
				Population: m.Population}}, nil, true
		}
		if err != nil {
			return nil, err
		}
		fam, err := a.family(r.Context(), v)
		if err != nil {
			return nil, err
		}
		trend, err := release.Trend(p.City.Code, fam)
		if err != nil && !(notIn && citylens.ErrorCode(err) == citylens.ENOTFOUND) {
			return nil, err
		}
		d := &cityData{R: v, P: p, Trend: trend, Names: v.nodeNames(), MaxRank: v.Sum.Ranked, Pillars: v.Sum.Pillars, NotInRelease: notIn,
			CityNames: map[string]string{}}
		if len(p.TiedWith) > 0 {
			for _, c := range v.rel.Cities() {
				if slices.Contains(p.TiedWith, c.Code) {
					d.CityNames[c.Code] = v.CityName(c.Code, c.Name)
				}
			}
		}
		if !p.Ranked {
			d.Why = a.whyUnranked(lang, v.rel, !notIn, p.DataAvailability)
			for i := len(trend) - 1; i >= 0; i-- { // oldest first: the latest ranked
				if trend[i].Ranked && trend[i].Hash != v.Rec.Hash {
					d.RankedIn = &trend[i]
					break
				}
			}
		}
		d.Stages, err = v.rel.Stages("")
		if err != nil {
			return nil, err
		}
		// The page lists the strongest and weakest few; every value is in
		// the values table below.
		if len(p.Strengths) > maxStandings {
			p.Strengths = p.Strengths[:maxStandings]
		}
		if len(p.Weaknesses) > maxStandings {
			p.Weaknesses = p.Weaknesses[:maxStandings]
		}
		topics, in, err := a.surveyTopics(r.Context(), v.Rec.Edition)
		if err != nil {
			return nil, err
		}
		d.Perception = perceptionOf(v.rel, p, topics, in)
		d.Partnerships = cityPartnerships(v.snap, p.City.Code, lang)
		a.cityFigures(lang, v, d)
		return d, nil
	})
}

func nodeNames(r *release.Release) map[string]string {
	out := map[string]string{}
	for _, n := range r.Methodology().Tree {
		out[n.Code] = n.Name
		if n.Name == "" {
			out[n.Code] = n.Code
		}
	}
	return out
}

// --- compare ---

// compareParams are the query parameters of the compare page: the cities,
// in order.
var compareParams = []string{"c"}

type compareData struct {
	R      *relView
	Codes  []string
	Rows   []release.CompareRow
	Cities []release.City
	Names  map[string]string
	Chart  figure
	Slots  []string // the form's four fields
	Err    string
}

func (a *Explorer) explorerCompare(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	return a.renderExplorer(w, r, "explorer_compare.html", v, compareParams, func(lang i18n.Lang) (any, error) {
		d := &compareData{R: v, Cities: v.rel.Cities(), Names: v.nodeNames()}
		d.Codes = compareCodes(r.URL.Query())
		d.Slots = append(append([]string(nil), d.Codes...), make([]string, max(0, 4-len(d.Codes)))...)
		if len(d.Codes) == 0 {
			return d, nil
		}
		rows, err := v.rel.Compare(d.Codes)
		if err != nil {
			if citylens.ErrorCode(err) == citylens.EINVALID {
				d.Err = a.s.Message(lang, err)
				return d, nil
			}
			return nil, err
		}
		d.Rows = rows
		d.Chart = a.compareFigure(lang, v, rows, d.Codes)
		return d, nil
	})
}

// --- indicator ---

type indicatorData struct {
	R     *relView
	I     *release.IndicatorView
	Hist  figure
	Names map[string]string
}

func (a *Explorer) explorerIndicator(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	return a.renderExplorer(w, r, "explorer_indicator.html", v, nil, func(lang i18n.Lang) (any, error) {
		iv, err := v.rel.Indicator(r.PathValue("code"))
		if err != nil {
			return nil, err
		}
		return &indicatorData{R: v, I: iv, Hist: a.distributionFigure(lang, v, iv), Names: v.nodeNames()}, nil
	})
}

// --- methodology ---

type methodologyData struct {
	R     *relView
	M     *release.Methodology
	Names map[string]string
	Demo  bool
	Sobol []sobolRow
	// SobolSmallN: the sensitivity design is below MinSobolN, or an
	// estimate fell outside [0, 1] or has an interval wider than half the
	// scale: the indices are indicative only, and the page says so.
	SobolSmallN bool
	SobolOut    bool // some estimate was outside [0, 1] and is shown clipped
	MinSobolN   int
	Flags       []flagCount // audit flags by kind, most important first
	Steps       []stepView
	TieOverlap  float64
	Survey      *surveyMethod // the residents' survey in the people-centric pillar; nil: none
}

// phrase words p in lang (its English text when it has no key).
func (a *Explorer) phrase(lang i18n.Lang, p citylens.Phrase) string {
	if p.Key == "" {
		return p.English
	}
	return a.s.Catalog().T(lang, p.Key, p.Args...)
}

// MinSobolN is the base sample size of the sensitivity design under which
// Sobol indices are too rough to read as shares of variance (Saltelli et
// al. 2010 use N in the thousands; below 500 the bootstrap intervals of
// a first-order index typically span most of [0, 1]).
const MinSobolN = 500

// sobolRow is one Sobol index as the methodology page shows it: estimates
// clipped to [0, 1] (an index is a share of variance), the raw estimate
// kept when it was outside, and the interval ("" when none was computed).
type sobolRow struct {
	Output, Input      string
	S1, ST             *float64 // clipped to [0, 1]
	S1Raw, STRaw       *float64 // the estimates, when outside [0, 1]
	S1Interval, STBand string   // "0.12–0.40"; "" without an interval
}

// flagCount is the number of audit flags of a kind.
type flagCount struct {
	Kind  string
	Count int
	Items []string // the flags, worded in the page's language
}

// stepView is a pipeline step worded in the page's language.
type stepView struct{ Step, Text string }

func (a *Explorer) flagCounts(lang i18n.Lang, flags []release.AuditFlag) []flagCount {
	var out []flagCount
	for _, g := range release.FlagGroups(flags) {
		fc := flagCount{Kind: g.Kind, Count: g.Count()}
		for _, f := range g.Flags {
			fc.Items = append(fc.Items, a.phrase(lang, f.Words()))
		}
		out = append(out, fc)
	}
	return out
}

func clip01(f *float64) (shown, raw *float64) {
	if f == nil || math.IsNaN(*f) {
		return nil, nil
	}
	v := math.Min(1, math.Max(0, *f))
	if v != *f {
		return &v, f
	}
	return f, nil
}

func interval(lo, hi *float64) string {
	if lo == nil || hi == nil || math.IsNaN(*lo) || math.IsNaN(*hi) {
		return ""
	}
	return strconv.FormatFloat(*lo, 'f', 2, 64) + " – " + strconv.FormatFloat(*hi, 'f', 2, 64)
}

// sobolView is the methodology page's view of the Sobol indices.
func sobolView(m *release.Methodology, d *methodologyData) {
	d.MinSobolN = MinSobolN
	d.SobolSmallN = m.Uncertainty.SAN > 0 && m.Uncertainty.SAN < MinSobolN
	for _, x := range m.Sobol {
		row := sobolRow{Output: x.Output, Input: x.Input, S1Interval: interval(x.S1Lo, x.S1Hi), STBand: interval(x.STLo, x.STHi)}
		row.S1, row.S1Raw = clip01(x.S1)
		row.ST, row.STRaw = clip01(x.ST)
		if row.S1Raw != nil || row.STRaw != nil {
			d.SobolOut, d.SobolSmallN = true, true
		}
		if x.S1Lo != nil && x.S1Hi != nil && *x.S1Hi-*x.S1Lo > 0.5 {
			d.SobolSmallN = true
		}
		d.Sobol = append(d.Sobol, row)
	}
}

func (a *Explorer) explorerMethodology(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	return a.renderExplorer(w, r, "explorer_methodology.html", v, nil, func(lang i18n.Lang) (any, error) {
		m := v.rel.Methodology()
		for i := range m.Tree {
			if m.Tree[i].Depth == 0 {
				m.Tree[i].Name = v.localTitle(m.Tree[i].Name)
			}
		}
		d := &methodologyData{R: v, M: m, Names: v.nodeNames(), Demo: v.Rec.Demo, Flags: a.flagCounts(lang, m.Audit), TieOverlap: v.rel.TieOverlap()}
		index := nodeNames(v.rel)[v.Sum.Index]
		for _, st := range m.Steps {
			w := st.Words
			w.Args = append([]any(nil), w.Args...)
			for i, arg := range w.Args { // the index's name in the page's language
				if s, ok := arg.(string); ok && s == index {
					w.Args[i] = v.localTitle(s)
				}
			}
			d.Steps = append(d.Steps, stepView{st.Step, a.phrase(lang, w)})
		}
		sobolView(m, d)
		rules, _ := a.store.(surveyRules)
		d.Survey = surveyMethodOf(r.Context(), rules, v.rel)
		return d, nil
	})
}

// --- releases, downloads ---

type releasesData struct {
	Titles   map[string]string // by hash, in the page's language
	Releases []release.Record
	Latest   string
	Files    []string
	Network  map[string]bool
}

func (a *Explorer) explorerReleases(w http.ResponseWriter, r *http.Request) error {
	return a.renderReleaseList(w, r, "explorer_releases.html")
}

func (a *Explorer) explorerDownloads(w http.ResponseWriter, r *http.Request) error {
	return a.renderReleaseList(w, r, "explorer_downloads.html")
}

// renderReleaseList renders a page of the published releases (the list,
// the downloads), marking the latest.
func (a *Explorer) renderReleaseList(w http.ResponseWriter, r *http.Request, page string) error {
	recs, net, err := a.publishedRecords(r.Context())
	if err != nil {
		return err
	}
	d := releasesData{Releases: recs, Files: downloadFiles(), Network: net, Titles: map[string]string{}}
	lang := web.RequestLang(w, r)
	for _, rec := range recs {
		d.Titles[rec.Hash] = localTitle(a.s.Catalog(), lang, rec.DisplayTitle())
	}
	if l, ok := latestRecord(recs, net); ok {
		d.Latest = l.Hash
	}
	return a.s.Render(w, r, page, d)
}

type releaseData struct {
	R       *relView
	Changes []release.Change
	Files   []string
}

func (a *Explorer) explorerRelease(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	return a.renderExplorer(w, r, "explorer_release.html", v, nil, func(lang i18n.Lang) (any, error) {
		return &releaseData{R: v, Changes: v.rel.Changes(), Files: downloadFiles()}, nil
	})
}

// downloadTypes are the media types of the release files.
var downloadTypes = map[string]string{
	release.FileResults:     "text/csv; charset=utf-8",
	release.FileValues:      "text/csv; charset=utf-8",
	release.FileXLSX:        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	release.FileJSON:        "application/json",
	release.FileDataPackage: "application/json",
}

// koreanFiles are the release's tables for people to read, with indicator
// and pillar names, units and definitions in Korean, each named after the
// file it translates. The JSON files stay the release's record, in
// English. Distinct names (not a query parameter) let a static copy hold
// both languages.
var koreanFiles = map[string]string{
	"results.ko.csv":  release.FileResults,
	"values.ko.csv":   release.FileValues,
	"release.ko.xlsx": release.FileXLSX,
}

func init() {
	for ko, f := range koreanFiles {
		downloadTypes[ko] = downloadTypes[f]
	}
}

// downloadFiles are the names of a release's files: release.Files, then
// the Korean tables.
func downloadFiles() []string {
	return append(release.Files(), "results.ko.csv", "values.ko.csv", "release.ko.xlsx")
}

// ValuesFile is the values table in the page's language.
func (v *relView) ValuesFile() string {
	if v.lang == i18n.Korean {
		return "values.ko.csv"
	}
	return release.FileValues
}

func (a *Explorer) explorerDownload(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	name := r.PathValue("file")
	ct, ok := downloadTypes[name]
	if !ok {
		return citylens.Ef(citylens.ENOTFOUND, "ex.error.no_file", "release %s has no file %q: it has %s", v.Short(), name, strings.Join(downloadFiles(), ", "))
	}
	file, rel := name, v.rel
	if f, ok := koreanFiles[name]; ok {
		file, rel = f, v.rel.In(string(i18n.Korean))
	}
	var buf bytes.Buffer
	switch file {
	case release.FileResults:
		err = rel.ResultsCSV(&buf)
	case release.FileValues:
		err = rel.ValuesCSV(&buf)
	case release.FileXLSX:
		err = rel.XLSX(&buf)
	case release.FileJSON:
		err = rel.JSON(&buf)
	case release.FileDataPackage:
		err = rel.DataPackageJSON(&buf)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+v.Rec.Edition+"-"+v.Short()+"-"+name+`"`)
	// A published release never changes: its files may be cached for good.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+v.Rec.Hash+"-"+name+`"`)
	w.Write(buf.Bytes())
	return nil
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

// recovering wraps a function that singleflight's DoChan runs: DoChan
// re-panics a panic on a goroutine of its own, where nothing could recover
// it, so the panic becomes the call's error here and fails only the
// requests waiting for it.
func recovering(what string, fn func() (any, error)) func() (any, error) {
	return func() (v any, err error) {
		defer func() {
			if p := recover(); p != nil {
				v, err = nil, citylens.Recovered("explorer: "+what, p)
			}
		}()
		return fn()
	}
}

// compareCodes are the cities a compare page, its CSV or the API asks for
// (?c=, in order; blank fields of the form left out).
func compareCodes(q url.Values) []string {
	var codes []string
	for _, c := range q["c"] {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	return codes
}
