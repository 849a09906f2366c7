package apiweb

import (
	"net/http"

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
	s.API("GET /api/v1/regions", web.AccessPublic, a.apiRegions)
	s.API("GET /api/v1/offices", web.AccessPublic, a.apiOffices)
	s.API("GET /api/v1/cities", web.AccessPublic, a.apiCities)
	s.API("GET /api/v1/cities/{code}", web.AccessPublic, a.apiCity)
	s.API("PUT /api/v1/cities/{code}", web.AccessCityEditors, a.apiPutCity)
	s.API("GET /api/v1/me", web.AccessSignedIn, a.apiMe)
	s.API("GET /api/v1/audit", web.AccessAdmin, a.apiAudit)
	s.API("GET /api/v1/history/{entity_type}/{entity_id}", web.AccessSignedIn, a.apiHistory)
	s.API("GET /api/v1/jobs/{id}", web.AccessAdmin, a.apiJob)
}

func (a *Area) apiRegions(w http.ResponseWriter, r *http.Request) error {
	rs, err := a.store.ListRegions(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"regions": rs})
	return nil
}

func (a *Area) apiOffices(w http.ResponseWriter, r *http.Request) error {
	os, err := a.store.ListOffices(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"offices": os})
	return nil
}

func (a *Area) apiCities(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cs, err := a.store.ListCities(r.Context(), members.CityFilter{RegionCode: q.Get("region"), Country: q.Get("country"),
		Status: q.Get("status"), Query: q.Get("q")})
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []members.City{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"cities": cs})
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
	web.WriteJSON(w, http.StatusOK, map[string]any{"user": v.User, "token_scope": v.Token.Scope})
	return nil
}

func (a *Area) apiAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := web.AuditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	es, err := a.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	if es == nil {
		es = []auditlog.Entry{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"entries": es})
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
	es, err := auditlog.History(r.Context(), a.store, et, id, 1000)
	if err != nil {
		return err
	}
	if es == nil {
		es = []auditlog.Entry{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"entity_type": et, "entity_id": id, "entries": es})
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
