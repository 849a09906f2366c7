package apiweb

import (
	"net/http"
	"sort"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// The JSON API, /api/v1. Reads of public data need no token; everything
// else needs "Authorization: Bearer <token>" (read scope for GET, write
// scope otherwise). Errors are APIError bodies.
func (a *Area) registerAPIRoutes(s *web.Server) {
	short := web.WithCache(web.CacheShort) // the directory changes now and then
	s.API("GET /api/v1/regions", web.AccessPublic, a.apiRegions, short)
	s.API("GET /api/v1/offices", web.AccessPublic, a.apiOffices, short)
	s.API("GET /api/v1/cities", web.AccessPublic, a.apiCities, short)
	s.API("GET /api/v1/cities/{code}", web.AccessPublic, a.apiCity, short)
	s.API("PUT /api/v1/cities/{code}", web.AccessCityEditors, a.apiPutCity)
	s.API("GET /api/v1/me", web.AccessSignedIn, a.apiMe)
	s.API("GET /api/v1/audit", web.AccessAdmin, a.apiAudit)
	s.API("GET /api/v1/history/{entity_type}/{entity_id}", web.AccessSignedIn, a.apiHistory)
	s.API("GET /api/v1/jobs/{id}", web.AccessAdmin, a.apiJob)
}

// Response bodies of the platform API (their schemas are in the OpenAPI
// document, made from these types).
type (
	RegionsResponse struct {
		Regions []members.Region `json:"regions"`
		web.Paginated
	}
	OfficesResponse struct {
		Offices []members.Office `json:"offices"`
		web.Paginated
	}
	CitiesResponse struct {
		Cities []members.City `json:"cities"`
		Total  int            `json:"total"`
		web.Paginated
	}
	MeResponse struct {
		User       accounts.User `json:"user"`
		TokenScope string        `json:"token_scope"`
	}
	AuditResponse struct {
		Entries []auditlog.Entry `json:"entries"`
		web.Paginated
	}
	HistoryResponse struct {
		EntityType string           `json:"entity_type"`
		EntityID   string           `json:"entity_id"`
		Entries    []auditlog.Entry `json:"entries"`
		web.Paginated
	}
)

// Page sizes of the platform API's lists.
var (
	directoryPage = web.PageLimits{Default: 500, Max: 1000}
	auditPage     = web.PageLimits{Default: 100, Max: 500} // the store reads at most 1,000 entries, one more than a page
)

func (a *Area) apiRegions(w http.ResponseWriter, r *http.Request) error {
	off, lim, err := web.PageQuery(r.URL.Query(), directoryPage)
	if err != nil {
		return err
	}
	rs, err := a.store.ListRegions(r.Context())
	if err != nil {
		return err
	}
	var out RegionsResponse
	out.Regions, out.NextCursor = web.PageOf(w, r, rs, off, lim)
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Area) apiOffices(w http.ResponseWriter, r *http.Request) error {
	off, lim, err := web.PageQuery(r.URL.Query(), directoryPage)
	if err != nil {
		return err
	}
	os, err := a.store.ListOffices(r.Context())
	if err != nil {
		return err
	}
	var out OfficesResponse
	out.Offices, out.NextCursor = web.PageOf(w, r, os, off, lim)
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Area) apiCities(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	off, lim, err := web.PageQuery(q, directoryPage)
	if err != nil {
		return err
	}
	cs, err := a.store.ListCities(r.Context(), members.CityFilter{RegionCode: q.Get("region"), Country: q.Get("country"),
		Status: q.Get("status"), Query: q.Get("q")})
	if err != nil {
		return err
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Code < cs[j].Code }) // a fixed order for the cursor
	out := CitiesResponse{Total: len(cs)}
	out.Cities, out.NextCursor = web.PageOf(w, r, cs, off, lim)
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Area) apiCity(w http.ResponseWriter, r *http.Request) error {
	c, err := a.store.City(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
	return nil
}

// apiPutCity replaces a city's editable fields. Regional officers and
// focal points change name, local name, coordinates and population only.
func (a *Area) apiPutCity(w http.ResponseWriter, r *http.Request) error {
	c, err := web.ScopedCity(r, a.store)
	if err != nil {
		return err
	}
	var in members.City
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Code != "" && in.Code != c.Code {
		return citylens.E(citylens.EINVALID, "error.city_code_differs", in.Code, c.Code)
	}
	c.Name, c.LocalName, c.Latitude, c.Longitude, c.Population = in.Name, in.LocalName, in.Latitude, in.Longitude, in.Population
	if web.ViewerOf(r).IsAdmin() {
		c.Country, c.RegionCode, c.OfficeCode, c.Status, c.MemberSince = in.Country, in.RegionCode, in.OfficeCode, in.Status, in.MemberSince
	}
	if err := a.members.SaveCity(r.Context(), web.ActorOf(r), c); err != nil {
		return err
	}
	saved, err := a.store.City(r.Context(), c.Code)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, saved)
	return nil
}

func (a *Area) apiMe(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerOf(r)
	out := MeResponse{User: v.User}
	if v.Token != nil {
		out.TokenScope = v.Token.Scope
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Area) apiAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := web.AuditFilter(q)
	if err != nil {
		return err
	}
	// limit and cursor as every list: the cursor is the id the next page
	// reads before (the log is newest first and only grows).
	before, lim, err := web.PageQuery(q, auditPage)
	if err != nil {
		return err
	}
	if before > 0 {
		f.BeforeID = int64(before)
	}
	f.Limit = lim + 1 // one more: is there a next page?
	es, err := a.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	out := AuditResponse{Entries: es}
	if len(es) > lim {
		out.Entries = es[:lim]
		next := web.Cursor(int(es[lim-1].ID))
		out.NextCursor = &next
		q.Set("cursor", next)
		w.Header().Add("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	if out.Entries == nil {
		out.Entries = []auditlog.Entry{}
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiHistory is an entity's change history. Admins see any entity; others
// see the history of cities they may edit (feature modules extend
// mayReadHistory for their entity types, e.g. a city's data values).
func (a *Area) apiHistory(w http.ResponseWriter, r *http.Request) error {
	et, id := r.PathValue("entity_type"), r.PathValue("entity_id")
	if err := a.mayReadHistory(r, et, id); err != nil {
		return err
	}
	off, lim, err := web.PageQuery(r.URL.Query(), auditPage)
	if err != nil {
		return err
	}
	es, err := auditlog.History(r.Context(), a.store, et, id, 1000)
	if err != nil {
		return err
	}
	out := HistoryResponse{EntityType: et, EntityID: id}
	out.Entries, out.NextCursor = web.PageOf(w, r, es, off, lim)
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Area) mayReadHistory(r *http.Request, entityType, entityID string) error {
	v := web.ViewerOf(r)
	if v.IsAdmin() {
		return nil
	}
	if entityType == "city" && (v.User.Role == accounts.RoleRegional || v.User.Role == accounts.RoleFocal) {
		c, err := a.store.City(r.Context(), entityID)
		if err != nil {
			return err
		}
		if web.CanEditCity(v, c.Code, c.RegionCode) {
			return nil
		}
	}
	return citylens.E(citylens.EFORBIDDEN, "error.history_denied", entityType, entityID)
}

func (a *Area) apiJob(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	j, err := a.store.Job(r.Context(), id)
	if err != nil {
		return err
	}
	j.Error = j.ErrorText() // English, as the API answers (a keyed error is stored as JSON)
	web.WriteJSON(w, http.StatusOK, j)
	return nil
}
