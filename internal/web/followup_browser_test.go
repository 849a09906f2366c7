package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestFollowupInBrowser, in headless Chromium: Seoul's focal point opens
// the study of Seoul's winning project in Korean, marks its first
// milestone done through the page's form, and reads the study's progress
// in Korean (no English left in the page's own words) and in English.
func TestFollowupInBrowser(t *testing.T) {
	env, clock := prizeEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	applicant := env.Users[webtest.Applicant]
	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
		ApplicantType: prize.TypeLocalGov, Organisation: "Seoul Metropolitan Government", CityCode: webtest.CityX, CityName: "Seoul",
		Country: "KOR", Title: "야간 버스", Stage: prize.StageConcept, Answers: prize.Answers{}, State: prize.StateSubmitted,
		CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
	if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.AddPrizeDecision(ctx, &judging.Decision{Edition: "2026", App: a.ID, Kind: judging.DecisionWinner, Grade: "gold",
		DecidedBy: "admin", DecidedAt: prizeT0}); err != nil {
		t.Fatal(err)
	}
	e, _ := env.Store.PrizeEdition(ctx, "2026")
	clock.Set(e.Ceremony)
	admin := env.Users[webtest.Admin]
	if _, err := env.Services.Judging.Announce(ctx, judging.Viewer{UserID: admin.ID, Email: admin.Email, Admin: true}, "2026"); err != nil {
		t.Fatal(err)
	}
	st, err := env.Store.FollowupStudyByApp(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	base := env.URL("")
	b := browsertest.New(t, 120*time.Second)
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	waitFor := func(what, js string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, err := chromedp.Run(b, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	do("sign in", chromedp.Navigate(base+"/login"))
	do("credentials", chromedp.SetValue(chromedp.CSS("#email"), env.Users[webtest.Focal].Email),
		chromedp.SetValue(chromedp.CSS("#password"), webtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	waitFor("signed in", `document.readyState === 'complete' && !location.pathname.startsWith('/login')`)

	page := fmt.Sprintf("%s/followup/studies/%d", base, st.ID)
	m1 := st.Milestones[0]
	do("the study in Korean", chromedp.Navigate(page+"?lang=ko"))
	waitFor("the study", `document.getElementById('followup-study') !== null`)
	if got := str(`document.getElementById('followup-modality').innerText`); got != "시범 프로그램" {
		t.Fatalf("modality in Korean: %q", got)
	}
	str(fmt.Sprintf(`(() => { const s = document.getElementById('m%d'); s.querySelector('details').open = true;
		document.getElementById('status-%d').value = 'done'; return 'ok' })()`, m1.ID, m1.ID))
	do("mark done", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#m%d form button[type=submit]`, m1.ID))))
	waitFor("saved", `document.querySelector('.flash') !== null && document.querySelector('.flash').innerText === '저장했습니다.'`)
	text := str(`document.getElementById('followup-study').innerText`)
	if !strings.Contains(text, "마일스톤 4개 중 1개 완료") || !strings.Contains(str(fmt.Sprintf(`document.querySelector('#m%d .status-done').innerText`, m1.ID)), "완료") {
		t.Fatalf("the Korean study after the update:\n%s", text)
	}
	for _, english := range []string{"Milestones", "Due date", "Status", "Pilot programme", "On track", "Done", "Partners", "Project owner", "Baseline measurements"} {
		if strings.Contains(text, english) {
			t.Fatalf("English %q on the Korean page:\n%s", english, text)
		}
	}
	do("the study in English", chromedp.Navigate(page+"?lang=en"))
	waitFor("the study", `document.getElementById('followup-study') !== null`)
	if text := str(`document.getElementById('followup-study').innerText`); !strings.Contains(text, "1 of 4 milestones done") ||
		!strings.Contains(text, "Baseline and pilot design") || !strings.Contains(text, "Pilot programme") {
		t.Fatalf("the English study:\n%s", text)
	}
	if got, _ := env.Store.FollowupStudy(ctx, st.ID); got.Milestones[0].Reported != "done" {
		t.Fatalf("the milestone was not saved done: %+v", got.Milestones[0])
	}
}
