package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/publication"
)

// The release workflow (secretariat only): draft releases computed by the
// data call are reviewed, previewed and published, or published as a
// correction of the edition's release, by the publication service's jobs.

func (s *Server) registerReleaseRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /admin/releases", AccessAdmin, s.releasesAdmin)
	s.page(mux, "GET /admin/releases/drafts/{id}", AccessAdmin, s.releaseReview)
	s.page(mux, "POST /admin/releases/drafts/{id}/publish", AccessAdmin, s.releasePublishRequest(false))
	s.page(mux, "POST /admin/releases/drafts/{id}/correct", AccessAdmin, s.releasePublishRequest(true))
	s.page(mux, "POST /admin/releases/drafts/{id}/preview", AccessAdmin, s.releasePreviewRequest)
}

// releaseNav adds the public explorer for everyone and the release
// workflow for the secretariat.
func (s *Server) releaseNav(v Viewer) []NavLink {
	links := []NavLink{{"/rankings", "nav.rankings"}, {"/methodology", "nav.methodology"}, {"/downloads", "nav.downloads"}}
	if isAdmin(v) {
		links = append(links, NavLink{"/admin/releases", "nav.releases"})
	}
	return links
}

func (s *Server) releasesAdmin(w http.ResponseWriter, r *http.Request) error {
	o, err := s.svc.Publication.Overview(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "release_admin.html", "Releases", o)
}

func (s *Server) releaseReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.svc.Publication.Review(r.Context(), id)
	if err != nil {
		return err
	}
	return s.render(w, r, "release_review.html", fmt.Sprintf("Draft release %d", id), d)
}

func (s *Server) releasePublishRequest(correct bool) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		n, err := replicationsParam(r)
		if err != nil {
			return err
		}
		note := strings.TrimSpace(r.PostFormValue("note"))
		j, info, err := s.svc.Publication.RequestPublish(r.Context(), actor(r), id, correct, note, n)
		if err != nil {
			return err
		}
		key := "flash.publishing"
		if correct {
			key = "flash.publishing_correction"
		}
		s.redirectFlash(w, r, "/admin/releases", key, info.Edition, id, j.ID)
		return nil
	}
}

// replicationsParam reads the form's number of uncertainty replications
// (empty: the edition's); the service checks its range.
func replicationsParam(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.PostFormValue("n"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, citylens.Errorf(citylens.EINVALID, "the number of uncertainty replications must be a whole number from %d to %d, not %q",
			publication.MinReplications, publication.MaxReplications, v)
	}
	return n, nil
}
