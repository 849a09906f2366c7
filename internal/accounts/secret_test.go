package accounts

import (
	"strings"
	"testing"
)

func TestHasherDefaultParameters(t *testing.T) {
	h := NewHasher(DefaultArgon2)
	enc := h.Hash("a long enough password")
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(enc, "$") != 5 {
		t.Fatalf("encoding = %q, want PHC argon2id with m=19456,t=2,p=1", enc)
	}
	if enc == h.Hash("a long enough password") {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		name, encoded, password string
		want                    bool
	}{
		{"right", enc, "a long enough password", true},
		{"wrong", enc, "a long enough passwort", false},
		{"cheaper params verify with their own", NewHasher(Argon2Params{64, 1, 1}).Hash("pw"), "pw", true},
		{"garbage", "$argon2id$v=19$m=x$$", "pw", false},
		{"other algorithm", strings.Replace(enc, "argon2id", "argon2i", 1), "a long enough password", false},
		{"absurd memory", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "pw", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.Verify(tc.encoded, tc.password); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTokensAreRandomAndHashed(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if h := HashToken(a); h == a || h != HashToken(a) || len(h) != 64 {
		t.Error("HashToken is not a stable SHA-256 hex digest")
	}
}
