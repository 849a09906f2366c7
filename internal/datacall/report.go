package datacall

import (
	"bytes"
	"compress/gzip"
	"context"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
)

// A refused upload's page lists its first problems; the full list (up to
// MaxProblems) is a CSV file its uploader downloads, kept gzipped in the
// database for ReportLifetime so that any replica can serve it.

// ReportLifetime is how long a problem list can be downloaded.
const ReportLifetime = 24 * time.Hour

// UploadReport is the problem list of one refused upload.
type UploadReport struct {
	TokenHash string // SHA-256 of the link's token
	UserID    int64  // only the uploader may download it
	FileName  string
	Problems  int    // how many problems the upload had (the file holds up to MaxProblems)
	Body      []byte // the CSV, gzipped
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ReportStore keeps problem lists.
type ReportStore interface {
	// PutUploadReport stores a report, forgetting expired ones.
	PutUploadReport(ctx context.Context, r UploadReport) error
	// UploadReport is a user's unexpired report; ENOTFOUND otherwise.
	UploadReport(ctx context.Context, tokenHash string, userID int64, now time.Time) (UploadReport, error)
}

// ProblemsCSV is problems as a gzipped CSV file (row, column, city,
// indicator, problem), each reason worded by reason; cells are safe to
// open in a spreadsheet.
func ProblemsCSV(ps []citylens.Problem, header []string, reason func(citylens.Problem) string) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	cw := csvsafe.NewWriter(zw)
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	rec := make([]string, 5)
	for _, p := range ps {
		rec[0] = ""
		if p.Row > 0 {
			rec[0] = strconv.Itoa(p.Row)
		}
		rec[1], rec[2], rec[3], rec[4] = p.Column, p.City, p.Indicator, reason(p)
		if err := cw.Write(rec); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
