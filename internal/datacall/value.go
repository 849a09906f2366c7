// Package datacall is CityLens's data call: what a city's focal point enters
// or uploads for an edition, the checks on every value, the XLSX template and
// its upload, the submission workflow, the coverage board and the compute of
// an edition from its accepted values.
//
// It holds rules only; the store packages implement its narrow interfaces.
package datacall

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
)

// Provenance says where a value comes from.
type Provenance struct {
	Source     string `json:"source"`
	DataYear   int    `json:"data_year"`
	MethodNote string `json:"method_note,omitempty"`
	Estimated  bool   `json:"estimated"`
}

// Value is one city's value of one indicator in one edition.
type Value struct {
	Edition   string  `json:"edition"`
	City      string  `json:"city"`
	Indicator string  `json:"indicator"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	Provenance
	Comment string `json:"comment,omitempty"` // the city's explanation (required for a large jump)

	// Kept by the store.
	ReviewComment string    `json:"review_comment,omitempty"` // the reviewer's comment when returned
	UpdatedBy     string    `json:"updated_by,omitempty"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// Key identifies a value within an edition.
type Key struct{ City, Indicator string }

// Key returns the value's key.
func (v *Value) Key() Key { return Key{v.City, v.Indicator} }

// SameEntry reports whether two values carry the same entry (value, unit,
// provenance and comment), so re-uploading a file changes nothing.
func (v *Value) SameEntry(o *Value) bool {
	return v.Value == o.Value && v.Unit == o.Unit && v.Provenance == o.Provenance && v.Comment == o.Comment
}

// Entry is one value as entered: the raw text of a form or of a file row.
type Entry struct {
	Row        int // row in the file (1 = header); 0 for a web form
	City       string
	Indicator  string
	Value      string
	Unit       string
	Source     string
	DataYear   string
	MethodNote string
	Estimated  string
	Comment    string
}

// blank reports whether nothing was entered in the input fields: a template
// row the city left empty.
func (e *Entry) blank() bool {
	return e.Value == "" && e.Source == "" && e.DataYear == "" && e.MethodNote == "" && e.Estimated == "" && e.Comment == ""
}

// Columns, as the template and its uploads name them.
const (
	ColCity       = "city"
	ColIndicator  = "indicator"
	ColValue      = "value"
	ColUnit       = "unit"
	ColSource     = "source"
	ColDataYear   = "data year"
	ColMethodNote = "method note"
	ColEstimated  = "estimated"
	ColComment    = "comment"
)

// A check's problem is a citylens.Problem naming the entry's row (0 on a
// web form), column, city and indicator, worded by catalogue key. A second
// entry for a city and indicator is the problem "dc.problem.duplicate",
// whose first argument is the row of the first: callers that number entries
// otherwise (the JSON API counts them from 0) say where it is.

// ProblemDuplicate is the key of a check's problem that is a second entry
// for a city and indicator; see FirstRow.
const ProblemDuplicate = "dc.problem.duplicate"

// FirstRow reports whether p is a second entry for a city and indicator
// and, if so, the row of the first.
func FirstRow(p citylens.Problem) (int, bool) {
	if p.Key != ProblemDuplicate || len(p.Args) == 0 {
		return 0, false
	}
	row, ok := p.Args[0].(int)
	return row, ok
}

// MaxProblems is how many problems a refused import keeps (the first, in
// row order); the others are only counted. A file of a million bad rows
// thus costs the memory of MaxProblems problems, not of five million.
const MaxProblems = 10000

// refused is the error of entries with problems: EINVALID with the first
// MaxProblems problems (nothing was saved), its English message naming the
// first few; total counts them all (see ProblemTotal).
func refused(ps []citylens.Problem, total int) *citylens.Error {
	e := citylens.Ef(citylens.EINVALID, "dc.error.refused", "%d problem(s); nothing was saved", total)
	e.Message += "; " + citylens.ProblemsSummary(ps, problemText)
	return e.WithProblems(ps...)
}

// ProblemTotal is the number of problems a refused import had, of which
// its error carries the first MaxProblems.
func ProblemTotal(err error) int {
	e := citylens.AsError(err)
	if e == nil {
		return 0
	}
	if e.Key == "dc.error.refused" && len(e.Args) > 0 {
		if n, ok := e.Args[0].(int); ok {
			return n
		}
	}
	return len(e.Problems)
}

// problemText is a check's problem in English, for logs and the CLI.
func problemText(p citylens.Problem) string {
	var b strings.Builder
	if p.Row > 0 {
		fmt.Fprintf(&b, "row %d, ", p.Row)
	}
	fmt.Fprintf(&b, "column %s", p.Column)
	if p.City != "" {
		fmt.Fprintf(&b, ", city %s", p.City)
	}
	if p.Indicator != "" {
		fmt.Fprintf(&b, ", indicator %s", p.Indicator)
	}
	return b.String() + ": " + p.Reason
}

// Limits of free text, so a pasted document does not end up in a cell.
const (
	maxSourceLen  = 500
	maxNoteLen    = 2000
	maxCommentLen = 2000
	maxDataAge    = 10 // years before the reference year
)

// Rules check entries for one edition.
type Rules struct {
	Edition   *catalogue.Edition
	Catalogue map[string]catalogue.Indicator
	// Cities the entries may name (a focal point: their own city only).
	Cities map[string]bool
	// Last holds last edition's values, for the year-on-year check.
	Last map[Key]float64

	inEdition map[string]catalogue.Indicator
	// beforeCheck, set by tests only, is called before CheckEntries checks entry i.
	beforeCheck func(i int)
}

func (r *Rules) init() {
	if r.inEdition != nil {
		return
	}
	r.inEdition = make(map[string]catalogue.Indicator)
	for _, n := range r.Edition.Indicators() {
		r.inEdition[n.Code] = r.Catalogue[n.Code]
	}
}

// Check turns an entry into a value. ok is false for a blank entry (nothing
// entered) and for an entry with errors, which are all returned.
func (r *Rules) Check(e Entry) (v Value, ok bool, errs []citylens.Problem) {
	r.init()
	city, code := strings.TrimSpace(e.City), strings.TrimSpace(e.Indicator)
	// format is the English text of key.
	fail := func(col, key, format string, args ...any) {
		errs = append(errs, citylens.Problem{Row: e.Row, Column: col, City: city, Indicator: code}.Keyed(key, format, args...))
	}
	if city == "" {
		fail(ColCity, "dc.problem.city_missing", "missing: name the city by its code")
	} else if !r.Cities[city] {
		fail(ColCity, "dc.problem.city_not_yours", "city %q is not one you may enter data for", city)
	}
	ind, known := r.inEdition[code]
	if code == "" {
		fail(ColIndicator, "dc.problem.indicator_missing", "missing: name the indicator by its code")
	} else if !known {
		fail(ColIndicator, "dc.problem.indicator_not_in_edition", "indicator %q is not part of edition %s", code, r.Edition.Code)
	}
	if e.blank() {
		return v, false, errs
	}
	v = Value{Edition: r.Edition.Code, City: city, Indicator: code}

	raw := strings.TrimSpace(e.Value)
	switch x, err := parseNumber(raw); {
	case raw == "":
		fail(ColValue, "dc.problem.value_missing", "missing: a value is required when source, year or comment are filled in")
	case err != nil:
		fail(ColValue, "dc.problem.not_a_number", "%q is not a number (use digits, a dot for decimals, no thousands separators)", raw)
	case math.Abs(x) > MaxMagnitude:
		fail(ColValue, "dc.problem.absurd", "%s is too large to be a measured value (no city's indicator exceeds a million billion, 1e15): check the number and its unit", strconv.FormatFloat(x, 'g', 6, 64))
	default:
		v.Value = x
		if known && !ind.InRange(x) {
			fail(ColValue, "dc.problem.out_of_range", "%s is outside the valid range (%s)", strconv.FormatFloat(x, 'g', -1, 64), ind.RangePhrase())
		}
	}
	v.Unit = strings.TrimSpace(e.Unit)
	if known && !strings.EqualFold(v.Unit, ind.Unit) {
		if v.Unit == "" {
			fail(ColUnit, "dc.problem.unit_missing", "missing: the indicator's unit is %q", ind.Unit)
		} else {
			fail(ColUnit, "dc.problem.unit_mismatch", "%q does not match the indicator's unit %q: convert the value to %q", v.Unit, ind.Unit, ind.Unit)
		}
	}
	if known {
		v.Unit = ind.Unit
	}
	v.Source = strings.TrimSpace(e.Source)
	switch {
	case v.Source == "":
		fail(ColSource, "dc.problem.source_missing", "missing: say where the value comes from")
	case utf8.RuneCountInString(v.Source) > maxSourceLen:
		fail(ColSource, "dc.problem.too_long", "longer than %d characters", maxSourceLen)
	}
	yr := strings.TrimSpace(e.DataYear)
	ref := r.Edition.ReferenceYear
	if y, err := parseYear(yr); yr == "" {
		fail(ColDataYear, "dc.problem.year_missing", "missing: give the year the data describe")
	} else if err != nil {
		fail(ColDataYear, "dc.problem.not_a_year", "%q is not a year", yr)
	} else if y > ref {
		fail(ColDataYear, "dc.problem.year_after", "%d is after the edition's reference year %d", y, ref)
	} else if y < ref-maxDataAge {
		fail(ColDataYear, "dc.problem.year_too_old", "%d is more than %d years before the reference year %d", y, maxDataAge, ref)
	} else {
		v.DataYear = y
	}
	v.MethodNote = strings.TrimSpace(e.MethodNote)
	if utf8.RuneCountInString(v.MethodNote) > maxNoteLen {
		fail(ColMethodNote, "dc.problem.too_long", "longer than %d characters", maxNoteLen)
	}
	est, err := parseYesNo(e.Estimated)
	if err != nil {
		fail(ColEstimated, "dc.problem.not_yes_no", "%q is not yes or no", strings.TrimSpace(e.Estimated))
	}
	v.Estimated = est
	v.Comment = strings.TrimSpace(e.Comment)
	if utf8.RuneCountInString(v.Comment) > maxCommentLen {
		fail(ColComment, "dc.problem.too_long", "longer than %d characters", maxCommentLen)
	}
	if last, had := r.Last[Key{city, code}]; had && raw != "" && v.Comment == "" && len(errs) == 0 {
		if isJump(last, v.Value, r.Edition.JumpThreshold) {
			from, to := strconv.FormatFloat(last, 'g', 10, 64), strconv.FormatFloat(v.Value, 'g', 10, 64)
			if last == 0 {
				fail(ColComment, "dc.problem.jump_from_zero", "the value changes from last edition's %s to %s (any change from zero needs one): explain the change in a comment", from, to)
			} else {
				fail(ColComment, "dc.problem.jump", "the value changes from last edition's %s to %s (%s, more than %s): explain the change in a comment",
					from, to, changeText(last, v.Value), percent(r.Edition.JumpThreshold))
			}
		}
	}
	return v, len(errs) == 0, errs
}

// isJump reports whether the change from last to v exceeds threshold, a
// fraction of |last|. From 0, any change is a jump.
func isJump(last, v, threshold float64) bool {
	if last == 0 {
		return v != 0
	}
	return math.Abs(v-last)/math.Abs(last) > threshold
}

// changeText words a change from last (not 0) to v for a reader: a
// percentage up to 10,000 %, then how many times as much ("2.5e+06 times
// as much", never a percentage hundreds of digits long).
func changeText(last, v float64) any {
	rel := math.Abs(v-last) / math.Abs(last)
	if rel < 100 {
		return percent(rel)
	}
	return citylens.Phrasef("dc.change.times", "%s times as much", strconv.FormatFloat(math.Abs(v/last), 'g', 3, 64))
}

func percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%"
}

