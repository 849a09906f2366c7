package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/release"
)

// Previews of draft releases: the preview-release job computes a draft
// exactly as publishing it would (release.Publish on the same inputs, so
// the same content hash) and keeps the result beside the draft, for the
// secretariat to review rank bands, ties, audit flags and rank changes
// before publishing. A preview is never published nor public.

// JobPreviewRelease is the kind of the job that previews a draft release.
const JobPreviewRelease = "preview-release"

// PreviewReleasePayload is its payload.
type PreviewReleasePayload struct {
	DraftID     int64  `json:"draft_id"`
	N           int    `json:"n,omitempty"` // uncertainty replications (0: release.DefaultN)
	RequestedBy string `json:"requested_by"`
	UserID      int64  `json:"user_id"`
}

// maxCachedPreviews bounds the parsed previews a server keeps.
const maxCachedPreviews = 4

// replicationsParam reads the form's number of uncertainty replications
// (empty: the default).
func replicationsParam(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.PostFormValue("n"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 10 || n > maxPublishN {
		return 0, citylens.Errorf(citylens.EINVALID, "the number of uncertainty replications must be a whole number from 10 to %d, not %q", maxPublishN, v)
	}
	return n, nil
}

func (s *Server) releasePreviewRequest(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, info, err := s.store.DraftRelease(ctx, id)
	if err != nil {
		return err
	}
	n, err := replicationsParam(r)
	if err != nil {
		return err
	}
	v := viewer(r)
	j, err := s.queue.Enqueue(ctx, JobPreviewRelease, PreviewReleasePayload{DraftID: id, N: n, RequestedBy: v.User.Email, UserID: v.User.ID}, 2)
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/admin/releases/drafts/"+itoa(id), "flash.previewing", info.Edition, id, j.ID)
	return nil
}

// previewInput is what publishing the draft now would take: a correction
// when its edition already has a release.
func (s *Server) previewInput(ctx context.Context, id int64, n int) (release.PublishInput, error) {
	dr, _, err := s.store.DraftRelease(ctx, id)
	if err != nil {
		return release.PublishInput{}, err
	}
	_, liveErr := s.releaseWorkflow().Latest(ctx, dr.Edition)
	if liveErr != nil && citylens.ErrorCode(liveErr) != citylens.ENOTFOUND {
		return release.PublishInput{}, liveErr
	}
	in, err := s.releaseInput(ctx, dr, liveErr == nil)
	in.Config.Uncertainty.N = n
	return in, err
}

// previewReleaseJob runs the publication's computation in memory and stores
// its result as the draft's preview (replacing an older one) in one write.
func (s *Server) previewReleaseJob(ctx context.Context, j jobs.Job, progress jobs.Progress) error {
	var p PreviewReleasePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.DraftID <= 0 {
		return citylens.Errorf(citylens.EINVALID, "%s: payload needs a draft_id", JobPreviewRelease)
	}
	in, err := s.previewInput(ctx, p.DraftID, p.N)
	if err != nil {
		return err
	}
	in.Progress = func(pr release.Progress) {
		frac := 0.0
		if pr.Total > 0 {
			frac = float64(pr.Done) / float64(pr.Total)
		}
		progress(frac, fmt.Sprintf("%s %d/%d", pr.Stage, pr.Done, pr.Total))
	}
	rel, err := release.Publish(ctx, in)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(rel)
	if err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "preview of draft %d: %v", p.DraftID, err)
	}
	who := p.RequestedBy
	if who == "" {
		who = "job"
	}
	return s.store.PutPreview(ctx, release.Preview{DraftID: p.DraftID, Hash: rel.Hash(), N: p.N, JobID: j.ID, CreatedBy: who, CreatedAt: s.now()}, doc)
}

// previewView is what the review page shows of a draft's preview.
type previewView struct {
	Rec     release.Preview
	Current bool   // publishing now would give this very release
	Error   string // why currency could not be checked
	Rows    []release.RankingRow
	Names   map[string]string
	Audit   []release.AuditFlag
	Unc     release.UncertaintyInfo
	Ranked  int
	Ties    int // tie groups of more than one city
	Against string
}

// draftPreview loads a draft's preview for its review page: nil without one.
func (s *Server) draftPreview(ctx context.Context, id int64) (*previewView, error) {
	rec, doc, err := s.store.Preview(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, nil
		}
		return nil, err
	}
	rel, err := s.parsedPreview(rec.Hash, doc)
	if err != nil {
		return nil, err
	}
	pv := &previewView{Rec: rec, Names: map[string]string{}}
	if in, err := s.previewInput(ctx, id, rec.N); err != nil {
		pv.Error = citylens.ErrorMessage(err)
	} else if h, err := release.ContentHash(in); err != nil {
		pv.Error = citylens.ErrorMessage(err)
	} else {
		pv.Current = h == rec.Hash
	}
	if pv.Rows, err = rel.Rankings(release.RankingQuery{}); err != nil {
		return nil, err
	}
	pv.Ranked = len(pv.Rows)
	groups := map[int]bool{}
	for _, row := range pv.Rows {
		if row.TieSize > 1 {
			groups[row.TieGroup] = true
		}
	}
	pv.Ties = len(groups)
	for _, c := range rel.Cities() {
		pv.Names[c.Code] = c.Name
	}
	m := rel.Methodology()
	pv.Audit, pv.Unc, pv.Against = m.Audit, m.Uncertainty, m.Summary.PreviousEdition
	return pv, nil
}

// parsedPreview reads a preview's document once per server (by hash).
func (s *Server) parsedPreview(hash string, doc []byte) (*release.Release, error) {
	e := &s.explorer
	e.mu.Lock()
	r, ok := e.previews[hash]
	e.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := release.Unmarshal(doc)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.previews == nil || len(e.previews) >= maxCachedPreviews {
		e.previews = map[string]*release.Release{}
	}
	e.previews[hash] = r
	e.mu.Unlock()
	return r, nil
}

// previewJobs lists the latest preview jobs of a draft, newest first.
func (s *Server) previewJobs(ctx context.Context, id int64) ([]jobs.Job, error) {
	all, err := s.store.ListJobs(ctx, jobs.Filter{Kind: JobPreviewRelease, Limit: 50})
	if err != nil {
		return nil, err
	}
	var out []jobs.Job
	for _, j := range all {
		var p PreviewReleasePayload
		if json.Unmarshal(j.Payload, &p) == nil && p.DraftID == id {
			out = append(out, j)
			if len(out) == 3 {
				break
			}
		}
	}
	return out, nil
}
