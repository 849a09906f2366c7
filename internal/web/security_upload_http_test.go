package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/hostile"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

func init() {
	featureMatrix["GET /account/upload-problems/{token}"] = []probe{{Path: "/account/upload-problems/no-such-list", Allow: signedIn}}
}

const seoulUpload = "/datacall/2026/cities/" + webtest.CityX + "/upload"

// TestSecurityUploadBombs (cases 1 to 4): a focal point's hostile files are
// refused with a message naming the limit they break, quickly and without
// reading what they expand to (bench/uploads measures the memory).
func TestSecurityUploadBombs(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newAPICallEnv(t, s)
		focal := env.ClientAs(webtest.Focal)
		for _, tc := range []struct {
			name, file string
			data       []byte
			want       string
		}{
			{"shared strings bomb", "sst.xlsx", hostile.SharedStringsBomb(64 << 20), "xl/sharedStrings.xml"},
			{"sheet bomb", "sheet.xlsx", hostile.SheetBomb(64 << 20), "xl/worksheets/sheet1.xml"},
			{"invalid rows", "rows.csv", hostile.InvalidRowsCSV(5 << 20), "rows with values, more than its cities and the edition"},
			{"a million columns", "wide.csv", hostile.WideRowCSV(1_000_000), "row 2 has 1000000 columns, more than 16384"},
		} {
			start := time.Now()
			res, body := uploadCSV(t, focal, seoulUpload, tc.file, tc.data)
			expectStatus(t, tc.name, res, body, http.StatusBadRequest)
			if !strings.Contains(body, tc.want) {
				t.Errorf("%s: the 400 does not say %q:\n%.1500s", tc.name, tc.want, body)
			}
			t.Logf("%s (%d bytes): refused in %v", tc.name, len(tc.data), time.Since(start))
		}
	})
}

// TestSecurityUploadToLockedSubmission (case 1's second half): an upload
// to a submitted submission is refused before the file is read: even a
// broken file gets the submission's answer, not the file's.
func TestSecurityUploadToLockedSubmission(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newAPICallEnv(t, s)
		if err := s.(storetest.FeatureStore).PutSubmission(context.Background(), datacall.Submission{Edition: "2026", City: webtest.CityX,
			State: datacall.StateSubmitted, UpdatedBy: "focal@test.citylens", UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		focal := env.ClientAs(webtest.Focal)
		res, body := uploadCSV(t, focal, seoulUpload, "broken.xlsx", []byte("PK\x03\x04 not a workbook"))
		expectStatus(t, "upload to a submitted submission", res, body, http.StatusConflict)
		if !strings.Contains(body, "the submission is submitted") {
			t.Errorf("the 409 does not say why:\n%.800s", body)
		}
	})
}

