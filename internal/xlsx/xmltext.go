package xlsx

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxEntity bounds the length of an entity unescapeXML decodes, "&" to ";":
// "&#x10FFFF;" with a few leading zeros.
const maxEntity = 16

// The scanning helpers below read the few elements a cell value needs
// straight from the bytes: encoding/xml costs several allocations a token,
// which is most of the time of a large upload.

// indexTag finds the next tag named by open ("<c") at or after pos, not a
// longer name that starts the same ("<cols"). A name at the very end of d
// is not found: the caller reads more and looks again.
func indexTag(d []byte, pos int, open []byte) int {
	for pos < len(d) {
		i := bytes.Index(d[pos:], open)
		if i < 0 {
			return -1
		}
		i += pos
		if k := i + len(open); k < len(d) {
			switch d[k] {
			case ' ', '>', '/', '\t', '\n', '\r':
				return i
			}
		}
		pos = i + len(open)
	}
	return -1
}

// tagAttrs returns a tag's attribute text from pos (just after its name) to
// its '>', whether it closes itself, and the position after the '>'; end is
// -1 when d holds no '>' outside quotes.
func tagAttrs(d []byte, pos int) (attrs []byte, selfClosing bool, end int) {
	inQuote := byte(0)
	for i := pos; i < len(d); i++ {
		c := d[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '"' || c == '\'':
			inQuote = c
		case c == '>':
			self := i > pos && d[i-1] == '/'
			a := d[pos:i]
			if self {
				a = d[pos : i-1]
			}
			return a, self, i + 1
		}
	}
	return nil, false, -1
}

// attr finds name="value" in a tag's attribute text.
func attr(attrs []byte, name string) (string, bool) {
	for i := 0; i < len(attrs); {
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		ns := i
		for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
			i++
		}
		key := attrs[ns:i]
		for i < len(attrs) && (attrs[i] == '=' || isSpace(attrs[i])) {
			i++
		}
		if i >= len(attrs) {
			return "", false
		}
		q := attrs[i]
		if q != '"' && q != '\'' {
			return "", false
		}
		vs := i + 1
		ve := bytes.IndexByte(attrs[vs:], q)
		if ve < 0 {
			return "", false
		}
		if string(key) == name {
			return unescapeXML(attrs[vs : vs+ve]), true
		}
		i = vs + ve + 1
	}
	return "", false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// columnIndex turns a cell reference ("AB12") into a 0-based column.
func columnIndex(ref string) (int, error) {
	col := 0
	n := 0
	for _, r := range ref {
		if r >= 'A' && r <= 'Z' {
			col = col*26 + int(r-'A'+1)
			n++
			continue
		}
		break
	}
	if n == 0 || n > 3 {
		return 0, fmt.Errorf("bad cell reference %q", ref)
	}
	return col - 1, nil
}

// ColumnName turns a 0-based column into its letters (0 → "A", 27 → "AB").
func ColumnName(col int) string {
	var b [8]byte
	i := len(b)
	for col >= 0 && i > 0 {
		i--
		b[i] = byte('A' + col%26)
		col = col/26 - 1
	}
	return string(b[i:])
}

// elementText returns the raw text of the first element opened by open.
func elementText(d []byte, pos int, open, close []byte) ([]byte, bool) {
	i := indexTag(d, pos, open)
	if i < 0 {
		return nil, false
	}
	_, self, end := tagAttrs(d, i+len(open))
	if end < 0 {
		return nil, false
	}
	if self {
		return nil, true
	}
	k := bytes.Index(d[end:], close)
	if k < 0 {
		return nil, false
	}
	return d[end : end+k], true
}

// names are the tags of the spreadsheetml elements read, with the
// document's namespace prefix: none usually, "x:" from some writers.
type names struct {
	prefix            string
	tOpen, tClose     []byte
	phOpen, phClose   []byte
	rowOpen, rowClose []byte
	cOpen, cClose     []byte
	vOpen, vClose     []byte
	siOpen, siClose   []byte
	sheetDataClose    []byte
}

