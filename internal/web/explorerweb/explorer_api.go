package explorerweb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// The explorer's JSON API under /api/v1/releases: everything the public
// pages show, for any published release ({hash} may be "latest"). Every
// route is described in the OpenAPI document (internal/web/openapi.go),
// which a test checks against these handlers.

func (a *Explorer) registerExplorerAPI(s *web.Server) {
	short, rel := web.WithCache(web.CacheShort), web.WithCache(web.CacheRelease)
	s.API("GET /api/v1/releases", web.AccessPublic, a.apiReleases, short)
	s.API("GET /api/v1/releases/{hash}", web.AccessPublic, a.apiRelease, rel)
	s.API("GET /api/v1/releases/{hash}/rankings", web.AccessPublic, a.apiRankings, rel)
	s.API("GET /api/v1/releases/{hash}/cities/{code}", web.AccessPublic, a.apiCityProfile, short)
	s.API("POST /api/v1/releases/{hash}/cities/{code}/whatif", web.AccessPublic, a.apiWhatIf, web.WithMaxBody(256<<10))
	s.API("GET /api/v1/releases/{hash}/compare", web.AccessPublic, a.apiCompare, rel)
	s.API("GET /api/v1/releases/{hash}/indicators/{code}", web.AccessPublic, a.apiIndicator, rel)
	s.API("GET /api/v1/releases/{hash}/methodology", web.AccessPublic, a.apiMethodology, rel)
	s.API("GET /api/v1/releases/{hash}/downloads", web.AccessPublic, a.apiDownloads, rel)
}

// ReleaseItem is one release of the list.
type ReleaseItem struct {
	release.Record
	Summary release.Summary `json:"summary"`
	Latest  bool            `json:"latest"`
	Network bool            `json:"network"` // an edition of the network's index (not an example)
}

func (a *Explorer) apiReleases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	recs, net, err := a.publishedRecords(ctx)
	if err != nil {
		return err
	}
	off, lim, err := web.PageQuery(r.URL.Query(), releasesPage)
	if err != nil {
		return err
	}
	latest, _ := latestRecord(recs, net)
	page, next := web.PageOf(w, r, recs, off, lim)
	items := []ReleaseItem{}
	for _, rec := range page {
		rel, err := a.Release(ctx, rec.Hash)
		if err != nil {
			return err
		}
		items = append(items, ReleaseItem{Record: rec, Summary: rel.Summary(), Latest: rec.Hash == latest.Hash, Network: net[rec.Edition]})
	}
	out := ReleasesResponse{Releases: items, Latest: latest.Hash}
	out.NextCursor = next
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Explorer) apiRelease(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	changes := v.rel.Changes()
	if changes == nil {
		changes = []release.Change{}
	}
	web.WriteJSON(w, http.StatusOK, ReleaseResponse{Record: v.Rec, Summary: v.Sum, Changes: changes, Files: fileLinks(v)})
	return nil
}

// FileLink is one file of a release.
type FileLink struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	MediaType string `json:"media_type"`
}

func fileLinks(v *relView) []FileLink {
	var out []FileLink
	for _, f := range downloadFiles() {
		out = append(out, FileLink{Name: f, URL: v.DownloadBase() + f, MediaType: downloadTypes[f]})
	}
	return out
}

// apiRelease is the release an API answer is made from: in the language
// its lang parameter names (indicator and pillar names, units and
// definitions in Korean for lang=ko), English when absent.
func apiRelease(r *http.Request, v *relView) (*release.Release, error) {
	lang := r.URL.Query().Get("lang")
	switch lang {
	case "", "en":
		return v.rel, nil
	case "ko":
		return v.rel.In(lang), nil
	}
	return nil, citylens.Ef(citylens.EINVALID, "error.lang_param", "lang: %q is not a language of CityLens: give en or ko", lang)
}

