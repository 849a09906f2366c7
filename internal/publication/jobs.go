package publication

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/release"
)

// Job kinds of the workflow. Each job commits its result in one write at
// the end, so a killed run leaves nothing and its retry starts afresh.
const (
	JobComputeEdition = "compute-edition" // an edition's accepted values → a draft release
	JobPreviewRelease = "preview-release" // a draft → its preview
	JobPublishRelease = "publish-release" // a draft → a published release or correction
)

// ComputePayload is the payload of a compute-edition job.
type ComputePayload struct {
	Edition     string `json:"edition"`
	RequestedBy string `json:"requested_by"`
	UserID      int64  `json:"user_id"`
}

// PreviewPayload is the payload of a preview-release job.
type PreviewPayload struct {
	DraftID     int64  `json:"draft_id"`
	N           int    `json:"n,omitempty"` // uncertainty replications (0: release.DefaultN)
	RequestedBy string `json:"requested_by"`
	UserID      int64  `json:"user_id"`
}

// PublishPayload is the payload of a publish-release job.
type PublishPayload struct {
	DraftID     int64  `json:"draft_id"`
	Correct     bool   `json:"correct,omitempty"` // a correction of the edition's latest release
	ChangeNote  string `json:"change_note,omitempty"`
	N           int    `json:"n,omitempty"` // uncertainty replications (0: release.DefaultN)
	RequestedBy string `json:"requested_by"`
	UserID      int64  `json:"user_id"`
}

// Bounds of the uncertainty replications one may ask a preview or a
// publication for (0 asks for the edition's number).
const (
	MinReplications = 10
	MaxReplications = release.MaxReplications
)

// RegisterJobs registers the workflow's job kinds on q.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	q.Register(JobComputeEdition, s.computeJob)
	q.Register(JobPreviewRelease, s.previewJob)
	q.Register(JobPublishRelease, s.publishJob)
}

// enqueue stores a job and, when action is set, its request's audit entry,
// together.
func (s *Service) enqueue(ctx context.Context, kind string, payload any, attempts int, a auditlog.Actor, action, entityType, entityID string) (jobs.Job, error) {
	var j jobs.Job
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if j, err = jobs.Enqueue(ctx, s.Store, s.now(), kind, payload, attempts); err != nil {
			return err
		}
		if action == "" {
			return nil
		}
		return auditlog.Record(ctx, s.Store, s.now(), a, action, entityType, entityID, nil, map[string]any{"job": j.ID})
	})
	return j, err
}

// RequestCompute asks for an edition to be computed (the compute-edition
// job), recording who asked.
func (s *Service) RequestCompute(ctx context.Context, a auditlog.Actor, edition string) (jobs.Job, error) {
	e, err := s.Store.Edition(ctx, edition)
	if err != nil {
		return jobs.Job{}, err
	}
	return s.enqueue(ctx, JobComputeEdition, ComputePayload{Edition: e.Code, RequestedBy: a.Email, UserID: a.UserID}, 3,
		a, "edition.compute", "edition", e.Code)
}

// CheckReplications checks a number of uncertainty replications asked for
// (0: the edition's).
func CheckReplications(n int) error {
	if n != 0 && (n < MinReplications || n > MaxReplications) {
		return citylens.Ef(citylens.EINVALID, "rel.error.replications", "the number of uncertainty replications must be a whole number from %d to %d, not %d", MinReplications, MaxReplications, n)
	}
	return nil
}

// RequestPreview asks for a draft to be previewed with n uncertainty
// replications (the preview-release job). It returns the job and the draft.
func (s *Service) RequestPreview(ctx context.Context, a auditlog.Actor, draftID int64, n int) (jobs.Job, datacall.ReleaseInfo, error) {
	_, info, err := s.Store.DraftRelease(ctx, draftID)
	if err != nil {
		return jobs.Job{}, info, err
	}
	if err := CheckReplications(n); err != nil {
		return jobs.Job{}, info, err
	}
	j, err := s.enqueue(ctx, JobPreviewRelease, PreviewPayload{DraftID: draftID, N: n, RequestedBy: a.Email, UserID: a.UserID}, 2, a, "", "", "")
	return j, info, err
}

