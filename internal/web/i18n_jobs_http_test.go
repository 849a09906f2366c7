package web_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/storetest"
)

// TestI18nComputeFailureInReadersLanguage: a compute job that fails on an
// engine error naming an indicator (the two accepted cities report the
// same value of it, which min-max cannot scale) keeps the error's key and
// arguments, so the edition's page and the jobs page word it in the
// reader's language: Korean for a Korean reader, English for others.
func TestI18nComputeFailureInReadersLanguage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newCallEnv(t, s)
		ctx := context.Background()
		const code = "EC-P-EM-1C"
		// Rotterdam's value of the indicator becomes Busan's.
		svc := &datacall.Service{Store: env.store, Catalogue: env.store, Audit: env.store}
		admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "admin@test"}
		rotterdam := datacall.CityRef{Code: "nl-rotterdam", Region: "EU"}
		if _, err := svc.Transition(ctx, admin, "2026", rotterdam, datacall.ActionReopen, "", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Import(ctx, admin, "2026", []datacall.CityRef{rotterdam}, []datacall.Entry{{City: rotterdam.Code, Indicator: code,
			Unit: env.cat[code].Unit, Value: env.valueFor(code, 0.3), Source: "statistics office", DataYear: "2025"}}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{datacall.ActionSubmit, datacall.ActionAccept} {
			if _, err := svc.Transition(ctx, admin, "2026", rotterdam, a, "", nil); err != nil {
				t.Fatal(err)
			}
		}

		b := env.browser("admin@test")
		res, body := b.post("/admin/editions/2026/compute", nil)
		wantStatus(t, "compute", res, body, http.StatusSeeOther)
		if ran, err := env.srv.Queue().RunOne(ctx, "test-worker"); err != nil || !ran {
			t.Fatalf("compute job: ran %v, %v", ran, err)
		}
		js, err := env.store.ListJobs(ctx, jobs.Filter{Kind: "compute-edition"})
		if err != nil || len(js) != 1 || js[0].State != jobs.StateFailed {
			t.Fatalf("compute jobs %+v, %v; want one failed", js, err)
		}
		if e := js[0].Err(); e == nil || e.Key != "engine.normalise.constant" {
			t.Fatalf("the job's error %q is not the engine's keyed error", js[0].Error)
		}
		const (
			ko = `정규화: 지표 "EC-P-EM-1C": 값 2개가 모두 같습니다(30): 최소-최대 정규화로는 값이 모두 같은 열을 척도화할 수 없습니다`
			en = `normalise: indicator "EC-P-EM-1C": all 2 values are equal (30): min-max cannot scale a constant column`
		)
		for _, page := range []string{"/admin/editions/2026", "/admin/jobs"} {
			for _, tc := range []struct{ lang, want, not string }{{"ko", ko, en}, {"en", en, ko}} {
				res, body := b.get(page + "?lang=" + tc.lang)
				wantStatus(t, page+" in "+tc.lang, res, body, http.StatusOK)
				body = html.UnescapeString(body)
				if !strings.Contains(body, tc.want) || strings.Contains(body, tc.not) || strings.Contains(body, `{"code":`) {
					t.Errorf("%s in %s: want the job's error as %q:\n%.4000s", page, tc.lang, tc.want, body)
				}
			}
		}
	})
}
