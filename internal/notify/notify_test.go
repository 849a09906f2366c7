package notify

import (
	"strings"
	"testing"
)

func TestUnsubscribeTokenOwnPersonAndKind(t *testing.T) {
	s := &Service{Secret: []byte("0123456789abcdef0123456789abcdef")}
	tok := s.UnsubscribeToken(42, []string{KindDataCallClosing})
	user, kinds, err := s.CheckUnsubscribe(tok)
	if err != nil || user != 42 || len(kinds) != 1 || kinds[0] != KindDataCallClosing {
		t.Fatalf("a good token: %d %v %v", user, kinds, err)
	}
	payload, sig, _ := strings.Cut(tok, ".")
	other := s.UnsubscribeToken(43, []string{KindReviewWaiting})
	otherPayload, _, _ := strings.Cut(other, ".")
	elsewhere := (&Service{Secret: []byte("another server's key")}).UnsubscribeToken(42, []string{KindDataCallClosing})
	for name, bad := range map[string]string{
		"another person or kind, this signature": otherPayload + "." + sig,
		"tampered signature":                     payload + "." + strings.Repeat("A", len(sig)),
		"no signature":                           payload,
		"truncated":                              tok[:len(tok)-3],
		"signed elsewhere":                       elsewhere,
		"empty":                                  "",
		"huge":                                   strings.Repeat("a", MaxTokenLen+1),
	} {
		if _, _, err := s.CheckUnsubscribe(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, _, err := (&Service{}).CheckUnsubscribe(tok); err == nil {
		t.Error("a service without a key accepted a token")
	}
}

func TestNoticeCheckBounds(t *testing.T) {
	good := Notice{UserID: 1, Kind: KindDataCallClosing, Key: "dc:2026:kr-seoul:7", Msg: "notify.dc_closing7", Args: []string{"a"}, URL: "/datacall/2026"}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*Notice){
		"no person":      func(n *Notice) { n.UserID = 0 },
		"no kind":        func(n *Notice) { n.Kind = "" },
		"long key":       func(n *Notice) { n.Key = strings.Repeat("k", MaxKeyLen+1) },
		"outside link":   func(n *Notice) { n.URL = "https://evil.example/" },
		"too many args":  func(n *Notice) { n.Args = make([]string, MaxArgs+1) },
		"long argument":  func(n *Notice) { n.Args = []string{strings.Repeat("x", MaxArgLen+1)} },
		"no message key": func(n *Notice) { n.Msg = "" },
	} {
		n := good
		change(&n)
		if n.Check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestArgsRoundTrip(t *testing.T) {
	if got := ArgsJSON(nil); got != "[]" {
		t.Errorf("ArgsJSON(nil) = %s", got)
	}
	if a := ParseArgs(`["x","y"]`); len(a) != 2 || a[1] != "y" {
		t.Errorf("ParseArgs: %v", a)
	}
	if a := ParseArgs(`{`); a != nil {
		t.Errorf("ParseArgs of a broken document: %v", a)
	}
}
