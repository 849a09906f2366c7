// Package xlsx reads the cell values of XLSX workbooks (Office Open XML
// spreadsheets) as uploads need them: sheet by sheet and row by row,
// streaming each part out of the zip archive, within Limits that bound what
// a hostile file can cost.
//
// Only values are read: numbers as stored (no number formats), shared and
// inline strings, booleans as 1/0, formulas by their cached value.
//
// Memory while reading is bounded by the limits, never by a size the file
// declares: the shared-string table (MaxSharedStringBytes of text and 4
// bytes a string), one row's or one shared string's XML (MaxElementBytes)
// and one row's cells (MaxColumns). Time is bounded by MaxUnzippedBytes,
// the bytes decompressed and scanned; MaxExpansion refuses a zip bomb
// before any of it is read.
package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/citylens/citylens"
)

// Limits bound what reading one workbook may cost. A zero field allows
// nothing: take LimitsFor's and change what needs changing.
type Limits struct {
	// MaxUnzippedBytes bounds the decompressed bytes of every part read,
	// together: the time a workbook can take.
	MaxUnzippedBytes int64
	// MaxExpansion bounds how many times a part larger than 1 MB may
	// expand over its compressed size. XML deflates 5 to 20 times; a zip
	// bomb, up to 1,000.
	MaxExpansion int64
	// MaxSharedStrings and MaxSharedStringBytes bound the shared-string
	// table, the one part held in memory whole.
	MaxSharedStrings     int
	MaxSharedStringBytes int64
	// MaxRows and MaxColumns bound a sheet's row numbers and columns;
	// MaxCells bounds the cells read from one sheet.
	MaxRows    int
	MaxColumns int
	MaxCells   int64
	// MaxParts bounds the files of the zip archive, checked from its end
	// record before the directory is read (each entry costs memory).
	MaxParts int
	// MaxElementBytes bounds the XML of one row or one shared string, and
	// of the workbook's small parts (its sheet list and relationships),
	// which are held whole while they are read.
	MaxElementBytes int
}

// LimitsFor returns the limits for uploads of at most maxUpload bytes.
//
// The data-call template of 1,000 cities × 300 indicators is a 21 MB file
// whose sheet expands 12 times to 257 MB, of 4.2 million cells (5
// compressed bytes a cell); the sheet format itself stops at 1,048,576
// rows and 16,384 columns (XFD). So a workbook may expand to 16 times the
// upload limit, hold as many shared strings as a template of that size
// has cells (one every 16 bytes) and as much shared text as the limit,
// and a sheet a cell every 4 bytes of the limit.
func LimitsFor(maxUpload int64) Limits {
	return Limits{
		MaxUnzippedBytes:     maxUpload * 16,
		MaxExpansion:         100,
		MaxSharedStrings:     int(min(maxUpload/16, math.MaxInt32)),
		MaxSharedStringBytes: maxUpload,
		MaxRows:              1 << 20,
		MaxColumns:           1 << 14,
		MaxCells:             maxUpload / 4,
		MaxElementBytes:      4 << 20,
		MaxParts:             10000,
	}
}

// zipEntries is the number of files the zip archive's end record declares
// (-1 when there is no end record: zip.NewReader will say so). A count of
// 0xFFFF means a ZIP64 archive, which no workbook needs: it counts as too
// many.
func zipEntries(data []byte) int {
	const eocd, eocdLen = "PK\x05\x06", 22
	from := max(0, len(data)-(eocdLen+0xFFFF)) // the record, then a comment of up to 64 KiB
	i := bytes.LastIndex(data[from:], []byte(eocd))
	if i < 0 || from+i+eocdLen > len(data) {
		return -1
	}
	rec := data[from+i:]
	return int(rec[10]) | int(rec[11])<<8 // total entries in the directory
}

// expansionFloor is the size under which a part's expansion is not checked:
// small parts of repeated markup may deflate very well and cost little.
const expansionFloor = 1 << 20

// Workbook is an opened workbook. It is not safe for concurrent use.
type Workbook struct {
	lim      Limits
	parts    map[string]*zip.File
	sheets   map[string]string // sheet name → part
	order    []string          // sheet names in workbook order
	shared   sharedStrings
	unzipped int64 // bytes decompressed so far, of every part
}

// sharedStrings is the shared-string table, held in blocks so that it
// grows without copying what it holds: 4 bytes a string (where it ends in
// the text of every string one after the other) rather than a 16-byte
// string header, and cells take substrings of the text, not copies.
type sharedStrings struct {
	blocks []string   // the text, each block holding whole strings
	starts []uint32   // where each block starts in the text
	ends   [][]uint32 // where each string ends in the text, endsBlock a block
	n      int
}

const (
	endsShift = 16
	endsBlock = 1 << endsShift
	textBlock = 1 << 20 // the largest text block but for a longer string
)