// RequestPublish asks for a draft to be published (the publish-release
// job): as the edition's first release, or, with correct, as a correction
// of its latest release, which needs a note saying what it corrects. It
// returns the job and the draft.
func (s *Service) RequestPublish(ctx context.Context, a auditlog.Actor, draftID int64, correct bool, note string, n int) (jobs.Job, datacall.ReleaseInfo, error) {
	_, info, err := s.Store.DraftRelease(ctx, draftID)
	if err != nil {
		return jobs.Job{}, info, err
	}
	if err := CheckReplications(n); err != nil {
		return jobs.Job{}, info, err
	}
	hasLive, err := s.HasLive(ctx, info.Edition)
	if err != nil {
		return jobs.Job{}, info, err
	}
	switch {
	case correct && !hasLive:
		return jobs.Job{}, info, citylens.Ef(citylens.ECONFLICT, "rel.error.nothing_to_correct", "edition %s has no published release to correct: publish it first", info.Edition)
	case !correct && hasLive:
		return jobs.Job{}, info, citylens.Ef(citylens.ECONFLICT, "rel.error.already_published", "edition %s already has a published release: publish this draft as a correction, with a note", info.Edition)
	case correct && note == "":
		return jobs.Job{}, info, citylens.Ef(citylens.EINVALID, "rel.error.correction_note", "a correction needs a note saying what it corrects")
	}
	p := PublishPayload{DraftID: draftID, Correct: correct, ChangeNote: note, N: n, RequestedBy: a.Email, UserID: a.UserID}
	j, err := s.enqueue(ctx, JobPublishRelease, p, 2, a, "", "", "")
	return j, info, err
}

// requester is who asked for a job (the system when nobody is named).
func requester(email string, userID int64) auditlog.Actor {
	if email == "" {
		return auditlog.System("job")
	}
	return auditlog.Actor{UserID: userID, Email: email}
}

// releaseProgress reports a publication's progress as a job's.
func releaseProgress(progress jobs.Progress) func(release.Progress) {
	return func(pr release.Progress) {
		progress(fraction(pr.Done, pr.Total), fmt.Sprintf("%s %d/%d", pr.Stage, pr.Done, pr.Total))
	}
}

// computeJob computes an edition; the draft and its audit entry commit
// together at the end.
func (s *Service) computeJob(ctx context.Context, j jobs.Job, progress jobs.Progress) error {
	var p ComputePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Edition == "" {
		return citylens.Errorf(citylens.EINVALID, "%s: payload needs an edition", JobComputeEdition)
	}
	_, _, err := s.Compute(ctx, requester(p.RequestedBy, p.UserID), p.Edition, func(pr datacall.Progress) {
		progress(fraction(pr.Done, pr.Total), pr.Stage)
	})
	return err
}

// previewJob previews a draft.
func (s *Service) previewJob(ctx context.Context, j jobs.Job, progress jobs.Progress) error {
	var p PreviewPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.DraftID <= 0 {
		return citylens.Errorf(citylens.EINVALID, "%s: payload needs a draft_id", JobPreviewRelease)
	}
	if err := CheckReplications(p.N); err != nil { // a payload is input too
		return err
	}
	_, err := s.Preview(ctx, requester(p.RequestedBy, p.UserID), p.DraftID, p.N, j.ID, releaseProgress(progress))
	return err
}

// publishJob publishes a draft: the analyses run first (with progress),
// unless its preview is the release, then the release and its audit entry
// commit together.
func (s *Service) publishJob(ctx context.Context, j jobs.Job, progress jobs.Progress) error {
	var p PublishPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.DraftID <= 0 {
		return citylens.Errorf(citylens.EINVALID, "%s: payload needs a draft_id", JobPublishRelease)
	}
	if err := CheckReplications(p.N); err != nil {
		return err
	}
	_, err := s.PublishDraft(ctx, requester(p.RequestedBy, p.UserID),
		Publication{DraftID: p.DraftID, Correct: p.Correct, ChangeNote: p.ChangeNote, N: p.N}, releaseProgress(progress))
	return err
}

// ComputeJobs lists the latest compute jobs of an edition, newest first.
func (s *Service) ComputeJobs(ctx context.Context, edition string) ([]jobs.Job, error) {
	js, err := s.Store.ListJobs(ctx, jobs.Filter{Kind: JobComputeEdition, Limit: 20})
	if err != nil {
		return nil, err
	}
	var out []jobs.Job
	for _, j := range js {
		var p ComputePayload
		if json.Unmarshal(j.Payload, &p) == nil && p.Edition == edition {
			out = append(out, j)
		}
	}
	return out, nil
}

// PreviewJobs lists the latest preview jobs of a draft, newest first.
func (s *Service) PreviewJobs(ctx context.Context, draftID int64) ([]jobs.Job, error) {
	all, err := s.Store.ListJobs(ctx, jobs.Filter{Kind: JobPreviewRelease, Limit: 50})
	if err != nil {
		return nil, err
	}
	var out []jobs.Job
	for _, j := range all {
		var p PreviewPayload
		if json.Unmarshal(j.Payload, &p) == nil && p.DraftID == draftID {
			out = append(out, j)
			if len(out) == 3 {
				break
			}
		}
	}
	return out, nil
}

// PublishJobs lists the latest publish jobs, newest first.
func (s *Service) PublishJobs(ctx context.Context) ([]jobs.Job, error) {
	return s.Store.ListJobs(ctx, jobs.Filter{Kind: JobPublishRelease, Limit: 20})
}

// fraction is done of total, 0 for an empty total.
func fraction(done, total int) float64 {
	if total <= 0 {
		return 0
	}
	return float64(done) / float64(total)
}
