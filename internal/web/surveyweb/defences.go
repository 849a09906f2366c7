package surveyweb

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"
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

// ipLimiter counts a window's submissions per address, keyed by an HMAC of
// the address under a key that changes every period: the raw address is
// never kept, and yesterday's keys cannot be linked to today's. Entries
// expire with their window.
type ipLimiter struct {
	mu       sync.Mutex
	max      int
	window   time.Duration
	rotate   time.Duration
	key      []byte
	keyFrom  time.Time
	counts   map[string][]time.Time
	lastSwep time.Time
}

func newIPLimiter(max int, window time.Duration) *ipLimiter {
	return &ipLimiter{max: max, window: window, rotate: 24 * time.Hour, counts: map[string][]time.Time{}}
}

// allow records an attempt from ip at now and says whether it is within
// the limit, or how long to wait.
func (l *ipLimiter) allow(ip string, now time.Time) (bool, time.Duration) {
	if l == nil || l.max <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key == nil || now.Sub(l.keyFrom) >= l.rotate {
		l.key = make([]byte, 32)
		rand.Read(l.key)
		l.keyFrom = now
		l.counts = map[string][]time.Time{} // the old hashes mean nothing under the new key
	}
	if now.Sub(l.lastSwep) > l.window {
		for k, ts := range l.counts {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.counts, k)
			}
		}
		l.lastSwep = now
	}
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(ip))
	k := hex.EncodeToString(m.Sum(nil)[:12])
	ts := l.counts[k]
	keep := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < l.window {
			keep = append(keep, t)
		}
	}
	if len(keep) >= l.max {
		l.counts[k] = keep
		return false, l.window - now.Sub(keep[0])
	}
	l.counts[k] = append(keep, now)
	return true, 0
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