func (a *Explorer) apiRankings(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	rel, err := apiRelease(r, v)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rq, err := rankingQueryOf(q)
	if err != nil {
		return err
	}
	if rq.Offset, err = intParam(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if rq.Limit, err = intParam(q, "limit", 0, 0, maxRankingRows); err != nil {
		return err
	}
	if c := q.Get("cursor"); c != "" {
		if rq.Offset, _, err = web.PageQuery(url.Values{"cursor": {c}}, web.PageLimits{Default: 1, Max: 1}); err != nil {
			return err
		}
	}
	res, err := rel.Ranking(rq)
	if err != nil {
		return err
	}
	rows := res.Rows
	if rows == nil {
		rows = []release.RankingRow{}
	}
	unranked := v.rel.Unranked()
	if unranked == nil {
		unranked = []release.UnrankedCity{}
	}
	out := RankingsResponse{Release: v.Rec.Hash, Edition: v.Rec.Edition, Query: rq, Total: res.Total, Rows: rows, Unranked: unranked}
	if end := rq.Offset + len(rows); rq.Limit > 0 && end < res.Total {
		next := web.Cursor(end)
		out.NextCursor = &next
		q.Del("offset")
		q.Set("cursor", next)
		w.Header().Add("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Explorer) apiCityProfile(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	rel, err := apiRelease(r, v)
	if err != nil {
		return err
	}
	p, err := rel.Profile(r.PathValue("code"))
	if err != nil {
		return err
	}
	fam, err := a.family(r.Context(), v)
	if err != nil {
		return err
	}
	trend, err := release.Trend(p.City.Code, fam)
	if err != nil {
		return err
	}
	if trend == nil {
		trend = []release.TrendPoint{}
	}
	web.WriteJSON(w, http.StatusOK, CityProfileResponse{Release: v.Rec.Hash, Edition: v.Rec.Edition, Profile: p, Trend: trend})
	return nil
}

// WhatIfRequest is the body of a what-if: indicator code → new value, as
// a JSON number or a string holding one.
type WhatIfRequest struct {
	Values map[string]json.RawMessage `json:"values"`
}

func (a *Explorer) apiWhatIf(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	var in WhatIfRequest
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Values) == 0 {
		return citylens.Errorf(citylens.EINVALID, "values: give at least one indicator value to change")
	}
	vals := map[string]string{}
	for code, raw := range in.Values {
		raw = bytes.TrimSpace(raw)
		var str string
		switch {
		case len(raw) > 0 && raw[0] == '"':
			if err := json.Unmarshal(raw, &str); err != nil {
				return citylens.Errorf(citylens.EINVALID, "values.%s: %v", code, err)
			}
		case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
			str = string(raw)
		default:
			return citylens.Errorf(citylens.EINVALID, "values.%s: %s is not a number", code, raw)
		}
		if strings.TrimSpace(str) == "" {
			return citylens.Errorf(citylens.EINVALID, "values.%s: the value is empty: enter a number", code)
		}
		vals[code] = str
	}
	res, err := v.rel.WhatIf(r.Context(), r.PathValue("code"), vals)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, WhatIfResponse{Release: v.Rec.Hash, Result: res})
	return nil
}

func (a *Explorer) apiCompare(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	rel, err := apiRelease(r, v)
	if err != nil {
		return err
	}
	rows, err := rel.Compare(compareCodes(r.URL.Query()))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, CompareResponse{Release: v.Rec.Hash, Cities: rows})
	return nil
}

func (a *Explorer) apiIndicator(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	rel, err := apiRelease(r, v)
	if err != nil {
		return err
	}
	iv, err := rel.Indicator(r.PathValue("code"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, IndicatorResponse{Release: v.Rec.Hash, Indicator: iv})
	return nil
}

func (a *Explorer) apiMethodology(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	rel, err := apiRelease(r, v)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, MethodologyResponse{Release: v.Rec.Hash, Methodology: rel.Methodology()})
	return nil
}

func (a *Explorer) apiDownloads(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, DownloadsResponse{Release: v.Rec.Hash, Files: fileLinks(v), DataPackage: v.rel.Package()})
	return nil
}
