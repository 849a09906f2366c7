package notify

import (
	"context"
	"strconv"
	"time"
)

// Kinds of the sources on the platform's existing systems. Other areas
// add their own (milestone.due14, training.session_tomorrow, ...).
const (
	KindDataCallClosing     = "datacall.closing"
	KindReviewWaiting       = "review.waiting"
	KindEndorsementsWaiting = "endorsement.waiting"
)

// ClosingCall is a focal point whose city has not submitted to a data call
// that closes soon.
type ClosingCall struct {
	Edition     string
	EditionName string
	Closes      time.Time
	City        string
	CityName    string
	UserID      int64
}

// ReviewWaiting is a reviewer (a secretariat admin, or the regional officer
// of the city's region) and a submission waiting for review.
type ReviewWaiting struct {
	Edition   string
	City      string
	CityName  string
	Submitted time.Time
	UserID    int64
}

// EndorsementWaiting is a focal point and a prize application asking their
// city's endorsement.
type EndorsementWaiting struct {
	ID     int64
	Title  string
	UserID int64
}

// SourceStore is what the built-in sources read.
type SourceStore interface {
	// ClosingCalls lists, for each open data call closing in (now, until],
	// the active focal points of cities that have not submitted (no
	// submission, a draft, or returned values).
	ClosingCalls(ctx context.Context, now, until time.Time) ([]ClosingCall, error)
	// ReviewsWaiting lists each submitted (not yet reviewed) submission
	// with each of its reviewers.
	ReviewsWaiting(ctx context.Context) ([]ReviewWaiting, error)
	// EndorsementsWaiting lists requested endorsements not expired at now
	// with the focal points of the city asked.
	EndorsementsWaiting(ctx context.Context, now time.Time) ([]EndorsementWaiting, error)
}

// DataCallClosing reminds focal points 7 days and 1 day before their data
// call closes, while their city has not submitted.
type DataCallClosing struct{ Store SourceStore }

func (DataCallClosing) Kinds() []string { return []string{KindDataCallClosing} }

func (d DataCallClosing) Due(ctx context.Context, now time.Time) ([]Notice, error) {
	rows, err := d.Store.ClosingCalls(ctx, now, now.Add(7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		days, msg := "7", "notify.dc_closing7"
		if r.Closes.Sub(now) <= 24*time.Hour {
			days, msg = "1", "notify.dc_closing1"
		}
		out = append(out, Notice{UserID: r.UserID, Kind: KindDataCallClosing, Key: "dc:" + r.Edition + ":" + r.City + ":" + days,
			Msg: msg, Args: []string{r.EditionName, r.CityName, r.Closes.UTC().Format("2006-01-02 15:04 UTC")},
			URL: "/datacall/" + r.Edition + "/cities/" + r.City})
	}
	return out, nil
}

// ReviewsWaitingSource tells reviewers of each submission waiting for them.
type ReviewsWaitingSource struct{ Store SourceStore }

func (ReviewsWaitingSource) Kinds() []string { return []string{KindReviewWaiting} }

func (s ReviewsWaitingSource) Due(ctx context.Context, now time.Time) ([]Notice, error) {
	rows, err := s.Store.ReviewsWaiting(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, Notice{UserID: r.UserID, Kind: KindReviewWaiting,
			Key: "review:" + r.Edition + ":" + r.City + ":" + strconv.FormatInt(r.Submitted.UnixMicro(), 10),
			Msg: "notify.review_waiting", Args: []string{r.CityName, r.Edition}, URL: "/datacall/" + r.Edition + "/review"})
	}
	return out, nil
}

// EndorsementsSource tells focal points of an endorsement their city was
// asked for.
type EndorsementsSource struct{ Store SourceStore }

func (EndorsementsSource) Kinds() []string { return []string{KindEndorsementsWaiting} }

func (s EndorsementsSource) Due(ctx context.Context, now time.Time) ([]Notice, error) {
	rows, err := s.Store.EndorsementsWaiting(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, Notice{UserID: r.UserID, Kind: KindEndorsementsWaiting, Key: "endorse:" + strconv.FormatInt(r.ID, 10),
			Msg: "notify.endorsement_waiting", Args: []string{r.Title}, URL: "/prize/endorsements"})
	}
	return out, nil
}
