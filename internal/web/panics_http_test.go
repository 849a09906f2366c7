package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// panicArea is an area whose one page panics, as a handler with a bug would.
type panicArea struct{}

func (panicArea) Register(s *web.Server) {
	bug := func(w http.ResponseWriter, r *http.Request) error {
		var rows []string
		_ = rows[len(r.URL.Path)] // "secret internal detail": an index out of range, a real runtime panic
		return nil
	}
	s.Page("GET /test/panic", web.AccessPublic, bug)
	s.API("GET /api/v1/test/panic", web.AccessPublic, bug)
}

// TestHandlerPanicFailsOnlyItsRequest: a handler's panic answers its own
// request with a 500 that shows the request id and nothing of the panic,
// and the server goes on serving every other request.
func TestHandlerPanicFailsOnlyItsRequest(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		st := s.(app.Store)
		cfg := web.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}.WithDefaults()
		srv, err := web.New(cfg, append(app.Areas(st, cfg, app.NewServices(st, cfg)), panicArea{})...)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		get := func(path, accept string) (*http.Response, string) {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
			req.Header.Set("Accept-Language", accept)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		for _, lang := range []string{"en", "ko"} {
			res, body := get("/test/panic", lang)
			id := res.Header.Get("X-Request-ID")
			if res.StatusCode != http.StatusInternalServerError || id == "" || !strings.Contains(body, id) {
				t.Fatalf("%s: panicking handler: %d, request id %q in the page: %v", lang, res.StatusCode, id, strings.Contains(body, id))
			}
			if strings.Contains(body, "secret internal detail") || strings.Contains(body, "index out of range") || strings.Contains(body, "goroutine") {
				t.Errorf("%s: the 500 page shows the panic:\n%s", lang, body)
			}
			if lang == "ko" && !strings.Contains(body, "서버에서 문제가 생겼습니다") {
				t.Errorf("the Korean 500 page is not in Korean:\n%.600s", body)
			}
		}
		// An API route's panic answers the API's JSON error, with the id.
		res, body := get("/api/v1/test/panic", "en")
		var apiErr web.APIError
		if err := json.Unmarshal([]byte(body), &apiErr); err != nil || res.StatusCode != 500 || apiErr.Error.Code != "internal" ||
			apiErr.Error.RequestID != res.Header.Get("X-Request-ID") || strings.Contains(body, "index out of range") {
			t.Errorf("panicking API handler: %d %v\n%s", res.StatusCode, err, body)
		}
		for _, path := range []string{"/healthz", "/members", "/login"} {
			if res, _ := get(path, "en"); res.StatusCode != http.StatusOK {
				t.Errorf("after a handler's panic, GET %s: %d", path, res.StatusCode)
			}
		}
	})
}

// TestEngineWorkerPanicFailsOnlyItsJob: a panic inside the engine's run of
// a release preview (its progress reporting, which the engine runs beside
// its workers) fails that job with an internal error; the server goes on
// serving pages and running the next job.
func TestEngineWorkerPanicFailsOnlyItsJob(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		fs := s.(storetest.FeatureStore)
		drafts, err := fs.DraftReleases(ctx, "2026")
		if err != nil || len(drafts) == 0 {
			t.Fatalf("drafts of 2026: %d, %v", len(drafts), err)
		}
		pub := env.Services.Publication
		pub.Publish = func(ctx context.Context, in release.PublishInput) (*release.Release, error) {
			in.Progress = func(p release.Progress) {
				if p.Stage == release.StageUncertainty {
					panic("engine worker bug")
				}
			}
			return release.Publish(ctx, in)
		}
		admin := env.ClientAs(webtest.Admin)
		review := "/admin/releases/drafts/" + itoa(drafts[0].ID)
		if res, body := admin.PostForm(review+"/preview", url.Values{"n": {"20"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("preview request: %d %.400s", res.StatusCode, body)
		}
		runJobs(t, env)
		js, err := env.Store.ListJobs(ctx, jobs.Filter{Kind: publication.JobPreviewRelease})
		if err != nil || len(js) == 0 {
			t.Fatalf("preview jobs: %d, %v", len(js), err)
		}
		if j := js[0]; j.State != jobs.StateFailed || !strings.Contains(j.Error, "panicked") {
			t.Fatalf("the preview whose engine run panicked: state %s, error %q", j.State, j.Error)
		}
		if res, _ := admin.Get(review); res.StatusCode != http.StatusOK {
			t.Errorf("review page after the failed job: %d", res.StatusCode)
		}
		if res, _ := env.Client().Get("/rankings"); res.StatusCode != http.StatusOK {
			t.Errorf("rankings after the failed job: %d", res.StatusCode)
		}
		// The next job runs as usual.
		pub.Publish = nil
		if res, _ := admin.PostForm(review+"/preview", url.Values{"n": {"20"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("second preview request: %d", res.StatusCode)
		}
		runJobs(t, env)
		js, err = env.Store.ListJobs(ctx, jobs.Filter{Kind: publication.JobPreviewRelease})
		if err != nil || len(js) < 2 || js[0].State != jobs.StateDone {
			t.Fatalf("the preview after the failure: %+v, %v", js, err)
		}
	})
}
