package surveyweb

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citylens/citylens/internal/accounts"
)

// signer signs the survey form's start token (when the form was shown, for
// the time taken) and the "already answered" cookie with an HMAC key.
type signer struct{ key []byte }

func newSigner(key []byte) signer {
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key)
	}
	return signer{key: key}
}

func (s signer) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// startToken is "<unix ms>.<mac>" over the edition, city and time.
func (s signer) startToken(edition, city string, at time.Time) string {
	ms := strconv.FormatInt(at.UnixMilli(), 10)
	return ms + "." + s.mac("start", edition, city, ms)
}

// started reads a start token: when the form was shown (false if forged
// or malformed).
func (s signer) started(edition, city, token string) (time.Time, bool) {
	ms, mac, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.mac("start", edition, city, ms))) {
		return time.Time{}, false
	}
	v, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(v), true
}

// answered is the value of the cookie that says this browser answered
// the edition's survey for a city: it names no one (the same value for
// every browser that answered).
func (s signer) answered(edition, city string) string { return s.mac("answered", edition, city) }

// ThrottleStore keeps the rate limits' counters in the database (the
// auth_throttle table hardening uses), so every replica counts the same
// submissions.
type ThrottleStore interface {
	ThrottleHit(ctx context.Context, key string, now, windowStart time.Time) (accounts.Throttle, error)
	DeleteStaleThrottles(ctx context.Context, before, now time.Time) (int64, error)
}

// limiter counts a window's submissions per address in the database,
// keyed by an HMAC of the address under a day's key derived from the
// survey's secret (shared by the replicas): the raw address is never
// stored, and a day's keys cannot be linked to another day's without the
// secret. The window is fixed: it starts at an address's first
// submission, and the counter starts again once it has passed.
type limiter struct {
	store  ThrottleStore
	kind   string // "survey-ip" or "survey-noproof"
	max    int
	window time.Duration
	secret []byte
}

// allow records an attempt from ip at now and says whether it is within
// the limit, or how long to wait.
func (l limiter) allow(ctx context.Context, ip string, now time.Time) (bool, time.Duration, error) {
	if l.max <= 0 {
		return true, 0, nil
	}
	t, err := l.store.ThrottleHit(ctx, l.key(ip, now), now, now.Add(-l.window))
	if err != nil {
		return false, 0, err
	}
	if t.Count == 1 && mrand.IntN(100) == 0 {
		// Now and then, forget counters nobody has used for a day (a
		// day: longer than any window of the sign-in throttles that
		// share the table).
		if _, err := l.store.DeleteStaleThrottles(ctx, now.Add(-max(l.window, 24*time.Hour)), now); err != nil {
			return false, 0, err
		}
	}
	if t.Count > l.max {
		return false, max(t.WindowStart.Add(l.window).Sub(now), time.Second), nil
	}
	return true, 0, nil
}

// key is the counter's key: the kind and a keyed hash of the address
// under the day's key.
func (l limiter) key(ip string, now time.Time) string {
	day := strconv.FormatInt(now.UTC().Unix()/86400, 10)
	dk := hmac.New(sha256.New, l.secret)
	dk.Write([]byte("survey-limit\x00" + day))
	m := hmac.New(sha256.New, dk.Sum(nil))
	m.Write([]byte(ip))
	return l.kind + ":" + day + ":" + hex.EncodeToString(m.Sum(nil)[:12])
}

// A proof-of-work challenge, ALTCHA-style and self-hosted: the form
// carries a salt, an expiry and an HMAC over them; a script in the
// browser finds a number n such that SHA-256(salt + n) starts with
// `difficulty` zero bits, and the server checks it (and that the
// challenge was not used before). Without JavaScript the form still
// works: the response is then held to a stricter rate limit.
type powChallenge struct {
	Salt       string
	Expires    int64
	Difficulty int
	MAC        string
}

func (s signer) challenge(now time.Time, difficulty int) powChallenge {
	b := make([]byte, 12)
	rand.Read(b)
	c := powChallenge{Salt: hex.EncodeToString(b), Expires: now.Add(2 * time.Hour).Unix(), Difficulty: difficulty}
	c.MAC = s.mac("pow", c.Salt, strconv.FormatInt(c.Expires, 10), strconv.Itoa(difficulty))
	return c
}

// Field is the challenge as one form value: salt.expires.difficulty.mac.
func (c powChallenge) Field() string {
	return c.Salt + "." + strconv.FormatInt(c.Expires, 10) + "." + strconv.Itoa(c.Difficulty) + "." + c.MAC
}

// powSeen remembers used challenges until they expire (one answer per
// challenge).
type powSeen struct {
	mu   sync.Mutex
	used map[string]int64
}

// verify checks a challenge field and its solution at now.
func (s signer) verifyPoW(seen *powSeen, field, solution string, now time.Time) bool {
	parts := strings.Split(field, ".")
	if len(parts) != 4 {
		return false
	}
	exp, err1 := strconv.ParseInt(parts[1], 10, 64)
	diff, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || diff < 1 || diff > 32 || now.Unix() > exp {
		return false
	}
	if !hmac.Equal([]byte(parts[3]), []byte(s.mac("pow", parts[0], parts[1], parts[2]))) {
		return false
	}
	if len(solution) == 0 || len(solution) > 12 {
		return false
	}
	if _, err := strconv.ParseUint(solution, 10, 64); err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + solution))
	if leadingZeroBits(sum[:]) < diff {
		return false
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if seen.used == nil {
		seen.used = map[string]int64{}
	}
	if _, dup := seen.used[parts[0]]; dup {
		return false
	}
	for k, e := range seen.used {
		if e < now.Unix() {
			delete(seen.used, k)
		}
	}
	seen.used[parts[0]] = exp
	return true
}

func leadingZeroBits(b []byte) int {
	n := 0
	for i := 0; i+8 <= len(b); i += 8 {
		v := binary.BigEndian.Uint64(b[i:])
		if v == 0 {
			n += 64
			continue
		}
		for v&(1<<63) == 0 {
			n++
			v <<= 1
		}
		return n
	}
	return n
}
