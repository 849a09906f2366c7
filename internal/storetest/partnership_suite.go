package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/members"
)

// PartnershipStore is a store with the partnerships' and the library's
// records.
type PartnershipStore interface {
	ExchangeStore
	exchange.PartnershipStore
}

// PartnershipSuite covers the partnerships of the knowledge exchange.
var PartnershipSuite = []struct {
	Name string
	Test func(t *testing.T, s PartnershipStore)
}{
	{"RoundTripActivitiesFilters", testPartnershipRoundTrip},
	{"AgreementFile", testPartnershipFile},
	{"ServiceCaseAuditTransitions", testPartnershipService},
}

// RunPartnershipSuite runs PartnershipSuite against every database.
func RunPartnershipSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range PartnershipSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(PartnershipStore)
					if !ok {
						t.Fatal("the store lacks the partnerships' records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

func partnershipFixture(t *testing.T, s PartnershipStore) {
	t.Helper()
	seedCity(t, s, "rotterdam", "EU")
	seedCity(t, s, "busan", "AS")
	seedCity(t, s, "seoul", "AS")
	if err := s.PutPartner(context.Background(), members.Partner{Code: "udi", Name: "Urban Data Institute", Kind: members.PartnerResearch, Country: "NLD"}); err != nil {
		t.Fatal(err)
	}
}

func testPartnershipRoundTrip(t *testing.T, s PartnershipStore) {
	ctx := context.Background()
	partnershipFixture(t, s)
	c := exchangeCase("Rotterdam and Busan", "", "Ports.", "", "EU", exchange.Public, "mobility")
	if err := s.CreateExchangeCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	p := &exchange.Partnership{CityA: "rotterdam", CityB: "busan", Title: "Rotterdam–Busan", TitleKO: "로테르담–부산",
		Summary: "Shared mobility and smart ports.", Themes: []string{"mobility", "ports"}, StartDate: "2024-03-01",
		Status: exchange.StatusActive, AgreementDate: "2024-02-15", Outcomes: "Two pilots.", Visibility: exchange.Public,
		CaseID: c.ID, Demo: true, CreatedBy: 7, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePartnership(ctx, p); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 {
		t.Fatal("no id")
	}
	a := &exchange.Activity{PartnershipID: p.ID, Kind: "study_visit", Title: "Port of Busan visit", StartDate: "2024-05-02",
		EndDate: "2024-05-06", Report: "Visited the port's twin.", CreatedBy: 7, CreatedAt: t0}
	b := &exchange.Activity{PartnershipID: p.ID, Kind: "workshop", Title: "Mobility hubs", StartDate: "2024-04-10", CreatedAt: t0}
	for _, x := range []*exchange.Activity{a, b} {
		if err := s.AddPartnershipActivity(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Partnership(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *p
	want.Activities = []exchange.Activity{*b, *a} // by start date
	if d := cmp.Diff(&want, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	byCase, err := s.PartnershipByCase(ctx, c.ID)
	if err != nil || byCase.ID != p.ID {
		t.Fatalf("by case: %v %v", byCase, err)
	}
	_, err = s.PartnershipByCase(ctx, c.ID+100)
	wantCode(t, err, citylens.ENOTFOUND)

	// A members-only partnership with a partner organisation, proposed.
	q := &exchange.Partnership{CityA: "seoul", Partner: "udi", Title: "Seoul and the institute", StartDate: "2025-01-01",
		Status: exchange.StatusProposed, Visibility: exchange.Members, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePartnership(ctx, q); err != nil {
		t.Fatal(err)
	}
	ids := func(f exchange.PartnershipFilter) []int64 {
		ps, err := s.Partnerships(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
			if p.CityA == "rotterdam" && len(p.Activities) != 2 {
				t.Errorf("list: %d activities, want 2", len(p.Activities))
			}
		}
		return out
	}
	for name, c := range map[string]struct {
		f    exchange.PartnershipFilter
		want []int64
	}{
		"all, newest start first": {exchange.PartnershipFilter{}, []int64{q.ID, p.ID}},
		"public only":             {exchange.PartnershipFilter{PublicOnly: true}, []int64{p.ID}},
		"busan's (second city)":   {exchange.PartnershipFilter{Cities: []string{"busan"}}, []int64{p.ID}},
		"seoul's or busan's":      {exchange.PartnershipFilter{Cities: []string{"seoul", "busan"}}, []int64{q.ID, p.ID}},
		"seoul's public":          {exchange.PartnershipFilter{Cities: []string{"seoul"}, PublicOnly: true}, nil},
		"proposed":                {exchange.PartnershipFilter{Status: exchange.StatusProposed}, []int64{q.ID}},
	} {
		if d := cmp.Diff(c.want, ids(c.f)); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
	q.Status, q.Outcomes = exchange.StatusActive, "Agreed a data charter."
	if err := s.UpdatePartnership(ctx, q); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Partnership(ctx, q.ID); got.Status != exchange.StatusActive || got.Outcomes != q.Outcomes {
		t.Errorf("update: %+v", got)
	}
	missing := *q
	missing.ID = q.ID + 1000
	wantCode(t, s.UpdatePartnership(ctx, &missing), citylens.ENOTFOUND)
	// The database refuses an unknown city and a partnership with both a
	// second city and a partner.
	bad := &exchange.Partnership{CityA: "nowhere", CityB: "busan", Title: "x", StartDate: "2025-01-01", Status: exchange.StatusProposed,
		Visibility: exchange.Public, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePartnership(ctx, bad); err == nil {
		t.Error("a partnership of an unknown city was stored")
	}
	both := &exchange.Partnership{CityA: "seoul", CityB: "busan", Partner: "udi", Title: "x", StartDate: "2025-01-01",
		Status: exchange.StatusProposed, Visibility: exchange.Public, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePartnership(ctx, both); err == nil {
		t.Error("a partnership with a second city and a partner was stored")
	}
}

func testPartnershipFile(t *testing.T, s PartnershipStore) {
	ctx := context.Background()
	partnershipFixture(t, s)
	p := &exchange.Partnership{CityA: "seoul", CityB: "busan", Title: "Seoul–Busan", StartDate: "2025-01-01",
		Status: exchange.StatusActive, Visibility: exchange.Public, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePartnership(ctx, p); err != nil {
		t.Fatal(err)
	}
	// A file larger than a chunk, so it is read back in several.
	data := append([]byte("%PDF-1.4 "), bytes.Repeat([]byte("agreement "), 60_000)...)
	staged := stage(t, s, data)
	f := exchange.File{ID: "f1", PartnershipID: p.ID, Name: "mou.pdf", Type: "application/pdf", CreatedAt: t0}
	if err := s.InTx(ctx, func(ctx context.Context) error { return s.AddPartnershipFile(ctx, f, staged) }); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseStaged(ctx, staged, true); err != nil {
		t.Fatal(err)
	}
	f.Size, f.SHA256 = int64(len(data)), staged.Sum()
	p.Agreement = &f
	if err := s.UpdatePartnership(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Partnership(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&f, got.Agreement); d != "" {
		t.Errorf("agreement (-want +got):\n%s", d)
	}
	var buf bytes.Buffer
	chunks := 0
	if err := s.PartnershipFileChunks(ctx, f.ID, func(b []byte) error { chunks++; buf.Write(b); return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), data) || chunks < 2 {
		t.Errorf("file read back: %d bytes in %d chunks, want %d bytes in several", buf.Len(), chunks, len(data))
	}
	// Beside SQLite, the files' sweep keeps the bytes an agreement refers
	// to and removes them once no row does.
	fk, ok := s.(FileKeeper)
	swept := ok && fk.FileDir() != nil
	if swept {
		if _, err := fk.CollectFiles(ctx, time.Now().Add(48*time.Hour), 0); err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := s.PartnershipFileChunks(ctx, f.ID, func(b []byte) error { buf.Write(b); return nil }); err != nil || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("after a sweep the agreement reads %d bytes (%v)", buf.Len(), err)
		}
	}
	if err := s.DeletePartnershipFile(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.PartnershipFile(ctx, f.ID)
	wantCode(t, err, citylens.ENOTFOUND)
	wantCode(t, s.PartnershipFileChunks(ctx, f.ID, func([]byte) error { return nil }), citylens.ENOTFOUND)
	if swept {
		sw, err := fk.CollectFiles(ctx, time.Now().Add(48*time.Hour), 0)
		if err != nil || sw.Removed != 1 {
			t.Errorf("the sweep after the agreement's removal: %+v %v, want 1 removed", sw, err)
		}
	}
}

// testPartnershipService runs the service on the store: the case made
// and kept in step, the audit trail, status transitions, rights, and a
// refused agreement file leaving nothing behind.
func testPartnershipService(t *testing.T, s PartnershipStore) {
	ctx := context.Background()
	partnershipFixture(t, s)
	lib := &exchange.Service{Store: s, Cities: s, Audit: s, Now: func() time.Time { return t0 }}
	svc := &exchange.PartnershipService{Store: s, Library: lib, Directory: s, Audit: s, Now: func() time.Time { return t0 }}
	admin := exchange.Viewer{UserID: 1, Member: true, Admin: true}
	busan := exchange.Viewer{UserID: 2, Member: true, City: "busan"}
	seoul := exchange.Viewer{UserID: 3, Member: true, City: "seoul"}
	actor := auditlog.Actor{UserID: 1, Email: "admin@test"}
	p := &exchange.Partnership{CityA: "rotterdam", CityB: "busan", Title: "Rotterdam–Busan", Summary: "Smart ports.",
		Themes: []string{"ports"}, StartDate: "2024-03-01", Visibility: exchange.Members}
	// A focal point of neither city may not record it.
	wantCode(t, svc.Create(ctx, seoul, actor, p), citylens.EFORBIDDEN)
	if err := svc.Create(ctx, busan, actor, p); err != nil {
		t.Fatal(err)
	}
	if p.Status != exchange.StatusProposed || p.CaseID == 0 {
		t.Fatalf("created: %+v", p)
	}
	c, err := s.ExchangeCase(ctx, p.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "partnership" || c.Title != p.Title || c.Visibility != exchange.Members || c.CityCode != "rotterdam" || c.Stage != "planned" {
		t.Errorf("case: %+v", c)
	}
	// Transitions: proposed → completed is refused, → active then → completed.
	_, err = svc.SetStatus(ctx, busan, actor, p.ID, exchange.StatusCompleted)
	wantCode(t, err, citylens.ECONFLICT)
	_, err = svc.SetStatus(ctx, seoul, actor, p.ID, exchange.StatusActive)
	wantCode(t, err, citylens.EFORBIDDEN)
	for _, st := range []string{exchange.StatusActive, exchange.StatusCompleted} {
		if _, err := svc.SetStatus(ctx, admin, actor, p.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	_, err = svc.SetStatus(ctx, admin, actor, p.ID, exchange.StatusActive)
	wantCode(t, err, citylens.ECONFLICT) // completed is final
	if c, _ := s.ExchangeCase(ctx, p.CaseID); c.Stage != "scaled" {
		t.Errorf("case stage after completion = %q", c.Stage)
	}
	// A visitor does not see a members-only partnership, nor its case.
	_, err = svc.Get(ctx, exchange.Viewer{}, p.ID)
	wantCode(t, err, citylens.ENOTFOUND)
	if ps, _ := svc.List(ctx, exchange.Viewer{}, exchange.PartnershipFilter{}); len(ps) != 0 {
		t.Errorf("a visitor lists %d partnerships", len(ps))
	}
	// Bad input names each field; nothing is stored.
	bad := &exchange.Partnership{CityA: "busan", CityB: "busan", StartDate: "2024-13-01", EndDate: "2020-01-01", Visibility: "secret"}
	err = svc.Create(ctx, admin, actor, bad)
	wantCode(t, err, citylens.EINVALID)
	fields := map[string]bool{}
	for _, pr := range citylens.AsError(err).Problems {
		fields[pr.Field] = true
	}
	for _, f := range []string{"city_b", "title", "start_date", "visibility"} {
		if !fields[f] {
			t.Errorf("problems %v do not name %s", fields, f)
		}
	}
	// An activity; a refused agreement (not a PDF) stores nothing.
	if err := svc.AddActivity(ctx, busan, actor, p.ID, &exchange.Activity{Kind: "workshop", Title: "Ports", StartDate: "2024-04-01"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.SetAgreement(ctx, busan, actor, p.ID, "2024-02-01", "mou.exe", bytes.NewReader([]byte("MZ not a pdf")))
	wantCode(t, err, citylens.EUNSUPPORTED)
	f, err := svc.SetAgreement(ctx, busan, actor, p.ID, "2024-02-01", "mou.pdf", bytes.NewReader([]byte("%PDF-1.7 agreement")))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, admin, p.ID)
	if got.Agreement == nil || got.Agreement.ID != f.ID || got.AgreementDate != "2024-02-01" || len(got.Activities) != 1 {
		t.Errorf("after activity and agreement: %+v", got)
	}
	es, err := s.ListAudit(ctx, auditlog.Filter{EntityType: "exchange_partnership"})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range es {
		actions[e.Action]++
	}
	want := map[string]int{"exchange.partnership.create": 1, "exchange.partnership.status": 2, "exchange.partnership.activity": 1,
		"exchange.partnership.agreement": 1}
	if d := cmp.Diff(want, actions); d != "" {
		t.Errorf("audit (-want +got):\n%s", d)
	}
}
