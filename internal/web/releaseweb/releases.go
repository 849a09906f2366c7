package releaseweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/web"
)

// The release workflow (secretariat only): draft releases computed by the
// data call are reviewed, previewed and published, or published as a
// correction of the edition's release, by the publication service's jobs.

func (a *Area) registerReleaseRoutes(s *web.Server) {
	s.Page("GET /admin/releases", web.AccessAdmin, a.releasesAdmin)
	s.Page("GET /admin/releases/drafts/{id}", web.AccessAdmin, a.releaseReview)
	s.Page("POST /admin/releases/drafts/{id}/publish", web.AccessAdmin, a.releasePublishRequest(false))
	s.Page("POST /admin/releases/drafts/{id}/correct", web.AccessAdmin, a.releasePublishRequest(true))
	s.Page("POST /admin/releases/drafts/{id}/preview", web.AccessAdmin, a.releasePreviewRequest)
}

func (a *Area) releasesAdmin(w http.ResponseWriter, r *http.Request) error {
	o, err := a.publication.Overview(r.Context())
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "release_admin.html", o)
}

func (a *Area) releaseReview(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := a.publication.Review(r.Context(), id)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "release_review.html", d)
}

func (a *Area) releasePublishRequest(correct bool) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		n, err := replicationsParam(r)
		if err != nil {
			return err
		}
		note := strings.TrimSpace(r.PostFormValue("note"))
		j, info, err := a.publication.RequestPublish(r.Context(), web.ActorOf(r), id, correct, note, n)
		if e := citylens.AsError(err); e != nil && e.Code == citylens.EINVALID {
			// The review again, its form as sent and why it was refused.
			d, rerr := a.publication.Review(r.Context(), id)
			if rerr != nil {
				return rerr
			}
			d.Note, d.FormError = note, a.s.Message(web.ReaderLang(r), err)
			if n > 0 {
				d.DefaultN = n
			}
			return a.s.RenderStatus(w, r, http.StatusBadRequest, "release_review.html", d)
		}
		if err != nil {
			return err
		}
		key := "flash.publishing"
		if correct {
			key = "flash.publishing_correction"
		}
		a.s.RedirectFlash(w, r, "/admin/releases", key, info.Edition, id, j.ID)
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
		return 0, citylens.E(citylens.EINVALID, "error.field_number", "n", v) // its range is the service's to check
	}
	return n, nil
}
