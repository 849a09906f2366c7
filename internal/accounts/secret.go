package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"github.com/citylens/citylens"
)

// NewToken returns a random token (32 bytes, URL-safe base64) for sessions,
// API tokens and one-time links.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how tokens are stored: SHA-256, hex. Tokens carry 256 bits of
// randomness, so a fast hash is enough (unlike passwords).
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Argon2Params are argon2id's cost parameters.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 follows OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane).
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Hasher hashes and checks passwords with argon2id, running at most a few
// hashes at once so a burst of logins cannot exhaust memory.
type Hasher struct {
	Params Argon2Params
	slots  chan struct{}
	checks atomic.Int64
}

// Verifications counts the password checks Verify has run (sign-in must
// run exactly one for any account, known or not: tests read it).
func (h *Hasher) Verifications() int64 { return h.checks.Load() }

// NewHasher returns a Hasher running at most 2×GOMAXPROCS hashes at once.
func NewHasher(p Argon2Params) *Hasher {
	return &Hasher{Params: p, slots: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}
}

const minPasswordLength = 10

// CheckPasswordStrength rejects passwords that are too short or too long.
func CheckPasswordStrength(password string) error {
	switch {
	case len([]rune(password)) < minPasswordLength:
		return citylens.Errorf(citylens.EINVALID, "password: must be at least %d characters", minPasswordLength)
	case len(password) > 1024:
		return citylens.Errorf(citylens.EINVALID, "password: must be at most 1024 bytes")
	}
	return nil
}

// Hash returns the PHC-style encoding $argon2id$v=19$m=..,t=..,p=..$salt$hash.
func (h *Hasher) Hash(password string) string {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, h.Params.Time, h.Params.MemoryKiB, h.Params.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Params.MemoryKiB, h.Params.Time,
		h.Params.Threads, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify reports whether password matches encoded, using the parameters
// recorded in encoded.
func (h *Hasher) Verify(encoded, password string) bool {
	h.checks.Add(1)
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.MemoryKiB > 1<<20 || p.Time > 20 {
		return false
	}
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
