package explorerweb

import (
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// The explorer API's response bodies and their documentation in the
// OpenAPI document (its schemas are made from these types).

type (
	// ReleasesResponse lists the published releases.
	ReleasesResponse struct {
		Releases []ReleaseItem `json:"releases"`
		Latest   string        `json:"latest"`
		web.Paginated
	}
	// ReleaseResponse is one release.
	ReleaseResponse struct {
		Record  release.Record   `json:"record"`
		Summary release.Summary  `json:"summary"`
		Changes []release.Change `json:"changes"`
		Files   []FileLink       `json:"files"`
	}
	// RankingsResponse is a page of a ranking.
	RankingsResponse struct {
		Release  string                 `json:"release"`
		Edition  string                 `json:"edition"`
		Query    release.RankingQuery   `json:"query"`
		Total    int                    `json:"total"`
		Rows     []release.RankingRow   `json:"rows"`
		Unranked []release.UnrankedCity `json:"unranked"`
		web.Paginated
	}
	// CityProfileResponse is a city's profile and trend.
	CityProfileResponse struct {
		Release string               `json:"release"`
		Edition string               `json:"edition"`
		Profile *release.Profile     `json:"profile"`
		Trend   []release.TrendPoint `json:"trend"`
	}
	// WhatIfResponse is a what-if's result.
	WhatIfResponse struct {
		Release string                `json:"release"`
		Result  *release.WhatIfResult `json:"result"`
	}
	// CompareResponse is cities side by side.
	CompareResponse struct {
		Release string               `json:"release"`
		Cities  []release.CompareRow `json:"cities"`
	}
	// IndicatorResponse is an indicator's view.
	IndicatorResponse struct {
		Release   string                 `json:"release"`
		Indicator *release.IndicatorView `json:"indicator"`
	}
	// MethodologyResponse is a release's methodology.
	MethodologyResponse struct {
		Release     string               `json:"release"`
		Methodology *release.Methodology `json:"methodology"`
	}
	// DownloadsResponse is a release's files and data package.
	DownloadsResponse struct {
		Release     string              `json:"release"`
		Files       []FileLink          `json:"files"`
		DataPackage release.DataPackage `json:"datapackage"`
	}
)

// releasesPage are the page sizes of the list of releases.
var releasesPage = web.PageLimits{Default: 100, Max: 1000}

// maxRankingRows bounds a rankings page.
const maxRankingRows = 100000

func init() {
	// Pillars marshal as an array of their results.
	web.RegisterJSONAs[release.Pillars, []release.RankingPillar]()
}

// APIOperations are the explorer's operations of the OpenAPI document.
func (a *Explorer) APIOperations() []web.APIOperation {
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/releases", ID: "listReleases", Tag: "releases", Summary: "Published releases, newest first, and which is the latest",
			Description: "Every published release (of the network's index and of examples), newest first, with its headline summary, a page at a time; `latest` is the hash `latest` stands for.", Query: web.PageParams(releasesPage), Status: 200, Response: ReleasesResponse{}},
		{Method: "GET", Path: "/api/v1/releases/{hash}", ID: "getRelease", Tag: "releases", PathParams: releasePathParams, Summary: "A release: its record, headline summary, change log and files",
			Description: "A release's record, its headline summary, the change log of a correction against the release it corrects, and links to its files.", Status: 200, Response: ReleaseResponse{}, Errors: []int{404}, Immutable: true},
		{Method: "GET", Path: "/api/v1/releases/{hash}/rankings", ID: "getRankings", Tag: "releases", PathParams: releasePathParams, Summary: "Ranked cities with rank bands, ties, stages, ratings and change",
			Description: "The ranked cities with their 5–95 % rank and score bands under the release's uncertainty analysis, tie groups, development stages, ratings and change since the last edition; filtered and sorted. Without `limit` every matching row comes at once; with it, a page and the next page's cursor. The cities not ranked (too little data) follow in `unranked`.",
			Query:       rankingParams, Status: 200, Response: RankingsResponse{}, Errors: []int{404}, Immutable: true},
		{Method: "GET", Path: "/api/v1/releases/{hash}/cities/{code}", ID: "getCityProfile", Tag: "releases", PathParams: releasePathParams, Summary: "A city's profile and trend",
			Description: "A city's scores, bands, stages, pillars, peers, twins, strengths, weaknesses and values with provenance, and its trend across the network's editions (which grows as editions are published, so this answer is revalidated).", Query: []web.APIParam{langParam}, Status: 200, Response: CityProfileResponse{}, Errors: []int{404}},
		{Method: "POST", Path: "/api/v1/releases/{hash}/cities/{code}/whatif", ID: "whatIf", Tag: "releases", PathParams: releasePathParams, Summary: "Recompute a city's result with some values changed",
			Description: "Recomputes the city's score, rank, stage, rating and pillars with the given indicator values changed, beside the published ones, through the release's own method. The release does not change. At most 256 KiB of body.", Body: "WhatIfRequest", BodySchema: whatIfSchema, Status: 200, Response: WhatIfResponse{}, Errors: []int{404, 413, 415}},
		{Method: "GET", Path: "/api/v1/releases/{hash}/compare", ID: "compare", Tag: "releases", PathParams: releasePathParams, Summary: "Two to four cities side by side",
			Query: []web.APIParam{{Name: "c", Type: "string", Array: true, Description: "a city code; give 2 to 4 distinct ones"}, langParam}, Status: 200, Response: CompareResponse{}, Errors: []int{404}, Immutable: true},
		{Method: "GET", Path: "/api/v1/releases/{hash}/indicators/{code}", ID: "getIndicator", Tag: "releases", PathParams: releasePathParams, Summary: "An indicator: definition, crosswalk, weights, distribution, top and bottom cities", Query: []web.APIParam{langParam}, Status: 200, Response: IndicatorResponse{}, Errors: []int{404}, Immutable: true},
		{Method: "GET", Path: "/api/v1/releases/{hash}/methodology", ID: "getMethodology", Tag: "releases", PathParams: releasePathParams, Summary: "Framework tree, pipeline choices, audit, uncertainty and Sobol indices", Query: []web.APIParam{langParam}, Status: 200, Response: MethodologyResponse{}, Errors: []int{404}, Immutable: true},
		{Method: "GET", Path: "/api/v1/releases/{hash}/downloads", ID: "getDownloads", Tag: "releases", PathParams: releasePathParams, Summary: "The release's files and its Frictionless data package", Status: 200, Response: DownloadsResponse{}, Errors: []int{404}, Immutable: true},
	}
}

