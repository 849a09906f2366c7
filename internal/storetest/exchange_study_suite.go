package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/exchange"
)

// A feasibility study's library case: published through the library's
// service, it is one case a study (a unique key: a second case of the
// same study is a conflict), found by the study; publishing again
// refreshes that case (title, host city, stage, evidence, visibility)
// and keeps its links.
func testFollowupStudyCase(t *testing.T, s FollowupStore) {
	ctx := context.Background()
	es, ok := s.(exchange.Store)
	if !ok {
		t.Fatal("the store lacks the practice library's records")
	}
	st := followupStudy(t, s, "study-case@test.citylens", "kr-seoul", "pilot")
	if _, err := es.ExchangeCaseByStudy(ctx, st.ID); citylens.ErrorCode(err) != citylens.ENOTFOUND {
		t.Fatalf("a study's case before it is published: %v, want ENOTFOUND", err)
	}
	in := exchange.Study{ID: st.ID, Title: st.Title, Organisation: "City of Seoul", Country: "KOR", Stage: "pilot",
		HostCityName: "Seoul", Milestones: []exchange.StudyMilestone{{Title: "Baseline", TitleKO: "기준선 조사"}},
		Evidence: []exchange.StudyEvidence{{Kind: "indicator", Label: "Riders", Unit: "a week", Before: "10", After: "20"}}}
	svc := &exchange.Service{Store: es}
	if err := svc.PublishStudy(ctx, auditlog.System("test"), in); err != nil {
		t.Fatal(err)
	}
	c, err := es.ExchangeCaseByStudy(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.StudyID != st.ID || c.Source != "study" || c.Visibility != exchange.Public || c.Results != "Riders: 10 → 20 a week" ||
		c.SummaryKO != "기준선 조사" || c.CityName != "Seoul" {
		t.Errorf("the study's case: %+v", c)
	}
	other := exchangeCase("Another", "", "Other practice.", "", "asia", exchange.Public, "mobility")
	if err := es.CreateExchangeCase(ctx, other); err != nil {
		t.Fatal(err)
	}
	c.Links = []exchange.Link{{Kind: exchange.TransferredTo, CaseID: other.ID}}
	if err := es.UpdateExchangeCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	dup := *c
	dup.ID, dup.Links = 0, nil
	if err := es.CreateExchangeCase(ctx, &dup); citylens.ErrorCode(err) != citylens.ECONFLICT {
		t.Errorf("a second case of the study: %v, want a conflict", err)
	}
	in.Title, in.Stage, in.HostCityName, in.Evidence = "Night buses, renamed", "scaled", "Seoul Metropolitan", nil
	if err := svc.PublishStudy(ctx, auditlog.System("test"), in); err != nil {
		t.Fatal(err)
	}
	again, err := es.ExchangeCaseByStudy(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != c.ID || again.Title != "Night buses, renamed" || again.Stage != "scaled" || again.CityName != "Seoul Metropolitan" ||
		again.Results != "" || len(again.Links) != 1 || again.Links[0].CaseID != other.ID {
		t.Errorf("the study's case after publishing again: %+v", again)
	}
	r, err := es.SearchExchangeCases(ctx, exchange.Terms("renamed", true), exchange.Query{Limit: 10})
	if err != nil || r.Total != 1 || r.Cases[0].ID != c.ID {
		t.Errorf("search for the new title: %d %v", r.Total, err)
	}
	if r, _ := es.SearchExchangeCases(ctx, exchange.Terms("riders", true), exchange.Query{Limit: 10}); r.Total != 0 {
		t.Errorf("the removed evidence is still found: %d", r.Total)
	}
	if !strings.Contains(again.Summary, "Baseline") {
		t.Errorf("summary %q lacks the plan", again.Summary)
	}
}
