package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestPrizeUploadStreamed checks the streamed attachment upload: a file
// over the limit is refused as too large and leaves no attachment, no
// kept file and no temporary file behind; two files in one body are
// refused and neither is kept; a body whose file comes before the CSRF
// token is refused; a good file is kept whole by its SHA-256 beside the
// database (not in it), the same bytes twice are kept once, and deleting
// one attachment leaves the other's download.
func TestPrizeUploadStreamed(t *testing.T) {
	db := storetest.OpenSQLite(t)
	env, _ := prizeEnv(t, db)
	ctx := context.Background()
	a, c := prizeApplicant(t, env, "up@acme.example")
	app := "/prize/applications/" + strconv.FormatInt(a.ID, 10)
	raw, err := sql.Open("sqlite", db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func(table string) int {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Rows, and files kept by content beside the database: never a chunk
	// in the database, never a temporary file left.
	stored := func(what string, rows, kept int) {
		t.Helper()
		var files, tmp int
		db.FileDir().Walk(func(string, time.Time) error { files++; return nil })
		entries, err := os.ReadDir(filepath.Join(db.FileDir().Root(), "tmp"))
		if err != nil {
			t.Fatal(err)
		}
		tmp = len(entries)
		if f, ch := count("prize_attachments"), count("prize_attachment_chunks"); f != rows || ch != 0 || files != kept || tmp != 0 {
			t.Errorf("%s: %d attachments, %d chunks, %d files kept, %d temporary files; want %d, 0, %d, 0", what, f, ch, files, tmp, rows, kept)
		}
	}

	// Over the 10 MiB limit (but within the body limit): refused while
	// streaming, after part of it was written to its temporary file.
	big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("0"), prize.MaxAttachmentBytes)...)
	res, body := uploadFile(c, app+"/files", "evidence", "big.pdf", big)
	expectStatus(t, "an over-size file", res, body, http.StatusRequestEntityTooLarge)
	if !strings.Contains(body, "a file may have at most 10 MiB") {
		t.Errorf("over-size refusal lacks the limit: %.2000s", body)
	}
	stored("over-size file", 0, 0)

	// Over the route's body limit: the body reader stops it.
	huge := append(append([]byte{}, pdf...), bytes.Repeat([]byte("0"), prize.MaxAttachmentBytes+2<<20)...)
	res, body = uploadFile(c, app+"/files", "evidence", "huge.pdf", huge)
	expectStatus(t, "a body over the limit", res, body, http.StatusRequestEntityTooLarge)
	stored("body over the limit", 0, 0)

	// Two files in one body.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.CSRF)
	mw.WriteField("field", "evidence")
	fw, _ := mw.CreateFormFile("file", "one.pdf")
	fw.Write(pdf)
	fw, _ = mw.CreateFormFile("file", "two.pdf")
	fw.Write(pdf)
	mw.Close()
	res, body = c.Send(http.MethodPost, app+"/files", mw.FormDataContentType(), &buf)
	expectStatus(t, "two files in one body", res, body, http.StatusBadRequest)
	if !strings.Contains(body, "choose one file") {
		t.Errorf("two files' refusal lacks the reason: %.2000s", body)
	}
	stored("two files", 0, 0)

	// The file before the CSRF token: the token is not read, the request is refused.
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	fw, _ = mw.CreateFormFile("file", "first.pdf")
	fw.Write(pdf)
	mw.WriteField("csrf", c.CSRF)
	mw.WriteField("field", "evidence")
	mw.Close()
	res, body = c.Send(http.MethodPost, app+"/files", mw.FormDataContentType(), &buf)
	expectStatus(t, "file before the token", res, body, http.StatusForbidden)
	stored("file before the token", 0, 0)

	// A good file of 600 KB, downloaded byte for byte.
	good := append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 600<<10)...)
	res, body = uploadFile(c, app+"/files", "evidence", "plan.pdf", good)
	expectStatus(t, "a good file", res, body, http.StatusSeeOther)
	stored("good file", 1, 1)
	files, err := db.PrizeAttachments(ctx, a.ID)
	if err != nil || len(files) != 1 {
		t.Fatalf("attachments %v %v", files, err)
	}
	if files[0].Size != int64(len(good)) || files[0].Type != "application/pdf" || files[0].Name != "plan.pdf" {
		t.Errorf("stored %+v", files[0])
	}
	res, err = c.HTTP.Get(env.URL("/prize/files/" + files[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(got, good) {
		t.Errorf("downloaded %d bytes, want the %d uploaded", len(got), len(good))
	}
	h := sha256.Sum256(good)
	if files[0].SHA256 != hex.EncodeToString(h[:]) || !db.FileDir().Exists(files[0].SHA256) {
		t.Errorf("stored hash %s, want %x kept in the file directory", files[0].SHA256, h)
	}

	// The same bytes again under another name: a second attachment with
	// its own unguessable URL, one file kept. Deleting the first leaves
	// the second downloadable; another applicant gets 404 for both.
	res, body = uploadFile(c, app+"/files", "evidence", "copy.pdf", good)
	expectStatus(t, "the same file again", res, body, http.StatusSeeOther)
	stored("the same file again", 2, 1)
	files, _ = db.PrizeAttachments(ctx, a.ID)
	if len(files) != 2 || files[0].ID == files[1].ID || files[0].SHA256 != files[1].SHA256 {
		t.Fatalf("two attachments of the same bytes: %+v", files)
	}
	_, other := prizeApplicant(t, env, "other@acme.example")
	for _, f := range files {
		if res, _ := other.Get("/prize/files/" + f.ID); res.StatusCode != http.StatusNotFound {
			t.Errorf("another applicant's download of %s: %d, want 404", f.Name, res.StatusCode)
		}
	}
	res, body = c.PostForm("/prize/files/"+files[0].ID+"/delete", url.Values{})
	expectStatus(t, "delete the first", res, body, http.StatusSeeOther)
	stored("one of two deleted", 1, 1)
	if res, body := c.Get("/prize/files/" + files[1].ID); res.StatusCode != http.StatusOK || body != string(good) {
		t.Errorf("the second after the first was deleted: %d, %d bytes", res.StatusCode, len(body))
	}
	if res, _ := c.Get("/prize/files/" + files[0].ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("the deleted file: %d, want 404", res.StatusCode)
	}
}

// prizeApplicant is an applicant (a local government in Seoul) with a
// draft in the Tech-InnovaCity track, and their signed-in client.
func prizeApplicant(t *testing.T, env *webtest.Env, email string) (*prize.Application, *webtest.Client) {
	t.Helper()
	ctx := context.Background()
	usr, err := env.Services.Accounts.AddUser(ctx, auditlogSystem, accounts.User{Email: email, Role: accounts.RoleApplicant}, webtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	who := prize.Who{UserID: usr.ID, Email: usr.Email, Role: usr.Role}
	if err := env.Services.Prize.SaveProfile(ctx, who, prize.Profile{Type: prize.TypeLocalGov, Organisation: "City of Seoul", Country: "KOR", CityName: "Seoul"}); err != nil {
		t.Fatal(err)
	}
	a, err := env.Services.Prize.CreateApplication(ctx, who, "2026", prize.TrackTech)
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Login(usr.Email, webtest.Password)
	c.Get("/prize/my")
	return a, c
}

// TestPrizeWordLimitsLongText checks the word limits of long-text fields
// (the problem: 300 words; the results: 400) over HTTP: a submission over
// them is refused naming each field with its count and limit, in English
// and in Korean, what was typed is kept on the form and nothing is
// submitted; an edit of a submitted application over a limit is refused
// too and leaves the application as it was; at the limit it is taken.
func TestPrizeWordLimitsLongText(t *testing.T) {
	env, _ := prizeEnv(t, storetest.OpenSQLite(t))
	a, c := prizeApplicant(t, env, "words@acme.example")
	app := "/prize/applications/" + strconv.FormatInt(a.ID, 10)
	res, body := uploadFile(c, app+"/files", "evidence", "plan.pdf", pdf)
	expectStatus(t, "attach", res, body, http.StatusSeeOther)
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("인구 ", n)) }

	form := completeAnswers("Night buses for shift workers")
	form.Set("f.problem", words(301))
	form.Set("f.results", words(401)+" marker-typed-text")
	res, body = c.PostForm(app+"/submit", form)
	if res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Fatalf("over the word limits: status %d", res.StatusCode)
	}
	for _, want := range []string{"301 words, at most 300", "404 words, at most 400", "marker-typed-text"} {
		if !strings.Contains(body, want) {
			t.Errorf("refused submission's page lacks %q: %s", want, regexp.MustCompile(`(?s)<main.*</main>`).FindString(body))
		}
	}
	res, body = c.PostForm(app+"/submit?lang=ko", form)
	if res.StatusCode < 400 || !strings.Contains(body, "301단어, 최대 300단어") || strings.Contains(body, "words, at most") {
		t.Errorf("Korean refusal: status %d, lacks the count in Korean or has it in English", res.StatusCode)
	}
	c.Get(app + "?lang=en") // back to English
	got, err := env.Store.PrizeApplication(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != prize.StateDraft {
		t.Errorf("refused submission left the application %s", got.State)
	}

	// At the limits: taken.
	form.Set("f.problem", words(300))
	form.Set("f.results", words(400))
	res, body = c.PostForm(app+"/submit", form)
	expectStatus(t, "at the word limits", res, body, http.StatusSeeOther)

	// Editing the submitted application over a limit: refused, kept as it was.
	form.Set("f.problem", words(300)+" one more")
	res, body = c.PostForm(app, form)
	if res.StatusCode < 400 || !strings.Contains(body, "302 words, at most 300") {
		t.Errorf("edit over the limit: status %d, %s", res.StatusCode, regexp.MustCompile(`(?s)<main.*</main>`).FindString(body))
	}
	got, err = env.Store.PrizeApplication(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != prize.StateSubmitted || prize.Words(got.Answers.First("problem")) != 300 {
		t.Errorf("after a refused edit: %s with %d words", got.State, prize.Words(got.Answers.First("problem")))
	}
}