func newNames(prefix string) *names {
	open := func(n string) []byte { return []byte("<" + prefix + n) }
	close := func(n string) []byte { return []byte("</" + prefix + n + ">") }
	return &names{prefix: prefix,
		tOpen: open("t"), tClose: close("t"),
		phOpen: open("rPh"), phClose: close("rPh"),
		rowOpen: open("row"), rowClose: close("row"),
		cOpen: open("c"), cClose: close("c"),
		vOpen: open("v"), vClose: close("v"),
		siOpen: open("si"), siClose: close("si"),
		sheetDataClose: close("sheetData"),
	}
}

// appendText appends the <t> texts of a string item (plain or rich text) to
// dst, unescaped, leaving out phonetic runs (<rPh>). One pass: a hostile
// item of many runs costs its length, not its length squared.
func (n *names) appendText(dst, d []byte) []byte {
	ph := indexTag(d, 0, n.phOpen)
	for pos := 0; ; {
		i := indexTag(d, pos, n.tOpen)
		if i < 0 {
			return dst
		}
		if ph >= 0 && ph < i {
			k := bytes.Index(d[ph:], n.phClose)
			if k < 0 {
				return dst
			}
			pos = ph + k + len(n.phClose)
			ph = indexTag(d, pos, n.phOpen)
			continue
		}
		_, self, end := tagAttrs(d, i+len(n.tOpen))
		if end < 0 {
			return dst
		}
		if self {
			pos = end
			continue
		}
		k := bytes.Index(d[end:], n.tClose)
		if k < 0 {
			return dst
		}
		dst = appendUnescaped(dst, d[end:end+k])
		pos = end + k + len(n.tClose)
	}
}

// text returns the text of a string item.
func (n *names) text(d []byte) string {
	// One plain run, the usual case, needs no joining buffer.
	if i := indexTag(d, 0, n.tOpen); i >= 0 && !bytes.Contains(d, n.phOpen) {
		if t, ok := elementText(d, i, n.tOpen, n.tClose); ok && indexTag(d, i+len(n.tOpen), n.tOpen) < 0 {
			return unescapeXML(t)
		}
	}
	return string(n.appendText(nil, d))
}

// unescapeXML decodes XML character references and the five entities, and
// normalises line ends as XML does.
func unescapeXML(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return string(b)
	}
	return string(appendUnescaped(make([]byte, 0, len(b)), b))
}

func appendUnescaped(dst, b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return append(dst, b...)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			dst = append(dst, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		if c != '&' {
			dst = append(dst, c)
			continue
		}
		// An entity is short ("&#x10FFFF;"): looking further for its ';'
		// would make a text of many '&' cost its length squared.
		semi := bytes.IndexByte(b[i:min(len(b), i+maxEntity)], ';')
		if semi < 0 {
			dst = append(dst, c)
			continue
		}
		ent := b[i+1 : i+semi]
		switch {
		case string(ent) == "amp":
			dst = append(dst, '&')
		case string(ent) == "lt":
			dst = append(dst, '<')
		case string(ent) == "gt":
			dst = append(dst, '>')
		case string(ent) == "quot":
			dst = append(dst, '"')
		case string(ent) == "apos":
			dst = append(dst, '\'')
		case bytes.HasPrefix(ent, []byte("#x")):
			n, err := strconv.ParseUint(string(ent[2:]), 16, 32)
			if err != nil {
				dst = append(dst, c)
				continue
			}
			dst = utf8.AppendRune(dst, rune(n))
		case bytes.HasPrefix(ent, []byte("#")):
			n, err := strconv.ParseUint(string(ent[1:]), 10, 32)
			if err != nil {
				dst = append(dst, c)
				continue
			}
			dst = utf8.AppendRune(dst, rune(n))
		default:
			dst = append(dst, c)
			continue
		}
		i += semi
	}
	return dst
}
