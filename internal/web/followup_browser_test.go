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
	b := browsertest.Open(t, 120*time.Second)
	b.SignIn(base, env.Users[webtest.Focal].Email, webtest.Password, browsertest.LoginButton)

	page := fmt.Sprintf("%s/followup/studies/%d", base, st.ID)
	m1 := st.Milestones[0]
	b.Do("the study in Korean", chromedp.Navigate(page+"?lang=ko"))
	b.WaitFor("the study", `document.getElementById('followup-study') !== null`)
	if got := b.Str(`document.getElementById('followup-modality').innerText`); got != "시범 프로그램" {
		t.Fatalf("modality in Korean: %q", got)
	}
	b.Str(fmt.Sprintf(`(() => { const s = document.getElementById('m%d'); s.querySelector('details').open = true;
		document.getElementById('status-%d').value = 'done'; return 'ok' })()`, m1.ID, m1.ID))
	b.Do("mark done", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#m%d form button[type=submit]`, m1.ID))))
	b.WaitFor("saved", `document.querySelector('.flash') !== null && document.querySelector('.flash').innerText === '저장했습니다.'`)
	text := b.Str(`document.getElementById('followup-study').innerText`)
	if !strings.Contains(text, "마일스톤 4개 중 1개 완료") || !strings.Contains(b.Str(fmt.Sprintf(`document.querySelector('#m%d .status-done').innerText`, m1.ID)), "완료") {
		t.Fatalf("the Korean study after the update:\n%s", text)
	}
	for _, english := range []string{"Milestones", "Due date", "Status", "Pilot programme", "On track", "Done", "Partners", "Project owner", "Baseline measurements"} {
		if strings.Contains(text, english) {
			t.Fatalf("English %q on the Korean page:\n%s", english, text)
		}
	}
	b.Do("the study in English", chromedp.Navigate(page+"?lang=en"))
	b.WaitFor("the study", `document.getElementById('followup-study') !== null`)
	if text := b.Str(`document.getElementById('followup-study').innerText`); !strings.Contains(text, "1 of 4 milestones done") ||
		!strings.Contains(text, "Baseline and pilot design") || !strings.Contains(text, "Pilot programme") {
		t.Fatalf("the English study:\n%s", text)
	}
	if got, _ := env.Store.FollowupStudy(ctx, st.ID); got.Milestones[0].Reported != "done" {
		t.Fatalf("the milestone was not saved done: %+v", got.Milestones[0])
	}
}