// TestSecurityUploadProblemList (case 2): a refused file's page lists its
// first 200 problems and how many more; the full list is a CSV file its
// uploader (and nobody else) downloads.
func TestSecurityUploadProblemList(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newAPICallEnv(t, s)
		admin := env.ClientAs(webtest.Admin)
		var b strings.Builder
		b.WriteString("City code,Indicator code,Value,Unit,Source,Data year\n")
		const rows = 250 // fewer than the 3 cities × 86 indicators a file may have
		for i := range rows {
			b.WriteString("zz-nowhere,NOPE-" + itoa(int64(i)) + ",abc,?,,99999\n")
		}
		res, body := uploadCSV(t, admin, "/datacall/2026/upload", "bad.csv", []byte(b.String()))
		expectStatus(t, "bad network file", res, body, http.StatusBadRequest)
		if n := strings.Count(body, "<tr><td class=\"num\">"); n != 200 {
			t.Errorf("the page lists %d problems, want 200", n)
		}
		total := 0
		if m := regexp.MustCompile(`bad.csv has (\d+) problem`).FindStringSubmatch(body); m != nil {
			total, _ = strconv.Atoi(m[1])
		}
		if total < 4*rows {
			t.Fatalf("the page says %d problems, want at least %d:\n%.1000s", total, 4*rows, body)
		}
		if !strings.Contains(body, "… and "+itoa(int64(total-200))+" more problems, not shown.") {
			t.Errorf("the page does not say how many more")
		}
		m := regexp.MustCompile(`id="problem-list" href="(/account/upload-problems/[^"]+)"`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "Download the full list of "+itoa(int64(total))+" problems (CSV)") {
			t.Fatalf("no link to the full list")
		}
		res, list := admin.Get(m[1])
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("problem list: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(list)).ReadAll()
		if err != nil || len(recs) != total+1 {
			t.Fatalf("problem list: %d records, %v; want %d and a header", len(recs), err, total)
		}
		last := recs[total]
		if recs[0][0] != "Row" || last[0] != itoa(rows+1) || last[3] != "NOPE-"+itoa(rows-1) {
			t.Errorf("problem list rows: %q … %q", recs[0], last)
		}
		// Another user cannot read it.
		if res, _ := env.ClientAs(webtest.Focal).Get(m[1]); res.StatusCode != http.StatusNotFound {
			t.Errorf("another user's download: %d, want 404", res.StatusCode)
		}
	})
}

// TestSecurityUploadConcurrency (case 3): a user reading as many uploads
// as allowed, or a server reading as many as it allows, answers 429 to one
// more before reading it.
func TestSecurityUploadConcurrency(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s, func(c *web.Config) { c.MaxUploads, c.MaxUploadsPerUser = 2, 1 })
		admin := env.ClientAs(webtest.Admin)
		regional := env.ClientAs(webtest.Regional)
		focal := env.ClientAs(webtest.Focal)
		// A slow upload: its body arrives only when the test says.
		slow := func(c *webtest.Client, path string) (done chan int, finish func()) {
			pr, pw := io.Pipe()
			var head bytes.Buffer
			mw := multipart.NewWriter(&head)
			mw.WriteField("csrf", c.CSRF)
			req, _ := http.NewRequest(http.MethodPost, c.Env.URL(path), io.MultiReader(bytes.NewReader(head.Bytes()), pr))
			req.Header.Set("Content-Type", mw.FormDataContentType())
			done = make(chan int, 1)
			go func() {
				res, err := c.HTTP.Do(req)
				if err != nil {
					done <- 0
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				done <- res.StatusCode
			}()
			return done, func() {
				n := head.Len()
				fw, _ := mw.CreateFormFile("file", "m.csv")
				fw.Write([]byte("code\n"))
				mw.Close()
				pw.Write(head.Bytes()[n:])
				pw.Close()
			}
		}
		done1, finish1 := slow(admin, "/admin/members/import")
		time.Sleep(300 * time.Millisecond) // the first upload holds its slot
		res, body := uploadCSV(t, admin, "/admin/members/import", "m.csv", []byte("code\n"))
		expectStatus(t, "a second upload of one user", res, body, http.StatusTooManyRequests)
		if res.Header.Get("Retry-After") == "" || !strings.Contains(body, "uploads being read") {
			t.Errorf("429 without Retry-After or reason:\n%.500s", body)
		}
		done2, finish2 := slow(focal, "/datacall/2026/cities/"+webtest.CityX+"/upload")
		time.Sleep(300 * time.Millisecond)
		res, body = uploadCSV(t, regional, "/datacall/2026/cities/"+webtest.CityXB+"/upload", "m.csv", []byte("code\n"))
		expectStatus(t, "an upload beyond the server's", res, body, http.StatusTooManyRequests)
		finish1()
		finish2()
		<-done1
		<-done2
		// The slots are free again.
		res, body = uploadCSV(t, admin, "/admin/members/import", "m.csv", []byte("code\n"))
		if res.StatusCode == http.StatusTooManyRequests {
			t.Errorf("after the uploads finished: 429\n%.300s", body)
		}
	})
}
