package accounts

import (
	"context"
	"time"

	"github.com/citylens/citylens"
)

// Throttle is one counter of sign-in or reset attempts, kept in the
// database so that every replica sees the same counts.
type Throttle struct {
	Key          string
	Count        int
	WindowStart  time.Time
	BlockedUntil time.Time
}

// ThrottleStore keeps the counters (package sqlstore, both databases).
type ThrottleStore interface {
	// ThrottleHit counts one attempt on key at now and returns the
	// counter; a counter whose window started before windowStart starts
	// again at 1. Atomic across replicas.
	ThrottleHit(ctx context.Context, key string, now, windowStart time.Time) (Throttle, error)
	// ThrottleBlock makes key wait until until (never shortening a wait).
	ThrottleBlock(ctx context.Context, key string, until time.Time) error
	// Throttles are the counters of keys that exist.
	Throttles(ctx context.Context, keys []string) ([]Throttle, error)
	// ThrottleClear forgets keys.
	ThrottleClear(ctx context.Context, keys ...string) error
	// DeleteStaleThrottles forgets counters whose window started before
	// before and whose wait is over.
	DeleteStaleThrottles(ctx context.Context, before, now time.Time) (int64, error)
}

// ThrottlePolicy says how sign-in and password-reset attempts are slowed.
//
// Sign-in: failures are counted per address, per account and per account
// and address together, in a window. Past a few free failures an address,
// or an address on an account it has failed on, waits Base, then twice as
// long after each further failure, up to Max; while it waits, its
// attempts are refused without checking the password. An account's own
// count sets the back-off of every address that failed on it (so a
// guesser spread over many addresses still slows down), but an address
// that has not failed on the account is never refused for it: the right
// password from a new address works, and no one can lock another out.
//
// Password reset: requests are counted per address and per account; past
// the limits they are refused (429) for a known and an unknown e-mail
// alike.
type ThrottlePolicy struct {
	Window       time.Duration // counts reset after this much time
	FreePerIP    int           // failures of an address before it waits
	FreePerPair  int           // failures of an address on one account before it waits
	FreePerAcct  int           // failures on an account before every failing address waits longer
	Base, Max    time.Duration // first wait and the longest
	ResetPerIP   int           // reset requests per address per window
	ResetPerAcct int           // reset requests per e-mail per window
	ResetWindow  time.Duration
}

// DefaultThrottle is the policy of a server unless configured.
var DefaultThrottle = ThrottlePolicy{
	Window: 15 * time.Minute, FreePerIP: 20, FreePerPair: 5, FreePerAcct: 10,
	Base: 2 * time.Second, Max: 15 * time.Minute,
	ResetPerIP: 10, ResetPerAcct: 3, ResetWindow: time.Hour,
}

// backoff is the wait after count failures when free of them cost
// nothing: Base once count reaches free, then twice as long at each
// further failure, up to Max.
func (p ThrottlePolicy) backoff(count, free int) time.Duration {
	over := count - free + 1
	if count < free || over <= 0 {
		return 0
	}
	d := p.Base
	for i := 1; i < over && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

func loginKeys(email, ip string) (ipKey, acctKey, pairKey string) {
	return "login-ip:" + ip, "login-acct:" + email, "login-pair:" + email + "|" + ip
}

// checkLogin refuses an attempt whose address, or address on this
// account, is still waiting.
func (s *Service) checkLogin(ctx context.Context, email, ip string, now time.Time) error {
	ipKey, _, pairKey := loginKeys(email, ip)
	ts, err := s.Throttle.Throttles(ctx, []string{ipKey, pairKey})
	if err != nil {
		return err
	}
	var wait time.Duration
	for _, t := range ts {
		wait = max(wait, t.BlockedUntil.Sub(now))
	}
	if wait > 0 {
		return &citylens.Error{Code: citylens.ERATELIMITED, Key: "error.login_rate_limited",
			Args: []any{int(wait.Minutes()) + 1}, RetryAfter: wait}
	}
	return nil
}

// failLogin counts a failure and sets the waits it earns.
func (s *Service) failLogin(ctx context.Context, email, ip string, now time.Time) error {
	p := s.policy()
	ipKey, acctKey, pairKey := loginKeys(email, ip)
	since := now.Add(-p.Window)
	ipT, err := s.Throttle.ThrottleHit(ctx, ipKey, now, since)
	if err != nil {
		return err
	}
	acctT, err := s.Throttle.ThrottleHit(ctx, acctKey, now, since)
	if err != nil {
		return err
	}
	pairT, err := s.Throttle.ThrottleHit(ctx, pairKey, now, since)
	if err != nil {
		return err
	}
	if d := p.backoff(ipT.Count, p.FreePerIP); d > 0 {
		if err := s.Throttle.ThrottleBlock(ctx, ipKey, now.Add(d)); err != nil {
			return err
		}
	}
	// An address that failed on an account waits after its own free
	// failures, or at once when the account is under attack, for as long
	// as the larger of the two counts earns.
	if d := max(p.backoff(pairT.Count, p.FreePerPair), p.backoff(acctT.Count, p.FreePerAcct)); d > 0 {
		if err := s.Throttle.ThrottleBlock(ctx, pairKey, now.Add(d)); err != nil {
			return err
		}
	}
	if ipT.Count == 1 && now.Second()%16 == 0 {
		// Now and then, forget counters nobody has used for a window.
		_, err = s.Throttle.DeleteStaleThrottles(ctx, since, now)
	}
	return err
}

// succeedLogin forgets the account's failures and this address's on it
// (not the address's own: signing in to one's own account must not wipe
// one's guesses at others).
func (s *Service) succeedLogin(ctx context.Context, email, ip string) error {
	_, acctKey, pairKey := loginKeys(email, ip)
	return s.Throttle.ThrottleClear(ctx, acctKey, pairKey)
}

// checkReset counts a reset request and refuses it past the limits.
func (s *Service) checkReset(ctx context.Context, email, ip string, now time.Time) error {
	p := s.policy()
	since := now.Add(-p.ResetWindow)
	for _, k := range []struct {
		key   string
		limit int
	}{{"forgot-ip:" + ip, p.ResetPerIP}, {"forgot-acct:" + email, p.ResetPerAcct}} {
		t, err := s.Throttle.ThrottleHit(ctx, k.key, now, since)
		if err != nil {
			return err
		}
		if t.Count > k.limit {
			wait := t.WindowStart.Add(p.ResetWindow).Sub(now)
			return &citylens.Error{Code: citylens.ERATELIMITED, Key: "error.forgot_rate_limited",
				Args: []any{int(wait.Minutes()) + 1}, RetryAfter: wait}
		}
	}
	return nil
}

func (s *Service) policy() ThrottlePolicy {
	if s.Policy != nil {
		return *s.Policy
	}
	return DefaultThrottle
}
