package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
)

// Suite is the store test suite: each case runs on a fresh store of each
// database. Feature modules add cases to their own suite files the same way.
var Suite = []struct {
	Name string
	Test func(t *testing.T, s Store)
}{
	{"Migrations", testMigrations},
	{"NotFound", testNotFound},
	{"Members", testMembers},
	{"TransactionRollsBack", testTransactionRollsBack},
	{"Users", testUsers},
	{"SessionsAndTokens", testSessionsAndTokens},
	{"OneTimeTokens", testOneTimeTokens},
	{"AuditAppendOnly", testAuditAppendOnly},
	{"JobLifecycle", testJobLifecycle},
	{"JobLeaseRecovery", testJobLeaseRecovery},
	{"JobConcurrentClaims", testJobConcurrentClaims},
	{"JobCancel", testJobCancel},
	{"Outbox", testOutbox},
}

// RunSuite runs Suite against every database.
func RunSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range Suite {
				t.Run(c.Name, func(t *testing.T) { c.Test(t, o.Open(t)) })
			}
		})
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func seedCity(t *testing.T, s Store, code, region string) members.City {
	t.Helper()
	c := members.City{Code: code, Name: strings.ToUpper(code[:1]) + code[1:], Country: "KOR", RegionCode: region,
		Latitude: 37.5, Longitude: 127, Population: 1000, Status: members.StatusMember, MemberSince: "2020-01-01"}
	if err := s.PutCity(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := citylens.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testMigrations(t *testing.T, s Store) {
	ctx := context.Background()
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", applied)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("Ready: %v", err)
	}
	rs, err := s.ListRegions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 6 {
		t.Errorf("regions = %v, want the 6 seeded by migration 001", rs)
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := context.Background()
	_, err := s.City(ctx, "nowhere")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.Region(ctx, "XX")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.Office(ctx, "none")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.Partner(ctx, "none")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.User(ctx, 42)
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.UserByEmail(ctx, "no@example.org")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.Session(ctx, "nohash")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.APITokenByHash(ctx, "nohash")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.Job(ctx, 42)
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.ClaimJob(ctx, []string{"k"}, "w", t0, t0.Add(time.Minute))
	wantCode(t, err, citylens.ENOTFOUND)
}

func testMembers(t *testing.T, s Store) {
	ctx := context.Background()
	o := members.Office{Code: "office-asia", Name: "Asia Office", RegionCode: "AS", HostCity: "Seoul"}
	if err := s.PutOffice(ctx, o); err != nil {
		t.Fatal(err)
	}
	seoul := members.City{Code: "kr-seoul", Name: "Seoul", LocalName: "서울", Country: "KOR", RegionCode: "AS", OfficeCode: "office-asia",
		Latitude: 37.5665, Longitude: 126.978, Population: 9963000, Status: members.StatusMember, MemberSince: "2010-04-01"}
	lyon := members.City{Code: "fr-lyon", Name: "Lyon", Country: "FRA", RegionCode: "EU", Latitude: 45.76, Longitude: 4.83,
		Population: 1700000, Status: members.StatusCandidate}
	// Names per language beside the official name: stored, read back, searched.
	cairo := members.City{Code: "eg-al-qahirah", Name: "Al-Qahirah", Country: "EGY", RegionCode: "AF", Latitude: 30.04, Longitude: 31.24,
		Population: 20900000, Status: members.StatusCandidate, Names: members.CityNames{En: "Cairo", Ko: "카이로"}}
	for _, c := range []members.City{seoul, lyon, cairo} {
		if err := s.PutCity(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.City(ctx, "eg-al-qahirah"); err != nil || got != cairo {
		t.Errorf("a city's names per language: got %+v, %v", got, err)
	}
	got, err := s.City(ctx, "kr-seoul")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(seoul, got); d != "" {
		t.Errorf("City (-want +got):\n%s", d)
	}
	seoul.Population = 10000000
	if err := s.PutCity(ctx, seoul); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		filter members.CityFilter
		want   []string
	}{
		{"all", members.CityFilter{}, []string{"eg-al-qahirah", "fr-lyon", "kr-seoul"}},
		{"query common English name", members.CityFilter{Query: "cairo"}, []string{"eg-al-qahirah"}},
		{"query Korean name", members.CityFilter{Query: "카이로"}, []string{"eg-al-qahirah"}},
		{"region", members.CityFilter{RegionCode: "EU"}, []string{"fr-lyon"}},
		{"status", members.CityFilter{Status: members.StatusMember}, []string{"kr-seoul"}},
		{"status candidate", members.CityFilter{Status: members.StatusCandidate}, []string{"eg-al-qahirah", "fr-lyon"}},
		{"query local name", members.CityFilter{Query: "서울"}, []string{"kr-seoul"}},
		{"query case-insensitive", members.CityFilter{Query: "LYO"}, []string{"fr-lyon"}},
		{"country", members.CityFilter{Country: "KOR"}, []string{"kr-seoul"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := s.ListCities(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, c := range cs {
				codes = append(codes, c.Code)
			}
			if d := cmp.Diff(tc.want, codes); d != "" {
				t.Errorf("codes (-want +got):\n%s", d)
			}
		})
	}
	got, _ = s.City(ctx, "kr-seoul")
	if got.Population != 10000000 {
		t.Errorf("population after update = %d", got.Population)
	}
	// A city in an unknown region breaks a foreign key: EINVALID.
	bad := lyon
	bad.Code, bad.RegionCode = "xx-bad", "ZZ"
	wantCode(t, s.PutCity(ctx, bad), citylens.EINVALID)

	p := members.Partner{Code: "p-1", Name: "Partner One", Kind: "company", Country: "DEU", Website: "https://example.org"}
	if err := s.PutPartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	ps, err := s.ListPartners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]members.Partner{p}, ps); d != "" {
		t.Errorf("partners (-want +got):\n%s", d)
	}
	if got, err := s.Partner(ctx, "p-1"); err != nil || got != p {
		t.Errorf("Partner = %+v, %v; want %+v", got, err, p)
	}
	// Create refuses a code taken; Put replaces.
	wantCode(t, s.CreatePartner(ctx, p), citylens.ECONFLICT)
	wantCode(t, s.CreateOffice(ctx, o), citylens.ECONFLICT)
	p2 := members.Partner{Code: "p-2", Name: "Partner Two", Kind: "university"}
	if err := s.CreatePartner(ctx, p2); err != nil {
		t.Fatal(err)
	}
	o2 := members.Office{Code: "office-europe", Name: "Europe Office", RegionCode: "EU"}
	if err := s.CreateOffice(ctx, o2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Office(ctx, "office-europe"); err != nil || got != o2 {
		t.Errorf("created office = %+v, %v; want %+v", got, err, o2)
	}
	o2.Code, o2.RegionCode = "office-nowhere", "ZZ"
	wantCode(t, s.CreateOffice(ctx, o2), citylens.EINVALID)
}

func testTransactionRollsBack(t *testing.T, s Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(ctx context.Context) error {
		c := members.City{Code: "kr-incheon", Name: "Incheon", Country: "KOR", RegionCode: "AS", Status: members.StatusMember}
		if err := s.PutCity(ctx, c); err != nil {
			return err
		}
		if _, err := s.City(ctx, "kr-incheon"); err != nil {
			t.Errorf("the transaction does not see its own write: %v", err)
		}
		e, _ := auditlog.NewEntry(auditlog.System("test"), "city.create", "city", "kr-incheon", nil, c)
		e.At = t0
		if _, err := s.AppendAudit(ctx, e); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want boom", err)
	}
	_, err = s.City(ctx, "kr-incheon")
	wantCode(t, err, citylens.ENOTFOUND)
	es, err := s.ListAudit(ctx, auditlog.Filter{EntityID: "kr-incheon"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 0 {
		t.Errorf("audit entries survived the rollback: %v", es)
	}
}

func testUsers(t *testing.T, s Store) {
	ctx := context.Background()
	seedCity(t, s, "kr-seoul", "AS")
	u := accounts.User{Email: "focal@example.org", Name: "F", Role: accounts.RoleFocal, CityCode: "kr-seoul",
		Status: accounts.StatusActive, PasswordHash: "$argon2id$x", CreatedAt: t0}
	u, err := s.CreateUser(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 {
		t.Fatal("CreateUser did not set an id")
	}
	_, err = s.CreateUser(ctx, accounts.User{Email: "focal@example.org", Role: accounts.RoleJudge, Status: accounts.StatusActive, CreatedAt: t0})
	wantCode(t, err, citylens.ECONFLICT)
	got, err := s.UserByEmail(ctx, "focal@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(u, got); d != "" {
		t.Errorf("UserByEmail (-want +got):\n%s", d)
	}
	u.Role, u.CityCode, u.RegionCode = accounts.RoleRegional, "", "AS"
	if err := s.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, _ = s.User(ctx, u.ID)
	if d := cmp.Diff(u, got); d != "" {
		t.Errorf("after UpdateUser (-want +got):\n%s", d)
	}
	wantCode(t, s.UpdateUser(ctx, accounts.User{ID: 999, Email: "x@example.org", Role: accounts.RoleJudge}), citylens.ENOTFOUND)
	us, err := s.ListUsers(ctx)
	if err != nil || len(us) != 1 {
		t.Errorf("ListUsers = %v, %v", us, err)
	}
}

func testSessionsAndTokens(t *testing.T, s Store) {
	ctx := context.Background()
	u, err := s.CreateUser(ctx, accounts.User{Email: "a@example.org", Role: accounts.RoleAdmin, Status: accounts.StatusActive, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	sess := accounts.Session{TokenHash: "h1", UserID: u.ID, CSRFToken: "c1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), RemoteAddr: "127.0.0.1"}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	old := sess
	old.TokenHash, old.ExpiresAt = "h0", t0.Add(-time.Minute)
	if err := s.CreateSession(ctx, old); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(sess, got); d != "" {
		t.Errorf("Session (-want +got):\n%s", d)
	}
	n, err := s.DeleteExpiredSessions(ctx, t0)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Session(ctx, "h1")
	wantCode(t, err, citylens.ENOTFOUND)

	tok, err := s.CreateAPIToken(ctx, accounts.APIToken{UserID: u.ID, Name: "ci", Scope: accounts.ScopeRead, Prefix: "cl_abc", TokenHash: "th", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIToken(ctx, tok.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	gotTok, err := s.APITokenByHash(ctx, "th")
	if err != nil {
		t.Fatal(err)
	}
	tok.LastUsedAt = t0.Add(time.Hour)
	if d := cmp.Diff(tok, gotTok); d != "" {
		t.Errorf("APITokenByHash (-want +got):\n%s", d)
	}
	wantCode(t, s.RevokeAPIToken(ctx, u.ID+1, tok.ID, t0), citylens.ENOTFOUND) // not the owner
	if err := s.RevokeAPIToken(ctx, u.ID, tok.ID, t0); err != nil {
		t.Fatal(err)
	}
	ts, err := s.ListAPITokens(ctx, u.ID)
	if err != nil || len(ts) != 1 || ts[0].RevokedAt.IsZero() {
		t.Errorf("ListAPITokens = %+v, %v; want one revoked", ts, err)
	}
}

func testOneTimeTokens(t *testing.T, s Store) {
	ctx := context.Background()
	u, err := s.CreateUser(ctx, accounts.User{Email: "r@example.org", Role: accounts.RoleJudge, Status: accounts.StatusActive, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateOneTimeToken(ctx, accounts.OneTimeToken{TokenHash: "ot", Purpose: accounts.PurposeReset, UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.ConsumeOneTimeToken(ctx, "ot", accounts.PurposeInvite, t0)
	wantCode(t, err, citylens.ENOTFOUND) // wrong purpose
	_, err = s.ConsumeOneTimeToken(ctx, "ot", accounts.PurposeReset, t0.Add(2*time.Hour))
	wantCode(t, err, citylens.ENOTFOUND) // expired
	if _, err := s.OneTimeToken(ctx, "ot", accounts.PurposeReset, t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.ConsumeOneTimeToken(ctx, "ot", accounts.PurposeReset, t0.Add(time.Minute))
	if err != nil || got.UserID != u.ID {
		t.Fatalf("Consume = %+v, %v", got, err)
	}
	_, err = s.ConsumeOneTimeToken(ctx, "ot", accounts.PurposeReset, t0.Add(time.Minute))
	wantCode(t, err, citylens.ENOTFOUND) // used once only
}

func testAuditAppendOnly(t *testing.T, s Store) {
	ctx := context.Background()
	for i, a := range []string{"city.create", "city.update", "user.role"} {
		et, id := "city", "kr-seoul"
		if a == "user.role" {
			et, id = "user", "a@example.org"
		}
		e, err := auditlog.NewEntry(auditlog.Actor{UserID: 1, Email: "admin@example.org", RemoteAddr: "10.0.0.1"}, a, et, id,
			map[string]int{"v": i}, map[string]int{"v": i + 1})
		if err != nil {
			t.Fatal(err)
		}
		e.At = t0.Add(time.Duration(i) * time.Hour)
		if _, err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := auditlog.History(ctx, s, "city", "kr-seoul", 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range hist {
		actions = append(actions, e.Action+" "+string(e.Before)+"→"+string(e.After))
	}
	if d := cmp.Diff([]string{`city.update {"v":1}→{"v":2}`, `city.create {"v":0}→{"v":1}`}, actions); d != "" {
		t.Errorf("history, newest first (-want +got):\n%s", d)
	}
	es, err := s.ListAudit(ctx, auditlog.Filter{Since: t0.Add(90 * time.Minute)})
	if err != nil || len(es) != 1 || es[0].Action != "user.role" || es[0].RemoteAddr != "10.0.0.1" || !es[0].At.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("ListAudit since = %+v, %v", es, err)
	}
	es, _ = s.ListAudit(ctx, auditlog.Filter{Limit: 1, BeforeID: hist[0].ID})
	if len(es) != 1 || es[0].ID != hist[1].ID {
		t.Errorf("paging before %d = %+v", hist[0].ID, es)
	}
	// The database itself refuses changes to the log.
	for _, q := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`} {
		if err := execRaw(ctx, s, q); err == nil {
			t.Errorf("%s succeeded on the append-only audit log", q)
		}
	}
}

// execRaw runs SQL through the store's transaction helper by abusing
// nothing: both stores expose ExecRaw for tests of database-level rules.
func execRaw(ctx context.Context, s Store, q string) error {
	type rawExecer interface {
		ExecRaw(ctx context.Context, q string) error
	}
	r, ok := s.(rawExecer)
	if !ok {
		return errors.New("store has no ExecRaw")
	}
	return r.ExecRaw(ctx, q)
}

func testJobLifecycle(t *testing.T, s Store) {
	ctx := context.Background()
	j, err := jobs.Enqueue(ctx, s, t0, "compute", map[string]string{"edition": "2026"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ClaimJob(ctx, []string{"other"}, "w1", t0, t0.Add(time.Minute))
	wantCode(t, err, citylens.ENOTFOUND)
	c, err := s.ClaimJob(ctx, []string{"other", "compute"}, "w1", t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != j.ID || c.State != jobs.StateRunning || c.Attempts != 1 || c.LeaseOwner != "w1" || string(c.Payload) != `{"edition":"2026"}` {
		t.Errorf("claimed %+v", c)
	}
	cancel, err := s.RenewJobLease(ctx, j.ID, "w1", 0.5, "half", t0.Add(2*time.Minute))
	if err != nil || cancel {
		t.Fatalf("renew = %v, %v", cancel, err)
	}
	_, err = s.RenewJobLease(ctx, j.ID, "w2", 0.5, "", t0.Add(2*time.Minute))
	wantCode(t, err, citylens.ECONFLICT)
	wantCode(t, s.FinishJob(ctx, j.ID, "w2", jobs.StateDone, "", "", t0), citylens.ECONFLICT)
	if err := s.FinishJob(ctx, j.ID, "w1", jobs.StateDone, "done", "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != jobs.StateDone || got.Progress != 1 || got.LeaseOwner != "" || !got.FinishedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("finished job = %+v", got)
	}
	counts, err := s.CountJobsByState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[jobs.StateDone] != 1 || counts[jobs.StateQueued] != 0 {
		t.Errorf("counts = %v", counts)
	}
	list, err := s.ListJobs(ctx, jobs.Filter{State: jobs.StateDone})
	if err != nil || len(list) != 1 {
		t.Errorf("ListJobs done = %v, %v", list, err)
	}
}

func testJobLeaseRecovery(t *testing.T, s Store) {
	ctx := context.Background()
	j, err := jobs.Enqueue(ctx, s, t0, "compute", nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimJob(ctx, []string{"compute"}, "dead-server", t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// While the lease holds, nobody else gets the job.
	_, err = s.ClaimJob(ctx, []string{"compute"}, "w2", t0.Add(30*time.Second), t0.Add(2*time.Minute))
	wantCode(t, err, citylens.ENOTFOUND)
	// After it expires, another worker does: attempt 2.
	c, err := s.ClaimJob(ctx, []string{"compute"}, "w2", t0.Add(61*time.Second), t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != j.ID || c.Attempts != 2 || c.LeaseOwner != "w2" {
		t.Errorf("reclaimed %+v", c)
	}
	// The dead server's late finish is refused.
	wantCode(t, s.FinishJob(ctx, j.ID, "dead-server", jobs.StateDone, "", "", t0), citylens.ECONFLICT)
	// w2 dies too: the job has used its 2 attempts and fails.
	_, err = s.ClaimJob(ctx, []string{"compute"}, "w3", t0.Add(4*time.Minute), t0.Add(5*time.Minute))
	wantCode(t, err, citylens.ENOTFOUND)
	got, _ := s.Job(ctx, j.ID)
	if got.State != jobs.StateFailed || !strings.Contains(got.Error, "2 attempts") {
		t.Errorf("job after last lease expired = %+v", got)
	}
}

func testJobConcurrentClaims(t *testing.T, s Store) {
	ctx := context.Background()
	const n = 20
	for i := 0; i < n; i++ {
		if _, err := jobs.Enqueue(ctx, s, t0, "k", i, 1); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := "w" + string(rune('a'+w))
			for {
				j, err := s.ClaimJob(ctx, []string{"k"}, owner, t0, t0.Add(time.Hour))
				if citylens.ErrorCode(err) == citylens.ENOTFOUND {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if prev, dup := claimed[j.ID]; dup {
					t.Errorf("job %d claimed by %s and %s", j.ID, prev, owner)
				}
				claimed[j.ID] = owner
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("claimed %d jobs, want %d", len(claimed), n)
	}
}

func testJobCancel(t *testing.T, s Store) {
	ctx := context.Background()
	queued, _ := jobs.Enqueue(ctx, s, t0, "k", nil, 1)
	if err := s.RequestJobCancel(ctx, queued.ID, t0); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Job(ctx, queued.ID)
	if got.State != jobs.StateCanceled {
		t.Errorf("queued job after cancel: %s", got.State)
	}
	wantCode(t, s.RequestJobCancel(ctx, queued.ID, t0), citylens.ECONFLICT)
	running, _ := jobs.Enqueue(ctx, s, t0, "k", nil, 1)
	if _, err := s.ClaimJob(ctx, []string{"k"}, "w", t0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestJobCancel(ctx, running.ID, t0); err != nil {
		t.Fatal(err)
	}
	stop, err := s.RenewJobLease(ctx, running.ID, "w", 0.1, "", t0.Add(time.Hour))
	if err != nil || !stop {
		t.Errorf("renew after cancel request = %v, %v; want true", stop, err)
	}
}

func testOutbox(t *testing.T, s Store) {
	ctx := context.Background()
	out := mail.Outbox{Store: s, Now: func() time.Time { return t0 }}
	for _, to := range []string{"a@example.org", "b@example.org"} {
		if err := out.Send(ctx, mail.Message{To: to, Subject: "Hi", Body: "link"}); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := s.ListOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].To != "b@example.org" || !ms[0].CreatedAt.Equal(t0) {
		t.Errorf("outbox = %+v", ms)
	}
}
