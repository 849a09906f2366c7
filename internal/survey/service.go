package survey

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// Survey is an edition's survey: its collection window and its weighting
// and pooling rules. Its wave is the edition.
type Survey struct {
	Edition string    `json:"edition"`
	Opens   time.Time `json:"opens"`
	Closes  time.Time `json:"closes"`
	// Pooling weighs the latest waves, this edition's first (3, 2, 1 by
	// default: IMD's rule), renormalised over the waves that have a figure.
	Pooling []float64 `json:"pooling"`
	// TrimAt caps weights at this multiple of the mean weight (0: none).
	TrimAt    float64   `json:"trim_at"`
	Demo      bool      `json:"demo,omitempty"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DefaultPooling is IMD's rule: the latest three waves, 3:2:1.
var DefaultPooling = []float64{3, 2, 1}

// OpenAt says the window is open at t.
func (s Survey) OpenAt(t time.Time) bool {
	return !t.Before(s.Opens) && t.Before(s.Closes)
}

// Check refuses settings no survey can run with.
func (s Survey) Check() error {
	var ps []citylens.Problem
	if !s.Closes.After(s.Opens) {
		ps = append(ps, citylens.Problem{Field: "closes", Reason: "the window must close after it opens", Key: "survey.problem.window"})
	}
	if len(s.Pooling) == 0 || len(s.Pooling) > 5 {
		ps = append(ps, citylens.Problem{Field: "pooling", Reason: "1 to 5 wave weights", Key: "survey.problem.pooling"})
	}
	for _, w := range s.Pooling {
		if !(w >= 0 && w <= 100) {
			ps = append(ps, citylens.Problem{Field: "pooling", Reason: "1 to 5 wave weights", Key: "survey.problem.pooling"})
			break
		}
	}
	if len(s.Pooling) > 0 && s.Pooling[0] <= 0 {
		ps = append(ps, citylens.Problem{Field: "pooling", Reason: "the latest wave must weigh more than 0", Key: "survey.problem.pooling_first"})
	}
	if s.TrimAt != 0 && !(s.TrimAt > 1 && s.TrimAt <= 100) {
		ps = append(ps, citylens.Problem{Field: "trim_at", Reason: "a cap above 1 and at most 100 times the mean weight, or 0", Key: "survey.problem.trim"})
	}
	if len(ps) > 0 {
		return &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.settings", Message: "the survey's settings are not valid", Problems: ps}
	}
	return nil
}

// Results are an edition's stored estimates.
type Results struct {
	Edition    string       `json:"edition"`
	Version    int          `json:"instrument_version"`
	ComputedAt time.Time    `json:"computed_at"`
	ComputedBy string       `json:"computed_by,omitempty"`
	Cities     []CityResult `json:"cities"`
}

// City is the result of a city (false if none).
func (r *Results) City(code string) (*CityResult, bool) {
	for i := range r.Cities {
		if r.Cities[i].City == code {
			return &r.Cities[i], true
		}
	}
	return nil, false
}

// Store is what the survey needs from the database.
type Store interface {
	PutSurvey(ctx context.Context, s Survey) error
	Survey(ctx context.Context, edition string) (Survey, error) // ENOTFOUND
	Surveys(ctx context.Context) ([]Survey, error)              // latest edition first
	// AddSurveyInstrument stores a new version (ECONFLICT if it exists).
	AddSurveyInstrument(ctx context.Context, edition string, in *Instrument, by string, at time.Time) error
	// Instrument is a version of the edition's instrument, 0 the latest.
	SurveyInstrument(ctx context.Context, edition string, version int) (*Instrument, error)
	// SurveyInstrumentVersion is the edition's latest version number.
	SurveyInstrumentVersion(ctx context.Context, edition string) (int, error)
	AddSurveyInvites(ctx context.Context, edition, city string, hashes []string) error
	// AddResponse stores a response; with an invitation hash, it uses the
	// invitation in the same transaction (ECONFLICT if used, ENOTFOUND if
	// unknown). The response keeps no link to the invitation.
	AddSurveyResponse(ctx context.Context, r *Response, invite string) error
	AddSurveyResponses(ctx context.Context, rs []Response) error // all or none
	SurveyResponses(ctx context.Context, edition, city string) ([]Response, error)
	SurveyResponse(ctx context.Context, id int64) (Response, error)
	SetSurveyFlags(ctx context.Context, rs []Response) error
	SetSurveyOverride(ctx context.Context, id int64, decision, reason, by string) error
	PutSurveyMargins(ctx context.Context, edition string, margins map[string]Population) error // replaces the cities named
	SurveyMargins(ctx context.Context, edition string) (map[string]Population, error)
	PutSurveyResults(ctx context.Context, r *Results) error              // replaces the edition's
	SurveyResults(ctx context.Context, edition string) (*Results, error) // ENOTFOUND when never computed
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	TopicStore
	IndicatorDirections
}

// Service runs the survey.
type Service struct {
	Store Store
	Audit auditlog.Store
	Now   func() time.Time

	// instruments caches decoded instrument versions ("edition\x00v"):
	// a version never changes once stored.
	instruments sync.Map

	topicsMu sync.Mutex
	onTopics []func() // run after a mapping is saved (OnTopics)
}

// Instrument is the edition's latest instrument, shared: callers must not
// change it (Clone first).
func (s *Service) Instrument(ctx context.Context, edition string) (*Instrument, error) {
	v, err := s.Store.SurveyInstrumentVersion(ctx, edition)
	if err != nil {
		return nil, err
	}
	key := edition + "\x00" + strconv.Itoa(v)
	if in, ok := s.instruments.Load(key); ok {
		return in.(*Instrument), nil
	}
	in, err := s.Store.SurveyInstrument(ctx, edition, v)
	if err != nil {
		return nil, err
	}
	s.instruments.Store(key, in)
	return in, nil
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) record(ctx context.Context, actor auditlog.Actor, action, kind, id string, before, after any) error {
	if s.Audit == nil {
		return nil
	}
	return auditlog.Record(ctx, s.Audit, s.now(), actor, action, kind, id, before, after)
}

// Configure creates or changes an edition's survey; a new survey gets
// the seeded instrument.
func (s *Service) Configure(ctx context.Context, actor auditlog.Actor, sv Survey) (Survey, error) {
	if len(sv.Pooling) == 0 {
		sv.Pooling = slices.Clone(DefaultPooling)
	}
	if err := sv.Check(); err != nil {
		return Survey{}, err
	}
	sv.UpdatedBy, sv.UpdatedAt = actor.Email, s.now()
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		prev, err := s.Store.Survey(ctx, sv.Edition)
		isNew := citylens.ErrorCode(err) == citylens.ENOTFOUND
		if err != nil && !isNew {
			return err
		}
		if err := s.Store.PutSurvey(ctx, sv); err != nil {
			return err
		}
		if isNew {
			if err := s.Store.AddSurveyInstrument(ctx, sv.Edition, DefaultInstrument(), SeedAuthor, s.now()); err != nil {
				return err
			}
			if err := s.seedTopics(ctx, sv.Edition); err != nil {
				return err
			}
			return s.record(ctx, actor, "survey.create", "survey", sv.Edition, nil, sv)
		}
		return s.record(ctx, actor, "survey.update", "survey", sv.Edition, prev, sv)
	})
	return sv, err
}

// SaveInstrument stores in as the edition's next version, after checking
// it. Texts that differ from the previous version are credited to the
// actor, now.
func (s *Service) SaveInstrument(ctx context.Context, actor auditlog.Actor, edition string, in *Instrument) (*Instrument, error) {
	var out *Instrument
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		prev, err := s.Store.SurveyInstrument(ctx, edition, 0)
		if err != nil {
			return err
		}
		in = in.Clone()
		in.Version = prev.Version + 1
		credit(in, prev, actor.Email, s.now())
		if err := in.Validate(); err != nil {
			return err
		}
		if err := s.Store.AddSurveyInstrument(ctx, edition, in, actor.Email, s.now()); err != nil {
			return err
		}
		out = in
		return s.record(ctx, actor, "survey.instrument", "survey", edition, map[string]int{"version": prev.Version}, map[string]int{"version": in.Version})
	})
	return out, err
}

// credit sets the provenance of every text of in that is new or differs
// from prev's, and keeps prev's where the text is the same.
func credit(in, prev *Instrument, by string, at time.Time) {
	fix := func(l, old Labels) {
		for lang, t := range l {
			if o, ok := old[lang]; ok && o.Text == t.Text {
				l[lang] = o
			} else if t.By == "" || (ok && o.Text != t.Text) {
				l[lang] = Text{Text: t.Text, By: by, At: at}
			}
		}
	}
	for i := range in.Areas {
		o, _ := prev.AreaOf(in.Areas[i].Code)
		fix(in.Areas[i].Label, o.Label)
	}
	for i := range in.Items {
		o, _ := prev.Item(in.Items[i].Code)
		fix(in.Items[i].Label, o.Label)
	}
	for i := range in.Lists {
		ol, _ := prev.ListOf(in.Lists[i].Name)
		for j := range in.Lists[i].Choices {
			c := &in.Lists[i].Choices[j]
			var oc Choice
			for _, x := range ol.Choices {
				if x.Code == c.Code {
					oc = x
				}
			}
			fix(c.Label, oc.Label)
		}
	}
}

// ImportInstrument reads the edition's next instrument version from an
// XLSForm-like workbook.
func (s *Service) ImportInstrument(ctx context.Context, actor auditlog.Actor, edition string, data []byte, maxBytes int64) (*Instrument, error) {
	prev, err := s.Store.SurveyInstrument(ctx, edition, 0)
	if err != nil {
		return nil, err
	}
	in, err := ParseXLSForm(data, maxBytes, prev, actor.Email, s.now())
	if err != nil {
		return nil, err
	}
	return s.SaveInstrument(ctx, actor, edition, in)
}

// InviteHash is how an invitation code is kept: its SHA-256 (the code
// itself is given out once and never stored).
func InviteHash(edition, code string) string {
	h := sha256.Sum256([]byte(edition + "\x00" + strings.TrimSpace(code)))
	return hex.EncodeToString(h[:])
}

// Submission is a response as submitted on the public form.
type Submission struct {
	Edition string
	City    string
	Lang    string
	Values  map[string][]string
	Seconds float64
	Invite  string // an invitation code, if the city uses them
}

// Submit checks and stores a response: the window must be open, every
// answer valid (400 naming the field otherwise, nothing stored), an
// invitation code unused (a second response with it changes nothing).
func (s *Service) Submit(ctx context.Context, sub Submission) (Response, error) {
	sv, err := s.Store.Survey(ctx, sub.Edition)
	if err != nil {
		return Response{}, err
	}
	now := s.now()
	if !sv.OpenAt(now) {
		return Response{}, citylens.E(citylens.ECONFLICT, "survey.error.closed", sub.Edition)
	}
	in, err := s.Instrument(ctx, sub.Edition)
	if err != nil {
		return Response{}, err
	}
	if !slices.Contains(in.Languages, sub.Lang) {
		sub.Lang = "en"
	}
	answers, picks, err := in.ParseAnswers(sub.Values)
	if err != nil {
		return Response{}, err
	}
	r := Response{Edition: sub.Edition, City: sub.City, Lang: sub.Lang, Version: in.Version, Answers: answers, Priorities: picks,
		Seconds: math.Max(0, math.Min(sub.Seconds, 86400)), Source: SourceWeb, Submitted: now}
	invite := ""
	if sub.Invite != "" {
		invite = InviteHash(sub.Edition, sub.Invite)
	}
	if err := s.Store.AddSurveyResponse(ctx, &r, invite); err != nil {
		return Response{}, err
	}
	return r, nil
}

// NewInvites creates n invitation codes for a city (at most 10,000 at a
// time) and returns them: they are shown once, only their hashes kept.
func (s *Service) NewInvites(ctx context.Context, actor auditlog.Actor, edition, city string, n int, random func([]byte)) ([]string, error) {
	if n < 1 || n > 10000 {
		return nil, citylens.E(citylens.EINVALID, "survey.error.invites_count", 10000)
	}
	codes := make([]string, n)
	hashes := make([]string, n)
	b := make([]byte, 8)
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for i := range codes {
		random(b)
		var sb strings.Builder
		for j, x := range b {
			if j == 4 {
				sb.WriteByte('-')
			}
			sb.WriteByte(alphabet[int(x)%len(alphabet)])
		}
		codes[i] = sb.String()
		hashes[i] = InviteHash(edition, codes[i])
	}
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AddSurveyInvites(ctx, edition, city, hashes); err != nil {
			return err
		}
		return s.record(ctx, actor, "survey.invites", "survey", edition, nil, map[string]any{"city": city, "count": n})
	})
	return codes, err
}

// ImportResponses reads a field team's responses (paper or tablet) from a
// CSV or XLSX file: a column city, optional lang and seconds (or
// KoboToolbox's start and end), one column per question (a group path
// such as "g1/hs_s1" is read by its last part), the priorities as one
// space- or comma-separated column or KoboToolbox's one 0/1 column per
// choice ("priorities/air"). KoboToolbox's metadata columns (starting
// with "_", and meta/...) are ignored. One bad row imports nothing; every
// problem is listed with its row and column.
func (s *Service) ImportResponses(ctx context.Context, actor auditlog.Actor, edition, name string, data []byte, maxBytes int64) (int, error) {
	if _, err := s.Store.Survey(ctx, edition); err != nil {
		return 0, err
	}
	in, err := s.Store.SurveyInstrument(ctx, edition, 0)
	if err != nil {
		return 0, err
	}
	t, err := readTable(ctx, name, data, maxBytes)
	if err != nil {
		return 0, err
	}
	rs, err := in.parseResponseTable(t, edition, s.now())
	if err != nil {
		return 0, err
	}
	if len(rs) == 0 {
		return 0, citylens.Ef(citylens.EINVALID, "survey.error.upload_no_rows", "the file has no responses")
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AddSurveyResponses(ctx, rs); err != nil {
			return err
		}
		return s.record(ctx, actor, "survey.import_responses", "survey", edition, nil, map[string]any{"file": name, "responses": len(rs)})
	})
	if err != nil {
		return 0, err
	}
	return len(rs), nil
}

func (in *Instrument) parseResponseTable(t *table, edition string, now time.Time) ([]Response, error) {
	cityCol := t.col("city")
	if cityCol < 0 {
		return nil, citylens.Ef(citylens.EINVALID, "survey.error.upload_column", "the file has no column %q", "city")
	}
	langCol, secCol, startCol, endCol := t.col("lang"), t.col("seconds"), t.col("start"), t.col("end")
	itemCol := map[int]string{}    // column → item
	pickCol := map[int][2]string{} // column → item, choice (Kobo's 0/1 columns)
	var ps []citylens.Problem
	for j, h := range t.header {
		if h == "" || j == cityCol || j == langCol || j == secCol || j == startCol || j == endCol ||
			strings.HasPrefix(h, "_") || strings.HasPrefix(h, "meta/") || h == "today" || h == "deviceid" || h == "__version__" {
			continue
		}
		// "group/item" → item; "item/choice" for a select_multiple.
		parts := strings.Split(h, "/")
		last := parts[len(parts)-1]
		if _, ok := in.Item(last); ok {
			itemCol[j] = last
			continue
		}
		if len(parts) >= 2 {
			if it, ok := in.Item(parts[len(parts)-2]); ok && it.Kind == KindPriorities {
				pickCol[j] = [2]string{it.Code, last}
				continue
			}
		}
		ps = append(ps, citylens.Problem{Column: h, Reason: "no such question", Key: "survey.problem.unknown_column", Args: []any{h}})
	}
	if len(ps) > 0 {
		return nil, &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.upload", Args: []any{len(ps)}, Message: "the file has problems", Problems: ps}
	}
	var out []Response
	for i, row := range t.rows {
		if len(ps) >= MaxUploadProblems {
			break
		}
		n := t.nums[i]
		values := map[string][]string{}
		for j, code := range itemCol {
			v := row[j]
			if v == "" {
				continue
			}
			it, _ := in.Item(code)
			if it.Kind == KindPriorities {
				values[code] = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == ';' })
			} else {
				values[code] = []string{v}
			}
		}
		for j, ic := range pickCol {
			switch row[j] {
			case "1", "true", "TRUE":
				values[ic[0]] = append(values[ic[0]], ic[1])
			case "", "0", "false", "FALSE":
			default:
				ps = append(ps, citylens.Problem{Row: n, Column: t.header[j], Reason: "0 or 1", Key: "survey.problem.zero_one"})
			}
		}
		answers, picks, err := in.ParseAnswers(values)
		if e := citylens.AsError(err); e != nil {
			for _, p := range e.Problems {
				p.Row, p.Column = n, p.Field
				p.Field = ""
				ps = append(ps, p)
			}
			continue
		}
		city := row[cityCol]
		if city == "" {
			ps = append(ps, citylens.Problem{Row: n, Column: "city", Reason: "required", Key: "survey.problem.cell_required", Args: []any{"city"}})
			continue
		}
		r := Response{Edition: edition, City: city, Lang: "en", Version: in.Version, Answers: answers, Priorities: picks, Source: SourcePaper, Submitted: now}
		if langCol >= 0 && row[langCol] != "" {
			if !slices.Contains(in.Languages, row[langCol]) {
				ps = append(ps, citylens.Problem{Row: n, Column: "lang", Reason: "not a language of the instrument", Key: "survey.problem.lang", Args: []any{row[langCol]}})
				continue
			}
			r.Lang = row[langCol]
		}
		switch {
		case secCol >= 0 && row[secCol] != "":
			v, err := strconv.ParseFloat(row[secCol], 64)
			if err != nil || !(v >= 0 && v <= 86400) {
				ps = append(ps, citylens.Problem{Row: n, Column: "seconds", Reason: "a number of seconds from 0 to 86400", Key: "survey.problem.seconds"})
				continue
			}
			r.Seconds = v
		case startCol >= 0 && endCol >= 0 && row[startCol] != "" && row[endCol] != "":
			a, errA := time.Parse(time.RFC3339Nano, row[startCol])
			b, errB := time.Parse(time.RFC3339Nano, row[endCol])
			if errA != nil || errB != nil || b.Before(a) {
				ps = append(ps, citylens.Problem{Row: n, Column: "start", Reason: "start and end must be times (RFC 3339), end after start", Key: "survey.problem.start_end"})
				continue
			}
			r.Seconds = math.Min(b.Sub(a).Seconds(), 86400)
		}
		out = append(out, r)
	}
	if len(ps) > 0 {
		return nil, &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.upload", Args: []any{len(ps)}, Message: fmt.Sprintf("the file has %d problems: nothing was imported", len(ps)), Problems: ps}
	}
	return out, nil
}

// ImportMargins reads population margins (columns city, variable,
// category, population) and replaces those of the cities in the file.
// A variable that is no weighting question, a category not among its
// choices, categories that don't sum to the same total: refused with the
// rows at fault, nothing changed.
func (s *Service) ImportMargins(ctx context.Context, actor auditlog.Actor, edition, name string, data []byte, maxBytes int64) (int, error) {
	in, err := s.Store.SurveyInstrument(ctx, edition, 0)
	if err != nil {
		return 0, err
	}
	t, err := readTable(ctx, name, data, maxBytes)
	if err != nil {
		return 0, err
	}
	cols := map[string]int{}
	for _, c := range []string{"city", "variable", "category", "population"} {
		if cols[c] = t.col(c); cols[c] < 0 {
			return 0, citylens.Ef(citylens.EINVALID, "survey.error.upload_column", "the file has no column %q", c)
		}
	}
	margins := map[string]Population{}
	firstRow := map[string]int{}
	var ps []citylens.Problem
	for i, row := range t.rows {
		if len(ps) >= MaxUploadProblems {
			break
		}
		n := t.nums[i]
		city, v, c := row[cols["city"]], row[cols["variable"]], row[cols["category"]]
		it, ok := in.Item(v)
		if !ok || it.Kind != KindWeight {
			ps = append(ps, citylens.Problem{Row: n, Column: "variable", Reason: "not a weighting question: " + v, Key: "survey.problem.variable", Args: []any{v}})
			continue
		}
		l, _ := in.ListOf(it.List)
		if c == PreferNotSay || !hasChoice(l, c) {
			ps = append(ps, citylens.Problem{Row: n, Column: "category", Reason: "not a category of " + v + ": " + c, Key: "survey.problem.category", Args: []any{c, v}})
			continue
		}
		p, err := strconv.ParseFloat(strings.ReplaceAll(row[cols["population"]], ",", ""), 64)
		if err != nil || !(p >= 0) || math.IsInf(p, 0) {
			ps = append(ps, citylens.Problem{Row: n, Column: "population", Reason: "a number of 0 or more", Key: "survey.problem.population"})
			continue
		}
		if city == "" {
			ps = append(ps, citylens.Problem{Row: n, Column: "city", Reason: "required", Key: "survey.problem.cell_required", Args: []any{"city"}})
			continue
		}
		if margins[city] == nil {
			margins[city] = Population{}
			firstRow[city] = n
		}
		if margins[city][v] == nil {
			margins[city][v] = map[string]float64{}
		}
		if _, dup := margins[city][v][c]; dup {
			ps = append(ps, citylens.Problem{Row: n, Column: "category", Reason: "given twice for this city", Key: "survey.problem.duplicate"})
			continue
		}
		margins[city][v][c] = p
	}
	if len(ps) == 0 {
		for _, city := range sortedKeys(margins) {
			if e := citylens.AsError(margins[city].Check(city)); e != nil {
				for _, p := range e.Problems {
					p.Row = firstRow[city]
					ps = append(ps, p)
				}
			}
		}
	}
	if len(ps) > 0 {
		return 0, &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.upload", Args: []any{len(ps)}, Message: "the margins have problems: nothing was changed", Problems: ps}
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutSurveyMargins(ctx, edition, margins); err != nil {
			return err
		}
		return s.record(ctx, actor, "survey.margins", "survey", edition, nil, map[string]any{"file": name, "cities": sortedKeys(margins)})
	})
	return len(margins), err
}

// Compute flags every response of the edition, weights each city's valid
// responses to its margins and stores every city's figures. A city that
// cannot be weighted (no margins, a category with population but no
// respondent) fails the whole computation, naming it: no partial results
// are saved.
func (s *Service) Compute(ctx context.Context, actor auditlog.Actor, edition string) (*Results, error) {
	sv, err := s.Store.Survey(ctx, edition)
	if err != nil {
		return nil, err
	}
	in, err := s.Store.SurveyInstrument(ctx, edition, 0)
	if err != nil {
		return nil, err
	}
	all, err := s.Store.SurveyResponses(ctx, edition, "")
	if err != nil {
		return nil, err
	}
	margins, err := s.Store.SurveyMargins(ctx, edition)
	if err != nil {
		return nil, err
	}
	byCity := map[string][]Response{}
	before := make(map[int64]string, len(all)) // the stored flags: only changes are written
	for _, r := range all {
		byCity[r.City] = append(byCity[r.City], r)
		before[r.ID] = flagKey(r)
	}
	res := &Results{Edition: edition, Version: in.Version, ComputedAt: s.now(), ComputedBy: actor.Email}
	var ps []citylens.Problem
	var flagged []Response
	var inputs []CityInput
	for _, city := range sortedKeys(byCity) {
		pop, ok := margins[city]
		if !ok {
			in.Flag(byCity[city])
			flagged = append(flagged, byCity[city]...)
			ps = append(ps, citylens.Problem{City: city, Reason: "no population margins", Key: "survey.problem.no_margins"})
			continue
		}
		inputs = append(inputs, CityInput{City: city, Responses: byCity[city], Population: pop})
	}
	results, errs := in.EstimateCities(ctx, edition, inputs, EstimateOptions{TrimAt: sv.TrimAt})
	for i, c := range inputs {
		flagged = append(flagged, c.Responses...)
		err := errs[i]
		if e := citylens.AsError(err); e != nil && e.Code == citylens.EINVALID {
			if len(e.Problems) == 0 {
				ps = append(ps, citylens.Problem{City: c.City, Reason: e.Error(), Key: e.Key, Args: e.Args})
			}
			ps = append(ps, e.Problems...)
			continue
		} else if err != nil {
			return nil, err
		}
		res.Cities = append(res.Cities, *results[i])
	}
	if len(ps) > 0 {
		return nil, &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.compute", Args: []any{edition},
			Message: "the survey of " + edition + " cannot be weighted: nothing was saved", Problems: ps}
	}
	changed := flagged[:0:0]
	for _, r := range flagged {
		if before[r.ID] != flagKey(r) {
			changed = append(changed, r)
		}
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.SetSurveyFlags(ctx, changed); err != nil {
			return err
		}
		if err := s.Store.PutSurveyResults(ctx, res); err != nil {
			return err
		}
		return s.record(ctx, actor, "survey.compute", "survey", edition, nil, map[string]any{"cities": len(res.Cities), "responses": len(all)})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Override includes or excludes a response against its flags, with a
// logged reason.
func (s *Service) Override(ctx context.Context, actor auditlog.Actor, id int64, decision, reason string) error {
	reason = strings.TrimSpace(reason)
	if decision != "include" && decision != "exclude" && decision != "" {
		return citylens.E(citylens.EINVALID, "survey.error.decision")
	}
	if decision != "" && (reason == "" || len(reason) > 500) {
		return citylens.E(citylens.EINVALID, "survey.error.reason")
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		prev, err := s.Store.SurveyResponse(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Store.SetSurveyOverride(ctx, id, decision, reason, actor.Email); err != nil {
			return err
		}
		return s.record(ctx, actor, "survey.override", "survey_response", strconv.FormatInt(id, 10),
			map[string]any{"override": prev.Override, "flags": prev.Flags},
			map[string]any{"override": decision, "reason": reason})
	})
}

// Wave is one edition's figure in a pooled series.
type Wave struct {
	Edition string
	Result  *CityResult
}

// Pooled is a city's figures pooled over the edition's wave and the
// waves before it (by the edition's pooling rule): per item score and
// agree share, per group score.
type PooledCity struct {
	City   string            `json:"city"`
	Items  map[string]Pooled `json:"items"`  // item → pooled score
	Agree  map[string]Pooled `json:"agree"`  // item → pooled agree share
	Groups map[string]Pooled `json:"groups"` // kind/area/pillar → pooled score
}

// Pool pools each city's figures over the edition and the earlier
// editions' surveys (latest first), with the edition's weights.
func (s *Service) Pool(ctx context.Context, edition string) (map[string]PooledCity, []string, error) {
	sv, err := s.Store.Survey(ctx, edition)
	if err != nil {
		return nil, nil, err
	}
	surveys, err := s.Store.Surveys(ctx)
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(surveys, func(a, b Survey) int { return cmp.Compare(b.Edition, a.Edition) })
	var waves []string
	var results []*Results
	for _, o := range surveys {
		if o.Edition > edition || len(waves) >= len(sv.Pooling) {
			continue
		}
		r, err := s.Store.SurveyResults(ctx, o.Edition)
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			r = &Results{Edition: o.Edition}
		} else if err != nil {
			return nil, nil, err
		}
		waves = append(waves, o.Edition)
		results = append(results, r)
	}
	out := map[string]PooledCity{}
	if len(results) == 0 {
		return out, waves, nil
	}
	for _, c := range results[0].Cities {
		pc := PooledCity{City: c.City, Items: map[string]Pooled{}, Agree: map[string]Pooled{}, Groups: map[string]Pooled{}}
		per := make([]*CityResult, len(results))
		for k, r := range results {
			per[k], _ = r.City(c.City)
		}
		for _, it := range c.Items {
			sc, ag := make([]Mean, len(per)), make([]Mean, len(per))
			for k, cr := range per {
				sc[k], ag[k] = Mean{Mean: math.NaN()}, Mean{Mean: math.NaN()}
				if cr != nil {
					if x, ok := cr.ItemOf(it.Item); ok {
						sc[k], ag[k] = x.Score, x.Agree
					}
				}
			}
			pc.Items[it.Item] = Pool(waves, sc, sv.Pooling)
			pc.Agree[it.Item] = Pool(waves, ag, sv.Pooling)
		}
		for _, g := range c.Groups {
			ms := make([]Mean, len(per))
			for k, cr := range per {
				ms[k] = Mean{Mean: math.NaN()}
				if cr != nil {
					if x, ok := cr.Group(g.Kind, g.Area, g.Pillar); ok {
						ms[k] = x.Score
					}
				}
			}
			pc.Groups[GroupKey(g.Kind, g.Area, g.Pillar)] = Pool(waves, ms, sv.Pooling)
		}
		out[c.City] = pc
	}
	return out, waves, nil
}

// GroupKey names a group: "area/mobility", "pillar/technology",
// "cell/mobility/technology", "overall".
func GroupKey(kind, area, pillar string) string {
	parts := []string{kind}
	for _, p := range []string{area, pillar} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

func flagKey(r Response) string {
	return strings.Join(r.Flags, " ") + "|" + strconv.FormatBool(r.Excluded)
}
