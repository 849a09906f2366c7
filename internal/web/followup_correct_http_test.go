package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// correctionStudy opens a study of a winning application of the
// applicant, hosted by CityX, with the partner role's account as a
// partner organisation; the applicant is its project owner's account.
func correctionStudy(t *testing.T, env *webtest.Env) *followup.Study {
	t.Helper()
	ctx := context.Background()
	applicant := env.Users[webtest.Applicant]
	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
		ApplicantType: prize.TypeLocalGov, Organisation: "City of Seoul", CityCode: webtest.CityX, CityName: "Seoul", Country: "KOR",
		Title: "Night buses for shift workers", Stage: prize.StagePilot, Answers: prize.Answers{}, State: prize.StateSubmitted,
		CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
	if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	st := followup.NewStudy(a, judging.Decision{Kind: judging.DecisionWinner, Grade: "gold"}, prizeT0)
	st.HostCity = webtest.CityX
	st.Partners = append(st.Partners, followup.Partner{Kind: followup.PartnerOrganisation, Name: "Transit lab", Role: "research",
		UserID: env.Users[webtest.Partner].ID})
	if err := env.Store.CreateFollowupStudy(ctx, st); err != nil {
		t.Fatal(err)
	}
	return st
}

// Correcting a study's partners and evidence over HTTP on SQLite and
// PostgreSQL, for every role: the host city's focal point, the partners'
// accounts (the project owner's, a partner organisation's) and the
// secretariat change and remove partners and evidence, audited with the
// record before and after; a regional officer and a judge are refused
// (403) and a visitor asked to sign in (401), and nothing changes for them; bad
// input is refused naming the field; removing a file's evidence removes
// the file, whose URL then answers 404; a partner or evidence of another
// study is not found.
func TestFollowupCorrectionsHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		st := correctionStudy(t, env)
		studyPath := fmt.Sprintf("/followup/studies/%d", st.ID)
		m := st.Milestones[0]
		read := func() *followup.Study {
			t.Helper()
			got, err := env.Store.FollowupStudy(ctx, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		addPartner := func(name string) followup.Partner {
			t.Helper()
			p := followup.Partner{StudyID: st.ID, Kind: followup.PartnerOrganisation, Name: name, Role: "funder"}
			if err := env.Store.AddFollowupPartner(ctx, &p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		addLink := func(label string) followup.Evidence {
			t.Helper()
			e := followup.Evidence{StudyID: st.ID, MilestoneID: m.ID, Kind: followup.EvidenceLink, Label: label, URL: "https://example.org/" + label,
				CreatedAt: prizeT0}
			if err := env.Store.AddFollowupEvidence(ctx, &e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		partnerNamed := func(id int64) (followup.Partner, bool) {
			for _, p := range read().Partners {
				if p.ID == id {
					return p, true
				}
			}
			return followup.Partner{}, false
		}
		evidenceNamed := func(id int64) (followup.Evidence, bool) {
			for _, mm := range read().Milestones {
				for _, e := range mm.Evidence {
					if e.ID == id {
						return e, true
					}
				}
			}
			return followup.Evidence{}, false
		}
		editors := map[string]bool{webtest.Admin: true, webtest.Focal: true, webtest.Applicant: true, webtest.Partner: true}
		for _, role := range webtest.Roles {
			c := env.ClientAs(role)
			p, e := addPartner("Funder of "+role), addLink("report-"+role)
			pPath, ePath := fmt.Sprintf("%s/partners/%d", studyPath, p.ID), fmt.Sprintf("%s/evidence/%d", studyPath, e.ID)
			sends := []struct {
				name string
				send func() (*http.Response, string)
			}{
				{"partner update", func() (*http.Response, string) {
					return c.PostForm(pPath, url.Values{"kind": {"city"}, "city_code": {webtest.CityY}, "name": {"Lyon"}, "role": {"partner_city"}})
				}},
				{"evidence update", func() (*http.Response, string) {
					return c.PostForm(ePath, url.Values{"label": {"Corrected"}, "url": {"https://example.org/corrected"}, "public": {"1"}})
				}},
			}
			for _, sd := range sends {
				res, body := sd.send()
				switch {
				case editors[role] && res.StatusCode != http.StatusSeeOther:
					t.Fatalf("%s: %s: %d, want 303\n%s", role, sd.name, res.StatusCode, body)
				case !editors[role] && role != webtest.Anonymous && res.StatusCode != http.StatusForbidden:
					t.Fatalf("%s: %s: %d, want 403", role, sd.name, res.StatusCode)
				case role == webtest.Anonymous && res.StatusCode != http.StatusUnauthorized:
					t.Fatalf("visitor: %s: %d, want 401", sd.name, res.StatusCode)
				}
			}
			gotP, _ := partnerNamed(p.ID)
			gotE, _ := evidenceNamed(e.ID)
			if editors[role] {
				if gotP.Name != "Lyon" || gotP.Kind != followup.PartnerCity || gotP.CityCode != webtest.CityY || gotP.Role != "partner_city" {
					t.Fatalf("%s: partner after the update: %+v", role, gotP)
				}
				if gotE.Label != "Corrected" || gotE.URL != "https://example.org/corrected" || !gotE.Public || gotE.Kind != followup.EvidenceLink {
					t.Fatalf("%s: evidence after the update: %+v", role, gotE)
				}
			} else if gotP != p || gotE.Label != e.Label || gotE.URL != e.URL || gotE.Public {
				t.Fatalf("%s changed what they may not: %+v %+v", role, gotP, gotE)
			}
			for _, path := range []string{pPath + "/remove", ePath + "/remove"} {
				res, _ := c.PostForm(path, nil)
				if editors[role] != (res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), studyPath)) {
					t.Fatalf("%s: %s: %d %q", role, path, res.StatusCode, res.Header.Get("Location"))
				}
			}
			_, pLeft := partnerNamed(p.ID)
			_, eLeft := evidenceNamed(e.ID)
			if pLeft == editors[role] || eLeft == editors[role] {
				t.Fatalf("%s: after removing, partner there %v, evidence there %v", role, pLeft, eLeft)
			}
		}
		// The audit log: one entry per change by each editor, with the record before.
		for _, action := range []string{"followup.partner.update", "followup.partner.remove", "followup.evidence.update", "followup.evidence.remove"} {
			entries, err := env.Store.ListAudit(ctx, auditlog.Filter{Action: action, EntityID: fmt.Sprint(st.ID)})
			if err != nil || len(entries) != len(editors) {
				t.Fatalf("%s: %d audit entries, want %d (%v)", action, len(entries), len(editors), err)
			}
			if strings.HasSuffix(action, "remove") && (string(entries[0].After) != "null" || !strings.Contains(string(entries[0].Before), `"Lyon"`) &&
				!strings.Contains(string(entries[0].Before), `"Corrected"`)) {
				t.Fatalf("%s audited as %s → %s", action, entries[0].Before, entries[0].After)
			}
		}

		// Bad input: the field named, nothing saved.
		fc := env.ClientAs(webtest.Focal)
		p, e := addPartner("Seoul Metro"), addLink("ridership")
		ind := followup.Evidence{StudyID: st.ID, MilestoneID: m.ID, Kind: followup.EvidenceIndicator, Label: "Riders", Unit: "riders", Before: 10, After: 20}
		if err := env.Store.AddFollowupEvidence(ctx, &ind); err != nil {
			t.Fatal(err)
		}
		pPath, ePath, iPath := fmt.Sprintf("%s/partners/%d", studyPath, p.ID), fmt.Sprintf("%s/evidence/%d", studyPath, e.ID),
			fmt.Sprintf("%s/evidence/%d", studyPath, ind.ID)
		for _, c := range []struct {
			path   string
			form   url.Values
			status int
			want   string
		}{
			{pPath, url.Values{"kind": {"organisation"}, "name": {"Seoul Metro"}, "role": {"king"}}, 422, "Role: &#34;king&#34; is not a partner&#39;s role"},
			{pPath, url.Values{"kind": {"organisation"}, "name": {"  "}, "role": {"funder"}}, 422, "Name: required"},
			{pPath, url.Values{"kind": {"city"}, "city_code": {"not a code!"}, "name": {"X"}, "role": {"funder"}}, 422, "&#34;not a code!&#34; is not a city&#39;s code"},
			{pPath, url.Values{"kind": {"organisation"}, "name": {"X"}, "role": {"funder"}, "email": {"nobody@example.org"}}, 422, "nobody@example.org"},
			{ePath, url.Values{"label": {"x"}, "url": {"javascript:alert(1)"}}, 422, "give an http(s) address"},
			{ePath, url.Values{"label": {strings.Repeat("x", 201)}, "url": {"https://example.org"}}, 422, "Label:"},
			{iPath, url.Values{"label": {"Riders"}, "before": {"ten"}, "after": {"20"}}, 422, "Before: &#34;ten&#34; is not a number"},
			{iPath, url.Values{"label": {"Riders"}, "before": {"1e16"}, "after": {"20"}}, 422, "Before: not a measured value"},
			{fmt.Sprintf("%s/partners/%d", studyPath, 999999), url.Values{"name": {"X"}}, 404, "Partner 999999 not found."},
			{fmt.Sprintf("%s/evidence/%d/remove", studyPath, 999999), nil, 404, "Evidence 999999 not found."},
		} {
			res, body := fc.PostForm(c.path, c.form)
			if res.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%s %v: %d, want %d naming %q\n%s", c.path, c.form, res.StatusCode, c.status, c.want, body)
			}
		}
		if got, _ := partnerNamed(p.ID); got != p {
			t.Fatalf("refused input changed the partner: %+v", got)
		}
		if got, _ := evidenceNamed(e.ID); got.Label != "ridership" || got.URL != e.URL {
			t.Fatalf("refused input changed the evidence: %+v", got)
		}
		if got, _ := evidenceNamed(ind.ID); got.Before != 10 || got.After != 20 {
			t.Fatalf("refused input changed the indicator: %+v", got)
		}
		// A measured indicator corrected; the partner keeps its account when no e-mail is given.
		if res, body := fc.PostForm(iPath, url.Values{"label": {"Night riders"}, "unit": {"riders/week"}, "before": {"1,200"}, "after": {"3400.5"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("indicator correction: %d\n%s", res.StatusCode, body)
		}
		if got, _ := evidenceNamed(ind.ID); got.Label != "Night riders" || got.Unit != "riders/week" || got.Before != 1200 || got.After != 3400.5 {
			t.Fatalf("indicator corrected: %+v", got)
		}
		var labPartner followup.Partner
		for _, pp := range read().Partners {
			if pp.Name == "Transit lab" {
				labPartner = pp
			}
		}
		labPath := fmt.Sprintf("%s/partners/%d", studyPath, labPartner.ID)
		if res, _ := fc.PostForm(labPath, url.Values{"kind": {"organisation"}, "name": {"Transit Lab Seoul"}, "role": {"research"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("partner renamed: %d", res.StatusCode)
		}
		if got, _ := partnerNamed(labPartner.ID); got.Name != "Transit Lab Seoul" || got.UserID != env.Users[webtest.Partner].ID {
			t.Fatalf("partner renamed lost its account: %+v", got)
		}
		if res, _ := fc.PostForm(labPath, url.Values{"kind": {"organisation"}, "name": {"Transit Lab Seoul"}, "role": {"research"}, "no_account": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("partner's account removed: %d", res.StatusCode)
		}
		if got, _ := partnerNamed(labPartner.ID); got.UserID != 0 {
			t.Fatalf("partner keeps its account: %+v", got)
		}
		if res, _ := env.ClientAs(webtest.Partner).PostForm(pPath+"/remove", nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a partner's account without its partner still edits: %d", res.StatusCode)
		}

		// A file's evidence removed: the file goes with it.
		png := append(append([]byte{}, pngHead...), make([]byte, 1000)...)
		evPath := fmt.Sprintf("%s/milestones/%d/evidence", studyPath, m.ID)
		if res, body := evidenceForm(fc, evPath, url.Values{"kind": {"file"}, "label": {"Plan"}}, "plan.png", png); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file evidence: %d\n%s", res.StatusCode, body)
		}
		var file followup.Evidence
		for _, ev := range read().Milestones[0].Evidence {
			if ev.Kind == followup.EvidenceFile {
				file = ev
			}
		}
		if res, _ := fc.Get("/followup/files/" + file.FileID); res.StatusCode != http.StatusOK {
			t.Fatalf("file before removal: %d", res.StatusCode)
		}
		if res, _ := fc.PostForm(fmt.Sprintf("%s/evidence/%d", studyPath, file.ID), url.Values{"label": {""}, "public": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file evidence made public: %d", res.StatusCode)
		}
		if got, _ := evidenceNamed(file.ID); !got.Public || got.Label != "plan.png" || got.FileID != file.FileID {
			t.Fatalf("file evidence corrected: %+v", got)
		}
		if res, _ := fc.PostForm(fmt.Sprintf("%s/evidence/%d/remove", studyPath, file.ID), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file evidence removed: %d", res.StatusCode)
		}
		if res, _ := fc.Get("/followup/files/" + file.FileID); res.StatusCode != http.StatusNotFound {
			t.Fatalf("file after its evidence's removal: %d", res.StatusCode)
		}
		if _, err := env.Store.FollowupFile(ctx, file.FileID); err == nil {
			t.Fatal("the file's record outlived its evidence")
		}
		if n, _ := env.Store.FollowupStudyBytes(ctx, st.ID); n != 0 {
			t.Fatalf("the study's files take %d bytes after removal", n)
		}

		// Another study's partner and evidence are not found through this one.
		other := correctionStudy(t, env)
		op := other.Partners[0]
		if res, _ := env.ClientAs(webtest.Admin).PostForm(fmt.Sprintf("%s/partners/%d/remove", studyPath, op.ID), nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another study's partner through this one: %d", res.StatusCode)
		}
		if len(read().Partners) == 0 {
			t.Fatal("no partners left")
		}
		// The page offers the forms to editors only, in Korean too.
		if _, body := fc.Get(studyPath + "?lang=ko"); !strings.Contains(body, "이 파트너 수정 또는 삭제") || !strings.Contains(body, "이 증빙 수정 또는 삭제") {
			t.Fatalf("Korean editor's page lacks the correction forms")
		}
		if _, body := env.ClientAs(webtest.Judge).Get(studyPath); strings.Contains(body, "/remove") {
			t.Fatal("a judge sees the correction forms")
		}
	})
}
