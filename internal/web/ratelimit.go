package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citylens/citylens"
)

// Fair use: the API and the release files are rate limited per client, so
// one client cannot take the server from the others. A client without a
// token is its address; a client with an API token (or a signed-in
// session) is its account, with a higher limit. Each client has a bucket of
// a minute's requests that refills continuously; every answer says what is
// left (RateLimit, RateLimit-Policy: the IETF httpapi draft's fields), and
// an empty bucket answers 429 with Retry-After. Pages are not limited:
// they are served from the explorer's caches.

// FairUse is the policy: requests a minute.
type FairUse struct {
	Anonymous int // per address, without a token
	Token     int // per account, with an API token or a session
}

// FairUseDefaults is the policy unless configured.
var FairUseDefaults = FairUse{Anonymous: 120, Token: 1200}

// rateLimiter keeps a bucket per client. It is bounded: idle full buckets
// are dropped when it grows past maxClients.
type rateLimiter struct {
	policy FairUse
	now    func() time.Time
	mu     sync.Mutex
	m      map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
	limit  float64
}

const maxRateClients = 100000

func newRateLimiter(p FairUse, now func() time.Time) *rateLimiter {
	if p.Anonymous <= 0 {
		p.Anonymous = FairUseDefaults.Anonymous
	}
	if p.Token <= 0 {
		p.Token = FairUseDefaults.Token
	}
	if now == nil {
		now = time.Now
	}
	return &rateLimiter{policy: p, now: now, m: map[string]*bucket{}}
}

// take spends one request of key's bucket (limit a minute): whether it may
// go on, what is left, and the seconds until the bucket is full again (or,
// refused, until one request is allowed).
func (l *rateLimiter) take(key string, limit int) (ok bool, left int, wait int) {
	now := l.now()
	rate := float64(limit) / 60 // requests a second
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[key]
	if b == nil {
		if len(l.m) >= maxRateClients {
			l.sweep(now)
		}
		b = &bucket{tokens: float64(limit), last: now, limit: float64(limit)}
		l.m[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(float64(limit), b.tokens+el*rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false, 0, int(math.Ceil((1 - b.tokens) / rate))
	}
	b.tokens--
	return true, int(b.tokens), int(math.Ceil((float64(limit) - b.tokens) / rate))
}

// sweep drops the buckets that have refilled (their clients are idle).
func (l *rateLimiter) sweep(now time.Time) {
	for k, b := range l.m {
		if b.tokens+now.Sub(b.last).Seconds()*b.limit/60 >= b.limit {
			delete(l.m, k)
		}
	}
	if len(l.m) >= maxRateClients { // all busy: start again rather than grow
		l.m = map[string]*bucket{}
	}
}

// limitedRoute reports whether rt is under the fair-use policy: the API
// and the release files (downloads and CSV tables).
func limitedRoute(rt Route) bool {
	return rt.API || strings.Contains(rt.Path, "/download/") || strings.HasSuffix(rt.Path, ".csv")
}

// fairUse spends one request of the client's bucket and says so in the
// answer's headers; over the limit it is a rate_limited error (429 with
// Retry-After).
func (s *Server) fairUse(w http.ResponseWriter, r *http.Request, rt Route, v Viewer) error {
	if !limitedRoute(rt) {
		return nil
	}
	key, limit := "addr:"+remoteIP(r), s.limiter.policy.Anonymous
	if v.SignedIn() {
		key, limit = "user:"+strconv.FormatInt(v.User.ID, 10), s.limiter.policy.Token
	}
	ok, left, wait := s.limiter.take(key, limit)
	h := w.Header()
	h.Set("RateLimit-Policy", `"default";q=`+strconv.Itoa(limit)+";w=60")
	h.Set("RateLimit", `"default";r=`+strconv.Itoa(left)+";t="+strconv.Itoa(wait))
	if ok {
		return nil
	}
	key18 := "error.rate_limited"
	if v.SignedIn() {
		key18 = "error.rate_limited_token"
	}
	e := citylens.E(citylens.ERATELIMITED, key18, limit, wait)
	e.RetryAfter = time.Duration(wait) * time.Second
	return e
}