const hashDoc = "a published release's content hash (64 hexadecimal digits), or `latest`"

// releasePathParams document the releases' path parameters.
var releasePathParams = map[string]string{"hash": hashDoc, "code": "a city's code (e.g. kr-seoul) or, under /indicators, an indicator's code (e.g. EC-ICT-ICT-1C)"}

var (
	popClasses = web.Enum(release.PopulationClasses()...)
	sortKeys   = "rank (default), name, score, change or a pillar code"
)

// langParam chooses the language of the names in an answer.
var langParam = web.APIParam{Name: "lang", Type: "string", Description: "the language of indicator and pillar names, units and definitions: en (default) or ko (Korean names where the catalogue has them)", Enum: web.Enum("en", "ko")}

var rankingParams = []web.APIParam{
	langParam,
	{Name: "region", Type: "string", Description: "only cities of this world region", Enum: web.Enum("AF", "AS", "EU", "LA", "NA", "OC")},
	{Name: "peer_group", Type: "string", Description: "only cities of this peer group (the release's rule names them)"},
	{Name: "population_class", Type: "string", Description: "only cities of this population class", Enum: popClasses},
	{Name: "stage", Type: "string", Description: "only cities at this development stage (the release's stages)"},
	{Name: "sort", Type: "string", Description: "sort key: " + sortKeys},
	{Name: "reverse", Type: "integer", Description: "1 reverses the sort's natural order", Enum: []any{0, 1}},
	{Name: "limit", Type: "integer", Description: "rows per page (absent or 0: every matching row), at most 100,000", Minimum: web.Min(0), Maximum: web.Min(maxRankingRows)},
	{Name: "cursor", Type: "string", Description: "the next_cursor of the previous page"},
	{Name: "offset", Type: "integer", Description: "rows to skip (the cursor is preferred)", Minimum: web.Min(0)},
}

// APISchemaDocs document the release types the explorer API answers with.
func (a *Explorer) APISchemaDocs() web.SchemaDocs { return releaseDocs }