func parseNumber(s string) (float64, error) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("not a number")
	}
	// ParseFloat accepts hex floats and underscores; a city's data should not.
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E') {
			return 0, fmt.Errorf("not a number")
		}
	}
	return x, nil
}

// parseYear accepts "2024" and, as spreadsheets store numbers, "2024.0".
func parseYear(s string) (int, error) {
	if y, err := strconv.Atoi(s); err == nil {
		return y, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > 9999 {
		return 0, fmt.Errorf("not a year")
	}
	return int(f), nil
}

func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "n", "false", "0":
		return false, nil
	case "yes", "y", "true", "1", "x":
		return true, nil
	}
	return false, fmt.Errorf("not yes or no")
}

// Change is one value to write: Old is nil for a new value.
type Change struct {
	Old *Value
	New Value
}

// Plan checks every entry and compares it with the current values. Any
// invalid entry makes Plan return an EINVALID error with every problem and
// no changes; otherwise it returns the changes to write and how many entries
// equal the stored value (a second upload of the same file has no changes).
func Plan(entries []Entry, r *Rules, current map[Key]Value) (changes []Change, unchanged int, err error) {
	c, err := CheckEntries(entries, r)
	if err != nil {
		return nil, 0, err
	}
	changes, unchanged = c.Diff(current)
	return changes, unchanged, nil
}

