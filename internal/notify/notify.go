// Package notify tells people what they must act on: a data call closing,
// a submission waiting for review, an endorsement waiting, and (added by
// their areas) milestones due, a training session tomorrow, a registration
// confirmed. Sources say what is due; the reminder job turns it into
// notices, one per person, kind and dedupe key (a unique constraint, so two
// servers running the job at once notify once), shown in the in-app inbox
// and mailed through the outbox at once or in a daily digest, as each
// person chose for the kind, in the reader's language, with a one-click
// unsubscribe (RFC 8058) for the kind.
package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/mail"
)

// Mode is how a person receives a kind of notice.
type Mode string

const (
	ModeImmediate Mode = "immediate" // an e-mail at once (and the inbox)
	ModeDigest    Mode = "digest"    // one e-mail a day with every pending notice (and the inbox)
	ModeInbox     Mode = "inbox"     // the inbox only
)

// Modes lists the modes, the default first.
var Modes = []Mode{ModeImmediate, ModeDigest, ModeInbox}

// DefaultMode is a person's mode for a kind they never chose.
const DefaultMode = ModeImmediate

// Mail states of a notice.
const (
	MailNone     = "none"     // inbox only
	MailSent     = "sent"     // mailed at once
	MailPending  = "pending"  // waiting for the digest
	MailDigested = "digested" // mailed in a digest
)

// Notice is one thing a person must act on. Subject and body are the
// catalogue's Msg+".subject" and Msg+".body" with Args, worded in the
// reader's language when shown or sent.
type Notice struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"-"`
	Kind      string    `json:"kind"`
	Key       string    `json:"-"` // dedupe key: one notice per person, kind and key
	Msg       string    `json:"-"`
	Args      []string  `json:"-"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	ReadAt    time.Time `json:"read_at"`
	MailState string    `json:"-"`
}

// Limits on what a source may hand in (a bug in a source must not fill the
// database with giant rows).
const (
	MaxKeyLen  = 200
	MaxArgs    = 8
	MaxArgLen  = 500
	MaxURLLen  = 500
	MaxKindLen = 60
)

// Check refuses a malformed notice.
func (n Notice) Check() error {
	switch {
	case n.UserID <= 0:
		return citylens.Errorf(citylens.EINVALID, "notice %q: no person", n.Key)
	case n.Kind == "" || len(n.Kind) > MaxKindLen:
		return citylens.Errorf(citylens.EINVALID, "notice %q: kind %q", n.Key, n.Kind)
	case n.Key == "" || len(n.Key) > MaxKeyLen:
		return citylens.Errorf(citylens.EINVALID, "notice of kind %s: dedupe key of %d bytes", n.Kind, len(n.Key))
	case n.Msg == "" || len(n.Args) > MaxArgs || len(n.URL) > MaxURLLen || (n.URL != "" && !strings.HasPrefix(n.URL, "/")):
		return citylens.Errorf(citylens.EINVALID, "notice %q: message, arguments or link out of bounds", n.Key)
	}
	for _, a := range n.Args {
		if len(a) > MaxArgLen {
			return citylens.Errorf(citylens.EINVALID, "notice %q: an argument of %d bytes", n.Key, len(a))
		}
	}
	return nil
}

// Source says what is due now. Due must be idempotent: it returns the same
// notices (same keys) while they are due, and the job keeps one of each.
type Source interface {
	Kinds() []string
	Due(ctx context.Context, now time.Time) ([]Notice, error)
}

// Recipient is a person as mail needs them.
type Recipient struct {
	UserID int64
	Email  string
	Name   string
	Lang   i18n.Lang
	Active bool
}

