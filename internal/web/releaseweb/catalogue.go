package releaseweb

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// The indicator catalogue (public) and edition administration; editions
// are computed by the publication service's compute-edition job.

func (a *Area) registerCatalogueRoutes(s *web.Server) {
	s.Page("GET /catalogue", web.AccessPublic, a.catalogueList, web.WithCache(web.CacheShort))
	s.Page("GET /catalogue/{code}", web.AccessPublic, a.catalogueIndicator, web.WithCache(web.CacheShort))
	s.Page("GET /admin/editions", web.AccessAdmin, a.editionsPage)
	s.Page("POST /admin/editions", web.AccessAdmin, a.createEdition)
	s.Page("GET /admin/editions/{edition}", web.AccessAdmin, a.editionPage)
	s.Page("POST /admin/editions/{edition}/status", web.AccessAdmin, a.editionStatus)
	s.Page("POST /admin/editions/{edition}/compute", web.AccessAdmin, a.computeEditionRequest)
	s.Page("GET /admin/editions/{edition}/releases/{id}", web.AccessAdmin, a.draftReleasePage)
}

func (a *Area) catalogueList(w http.ResponseWriter, r *http.Request) error {
	inds, err := a.store.Indicators(r.Context())
	if err != nil {
		return err
	}
	pillar := r.URL.Query().Get("pillar")
	lang := string(web.RequestLang(w, r))
	var shown []catalogue.Indicator
	for _, ind := range inds {
		if pillar == "" || ind.Xwalk.Pillar == pillar {
			shown = append(shown, ind.In(lang))
		}
	}
	return a.s.Render(w, r, "catalogue_list.html", map[string]any{
		"Indicators": shown, "Total": len(inds), "Pillar": pillar, "Attribution": catalogue.U4SSCAttribution,
	})
}

func (a *Area) catalogueIndicator(w http.ResponseWriter, r *http.Request) error {
	ind, err := a.store.Indicator(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "catalogue_indicator.html", map[string]any{
		"Ind": ind.In(string(web.RequestLang(w, r))), "Attribution": catalogue.U4SSCAttribution,
	})
}

func (a *Area) editionsPage(w http.ResponseWriter, r *http.Request) error {
	eds, err := a.store.Editions(r.Context())
	if err != nil {
		return err
	}
	inds, err := a.store.Indicators(r.Context())
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "datacall_editions.html", map[string]any{"Editions": eds, "Indicators": len(inds),
		"NextYear": a.s.Now().Year()})
}

func parseDate(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return t, citylens.E(citylens.EINVALID, "error.field_date", field, v)
	}
	return t, nil
}

func (a *Area) createEdition(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := r.PostForm
	year, err := strconv.Atoi(strings.TrimSpace(f.Get("reference_year")))
	if err != nil {
		return citylens.E(citylens.EINVALID, "error.reference_year", f.Get("reference_year"))
	}
	opens, err := parseDate("opens", f.Get("opens"))
	if err != nil {
		return err
	}
	closes, err := parseDate("closes", f.Get("closes"))
	if err != nil {
		return err
	}
	inds, err := a.store.Indicators(ctx)
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
			return citylens.E(citylens.EINVALID, "error.jump_threshold", t)
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
	err = a.catalogue.CreateEdition(ctx, web.ActorOf(r), e)
	a.dataCall.Calls.Invalidate()
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/editions/"+url.PathEscape(e.Code), "flash.edition_created", e.Code)
	return nil
}

func (a *Area) editionPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := a.store.Edition(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	rels, err := a.store.DraftReleases(ctx, e.Code)
	if err != nil {
		return err
	}
	mine, err := a.publication.ComputeJobs(ctx, e.Code)
	if err != nil {
		return err
	}
	method, _ := json.MarshalIndent(e.Method, "", "  ")
	relCfg, err := release.EditionConfig(e)
	if err != nil {
		return err
	}
	relJSON, _ := json.MarshalIndent(relCfg, "", "  ")
	return a.s.Render(w, r, "datacall_edition.html", map[string]any{
		"E": e, "Indicators": len(e.Indicators()), "Releases": rels, "Jobs": mine, "Method": string(method),
		"ReleaseConfig": string(relJSON), "ReleaseDefaults": len(e.Release) == 0,
		"CallOpen": e.CallOpen(a.s.Now()),
	})
}

func (a *Area) editionStatus(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("edition")
	e, err := a.catalogue.SetStatus(r.Context(), web.ActorOf(r), code, r.PostFormValue("status"))
	a.dataCall.Calls.Invalidate()
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/editions/"+url.PathEscape(code), "flash.edition_status", code, web.Label(a.s.Catalog(), web.ReaderLang(r), "edition.status", e.Status))
	return nil
}

func (a *Area) computeEditionRequest(w http.ResponseWriter, r *http.Request) error {
	j, err := a.publication.RequestCompute(r.Context(), web.ActorOf(r), r.PathValue("edition"))
	if err != nil {
		return err
	}
	code := r.PathValue("edition")
	a.s.RedirectFlash(w, r, "/admin/editions/"+url.PathEscape(code), "flash.edition_computing", code, j.ID)
	return nil
}

func (a *Area) draftReleasePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rel, info, err := a.store.DraftRelease(r.Context(), id)
	if err != nil {
		return err
	}
	if rel.Edition != r.PathValue("edition") {
		return citylens.E(citylens.ENOTFOUND, "error.no_draft", r.PathValue("edition"), id)
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
	return a.s.Render(w, r, "datacall_release.html", map[string]any{
		"R": rel, "Info": info, "Pillars": pillars, "Root": root,
	})
}
