package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The focal point's home in headless Chromium with Seoul's study a day
// past its first milestone's due date: the studies panel counts the
// milestone late, in English and in Korean (no English left in it), and
// its link opens the milestone's update on the study page, in Korean.
func TestHomeStudiesInBrowser(t *testing.T) {
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
	m1 := st.Milestones[0]
	due, err := time.Parse(followup.DateLayout, m1.Due)
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(due.Add(33 * time.Hour)) // the day after, 09:00 UTC

	base := env.URL("")
	b := browsertest.Open(t, 120*time.Second)
	b.SignIn(base, env.Users[webtest.Focal].Email, webtest.Password, browsertest.LoginButton)

	b.Do("home", chromedp.Navigate(base+"/home?lang=en"))
	b.WaitFor("the studies panel", `document.getElementById('home-studies') !== null`)
	study := fmt.Sprintf(`document.getElementById('home-study-%d')`, st.ID)
	if got := b.Str(study + `.dataset.done + '/' + ` + study + `.dataset.total + ' late ' + ` + study + `.dataset.late + ' ' + ` + study + `.dataset.status`); got != fmt.Sprintf("0/%d late 1 late", len(st.Milestones)) {
		t.Fatalf("the study on the home: %s", got)
	}
	if text := b.Str(`document.getElementById('home-studies').innerText`); !strings.Contains(text, "Feasibility studies") ||
		!strings.Contains(text, fmt.Sprintf("0 of %d milestones done", len(st.Milestones))) || !strings.Contains(text, "Milestones late: 1") ||
		!strings.Contains(text, m1.Title) || !strings.Contains(text, "due "+m1.Due) {
		t.Fatalf("the English studies panel:\n%s", text)
	}

	b.Do("home ko", chromedp.Navigate(base+"/home?lang=ko"))
	b.WaitFor("the Korean home", `document.documentElement.lang === 'ko' && document.getElementById('home-studies') !== null`)
	text := b.Str(`document.getElementById('home-studies').innerText`)
	for _, s := range []string{"타당성 조사", fmt.Sprintf("마일스톤 %d개 중 0개 완료", len(st.Milestones)), "지연된 마일스톤: 1개", "지연", "기한 " + m1.Due} {
		if !strings.Contains(text, s) {
			t.Fatalf("the Korean studies panel lacks %q:\n%s", s, text)
		}
	}
	for _, s := range []string{"Feasibility", "milestones done", "Late", "due "} {
		if strings.Contains(text, s) {
			t.Fatalf("English %q in the Korean studies panel:\n%s", s, text)
		}
	}
	if m1.TitleKO != "" && !strings.Contains(text, m1.TitleKO) {
		t.Fatalf("the Korean panel lacks the milestone's Korean title %q:\n%s", m1.TitleKO, text)
	}

	// The milestone's link opens its update on the study page.
	b.Do("follow the milestone", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#home-studies li[data-milestone="%d"] a`, m1.ID))))
	b.WaitFor("the study page", fmt.Sprintf(`location.pathname === '/followup/studies/%d' && location.hash === '#m%d' && document.getElementById('m%d') !== null`, st.ID, m1.ID, m1.ID))
	if got := b.Str(fmt.Sprintf(`(document.querySelector('#m%d form[method=post]') ? 'form' : 'none') + ' ' + (document.querySelector('#m%d .status-late') || {innerText: ''}).innerText`, m1.ID, m1.ID)); got != "form 지연" {
		t.Fatalf("the milestone's update on the study page: %q", got)
	}
}
