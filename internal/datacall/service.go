package datacall

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
)

// Audit vocabulary of the data call.
const (
	AuditValue      = "datacall.value" // entity type of a value; see ValueEntityID
	AuditSubmission = "datacall.submission"
	AuditRelease    = "release.draft"
)

// ValueEntityID names a value in the audit log: "2026/kr-seoul/EC-ICT-ICT-1C".
func ValueEntityID(edition, city, indicator string) string {
	return edition + "/" + city + "/" + indicator
}

// Service runs the data call: imports, transitions and computes, each in
// one transaction with its audit entries.
type Service struct {
	Store     Store
	Catalogue interface {
		catalogue.Store
		catalogue.EditionStore
	}
	Audit auditlog.Store
	Now   func() time.Time
	// Calls, if set, keeps loaded calls between requests (see CallCache).
	Calls *CallCache
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Call is an edition with what checking its values needs. A loaded call
// may be shared between requests (see CallCache): read it, never change it.
type Call struct {
	Edition   *catalogue.Edition
	Catalogue map[string]catalogue.Indicator

	inEdition map[string]catalogue.Indicator // the edition's indicators
}

// LoadCall loads an edition and the catalogue, from s.Calls when set.
func (s *Service) LoadCall(ctx context.Context, edition string) (*Call, error) {
	if s.Calls == nil {
		return s.loadCall(ctx, edition)
	}
	versions, _ := s.Catalogue.(CatalogueVersioner)
	return s.Calls.get(ctx, edition, versions, s.loadCall)
}

func (s *Service) loadCall(ctx context.Context, edition string) (*Call, error) {
	e, err := s.Catalogue.Edition(ctx, edition)
	if err != nil {
		return nil, err
	}
	inds, err := s.Catalogue.Indicators(ctx)
	if err != nil {
		return nil, err
	}
	return newCall(e, inds), nil
}

// rules are the checks of call's values.
func (c *Call) rules(cities map[string]bool, last map[Key]float64) *Rules {
	return &Rules{Edition: c.Edition, Catalogue: c.Catalogue, Cities: cities, Last: last, inEdition: c.inEdition}
}

// LastValues returns last edition's values of the given cities (all of the
// previous edition when cities holds more than one).
func (s *Service) LastValues(ctx context.Context, e *catalogue.Edition, cities []CityRef) (map[Key]float64, error) {
	return s.lastValues(ctx, e, cities, nil)
}

// lastValues is LastValues, of the given indicators only when indicators
// is not nil and cities holds one city.
func (s *Service) lastValues(ctx context.Context, e *catalogue.Edition, cities []CityRef, indicators []string) (map[Key]float64, error) {
	out := map[Key]float64{}
	if e.PreviousEdition == "" || len(cities) == 0 {
		return out, nil
	}
	var vals []Value
	var err error
	if len(cities) == 1 {
		vals, err = s.cityValues(ctx, e.PreviousEdition, cities[0].Code, indicators)
	} else {
		vals, err = s.Store.EditionValues(ctx, e.PreviousEdition)
	}
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		out[v.Key()] = v.Value
	}
	return out, nil
}

// maxKeyedRead is the most indicators a save of one city's values reads
// one by one (see CityValuesOfStore) instead of reading the city's every
// value.
const maxKeyedRead = 64

// cityValues reads a city's values of indicators, or all of them when
// indicators is nil or the store cannot read chosen ones.
func (s *Service) cityValues(ctx context.Context, edition, city string, indicators []string) ([]Value, error) {
	if indicators != nil {
		if st, ok := s.Store.(CityValuesOfStore); ok {
			return st.CityValuesOf(ctx, edition, city, indicators)
		}
	}
	return s.Store.CityValues(ctx, edition, city)
}