// Store is what the service needs of the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// InsertNotices adds notices, skipping those whose (person, kind, key)
	// exists, and returns the ones it added with their ids.
	InsertNotices(ctx context.Context, ns []Notice) ([]Notice, error)
	// NoticeModes returns the chosen modes of people for kinds
	// (person → kind → mode); a pair never chosen is absent.
	NoticeModes(ctx context.Context, users []int64) (map[int64]map[string]Mode, error)
	SetNoticeMode(ctx context.Context, user int64, kind string, m Mode) error
	Recipients(ctx context.Context, users []int64) (map[int64]Recipient, error)
	SetNoticeLang(ctx context.Context, user int64, lang i18n.Lang) error
	// TakeDigest marks every pending notice created before until as
	// digested at now and returns them; a notice is taken once across
	// concurrent callers.
	TakeDigest(ctx context.Context, until, now time.Time) ([]Notice, error)
	Notices(ctx context.Context, user int64, beforeID int64, limit int) ([]Notice, error)
	UnreadNotices(ctx context.Context, user int64) (int, error)
	MarkNoticesRead(ctx context.Context, user int64, ids []int64, all bool, now time.Time) (int, error)
	// ClaimRun records that owner runs job for slot; false if another
	// replica already did.
	ClaimRun(ctx context.Context, job, slot, owner string, now time.Time) (bool, error)
}

// Catalog words message keys.
type Catalog interface {
	T(lang i18n.Lang, key string, args ...any) string
	Has(key string) bool
}

// Service runs notifications.
type Service struct {
	Store   Store
	Mail    mail.Sender
	Catalog Catalog
	Now     func() time.Time
	BaseURL string // absolute links in e-mail
	Secret  []byte // signs unsubscribe links
	sources []Source
}

// Add registers sources (internal/app adds one per area).
func (s *Service) Add(src ...Source) { s.sources = append(s.sources, src...) }

