package events

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// ParseICS is a small strict reader of what WriteICS writes: it checks
// CRLF line ends, the 75-octet limit and UTF-8 of every physical line,
// unfolds, and returns each VEVENT's properties with TEXT values
// unescaped. It refuses an unknown escape, a bare line feed and
// unbalanced BEGIN/END.
func ParseICS(s string) ([]map[string]string, error) {
	if !strings.HasSuffix(s, "\r\n") {
		return nil, fmt.Errorf("does not end with CRLF")
	}
	phys := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var lines []string
	for i, p := range phys {
		if strings.ContainsAny(p, "\r\n") {
			return nil, fmt.Errorf("line %d: bare CR or LF", i+1)
		}
		if len(p) > 75 {
			return nil, fmt.Errorf("line %d: %d octets", i+1, len(p))
		}
		if !utf8.ValidString(p) {
			return nil, fmt.Errorf("line %d: split UTF-8", i+1)
		}
		if strings.HasPrefix(p, " ") {
			if len(lines) == 0 {
				return nil, fmt.Errorf("line %d: continuation first", i+1)
			}
			lines[len(lines)-1] += p[1:]
			continue
		}
		lines = append(lines, p)
	}
	var out []map[string]string
	var cur map[string]string
	depth := 0
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("no colon: %q", l)
		}
		switch {
		case name == "BEGIN":
			depth++
			if value == "VEVENT" {
				cur = map[string]string{}
			}
		case name == "END":
			depth--
			if value == "VEVENT" {
				out = append(out, cur)
				cur = nil
			}
		case cur != nil:
			switch name {
			case "SUMMARY", "DESCRIPTION", "LOCATION", "X-CITYLENS-TZID":
				u, err := unescape(value)
				if err != nil {
					return nil, err
				}
				value = u
			}
			cur[name] = value
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced BEGIN/END")
	}
	return out, nil
}

func unescape(v string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ',' || c == ';' {
			return "", fmt.Errorf("unescaped %q in %q", c, v)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(v) {
			return "", fmt.Errorf("trailing backslash")
		}
		switch v[i] {
		case '\\', ';', ',':
			b.WriteByte(v[i])
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			return "", fmt.Errorf("bad escape \\%c", v[i])
		}
	}
	return b.String(), nil
}

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
	var fields []string
	for _, p := range citylensProblems(err) {
		fields = append(fields, p)
	}
	got := strings.Join(fields, ",")
	if got != "kind,title,link,time_zone,end,capacity" {
		t.Errorf("fields at fault: %s", got)
	}
}
