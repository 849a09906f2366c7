package web

import (
	"net/http"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
)

// The JSON API, /api/v1. Reads of public data need no token; everything
// else needs "Authorization: Bearer <token>" (read scope for GET, write
// scope otherwise). Errors are APIError bodies.
func (s *Server) registerAPIRoutes(mux *http.ServeMux) {
	s.api(mux, "GET /api/v1/regions", AccessPublic, s.apiRegions)
	s.api(mux, "GET /api/v1/offices", AccessPublic, s.apiOffices)
	s.api(mux, "GET /api/v1/cities", AccessPublic, s.apiCities)
	s.api(mux, "GET /api/v1/cities/{code}", AccessPublic, s.apiCity)
	s.api(mux, "PUT /api/v1/cities/{code}", AccessCityEditors, s.apiPutCity)
	s.api(mux, "GET /api/v1/me", AccessSignedIn, s.apiMe)
	s.api(mux, "GET /api/v1/audit", AccessAdmin, s.apiAudit)
	s.api(mux, "GET /api/v1/history/{entity_type}/{entity_id}", AccessSignedIn, s.apiHistory)
	s.api(mux, "GET /api/v1/jobs/{id}", AccessAdmin, s.apiJob)
}

func (s *Server) apiRegions(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.store.ListRegions(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"regions": rs})
	return nil
}

func (s *Server) apiOffices(w http.ResponseWriter, r *http.Request) error {
	os, err := s.store.ListOffices(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"offices": os})
	return nil
}

func (s *Server) apiCities(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cs, err := s.store.ListCities(r.Context(), members.CityFilter{RegionCode: q.Get("region"), Country: q.Get("country"),
		Status: q.Get("status"), Query: q.Get("q")})
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []members.City{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cities": cs})
	return nil
}

func (s *Server) apiCity(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.City(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// apiPutCity replaces a city's editable fields. Regional officers and
// focal points change name, local name, coordinates and population only.
func (s *Server) apiPutCity(w http.ResponseWriter, r *http.Request) error {
	c, err := s.scopedCity(r)
	if err != nil {
		return err
	}
	var in members.City
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Code != "" && in.Code != c.Code {
		return citylens.Errorf(citylens.EINVALID, "code: the body's code %q differs from the URL's %q", in.Code, c.Code)
	}
	c.Name, c.LocalName, c.Latitude, c.Longitude, c.Population = in.Name, in.LocalName, in.Latitude, in.Longitude, in.Population
	if viewer(r).IsAdmin() {
		c.Country, c.RegionCode, c.OfficeCode, c.Status, c.MemberSince = in.Country, in.RegionCode, in.OfficeCode, in.Status, in.MemberSince
	}
	if err := s.members.SaveCity(r.Context(), actor(r), c); err != nil {
		return err
	}
	saved, err := s.store.City(r.Context(), c.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	writeJSON(w, http.StatusOK, map[string]any{"user": v.User, "token_scope": v.Token.Scope})
	return nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	es, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	if es == nil {
		es = []auditlog.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
	return nil
}

// apiHistory is an entity's change history. Admins see any entity; others
// see the history of cities they may edit (feature modules extend
// mayReadHistory for their entity types, e.g. a city's data values).
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) error {
	et, id := r.PathValue("entity_type"), r.PathValue("entity_id")
	if err := s.mayReadHistory(r, et, id); err != nil {
		return err
	}
	es, err := auditlog.History(r.Context(), s.store, et, id, 1000)
	if err != nil {
		return err
	}
	if es == nil {
		es = []auditlog.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entity_type": et, "entity_id": id, "entries": es})
	return nil
}

func (s *Server) mayReadHistory(r *http.Request, entityType, entityID string) error {
	v := viewer(r)
	if v.IsAdmin() {
		return nil
	}
	if entityType == "city" && (v.User.Role == accounts.RoleRegional || v.User.Role == accounts.RoleFocal) {
		c, err := s.store.City(r.Context(), entityID)
		if err != nil {
			return err
		}
		if canEditCity(v, c.Code, c.RegionCode) {
			return nil
		}
	}
	return citylens.Errorf(citylens.EFORBIDDEN, "you may not read the history of %s %s", entityType, entityID)
}

func (s *Server) apiJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.store.Job(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}