// entryIndicators lists the indicator codes entries name, once each.
func entryIndicators(entries []Entry) []string {
	out := make([]string, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for _, en := range entries {
		if c := strings.TrimSpace(en.Indicator); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// ImportResult says what an import or a form save changed.
type ImportResult struct {
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

// Upload parses an uploaded template or CSV and imports it (see Import).
//
// The file is not read at all when the submission cannot take it (a
// city's submitted or accepted data, a closed call), and reading stops at
// more rows with values than cities × indicators, which no valid file has.
func (s *Service) Upload(ctx context.Context, a Actor, edition string, cities []CityRef, name string, data []byte) (ImportResult, error) {
	call, err := s.LoadCall(ctx, edition)
	if err != nil {
		return ImportResult{}, err
	}
	if len(cities) == 1 {
		states, err := s.states(ctx, edition, cities)
		if err != nil {
			return ImportResult{}, err
		}
		if err := Allowed(a, cities[0], ActionEdit, states[cities[0].Code], call.Edition.CallOpen(s.now())); err != nil {
			return ImportResult{}, citylens.Ef(citylens.ErrorCode(err), "dc.error.of_city", "%s: %s", cities[0].Code, citylens.MessageArg(err))
		}
	}
	p, err := parseUpload(ctx, name, data, DefaultMaxUploadBytes, max(1, len(cities)*len(call.inEdition)))
	if err != nil {
		return ImportResult{}, err
	}
	if p.Edition != "" && p.Edition != edition {
		return ImportResult{}, citylens.Ef(citylens.EINVALID, "dc.error.other_edition", "this workbook is the template of edition %s, not %s: download the template of edition %s", p.Edition, edition, edition)
	}
	if len(p.Entries) == 0 {
		return ImportResult{}, citylens.Ef(citylens.EINVALID, "dc.error.no_values", "the file has no values: fill in the Value, Source and Data year columns")
	}
	return s.ImportCall(ctx, a, call, cities, p.Entries)
}

// Import checks entries for cities (the ones the caller may write to) and
// writes every changed value with its audit entry, all or nothing: any
// invalid entry returns an EINVALID error listing every problem, and a
// city whose submission cannot be edited refuses the whole import.
//
// Checking needs no database, so it runs before the write transaction,
// which then holds only what must be read and written together (the
// submission's state, the current values to compare with, the writes): on
// SQLite, writers take turns. A save of a few values of one city reads and
// writes only those values.
func (s *Service) Import(ctx context.Context, a Actor, edition string, cities []CityRef, entries []Entry) (ImportResult, error) {
	call, err := s.LoadCall(ctx, edition)
	if err != nil {
		return ImportResult{}, err
	}
	return s.ImportCall(ctx, a, call, cities, entries)
}

// ImportCall is Import into a call the caller has just loaded (LoadCall).
func (s *Service) ImportCall(ctx context.Context, a Actor, call *Call, cities []CityRef, entries []Entry) (ImportResult, error) {
	e := call.Edition
	edition := e.Code
	open := e.CallOpen(s.now())
	allowed := make(map[string]bool, len(cities))
	for _, c := range cities {
		allowed[c.Code] = true
	}
	var only []string // the indicators to read, nil for all
	if len(cities) == 1 && len(entries) <= maxKeyedRead {
		only = entryIndicators(entries)
	}
	last, err := s.lastValues(ctx, e, cities, only)
	if err != nil {
		return ImportResult{}, err
	}
	checked, checkErr := CheckEntries(entries, call.rules(allowed, last))
	var res ImportResult
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		states, err := s.states(ctx, edition, cities)
		if err != nil {
			return err
		}
		touched := map[string]bool{}
		for _, en := range entries {
			touched[en.City] = true
		}
		for _, c := range cities {
			if !touched[c.Code] {
				continue
			}
			if err := Allowed(a, c, ActionEdit, states[c.Code], open); err != nil {
				return citylens.Ef(citylens.ErrorCode(err), "dc.error.of_city", "%s: %s", c.Code, citylens.MessageArg(err))
			}
		}
		// A refused submission says so before the entries' errors.
		if checkErr != nil {
			return checkErr
		}
		var current []Value
		if len(cities) == 1 {
			current, err = s.cityValues(ctx, edition, cities[0].Code, only)
		} else {
			current, err = s.Store.EditionValues(ctx, edition)
		}
		if err != nil {
			return err
		}
		changes, unchanged := checked.Diff(Current(current))
		res = ImportResult{Changed: len(changes), Unchanged: unchanged}
		return s.write(ctx, a, changes)
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func (s *Service) states(ctx context.Context, edition string, cities []CityRef) (map[string]string, error) {
	out := make(map[string]string, len(cities))
	if len(cities) == 1 {
		sub, err := s.Store.Submission(ctx, edition, cities[0].Code)
		if err != nil {
			return nil, err
		}
		out[cities[0].Code] = sub.State
		return out, nil
	}
	for _, c := range cities {
		out[c.Code] = StateDraft
	}
	subs, err := s.Store.Submissions(ctx, edition)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		out[sub.City] = sub.State
	}
	return out, nil
}

// auditValue is what the audit log records of a value.
type auditValue struct {
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	Source     string  `json:"source"`
	DataYear   int     `json:"data_year"`
	MethodNote string  `json:"method_note,omitempty"`
	Estimated  bool    `json:"estimated"`
	Comment    string  `json:"comment,omitempty"`
}

func auditOf(v *Value) *auditValue {
	if v == nil {
		return nil
	}
	return &auditValue{v.Value, v.Unit, v.Source, v.DataYear, v.MethodNote, v.Estimated, v.Comment}
}

// write stores changes with their audit entries. The database keeps the
// value counts (migration 106).
func (s *Service) write(ctx context.Context, a Actor, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	at := s.now().UTC()
	vals := make([]Value, len(changes))
	entries := make([]auditlog.Entry, len(changes))
	for i, c := range changes {
		v := c.New
		v.UpdatedBy, v.UpdatedAt = a.Email, at
		vals[i] = v
		en, err := auditlog.NewEntry(a.Audit(), "datacall.value.set", AuditValue, ValueEntityID(v.Edition, v.City, v.Indicator), auditOf(c.Old), auditOf(&v))
		if err != nil {
			return err
		}
		en.At = at
		entries[i] = en
	}
	if err := s.Store.PutValues(ctx, vals); err != nil {
		return err
	}
	return s.Store.AppendValueAudits(ctx, entries)
}

// Transition takes a workflow action on a city's submission. Submitting
// needs every required value; returning needs a comment.
func (s *Service) Transition(ctx context.Context, a Actor, edition string, city CityRef, action, overall string, comments map[string]string) (Submission, error) {
	e, err := s.Catalogue.Edition(ctx, edition)
	if err != nil {
		return Submission{}, err
	}
	open := e.CallOpen(s.now())
	var out Submission
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		sub, err := s.Store.Submission(ctx, edition, city.Code)
		if err != nil {
			return err
		}
		if err := Allowed(a, city, action, sub.State, open); err != nil {
			return err
		}
		switch action {
		case ActionSubmit:
			vals, err := s.Store.CityValues(ctx, edition, city.Code)
			if err != nil {
				return err
			}
			if err := CheckComplete(e, vals); err != nil {
				return err
			}
		case ActionReturn:
			if err := CheckReturn(overall, comments); err != nil {
				return err
			}
		}
		next, err := Next(sub.State, action)
		if err != nil {
			return err
		}
		before := sub
		out = Submission{Edition: edition, City: city.Code, State: next, UpdatedBy: a.Email, UpdatedAt: s.now().UTC()}
		if action == ActionReturn {
			out.Comment = overall
		}
		if err := s.Store.PutSubmission(ctx, out); err != nil {
			return err
		}
		if action == ActionReturn || action == ActionAccept {
			clean := map[string]string{}
			for k, v := range comments {
				if v != "" {
					clean[k] = v
				}
			}
			if action == ActionAccept {
				clean = nil
			}
			if err := s.Store.SetReviewComments(ctx, edition, city.Code, clean); err != nil {
				return err
			}
		}
		after := map[string]any{"state": out.State, "comment": out.Comment}
		if len(comments) > 0 && action == ActionReturn {
			after["value_comments"] = comments
		}
		return auditlog.Record(ctx, s.Audit, s.now(), a.Audit(), AuditSubmission+"."+action, AuditSubmission, edition+"/"+city.Code,
			map[string]any{"state": before.State, "comment": before.Comment}, after)
	})
	return out, err
}

// ComputeEdition computes an edition from its accepted values and stores
// the draft release with its audit entry in one transaction.
func (s *Service) ComputeEdition(ctx context.Context, a auditlog.Actor, edition string, cities []City, progress func(Progress)) (int64, *DraftRelease, error) {
	call, err := s.LoadCall(ctx, edition)
	if err != nil {
		return 0, nil, err
	}
	vals, err := s.Store.EditionValues(ctx, edition)
	if err != nil {
		return 0, nil, err
	}
	subs, err := s.Store.Submissions(ctx, edition)
	if err != nil {
		return 0, nil, err
	}
	r, err := Compute(ctx, ComputeInput{Edition: call.Edition, Catalogue: call.Catalogue, Cities: cities, Values: vals, Submissions: subs}, progress)
	if err != nil {
		return 0, nil, err
	}
	r.ComputedAt = s.now().UTC()
	var id int64
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		id, err = s.Store.CreateDraftRelease(ctx, r, a.Email)
		if err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), a, AuditRelease+".create", "release", fmt.Sprint(id), nil,
			map[string]any{"edition": edition, "hash": r.Hash, "data_hash": r.DataHash, "engine_version": r.EngineVersion, "cities": len(r.Results)})
	})
	return id, r, err
}