// Checked holds entries that passed every check, as values.
type Checked struct {
	Values []Value
}

// CheckEntries checks every entry (see Plan): any invalid entry, or two entries of
// the same city and indicator, make it return an EINVALID error with every
// problem. It needs no database, so the service runs it before its write
// transaction.
func CheckEntries(entries []Entry, r *Rules) (*Checked, error) {
	type checked struct {
		v       Value
		ok      bool
		errs    []citylens.Problem
		dropped int // problems counted but not kept
	}
	// Checking is pure: large uploads are checked in parts at once.
	r.init()
	out := make([]checked, len(entries))
	parts := 1
	if len(entries) >= 20000 {
		parts = min(runtime.GOMAXPROCS(0), 8)
	}
	var wg sync.WaitGroup
	var wp workerPanic
	counts := make([]int, parts)
	for k := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wp.catch("checking entries")
			for i := k * len(entries) / parts; i < (k+1)*len(entries)/parts && !wp.stopped(); i++ {
				if r.beforeCheck != nil {
					r.beforeCheck(i)
				}
				c := &out[i]
				c.v, c.ok, c.errs = r.Check(entries[i])
				// Each part keeps its first MaxProblems problems and counts the rest.
				if n := len(c.errs); n > 0 {
					counts[k] += n
					if counts[k] > MaxProblems {
						c.dropped = n
						c.errs = nil
					}
				}
			}
		}()
	}
	wg.Wait()
	if wp.err != nil {
		return nil, wp.err
	}

	var errs []citylens.Problem
	total := 0
	keep := func(ps ...citylens.Problem) {
		total += len(ps)
		if n := min(len(ps), MaxProblems-len(errs)); n > 0 {
			errs = append(errs, ps[:n]...)
		}
	}
	seen := make(map[Key]int, len(entries))
	vals := make([]Value, 0, len(entries))
	for i := range out {
		c := &out[i]
		keep(c.errs...)
		total += c.dropped
		c.errs = nil
		if !c.ok {
			continue
		}
		v, row := c.v, entries[i].Row
		k := v.Key()
		if prev, dup := seen[k]; dup {
			keep(citylens.Problem{Row: row, Column: ColIndicator, City: v.City, Indicator: v.Indicator}.Keyed(
				ProblemDuplicate, "a second value for this city and indicator (first on row %d)", prev))
			continue
		}
		seen[k] = row
		if total > 0 {
			continue // no need to keep values that will not be written
		}
		vals = append(vals, v)
	}
	if total > 0 {
		return nil, refused(errs, total)
	}
	return &Checked{Values: vals}, nil
}

// Diff compares the checked values with the current ones: the changes to
// write, and how many values equal the stored ones.
func (c *Checked) Diff(current map[Key]Value) (changes []Change, unchanged int) {
	changes = make([]Change, 0, len(c.Values))
	for _, v := range c.Values {
		if old, had := current[v.Key()]; had {
			if old.SameEntry(&v) {
				unchanged++
				continue
			}
			changes = append(changes, Change{Old: &old, New: v})
		} else {
			changes = append(changes, Change{New: v})
		}
	}
	return changes, unchanged
}
