package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
)

func (s *Server) registerAdminRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /admin/users", AccessAdmin, s.usersPage)
	s.page(mux, "POST /admin/users/invite", AccessAdmin, s.inviteUser)
	s.page(mux, "POST /admin/users/{id}/role", AccessAdmin, s.changeRole)
	s.page(mux, "GET /admin/members", AccessCityEditors, s.adminMembers)
	s.page(mux, "POST /admin/members/import", AccessAdmin, s.importMembers, WithMaxBody(16<<20))
	s.page(mux, "GET /admin/members/{code}", AccessCityEditors, s.editCityForm)
	s.page(mux, "POST /admin/members/{code}", AccessCityEditors, s.saveCity)
	s.page(mux, "GET /admin/outbox", AccessAdmin, s.outboxPage)
	s.page(mux, "GET /admin/audit", AccessAdmin, s.auditPage)
	s.page(mux, "GET /admin/jobs", AccessAdmin, s.jobsPage)
	s.page(mux, "POST /admin/jobs/{id}/cancel", AccessAdmin, s.cancelJob)
	s.registerDirectoryRoutes(mux)
}

type usersData struct {
	Users   []accounts.User
	Roles   []accounts.Role
	Regions []members.Region
	Cities  []members.City
	Invited string
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, invited string) error {
	ctx := r.Context()
	us, err := s.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	regions, err := s.store.ListRegions(ctx)
	if err != nil {
		return err
	}
	cities, err := s.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	return s.render(w, r, "users.html", "Users", usersData{us, accounts.Roles, regions, cities, invited})
}

func (s *Server) inviteUser(w http.ResponseWriter, r *http.Request) error {
	u := accounts.User{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: accounts.Role(r.PostFormValue("role")),
		RegionCode: r.PostFormValue("region"), CityCode: r.PostFormValue("city")}
	u, err := s.accounts.Invite(r.Context(), actor(r), u)
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/users", "flash.invited", u.Email)
	return nil
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, worded(citylens.EINVALID, "error.path_number", name, r.PathValue(name))
	}
	return id, nil
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.accounts.ChangeRole(r.Context(), actor(r), id, accounts.Role(r.PostFormValue("role")),
		r.PostFormValue("region"), r.PostFormValue("city"))
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/users", "flash.role_changed", u.Email, label(s.cat, readerLang(r), "role", u.Role))
	return nil
}

// citiesFor lists the cities a viewer may edit.
func (s *Server) citiesFor(r *http.Request, f members.CityFilter) ([]members.City, error) {
	v := viewer(r)
	switch v.User.Role {
	case accounts.RoleRegional:
		f.RegionCode = v.User.RegionCode
	case accounts.RoleFocal:
		c, err := s.store.City(r.Context(), v.User.CityCode)
		if err != nil {
			return nil, err
		}
		return []members.City{c}, nil
	}
	return s.store.ListCities(r.Context(), f)
}

func (s *Server) adminMembers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cities, err := s.citiesFor(r, members.CityFilter{RegionCode: q.Get("region"), Query: q.Get("q")})
	if err != nil {
		return err
	}
	offices, err := s.store.ListOffices(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "admin_members.html", "Members", map[string]any{"Cities": cities, "Offices": offices,
		"Columns": strings.Join(members.CSVColumns, ",")})
}

// scopedCity loads a city and checks the viewer may edit it.
func (s *Server) scopedCity(r *http.Request) (members.City, error) {
	c, err := s.store.City(r.Context(), r.PathValue("code"))
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

type cityFormData struct {
	City     members.City
	Regions  []members.Region
	Offices  []members.Office
	Statuses []string
	Admin    bool
	Problems []members.Problem
}

func (s *Server) cityForm(r *http.Request, c members.City, problems []members.Problem) (cityFormData, error) {
	regions, err := s.store.ListRegions(r.Context())
	if err != nil {
		return cityFormData{}, err
	}
	offices, err := s.store.ListOffices(r.Context())
	if err != nil {
		return cityFormData{}, err
	}
	return cityFormData{c, regions, offices, members.Statuses, viewer(r).IsAdmin(), problems}, nil
}

func (s *Server) editCityForm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.scopedCity(r)
	if err != nil {
		return err
	}
	d, err := s.cityForm(r, c, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, "city_edit.html", "Edit "+c.Name, d)
}

func (s *Server) saveCity(w http.ResponseWriter, r *http.Request) error {
	c, err := s.scopedCity(r)
	if err != nil {
		return err
	}
	var problems []members.Problem
	num := func(field string, dst *float64) {
		v := strings.TrimSpace(r.PostFormValue(field))
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			problems = append(problems, members.Problem{Column: field, Reason: s.tr(r, "city.error.number", v)})
			return
		}
		*dst = f
	}
	c.Name = r.PostFormValue("name")
	c.LocalName = r.PostFormValue("local_name")
	num("latitude", &c.Latitude)
	num("longitude", &c.Longitude)
	if v := strings.TrimSpace(r.PostFormValue("population")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			problems = append(problems, members.Problem{Column: "population", Reason: s.tr(r, "city.error.whole", v)})
		}
		c.Population = n
	}
	// Membership itself (country, region, office, status, date) is the
	// secretariat's to change.
	if viewer(r).IsAdmin() {
		c.Country, c.RegionCode, c.OfficeCode = r.PostFormValue("country"), r.PostFormValue("region"), r.PostFormValue("office")
		c.Status, c.MemberSince = r.PostFormValue("status"), r.PostFormValue("member_since")
	}
	if len(problems) == 0 {
		err = s.members.SaveCity(r.Context(), actor(r), c)
		if ve, ok := err.(*members.ValidationError); ok {
			problems = ve.Problems
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		d, err := s.cityForm(r, c, problems)
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusBadRequest, "city_edit.html", "Edit "+c.Name, d)
	}
	s.redirectFlash(w, r, "/admin/members", "flash.city_saved", c.Name)
	return nil
}

func (s *Server) importMembers(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		return worded(citylens.EINVALID, "error.members_file")
	}
	defer f.Close()
	res, err := s.members.ImportCSV(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/members", "flash.members_imported", res.Created, res.Updated, res.Unchanged)
	return nil
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.store.ListOutbox(r.Context(), 200)
	if err != nil {
		return err
	}
	return s.render(w, r, "outbox.html", "Outbox", ms)
}

// auditFilter reads the audit filters of a query string.
func auditFilter(q url.Values) (auditlog.Filter, error) {
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

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.Limit = auditlog.ClampLimit(f.Limit)
	es, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(es) == f.Limit {
		q := r.URL.Query()
		q.Set("before", itoa(es[len(es)-1].ID))
		next = "/admin/audit?" + q.Encode()
	}
	return s.render(w, r, "audit.html", "Audit log", map[string]any{"Entries": es, "Query": r.URL.Query(), "Next": next})
}

func (s *Server) jobsPage(w http.ResponseWriter, r *http.Request) error {
	js, err := s.store.ListJobs(r.Context(), jobs.Filter{Limit: 200})
	if err != nil {
		return err
	}
	return s.render(w, r, "jobs.html", "Jobs", js)
}

func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.RequestJobCancel(r.Context(), id, s.now().UTC()); err != nil {
		return err
	}
	if err := auditlog.Record(r.Context(), s.store, s.now(), actor(r), "job.cancel", "job", itoa(id), nil, nil); err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/jobs", "flash.job_cancel")
	return nil
}
