package events

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ICSDomain ends every event's UID: "event-<id>@citylens", stable across
// feeds and edits.
const ICSDomain = "citylens"

// UID is event e's iCalendar UID.
func UID(id int64) string { return "event-" + strconv.FormatInt(id, 10) + "@" + ICSDomain }

// WriteICS writes events as an iCalendar object (RFC 5545): CRLF line
// ends, lines folded at 75 octets without splitting a character, TEXT
// values escaped, times in UTC, the event's time zone named in
// X-CITYLENS-TZID (the instants are exact; a client shows them in its own
// zone). stamp is DTSTAMP.
func WriteICS(w io.Writer, name string, events []*Event, stamp time.Time) error {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//CityLens//Network events//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + EscapeText(name))
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + UID(e.ID))
		line("DTSTAMP:" + icsTime(stamp))
		line("DTSTART:" + icsTime(e.Start))
		line("DTEND:" + icsTime(e.End))
		line("SUMMARY:" + EscapeText(e.Title))
		if e.Agenda != "" {
			line("DESCRIPTION:" + EscapeText(e.Agenda))
		}
		if e.Place != "" {
			line("LOCATION:" + EscapeText(e.Place))
		}
		if e.Link != "" {
			line("URL:" + e.Link)
		}
		if e.TimeZone != "" {
			line("X-CITYLENS-TZID:" + EscapeText(e.TimeZone))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	_, err := io.WriteString(w, b.String())
	return err
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// EscapeText escapes an iCalendar TEXT value (RFC 5545 §3.3.11).
func EscapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// fold is content line s folded (RFC 5545 §3.1): at most 75 octets a
// line, continuation lines starting with a space, never inside a UTF-8
// sequence; CRLF after each.
func fold(s string) string {
	var b strings.Builder
	n := 0
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteString(s[:size])
		n += size
		s = s[size:]
	}
	b.WriteString("\r\n")
	return b.String()
}
