package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
)

// The indicator catalogue (public) and edition administration; editions
// are computed by the publication service's compute-edition job.

func (s *Server) registerCatalogueRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /catalogue", AccessPublic, s.catalogueList)
	s.page(mux, "GET /catalogue/{code}", AccessPublic, s.catalogueIndicator)
	s.page(mux, "GET /admin/editions", AccessAdmin, s.editionsPage)
	s.page(mux, "POST /admin/editions", AccessAdmin, s.createEdition)
	s.page(mux, "GET /admin/editions/{edition}", AccessAdmin, s.editionPage)
	s.page(mux, "POST /admin/editions/{edition}/status", AccessAdmin, s.editionStatus)
	s.page(mux, "POST /admin/editions/{edition}/compute", AccessAdmin, s.computeEditionRequest)
	s.page(mux, "GET /admin/editions/{edition}/releases/{id}", AccessAdmin, s.draftReleasePage)
}

func (s *Server) catalogueList(w http.ResponseWriter, r *http.Request) error {
	inds, err := s.store.Indicators(r.Context())
	if err != nil {
		return err
	}
	pillar := r.URL.Query().Get("pillar")
	var shown []catalogue.Indicator
	for _, ind := range inds {
		if pillar == "" || ind.Xwalk.Pillar == pillar {
			shown = append(shown, ind)
		}
	}
	return s.render(w, r, "catalogue_list.html", "Indicator catalogue", map[string]any{
		"Indicators": shown, "Total": len(inds), "Pillar": pillar, "Attribution": catalogue.U4SSCAttribution,
	})
}

func (s *Server) catalogueIndicator(w http.ResponseWriter, r *http.Request) error {
	ind, err := s.store.Indicator(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.render(w, r, "catalogue_indicator.html", ind.Name, map[string]any{
		"Ind": ind, "Attribution": catalogue.U4SSCAttribution,
	})
}

func (s *Server) editionsPage(w http.ResponseWriter, r *http.Request) error {
	eds, err := s.store.Editions(r.Context())
	if err != nil {
		return err
	}
	inds, err := s.store.Indicators(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "datacall_editions.html", "Editions", map[string]any{"Editions": eds, "Indicators": len(inds),
		"NextYear": s.now().Year()})
}

func parseDate(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return t, worded(citylens.EINVALID, "error.field_date", field, v)
	}
	return t, nil
}

func (s *Server) createEdition(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := r.PostForm
	year, err := strconv.Atoi(strings.TrimSpace(f.Get("reference_year")))
	if err != nil {
		return worded(citylens.EINVALID, "error.reference_year", f.Get("reference_year"))
	}
	opens, err := parseDate("opens", f.Get("opens"))
	if err != nil {
		return err
	}
	closes, err := parseDate("closes", f.Get("closes"))
	if err != nil {
		return err
	}
	inds, err := s.store.Indicators(ctx)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(f.Get("code"))
	e, _, err := catalogue.NewEdition(code, strings.TrimSpace(f.Get("name")), year, opens, closes, inds)
	if err != nil {
		return err
	}
	e.PreviousEdition = strings.TrimSpace(f.Get("previous"))
	if t := strings.TrimSpace(f.Get("jump_threshold")); t != "" {
		pct, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return worded(citylens.EINVALID, "error.jump_threshold", t)
		}
		e.JumpThreshold = pct / 100
	}
	if m := strings.TrimSpace(f.Get("method")); m != "" {
		if e.Method, err = catalogue.ParseMethod([]byte(m)); err != nil {
			return err
		}
	}
	if rc := strings.TrimSpace(f.Get("release")); rc != "" {
		if _, err := release.ParseConfig([]byte(rc)); err != nil {
			return err
		}
		e.Release = json.RawMessage(rc)
	}
	err = s.svc.Catalogue.CreateEdition(ctx, actor(r), e)
	s.svc.DataCall.Calls.Invalidate()
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/editions/"+url.PathEscape(e.Code), "flash.edition_created", e.Code)
	return nil
}

func (s *Server) editionPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := s.store.Edition(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	rels, err := s.store.DraftReleases(ctx, e.Code)
	if err != nil {
		return err
	}
	mine, err := s.svc.Publication.ComputeJobs(ctx, e.Code)
	if err != nil {
		return err
	}
	method, _ := json.MarshalIndent(e.Method, "", "  ")
	relCfg, err := release.EditionConfig(e)
	if err != nil {
		return err
	}
	relJSON, _ := json.MarshalIndent(relCfg, "", "  ")
	return s.render(w, r, "datacall_edition.html", "Edition "+e.Code, map[string]any{
		"E": e, "Indicators": len(e.Indicators()), "Releases": rels, "Jobs": mine, "Method": string(method),
		"ReleaseConfig": string(relJSON), "ReleaseDefaults": len(e.Release) == 0,
		"CallOpen": e.CallOpen(s.now()),
	})
}

func (s *Server) editionStatus(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("edition")
	e, err := s.svc.Catalogue.SetStatus(r.Context(), actor(r), code, r.PostFormValue("status"))
	s.svc.DataCall.Calls.Invalidate()
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/editions/"+url.PathEscape(code), "flash.edition_status", code, label(s.cat, readerLang(r), "edition.status", e.Status))
	return nil
}

func (s *Server) computeEditionRequest(w http.ResponseWriter, r *http.Request) error {
	j, err := s.svc.Publication.RequestCompute(r.Context(), actor(r), r.PathValue("edition"))
	if err != nil {
		return err
	}
	code := r.PathValue("edition")
	s.redirectFlash(w, r, "/admin/editions/"+url.PathEscape(code), "flash.edition_computing", code, j.ID)
	return nil
}

func (s *Server) draftReleasePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rel, info, err := s.store.DraftRelease(r.Context(), id)
	if err != nil {
		return err
	}
	if rel.Edition != r.PathValue("edition") {
		return worded(citylens.ENOTFOUND, "error.no_draft", r.PathValue("edition"), id)
	}
	var pillars []string
	for _, n := range rel.Framework {
		if n.Kind == engine.Aggregate && n.Parent != "" {
			pillars = append(pillars, n.Code)
		}
	}
	root := ""
	for _, n := range rel.Framework {
		if n.Parent == "" && n.Kind == engine.Aggregate {
			root = n.Code
		}
	}
	return s.render(w, r, "datacall_release.html", fmt.Sprintf("Draft release %d", id), map[string]any{
		"R": rel, "Info": info, "Pillars": pillars, "Root": root,
	})
}

// isAdmin reports whether a viewer is a secretariat admin.
func isAdmin(v Viewer) bool { return v.SignedIn() && v.User.Role == accounts.RoleAdmin }
