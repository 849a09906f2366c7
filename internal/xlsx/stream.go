package xlsx

import (
	"bytes"
	"errors"
	"io"
)

var (
	errTooLarge     = errors.New("element too large")
	errUnterminated = errors.New("element without an end")
)

// streamChunk is the buffer a part is read through; it grows, up to the
// element limit, only for an element that does not fit.
const streamChunk = 128 << 10

// stream holds the unread text of a part, reading more as elements need it:
// never more than one element and a chunk, whatever size the part declares.
type stream struct {
	r        io.Reader
	buf      []byte
	pos, end int // the unread text is buf[pos:end]
	eof      bool
	max      int // the largest element
}

func newStream(r io.Reader, maxElement int) *stream {
	return &stream{r: r, buf: make([]byte, min(streamChunk, max(maxElement, 64))), max: maxElement}
}

// more moves the unread text to the front of buf and reads after it until
// buf is full, growing buf (twice the size, so that an element that does
// not fit is scanned again a few times only) when the unread text fills
// it. It returns false at the end of the part; errTooLarge when the unread
// text, the element being read, already holds the limit.
func (s *stream) more() (bool, error) {
	if s.eof {
		return false, nil
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max {
			return false, errTooLarge
		}
		grown := make([]byte, min(2*len(s.buf), s.max))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	start := s.end
	for s.end < len(s.buf) {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if errors.Is(err, io.EOF) {
			s.eof = true
			break
		}
		if err != nil {
			return false, err
		}
	}
	return s.end > start, nil
}

// findStart finds the start tag of the element of the given local name
// (such as "sheetData"), with any namespace prefix ("x:"), walking the
// tags before it. It returns the prefix, whether the element closes itself,
// and false when the part has no such element.
func (s *stream) findStart(local string) (prefix string, self, found bool, err error) {
	const maxName = 256
	for {
		d := s.buf[s.pos:s.end]
		i := bytes.IndexByte(d, '<')
		if i < 0 {
			s.pos = s.end
			if ok, err := s.more(); !ok || err != nil {
				return "", false, false, err
			}
			continue
		}
		j := i + 1
		for j < len(d) && j-i <= maxName && !isSpace(d[j]) && d[j] != '>' && d[j] != '/' {
			j++
		}
		if j == len(d) && !s.eof {
			s.pos += i // the name may go on: read on from its '<'
			if _, err := s.more(); err != nil {
				return "", false, false, err
			}
			continue
		}
		name := d[i+1 : j]
		if bytes.HasSuffix(name, []byte(local)) {
			p := name[:len(name)-len(local)]
			if len(p) == 0 || p[len(p)-1] == ':' && bytes.IndexByte(p, ':') == len(p)-1 {
				prefix := string(p) // before more moves the text
				for {
					_, self, end := tagAttrs(d, j)
					if end >= 0 {
						s.pos += end
						return prefix, self, true, nil
					}
					s.pos += i
					j -= i
					ok, err := s.more()
					if err != nil {
						return "", false, false, err
					}
					if !ok {
						return "", false, false, errUnterminated
					}
					i, d = 0, s.buf[s.pos:s.end]
				}
			}
		}
		s.pos += j
	}
}

// next finds the next element opened by open (such as "<row") before the
// end tag stop (the parent's, or nil) and returns its attribute text and
// its content (nil when it closes itself), valid until the next call; found
// is false at stop or at the end of the part. With errTooLarge or
// errUnterminated, attrs is the element's attribute text when its start
// tag was read whole.
func (s *stream) next(open, close, stop []byte) (attrs, content []byte, found bool, err error) {
	for {
		d := s.buf[s.pos:s.end]
		i := indexTag(d, 0, open)
		gap := d
		if i >= 0 {
			gap = d[:i]
		}
		if stop != nil && bytes.Contains(gap, stop) {
			return nil, nil, false, nil
		}
		if i >= 0 {
			s.pos += i
			break
		}
		// Keep what may be a tag cut by the end of the buffer.
		s.pos = max(s.pos, s.end-max(len(open), len(stop)))
		if ok, err := s.more(); !ok || err != nil {
			return nil, nil, false, err
		}
	}
	// The element's text is buf[pos:], its attributes [len(open):attrsEnd]:
	// offsets, as more moves the text.
	attrsEnd, tagEnd := 0, -1
	for {
		d := s.buf[s.pos:s.end]
		a, self, end := tagAttrs(d, len(open))
		if end >= 0 {
			if self {
				s.pos += end
				return a, nil, true, nil
			}
			attrsEnd, tagEnd = len(open)+len(a), end
			break
		}
		ok, err := s.more()
		if err == nil && !ok {
			err = errUnterminated
		}
		if err != nil {
			return nil, nil, false, err
		}
	}
	from := tagEnd
	for {
		d := s.buf[s.pos:s.end]
		if k := bytes.Index(d[from:], close); k >= 0 {
			s.pos += from + k + len(close)
			return d[len(open):attrsEnd], d[tagEnd : from+k], true, nil
		}
		from = max(tagEnd, len(d)-len(close)+1)
		ok, err := s.more()
		if err == nil && !ok {
			err = errUnterminated
		}
		if err != nil {
			return s.buf[s.pos+len(open) : s.pos+attrsEnd], nil, false, err
		}
	}
}
