package releaseweb

import (
	"net/http"

	"github.com/citylens/citylens/internal/web"
)

// Previews of draft releases: the publication service's preview-release
// job computes a draft exactly as publishing it would and keeps the result
// beside the draft for the secretariat's review (releaseReview); publishing
// a previewed draft stores the preview's release. A preview is never
// published nor public.

func (a *Area) releasePreviewRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := replicationsParam(r)
	if err != nil {
		return err
	}
	j, info, err := a.publication.RequestPreview(r.Context(), web.ActorOf(r), id, n)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/releases/drafts/"+web.Itoa(id), "flash.previewing", info.Edition, id, j.ID)
	return nil
}
