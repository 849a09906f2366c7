package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
)

// Scope helpers shared by the areas (administration, the platform API, the data
// call): a viewer's cities, a path's city checked against the viewer's
// scope, the audit log's query filters, a numeric path value.

// CityReader reads member cities (a part of members.Store).
type CityReader interface {
	City(ctx context.Context, code string) (members.City, error)
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
}

// CitiesFor lists the cities r's viewer may edit, filtered by f: a
// regional officer's region's, a focal point's own, any for admins.
func CitiesFor(r *http.Request, store CityReader, f members.CityFilter) ([]members.City, error) {
	v := viewer(r)
	switch v.User.Role {
	case accounts.RoleRegional:
		f.RegionCode = v.User.RegionCode
	case accounts.RoleFocal:
		c, err := store.City(r.Context(), v.User.CityCode)
		if err != nil {
			return nil, err
		}
		return []members.City{c}, nil
	}
	return store.ListCities(r.Context(), f)
}

// ScopedCity loads the city of the path's {code} and checks r's viewer may
// edit it (403 otherwise).
func ScopedCity(r *http.Request, store members.Store) (members.City, error) {
	c, err := store.City(r.Context(), r.PathValue("code"))
	if err != nil {
		return c, err
	}
	if !canEditCity(viewer(r), c.Code, c.RegionCode) {
		if viewer(r).User.Role == accounts.RoleFocal {
			return c, worded(citylens.EFORBIDDEN, "error.edit_outside_city", c.Name)
		}
		return c, worded(citylens.EFORBIDDEN, "error.edit_outside_region", c.Name)
	}
	return c, nil
}

// AuditFilter reads the audit log's filters from a query string (the
// audit page's and the API's).
func AuditFilter(q url.Values) (auditlog.Filter, error) {
	f := auditlog.Filter{ActorEmail: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		EntityType: strings.TrimSpace(q.Get("entity_type")), EntityID: strings.TrimSpace(q.Get("entity_id"))}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, worded(citylens.EINVALID, "error.field_date", name, v)
			}
			*dst = t
		}
	}
	if !f.Until.IsZero() {
		f.Until = f.Until.Add(24 * time.Hour) // inclusive day
	}
	for name, dst := range map[string]*int64{"before": &f.BeforeID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return f, worded(citylens.EINVALID, "error.field_number", name, v)
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, worded(citylens.EINVALID, "error.field_number", "limit", v)
		}
		f.Limit = n
	}
	return f, nil
}

// pathID reads a positive integer path value (PathID).
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, worded(citylens.EINVALID, "error.path_number", name, r.PathValue(name))
	}
	return id, nil
}