// Kinds lists every source's kinds, sorted.
func (s *Service) Kinds() []string {
	seen := map[string]bool{}
	var out []string
	for _, src := range s.sources {
		for _, k := range src.Kinds() {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (s *Service) knownKind(k string) bool {
	for _, x := range s.Kinds() {
		if x == k {
			return true
		}
	}
	return false
}

// batch is how many notices one transaction inserts.
const batch = 400

// RunResult counts what a reminder run did.
type RunResult struct {
	Due, Created, Mailed int
}

// Remind asks every source what is due at now, adds the notices not yet
// made and mails those whose person chose immediate e-mail, in the same
// transaction as the notice (so a notice and its e-mail exist together,
// once).
func (s *Service) Remind(ctx context.Context, now time.Time) (RunResult, error) {
	var all []Notice
	for _, src := range s.sources {
		ns, err := src.Due(ctx, now)
		if err != nil {
			return RunResult{}, err
		}
		for _, n := range ns {
			if err := n.Check(); err != nil {
				return RunResult{}, err
			}
		}
		all = append(all, ns...)
	}
	// One order for every replica, so that two running at once on
	// PostgreSQL wait for each other's keys instead of deadlocking.
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.UserID != b.UserID {
			return a.UserID < b.UserID
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Key < b.Key
	})
	res := RunResult{Due: len(all)}
	for i := 0; i < len(all); i += batch {
		part := all[i:min(i+batch, len(all))]
		err := s.Store.InTx(ctx, func(ctx context.Context) error {
			created, mailed, err := s.add(ctx, part, now)
			res.Created += created
			res.Mailed += mailed
			return err
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// Notify adds notices now (an event, such as a registration confirmed,
// rather than a reminder), mailing as Remind does.
func (s *Service) Notify(ctx context.Context, ns ...Notice) error {
	for _, n := range ns {
		if err := n.Check(); err != nil {
			return err
		}
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		_, _, err := s.add(ctx, ns, s.Now())
		return err
	})
}

func (s *Service) add(ctx context.Context, ns []Notice, now time.Time) (created, mailed int, err error) {
	users := userIDs(ns)
	modes, err := s.Store.NoticeModes(ctx, users)
	if err != nil {
		return 0, 0, err
	}
	rows := make([]Notice, len(ns))
	for i, n := range ns {
		n.CreatedAt = now.UTC()
		switch modeOf(modes, n.UserID, n.Kind) {
		case ModeImmediate:
			n.MailState = MailSent
		case ModeDigest:
			n.MailState = MailPending
		default:
			n.MailState = MailNone
		}
		rows[i] = n
	}
	added, err := s.Store.InsertNotices(ctx, rows)
	if err != nil {
		return 0, 0, err
	}
	var send []Notice
	for _, n := range added {
		if n.MailState == MailSent {
			send = append(send, n)
		}
	}
	if len(send) == 0 {
		return len(added), 0, nil
	}
	people, err := s.Store.Recipients(ctx, userIDs(send))
	if err != nil {
		return 0, 0, err
	}
	var msgs []mail.Message
	for _, n := range send {
		p, ok := people[n.UserID]
		if !ok || !p.Active || p.Email == "" {
			continue
		}
		msgs = append(msgs, s.immediateMail(p, n))
	}
	if err := s.send(ctx, msgs); err != nil {
		return 0, 0, err
	}
	return len(added), len(msgs), nil
}

// send delivers messages, in one go when the sender can.
func (s *Service) send(ctx context.Context, ms []mail.Message) error {
	if bs, ok := s.Mail.(mail.BatchSender); ok {
		return bs.SendAll(ctx, ms)
	}
	for _, m := range ms {
		if err := s.Mail.Send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func modeOf(modes map[int64]map[string]Mode, user int64, kind string) Mode {
	if m, ok := modes[user][kind]; ok {
		return m
	}
	return DefaultMode
}

func userIDs(ns []Notice) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, n := range ns {
		if !seen[n.UserID] {
			seen[n.UserID] = true
			out = append(out, n.UserID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Subject is a notice's subject in lang.
func (s *Service) Subject(lang i18n.Lang, n Notice) string {
	return s.Catalog.T(lang, n.Msg+".subject", argsOf(n.Args)...)
}

// Body is a notice's text in lang.
func (s *Service) Body(lang i18n.Lang, n Notice) string {
	return s.Catalog.T(lang, n.Msg+".body", argsOf(n.Args)...)
}

func argsOf(a []string) []any {
	out := make([]any, len(a))
	for i, v := range a {
		out[i] = v
	}
	return out
}

func (s *Service) link(path string) string { return strings.TrimRight(s.BaseURL, "/") + path }

// unsubscribeHeaders are RFC 8058's headers for a link.
func unsubscribeHeaders(url string) []string {
	return []string{"List-Unsubscribe: <" + url + ">", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"}
}

func (s *Service) immediateMail(p Recipient, n Notice) mail.Message {
	unsub := s.link("/notifications/unsubscribe?t=" + s.UnsubscribeToken(p.UserID, []string{n.Kind}))
	var b strings.Builder
	b.WriteString(s.Body(p.Lang, n))
	if n.URL != "" {
		b.WriteString("\n\n" + s.link(n.URL))
	}
	b.WriteString("\n\n-- \n" + s.Catalog.T(p.Lang, "notify.mail.footer", s.Catalog.T(p.Lang, "notify.kind."+n.Kind), unsub) + "\n")
	return mail.Message{To: p.Email, Subject: s.Subject(p.Lang, n), Body: b.String(), Headers: unsubscribeHeaders(unsub)}
}

// DigestResult counts what a digest run did.
type DigestResult struct {
	Notices, Mailed int
}

// Digest mails each person one e-mail with every notice waiting for the
// digest, in their language; the notices are marked in the same
// transaction, so each is mailed once even when two servers run it.
func (s *Service) Digest(ctx context.Context, now time.Time) (DigestResult, error) {
	var res DigestResult
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		ns, err := s.Store.TakeDigest(ctx, now, now)
		if err != nil {
			return err
		}
		res.Notices = len(ns)
		if len(ns) == 0 {
			return nil
		}
		people, err := s.Store.Recipients(ctx, userIDs(ns))
		if err != nil {
			return err
		}
		by := map[int64][]Notice{}
		for _, n := range ns {
			by[n.UserID] = append(by[n.UserID], n)
		}
		for _, u := range userIDs(ns) {
			p, ok := people[u]
			if !ok || !p.Active || p.Email == "" {
				continue
			}
			if err := s.Mail.Send(ctx, s.digestMail(p, by[u])); err != nil {
				return err
			}
			res.Mailed++
		}
		return nil
	})
	return res, err
}

func (s *Service) digestMail(p Recipient, ns []Notice) mail.Message {
	sort.Slice(ns, func(i, j int) bool { return ns[i].ID < ns[j].ID })
	var kinds []string
	seen := map[string]bool{}
	var b strings.Builder
	b.WriteString(s.Catalog.T(p.Lang, "notify.digest.intro", len(ns)) + "\n")
	for _, n := range ns {
		if !seen[n.Kind] {
			seen[n.Kind] = true
			kinds = append(kinds, n.Kind)
		}
		b.WriteString("\n* " + s.Subject(p.Lang, n) + "\n  " + s.Body(p.Lang, n) + "\n")
		if n.URL != "" {
			b.WriteString("  " + s.link(n.URL) + "\n")
		}
	}
	sort.Strings(kinds)
	all := s.link("/notifications/unsubscribe?t=" + s.UnsubscribeToken(p.UserID, kinds))
	b.WriteString("\n-- \n")
	for _, k := range kinds {
		b.WriteString(s.Catalog.T(p.Lang, "notify.mail.footer", s.Catalog.T(p.Lang, "notify.kind."+k),
			s.link("/notifications/unsubscribe?t="+s.UnsubscribeToken(p.UserID, []string{k}))) + "\n")
	}
	return mail.Message{To: p.Email, Subject: s.Catalog.T(p.Lang, "notify.digest.subject", len(ns)),
		Body: b.String(), Headers: unsubscribeHeaders(all)}
}

// UnsubscribeToken signs (person, kinds): the link works without signing
// in, for that person and those kinds only.
func (s *Service) UnsubscribeToken(user int64, kinds []string) string {
	payload := strconv.FormatInt(user, 10) + ":" + strings.Join(kinds, ",")
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

func (s *Service) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.Secret)
	h.Write([]byte("citylens-notify-unsubscribe\x00" + payload))
	return h.Sum(nil)
}

// MaxTokenLen bounds an unsubscribe token.
const MaxTokenLen = 2048

// CheckUnsubscribe reads a token: its person and kinds, or EINVALID when
// it was not signed here (tampered, truncated, or of another server).
func (s *Service) CheckUnsubscribe(token string) (int64, []string, error) {
	bad := citylens.E(citylens.EINVALID, "notify.error.bad_token")
	if len(token) > MaxTokenLen || len(s.Secret) == 0 {
		return 0, nil, bad
	}
	p, m, ok := strings.Cut(token, ".")
	if !ok {
		return 0, nil, bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	sig, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.mac(string(payload))) {
		return 0, nil, bad
	}
	u, ks, _ := strings.Cut(string(payload), ":")
	user, err := strconv.ParseInt(u, 10, 64)
	if err != nil || user <= 0 || ks == "" {
		return 0, nil, bad
	}
	return user, strings.Split(ks, ","), nil
}

// Unsubscribe sets a token's kinds to inbox only for its person.
func (s *Service) Unsubscribe(ctx context.Context, token string) (int64, []string, error) {
	user, kinds, err := s.CheckUnsubscribe(token)
	if err != nil {
		return 0, nil, err
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		for _, k := range kinds {
			if err := s.Store.SetNoticeMode(ctx, user, k, ModeInbox); err != nil {
				return err
			}
		}
		return nil
	})
	return user, kinds, err
}

// Preferences are a person's mode per kind (every kind, defaults filled).
type Preferences struct {
	Kinds []KindMode `json:"kinds"`
}

// KindMode is one kind's mode.
type KindMode struct {
	Kind string `json:"kind"`
	Mode Mode   `json:"mode"`
}

// Preferences returns a person's modes for every kind.
func (s *Service) Preferences(ctx context.Context, user int64) (Preferences, error) {
	modes, err := s.Store.NoticeModes(ctx, []int64{user})
	if err != nil {
		return Preferences{}, err
	}
	var p Preferences
	for _, k := range s.Kinds() {
		p.Kinds = append(p.Kinds, KindMode{Kind: k, Mode: modeOf(modes, user, k)})
	}
	return p, nil
}

// SetPreferences saves modes (kind → mode) and the language of a person's
// e-mail; an unknown kind or mode is refused and nothing changes.
func (s *Service) SetPreferences(ctx context.Context, user int64, modes map[string]Mode, lang i18n.Lang) error {
	var probs []citylens.Problem
	for k, m := range modes {
		if !s.knownKind(k) {
			probs = append(probs, citylens.Problem{Field: k, Key: "notify.error.kind", Args: []any{k}, Reason: "unknown kind " + k})
		} else if !validMode(m) {
			probs = append(probs, citylens.Problem{Field: k, Key: "notify.error.mode", Args: []any{string(m)}, Reason: "unknown mode " + string(m)})
		}
	}
	if _, ok := i18n.Parse(string(lang)); !ok {
		probs = append(probs, citylens.Problem{Field: "lang", Key: "notify.error.lang", Args: []any{string(lang)}, Reason: "unknown language " + string(lang)})
	}
	if len(probs) > 0 {
		sort.Slice(probs, func(i, j int) bool { return probs[i].Field < probs[j].Field })
		e := citylens.E(citylens.EINVALID, "notify.error.prefs")
		e.Problems = probs
		return e
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		for k, m := range modes {
			if err := s.Store.SetNoticeMode(ctx, user, k, m); err != nil {
				return err
			}
		}
		return s.Store.SetNoticeLang(ctx, user, lang)
	})
}

func validMode(m Mode) bool {
	for _, x := range Modes {
		if x == m {
			return true
		}
	}
	return false
}

// Lang is the language a person's e-mail is written in.
func (s *Service) Lang(ctx context.Context, user int64) (i18n.Lang, error) {
	r, err := s.Store.Recipients(ctx, []int64{user})
	if err != nil {
		return i18n.English, err
	}
	if p, ok := r[user]; ok {
		return p.Lang, nil
	}
	return i18n.English, nil
}

// Inbox returns a person's notices, newest first, before a cursor id (0:
// from the newest).
func (s *Service) Inbox(ctx context.Context, user, before int64, limit int) ([]Notice, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.Store.Notices(ctx, user, before, limit)
}

// Unread counts a person's unread notices.
func (s *Service) Unread(ctx context.Context, user int64) (int, error) {
	return s.Store.UnreadNotices(ctx, user)
}

// MarkRead marks notices of a person read (all of them with all).
func (s *Service) MarkRead(ctx context.Context, user int64, ids []int64, all bool) (int, error) {
	if len(ids) > 500 {
		return 0, citylens.E(citylens.EINVALID, "notify.error.too_many")
	}
	return s.Store.MarkNoticesRead(ctx, user, ids, all, s.Now().UTC())
}

// ArgsJSON encodes a notice's arguments for the store.
func ArgsJSON(a []string) string {
	if a == nil {
		a = []string{}
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// ParseArgs decodes stored arguments (none on a malformed document).
func ParseArgs(s string) []string {
	var a []string
	if json.Unmarshal([]byte(s), &a) != nil {
		return nil
	}
	return a
}

// SeedInbox adds notices to inboxes without mailing them (the demo's):
// each keeps its CreatedAt when set (a notice of the past) and is marked
// read when its ReadAt is set. Notices already there (same person, kind
// and key) are skipped, so seeding twice adds nothing; it returns how
// many were added.
func (s *Service) SeedInbox(ctx context.Context, ns ...Notice) (int, error) {
	now := s.Now().UTC()
	rows := make([]Notice, len(ns))
	for i, n := range ns {
		if err := n.Check(); err != nil {
			return 0, err
		}
		if n.CreatedAt.IsZero() {
			n.CreatedAt = now
		}
		n.MailState = MailNone
		rows[i] = n
	}
	added := 0
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		got, err := s.Store.InsertNotices(ctx, rows)
		if err != nil {
			return err
		}
		added = len(got)
		for _, n := range got {
			for _, want := range ns {
				if want.UserID == n.UserID && want.Kind == n.Kind && want.Key == n.Key && !want.ReadAt.IsZero() {
					if _, err := s.Store.MarkNoticesRead(ctx, n.UserID, []int64{n.ID}, false, want.ReadAt); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return added, err
}