// total returns the bytes of text held.
func (t *sharedStrings) total() uint32 {
	if t.n == 0 {
		return 0
	}
	return t.end(t.n - 1)
}

func (t *sharedStrings) end(i int) uint32 { return t.ends[i>>endsShift][i&(endsBlock-1)] }

func (t *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= t.n {
		return "", false
	}
	start, end := uint32(0), t.end(i)
	if i > 0 {
		start = t.end(i - 1)
	}
	if start == end {
		return "", true
	}
	k, found := slices.BinarySearch(t.starts, start)
	if !found {
		k--
	}
	return t.blocks[k][start-t.starts[k] : end-t.starts[k]], true
}

// sharedBuilder fills a sharedStrings.
type sharedBuilder struct {
	t     sharedStrings
	cur   []byte // the text block being filled
	total uint32
}

func (b *sharedBuilder) add(s []byte) {
	if len(b.cur)+len(s) > cap(b.cur) {
		b.flush()
		// Blocks grow with the text, from 4 KB to textBlock.
		b.cur = make([]byte, 0, max(len(s), min(textBlock, max(4<<10, int(b.total)))))
	}
	b.cur = append(b.cur, s...)
	b.total += uint32(len(s))
	if b.t.n%endsBlock == 0 {
		// The first block grows from 1,024 ends, for the small tables of
		// most workbooks; the next ones are whole from the start.
		b.t.ends = append(b.t.ends, make([]uint32, 0, min(endsBlock, max(1<<10, b.t.n))))
	}
	last := len(b.t.ends) - 1
	if blk := b.t.ends[last]; len(blk) == cap(blk) {
		b.t.ends[last] = append(make([]uint32, 0, min(2*cap(blk), endsBlock)), blk...)
	}
	b.t.ends[last] = append(b.t.ends[last], b.total)
	b.t.n++
}

func (b *sharedBuilder) flush() {
	if len(b.cur) > 0 {
		b.t.blocks = append(b.t.blocks, string(b.cur))
		b.t.starts = append(b.t.starts, b.total-uint32(len(b.cur)))
	}
	b.cur = nil
}

