package accounts

import (
	"sync"
	"time"
)

// LoginLimiter counts failed logins per key (an e-mail, an IP address) in a
// sliding window and refuses further attempts once a key reaches its limit.
// It lives in one process: with several replicas each enforces its own
// limit, which still bounds guessing to replicas × limit per window.
type LoginLimiter struct {
	PerEmail int
	PerIP    int
	Window   time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewLoginLimiter allows perEmail failures per e-mail and perIP per address
// within window.
func NewLoginLimiter(perEmail, perIP int, window time.Duration) *LoginLimiter {
	return &LoginLimiter{PerEmail: perEmail, PerIP: perIP, Window: window, failures: map[string][]time.Time{}}
}

func (l *LoginLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > l.Window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = ts
	}
	return ts
}

// Allow reports whether a login for email from ip may be tried now, and if
// not, how long until it may.
func (l *LoginLimiter) Allow(email, ip string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []struct {
		key   string
		limit int
	}{{"e:" + email, l.PerEmail}, {"i:" + ip, l.PerIP}} {
		ts := l.recent(k.key, now)
		if len(ts) >= k.limit {
			return false, ts[0].Add(l.Window).Sub(now)
		}
	}
	return true, 0
}

// Fail records a failed login.
func (l *LoginLimiter) Fail(email, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures["e:"+email] = append(l.recent("e:"+email, now), now)
	l.failures["i:"+ip] = append(l.recent("i:"+ip, now), now)
}

// Succeed forgets the e-mail's failures (not the address's).
func (l *LoginLimiter) Succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "e:"+email)
}
