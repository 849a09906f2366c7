package web

import (
	"net/http"
)

// Previews of draft releases: the publication service's preview-release
// job computes a draft exactly as publishing it would and keeps the result
// beside the draft for the secretariat's review (releaseReview); publishing
// a previewed draft stores the preview's release. A preview is never
// published nor public.

func (s *Server) releasePreviewRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := replicationsParam(r)
	if err != nil {
		return err
	}
	j, info, err := s.svc.Publication.RequestPreview(r.Context(), actor(r), id, n)
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/releases/drafts/"+itoa(id), "flash.previewing", info.Edition, id, j.ID)
	return nil
}
