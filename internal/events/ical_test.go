package events

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestICSRoundTrip(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	long := strings.Repeat("스마트시티 총회; 의제, 발표\\ ", 12)
	e := &Event{ID: 7, Title: "General Assembly, 2026; Seoul", Agenda: "Day 1: opening\nDay 2: " + long,
		Place: "Seoul City Hall, 110 Sejong-daero", TimeZone: "Asia/Seoul",
		Start: time.Date(2026, 10, 14, 9, 30, 0, 0, seoul), End: time.Date(2026, 10, 15, 17, 0, 0, 0, seoul)}
	var b strings.Builder
	if err := WriteICS(&b, "CityLens", []*Event{e}, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	evs, err := ParseICS(b.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	got := evs[0]
	want := map[string]string{"UID": "event-7@citylens", "DTSTART": "20261014T003000Z", "DTEND": "20261015T080000Z",
		"SUMMARY": e.Title, "DESCRIPTION": e.Agenda, "LOCATION": e.Place, "X-CITYLENS-TZID": "Asia/Seoul", "DTSTAMP": "20260102T030405Z"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if !strings.Contains(b.String(), "\r\n ") {
		t.Error("the long description was not folded")
	}
}

func TestFoldNeverSplitsACharacter(t *testing.T) {
	for n := 60; n < 80; n++ {
		s := strings.Repeat("a", n%7) + strings.Repeat("가", n)
		f := fold("DESCRIPTION:" + s)
		for _, l := range strings.Split(strings.TrimSuffix(f, "\r\n"), "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) {
				t.Fatalf("n=%d: bad line %q (%d octets)", n, l, len(l))
			}
		}
		if un := strings.ReplaceAll(strings.TrimSuffix(f, "\r\n"), "\r\n ", ""); un != "DESCRIPTION:"+s {
			t.Fatalf("n=%d: unfolds to something else", n)
		}
	}
}

func TestValidateNamesFields(t *testing.T) {
	e := &Event{Kind: "party", Link: "ftp://x", TimeZone: "Mars/Olympus", Capacity: 0,
		Start: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	err := e.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	got := strings.Join(citylensProblems(err), ",")
	if got != "kind,title,link,time_zone,end,capacity" {
		t.Errorf("fields at fault: %s", got)
	}
}
