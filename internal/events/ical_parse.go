package events

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseICS is a small strict reader of what WriteICS writes (for tests
// and for checking a feed): it checks
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
