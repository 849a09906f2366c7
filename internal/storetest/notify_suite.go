package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/notify"
)

// NotifyStore is a store with the notifications' records.
type NotifyStore interface {
	Store
	notify.Store
}

// NotifySuite covers notifications (package notify).
var NotifySuite = []struct {
	Name string
	Test func(t *testing.T, s NotifyStore)
}{
	{"DedupeKeyOnceEvenConcurrently", testNotifyDedupe},
	{"ModesLanguageRecipients", testNotifyModes},
	{"DigestTakesEachNoticeOnce", testNotifyDigestOnce},
	{"InboxPagesUnreadAndMarkRead", testNotifyInbox},
	{"RunSlotClaimedOnce", testNotifyClaimRun},
	{"OutboxKeepsHeaders", testNotifyOutboxHeaders},
}

// RunNotifySuite runs NotifySuite against every database.
func RunNotifySuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range NotifySuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(NotifyStore)
					if !ok {
						t.Fatal("the store lacks the notifications' records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

func notifyUsers(t *testing.T, s NotifyStore, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	seedCity(t, s, "kr-seoul", "AS")
	var ids []int64
	for i := 0; i < n; i++ {
		u, err := s.CreateUser(ctx, accounts.User{Email: fmt.Sprintf("p%d@example.org", i), Name: fmt.Sprintf("P%d", i), Role: accounts.RoleFocal,
			CityCode: "kr-seoul", Status: accounts.StatusActive, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	return ids
}

func notice(user int64, key, state string) notify.Notice {
	return notify.Notice{UserID: user, Kind: "datacall.closing", Key: key, Msg: "notify.dc_closing7", Args: []string{"2026", "Seoul", "2026-03-08"},
		URL: "/datacall/2026/cities/kr-seoul", CreatedAt: t0, MailState: state}
}

func insertTx(t *testing.T, s NotifyStore, ns []notify.Notice) []notify.Notice {
	t.Helper()
	var out []notify.Notice
	err := s.InTx(context.Background(), func(ctx context.Context) error {
		var err error
		out, err = s.InsertNotices(ctx, ns)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testNotifyDedupe(t *testing.T, s NotifyStore) {
	u := notifyUsers(t, s, 2)
	got := insertTx(t, s, []notify.Notice{notice(u[0], "a", notify.MailNone), notice(u[1], "a", notify.MailNone)})
	if len(got) != 2 || got[0].ID == 0 || got[0].ID == got[1].ID {
		t.Fatalf("first insert: %+v", got)
	}
	if got[0].Args[1] != "Seoul" || got[0].URL == "" {
		t.Errorf("the added notice lost its fields: %+v", got[0])
	}
	again := insertTx(t, s, []notify.Notice{notice(u[0], "a", notify.MailNone), notice(u[0], "b", notify.MailNone)})
	if len(again) != 1 || again[0].Key != "b" {
		t.Fatalf("second insert added %+v, want only key b", again)
	}
	// Two writers inserting the same 300 notices at once: each is added once.
	var batch []notify.Notice
	for i := 0; i < 300; i++ {
		batch = append(batch, notice(u[i%2], fmt.Sprintf("c%03d", i), notify.MailNone))
	}
	var wg sync.WaitGroup
	counts := make([]int, 2)
	errs := make([]error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs[w] = s.InTx(context.Background(), func(ctx context.Context) error {
				added, err := s.InsertNotices(ctx, batch)
				counts[w] = len(added)
				return err
			})
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if counts[0]+counts[1] != 300 {
		t.Errorf("concurrent inserts added %d + %d notices, want 300 in all", counts[0], counts[1])
	}
	n0, err := s.UnreadNotices(context.Background(), u[0])
	if err != nil {
		t.Fatal(err)
	}
	if n0 != 2+150 {
		t.Errorf("person 0 has %d notices, want 152", n0)
	}
}

func testNotifyModes(t *testing.T, s NotifyStore) {
	ctx := context.Background()
	u := notifyUsers(t, s, 3)
	if err := s.SetNoticeMode(ctx, u[0], "datacall.closing", notify.ModeDigest); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNoticeMode(ctx, u[0], "datacall.closing", notify.ModeInbox); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNoticeMode(ctx, u[1], "review.waiting", notify.ModeDigest); err != nil {
		t.Fatal(err)
	}
	m, err := s.NoticeModes(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if m[u[0]]["datacall.closing"] != notify.ModeInbox || m[u[1]]["review.waiting"] != notify.ModeDigest || len(m[u[2]]) != 0 || len(m) != 2 {
		t.Errorf("modes: %v", m)
	}
	if err := s.SetNoticeLang(ctx, u[1], i18n.Korean); err != nil {
		t.Fatal(err)
	}
	r, err := s.Recipients(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 3 || r[u[1]].Lang != i18n.Korean || r[u[0]].Lang != i18n.English || r[u[2]].Email != "p2@example.org" || !r[u[2]].Active {
		t.Errorf("recipients: %+v", r)
	}
}

func testNotifyDigestOnce(t *testing.T, s NotifyStore) {
	ctx := context.Background()
	u := notifyUsers(t, s, 2)
	var ns []notify.Notice
	for i := 0; i < 100; i++ {
		st := notify.MailPending
		if i%10 == 0 {
			st = notify.MailSent
		}
		ns = append(ns, notice(u[i%2], fmt.Sprintf("d%03d", i), st))
	}
	insertTx(t, s, ns)
	var wg sync.WaitGroup
	got := make([][]notify.Notice, 2)
	errs := make([]error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs[w] = s.InTx(ctx, func(ctx context.Context) error {
				var err error
				got[w], err = s.TakeDigest(ctx, t0.Add(time.Hour), t0.Add(time.Hour))
				return err
			})
		}(w)
	}
	wg.Wait()
	seen := map[int64]bool{}
	for w := range got {
		if errs[w] != nil {
			t.Fatal(errs[w])
		}
		for _, n := range got[w] {
			if seen[n.ID] {
				t.Errorf("notice %d taken twice", n.ID)
			}
			seen[n.ID] = true
			if n.MailState != notify.MailDigested {
				t.Errorf("notice %d came back %s", n.ID, n.MailState)
			}
		}
	}
	if len(seen) != 90 {
		t.Errorf("digests took %d notices, want the 90 pending", len(seen))
	}
	var again []notify.Notice
	if err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		again, err = s.TakeDigest(ctx, t0.Add(2*time.Hour), t0.Add(2*time.Hour))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("a second digest took %d notices", len(again))
	}
}

func testNotifyInbox(t *testing.T, s NotifyStore) {
	ctx := context.Background()
	u := notifyUsers(t, s, 2)
	var ns []notify.Notice
	for i := 0; i < 7; i++ {
		ns = append(ns, notice(u[0], fmt.Sprintf("i%d", i), notify.MailNone))
	}
	ns = append(ns, notice(u[1], "other", notify.MailNone))
	insertTx(t, s, ns)
	page, err := s.Notices(ctx, u[0], 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 5 || page[0].Key != "i6" || page[4].Key != "i2" {
		t.Fatalf("first page: %d notices from %q", len(page), page[0].Key)
	}
	rest, err := s.Notices(ctx, u[0], page[4].ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 2 || rest[1].Key != "i0" {
		t.Fatalf("second page: %+v", rest)
	}
	// Marking another person's notice does nothing.
	other, _ := s.Notices(ctx, u[1], 0, 5)
	n, err := s.MarkNoticesRead(ctx, u[0], []int64{other[0].ID, page[0].ID}, false, t0)
	if err != nil || n != 1 {
		t.Fatalf("mark read: %d, %v; want 1 (the person's own)", n, err)
	}
	if c, _ := s.UnreadNotices(ctx, u[1]); c != 1 {
		t.Errorf("the other person's unread: %d, want 1", c)
	}
	if c, _ := s.UnreadNotices(ctx, u[0]); c != 6 {
		t.Errorf("unread after one read: %d, want 6", c)
	}
	if n, err := s.MarkNoticesRead(ctx, u[0], nil, true, t0); err != nil || n != 6 {
		t.Errorf("mark all read: %d, %v; want 6", n, err)
	}
	if c, _ := s.UnreadNotices(ctx, u[0]); c != 0 {
		t.Errorf("unread after all read: %d", c)
	}
}

func testNotifyClaimRun(t *testing.T, s NotifyStore) {
	ctx := context.Background()
	var wg sync.WaitGroup
	won := make([]bool, 4)
	for i := range won {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ok, err := s.ClaimRun(ctx, notify.JobRemind, "2026-03-01T09", fmt.Sprint("replica", i), t0)
			if err != nil {
				t.Error(err)
			}
			won[i] = ok
		}(i)
	}
	wg.Wait()
	n := 0
	for _, w := range won {
		if w {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d replicas claimed the slot, want 1", n)
	}
	if ok, _ := s.ClaimRun(ctx, notify.JobRemind, "2026-03-01T10", "replica0", t0); !ok {
		t.Error("the next slot was not claimed")
	}
}

func testNotifyOutboxHeaders(t *testing.T, s NotifyStore) {
	ctx := context.Background()
	h := []string{"List-Unsubscribe: <http://citylens.test/notifications/unsubscribe?t=x.y>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"}
	m, err := s.PutOutboxMessage(ctx, mail.Message{To: "a@example.org", Subject: "S", Body: "B", Headers: h, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.OutboxMessage(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Headers) != 2 || got.Headers[1] != h[1] {
		t.Errorf("headers: %q", got.Headers)
	}
	list, err := s.ListOutbox(ctx, 10)
	if err != nil || len(list) != 1 || len(list[0].Headers) != 2 {
		t.Errorf("listed: %+v, %v", list, err)
	}
}
