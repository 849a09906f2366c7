package prize

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Attachment limits. A file is read in chunks of ChunkBytes into the
// store's staged file, so an upload holds a chunk in memory, never the file.
const (
	MaxAttachmentBytes = 10 << 20 // one file
	MaxAppBytes        = 40 << 20 // all the files of one application
	MaxAppFiles        = 12       // all the files of one application
	ChunkBytes         = 256 << 10
	MaxFileName        = 200
)

// Accepted attachment types, by content.
var AttachmentTypes = []string{"application/pdf", "image/png", "image/jpeg", "image/webp"}

// SniffType is the type of a file's first bytes, "" if it is none of the
// accepted ones. The name plays no part: a PDF renamed .png is a PDF, and
// a zip (an office document, or a zip bomb) is refused whatever its name.
func SniffType(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return "image/webp"
	}
	return ""
}

// refuseType is the error for a file of a type not accepted.
func refuseType(head []byte) error {
	return citylens.Ef(citylens.EUNSUPPORTED, "prize.error.file_type",
		"this file is %s: attach PDF, PNG, JPEG or WebP files", http.DetectContentType(head))
}

// CleanFileName keeps a file's base name, printable and bounded.
func CleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '"' || r == utf8.RuneError {
			continue
		}
		b.WriteRune(r)
	}
	s := strings.TrimSpace(b.String())
	if s == "" || s == "." || s == "/" {
		s = "file"
	}
	if len(s) > MaxFileName {
		s = s[:MaxFileName]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// StreamFile copies a file from r to w in chunks of ChunkBytes, holding
// one chunk in memory: the first bytes must be of an accepted type (checked
// before anything is written), and a file of more than limit bytes is
// refused with tooLarge's error. It returns the file's type and size.
// Prize attachments and the follow-up's evidence files are streamed
// through it alike, into a store's staged file (which hashes them).
func StreamFile(r io.Reader, limit int64, tooLarge func() error, w io.Writer) (string, int64, error) {
	head := make([]byte, ChunkBytes)
	n, err := io.ReadFull(r, head)
	if err := readError(err); err != nil {
		return "", 0, err
	}
	if n == 0 {
		return "", 0, citylens.Ef(citylens.EINVALID, "prize.error.file_empty", "the file is empty")
	}
	typ := SniffType(head[:n])
	if typ == "" {
		return "", 0, refuseType(head[:n])
	}
	var size int64
	buf := head[:n]
	for len(buf) > 0 {
		size += int64(len(buf))
		if size > limit {
			return "", 0, tooLarge()
		}
		if _, err := w.Write(buf); err != nil {
			return "", 0, citylens.Errorf(citylens.EINTERNAL, "files: write: %v", err)
		}
		buf = head[:cap(head)]
		n, err := io.ReadFull(r, buf)
		buf = buf[:n]
		if err := readError(err); err != nil {
			return "", 0, err
		}
	}
	return typ, size, nil
}

// readError is a read's error worth refusing the file for (nil at the
// file's end).
func readError(err error) error {
	if err == nil || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return nil
	}
	if citylens.AsError(err) != nil {
		return err
	}
	return citylens.Ef(citylens.EINVALID, "prize.error.file_read", "the file could not be read: %s", err.Error())
}