// Open reads a workbook's sheet list and shared strings; sheets are read
// when asked for. Every error is a *citylens.Error of code EINVALID that
// says what is wrong or what was too large.
func Open(data []byte, lim Limits) (*Workbook, error) {
	if n := zipEntries(data); lim.MaxParts > 0 && n >= lim.MaxParts {
		return nil, unreadable("the archive declares %d files, more than the limit of %d", n, lim.MaxParts)
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, unreadable("it is not a zip archive (%v)", err)
	}
	b := &Workbook{lim: lim, parts: make(map[string]*zip.File, len(z.File)), sheets: map[string]string{}}
	for _, f := range z.File {
		if _, dup := b.parts[f.Name]; !dup {
			b.parts[f.Name] = f
		}
	}
	wb, err := b.small("xl/workbook.xml")
	if err != nil {
		return nil, err
	}
	rels, err := b.small("xl/_rels/workbook.xml.rels")
	if err != nil {
		return nil, err
	}
	var w struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wb, &w); err != nil {
		return nil, unreadable("xl/workbook.xml is malformed (%v)", err)
	}
	var r struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
			Type   string `xml:"Type,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(rels, &r); err != nil {
		return nil, unreadable("xl/_rels/workbook.xml.rels is malformed (%v)", err)
	}
	target := map[string]string{}
	sharedPath := ""
	for _, rel := range r.Rels {
		p := rel.Target
		if strings.HasPrefix(p, "/") {
			p = strings.TrimPrefix(p, "/")
		} else {
			p = path.Join("xl", p)
		}
		target[rel.ID] = p
		if strings.HasSuffix(rel.Type, "/sharedStrings") {
			sharedPath = p
		}
	}
	for _, s := range w.Sheets {
		if _, dup := b.sheets[s.Name]; dup {
			continue
		}
		if p, ok := target[s.ID]; ok {
			b.sheets[s.Name] = p
			b.order = append(b.order, s.Name)
		}
	}
	if sharedPath != "" {
		if err := b.readShared(sharedPath); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Sheets returns the names of the sheets, in workbook order.
func (b *Workbook) Sheets() []string { return b.order }

// HasSheet says whether the workbook has a sheet of that name.
func (b *Workbook) HasSheet(name string) bool {
	_, ok := b.sheets[name]
	return ok
}

// Unzipped returns how many bytes have been decompressed so far.
func (b *Workbook) Unzipped() int64 { return b.unzipped }

func invalid(format string, args ...any) error {
	return citylens.Errorf(citylens.EINVALID, format, args...)
}

func unreadable(format string, args ...any) error {
	return citylens.Errorf(citylens.EINVALID, "the file is not a readable XLSX workbook: "+format, args...)
}

// sizeText writes a size as people read it: "64 MB", "766 KB".
func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(1, n>>10))
}

// readErr turns an error reading a part into a clear one; limit errors are
// clear already.
func readErr(name string, err error) error {
	var ce *citylens.Error
	if errors.As(err, &ce) {
		return err
	}
	return unreadable("%s is damaged (%v)", name, err)
}

// open opens a part for reading, refusing at once a part whose declared
// size exceeds what is left of the budget or expands too much; the reader
// holds the budget however much the part really expands.
func (b *Workbook) open(name string) (io.ReadCloser, error) {
	f, ok := b.parts[name]
	if !ok {
		return nil, unreadable("it has no part %s", name)
	}
	left := b.lim.MaxUnzippedBytes - b.unzipped
	if f.UncompressedSize64 > uint64(max(0, left)) {
		return nil, b.tooBig(name)
	}
	if err := b.checkExpansion(name, int64(f.UncompressedSize64), f.CompressedSize64); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, readErr(name, err)
	}
	return &budgeted{rc: rc, b: b, name: name, compressed: f.CompressedSize64}, nil
}

func (b *Workbook) tooBig(name string) error {
	return invalid("the workbook is too large: its parts expand to more than %s (at %s)", sizeText(b.lim.MaxUnzippedBytes), name)
}

func (b *Workbook) checkExpansion(name string, unzipped int64, compressed uint64) error {
	if unzipped <= expansionFloor || uint64(unzipped)/max(compressed, 1) <= uint64(b.lim.MaxExpansion) {
		return nil
	}
	return invalid("the workbook is too large: %s expands %d times, from %s to %s; a part may expand at most %d times",
		name, uint64(unzipped)/max(compressed, 1), sizeText(int64(compressed)), sizeText(unzipped), b.lim.MaxExpansion)
}

// budgeted counts the bytes a part decompresses to against the workbook's
// limits, whatever sizes the zip declares.
type budgeted struct {
	rc         io.ReadCloser
	b          *Workbook
	name       string
	n          int64
	compressed uint64
}

func (r *budgeted) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	left := r.b.lim.MaxUnzippedBytes - r.b.unzipped
	if left < 0 {
		return 0, r.b.tooBig(r.name)
	}
	if int64(len(p)) > left+1 {
		p = p[:left+1] // one byte more tells a part that ends at the limit from one that goes over
	}
	n, err := r.rc.Read(p)
	r.n += int64(n)
	r.b.unzipped += int64(n)
	if r.b.unzipped > r.b.lim.MaxUnzippedBytes {
		return 0, r.b.tooBig(r.name)
	}
	if err := r.b.checkExpansion(r.name, r.n, r.compressed); err != nil {
		return 0, err
	}
	return n, err
}

func (r *budgeted) Close() error { return r.rc.Close() }

// small reads one of the workbook's small parts whole.
func (b *Workbook) small(name string) ([]byte, error) {
	rc, err := b.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	max := int64(b.lim.MaxElementBytes)
	// ReadAll grows its buffer as data arrives, not from a declared size.
	d, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, readErr(name, err)
	}
	if int64(len(d)) > max {
		return nil, invalid("the workbook is too large: %s is larger than %s", name, sizeText(max))
	}
	return d, nil
}

// readShared reads the shared-string table, item by item.
func (b *Workbook) readShared(name string) error {
	rc, err := b.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newStream(rc, b.lim.MaxElementBytes)
	prefix, self, found, err := s.findStart("sst")
	if err != nil {
		return b.sharedErr(name, 0, err)
	}
	if !found || self {
		return nil
	}
	n := newNames(prefix)
	maxBytes := min(b.lim.MaxSharedStringBytes, math.MaxUint32) // ends are uint32
	var t sharedBuilder
	var item []byte
	for {
		_, content, ok, err := s.next(n.siOpen, n.siClose, nil)
		if err != nil {
			return b.sharedErr(name, t.t.n, err)
		}
		if !ok {
			break
		}
		if t.t.n >= b.lim.MaxSharedStrings {
			return invalid("the workbook is too large: it has more than %d shared strings", b.lim.MaxSharedStrings)
		}
		item = n.appendText(item[:0], content)
		if int64(t.total)+int64(len(item)) > maxBytes {
			return invalid("the workbook is too large: its shared strings hold more than %s of text", sizeText(maxBytes))
		}
		t.add(item)
	}
	t.flush()
	b.shared = t.t
	return nil
}

func (b *Workbook) sharedErr(name string, i int, err error) error {
	switch {
	case errors.Is(err, errTooLarge):
		return invalid("the workbook is too large: shared string %d is more than %s of XML", i, sizeText(int64(b.lim.MaxElementBytes)))
	case errors.Is(err, errUnterminated):
		return unreadable("%s: shared string %d has no end tag", name, i)
	}
	return readErr(name, err)
}