// History returns a value's changes, newest first.
func (s *Service) History(ctx context.Context, edition, city, indicator string) ([]auditlog.Entry, error) {
	return auditlog.History(ctx, s.Audit, AuditValue, ValueEntityID(edition, city, indicator), 200)
}

// QueueItem is one city in a reviewer's queue.
type QueueItem struct {
	Submission
	Entered, Required int
}

// ReviewQueue lists the submitted cities among cities, oldest first, with
// their progress (see Coverage).
func ReviewQueue(progress []CityProgress, subs []Submission) []QueueItem {
	byCity := map[string]CityProgress{}
	for _, p := range progress {
		byCity[p.City] = p
	}
	var out []QueueItem
	for _, sub := range subs {
		p, ok := byCity[sub.City]
		if !ok || sub.State != StateSubmitted {
			continue
		}
		out = append(out, QueueItem{Submission: sub, Entered: p.Entered, Required: p.Required})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].UpdatedAt.Before(out[j].UpdatedAt) })
	return out
}

// Board is the coverage board of the cities a reviewer oversees.
type Board struct {
	Progress     []CityProgress
	Availability []IndicatorAvailability
	Submissions  []Submission
}

// CoverageBoard computes the coverage board of cities, the member cities
// of region ("" for every region), from counts, without loading the values.
func (s *Service) CoverageBoard(ctx context.Context, e *catalogue.Edition, region string, cities []string) (*Board, error) {
	cc, ic, err := s.Store.ValueCounts(ctx, e.Code, region)
	if err != nil {
		return nil, err
	}
	subs, err := s.Store.Submissions(ctx, e.Code)
	if err != nil {
		return nil, err
	}
	b := &Board{Submissions: subs}
	b.Progress, b.Availability = CoverageFromCounts(e, cities, cc, ic, subs)
	return b, nil
}
