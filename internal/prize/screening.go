package prize

import (
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Check is one automatic eligibility check of an application.
type Check struct {
	Rule   string `json:"rule"` // eligibility, deadline, required, endorsement
	Passed bool   `json:"passed"`
	Key    string `json:"key"` // the message saying why, in the reader's language
	Args   []any  `json:"args,omitempty"`
	Note   string `json:"note"` // English
}

// Check rules.
const (
	RuleEligibility = "eligibility"
	RuleDeadline    = "deadline"
	RuleRequired    = "required"
	RuleEndorsement = "endorsement"
)

// ScreenInput is what the automatic checks look at.
type ScreenInput struct {
	Edition      *Edition
	Eligibility  EligibilityMap
	Form         *Form
	App          *Application
	Files        map[string]int
	Endorsements []Endorsement
}

// AutoChecks runs the automatic eligibility checks of an application:
// applicant type × track, deadline and grace, required fields, and the
// endorsement a corporation or institution needs. Each failed check
// names its rule.
func AutoChecks(in ScreenInput) []Check {
	a := in.App
	var out []Check
	if in.Eligibility.Allows(a.Track, a.ApplicantType) {
		out = append(out, Check{Rule: RuleEligibility, Passed: true, Key: "prize.check.eligible", Note: "the applicant type may apply to this track"})
	} else {
		out = append(out, Check{Rule: RuleEligibility, Key: "prize.check.not_eligible", Args: []any{a.ApplicantType, a.Track},
			Note: "applicant type " + a.ApplicantType + " may not apply to track " + a.Track})
	}
	switch {
	case a.State == StateDraft:
		out = append(out, Check{Rule: RuleDeadline, Key: "prize.check.not_submitted", Note: "not submitted"})
	case a.Late:
		out = append(out, Check{Rule: RuleDeadline, Passed: true, Key: "prize.check.late", Note: "submitted after the deadline, within the grace period"})
	default:
		out = append(out, Check{Rule: RuleDeadline, Passed: true, Key: "prize.check.on_time", Note: "submitted before the deadline"})
	}
	if ps := in.Form.CheckComplete(a.Answers, in.Files); len(ps) > 0 {
		var fields []string
		for _, p := range ps {
			fields = append(fields, p.Field)
		}
		out = append(out, Check{Rule: RuleRequired, Key: "prize.check.incomplete", Args: []any{strings.Join(fields, ", ")},
			Note: "fields not complete: " + strings.Join(fields, ", ")})
	} else {
		out = append(out, Check{Rule: RuleRequired, Passed: true, Key: "prize.check.complete", Note: "every required field is answered"})
	}
	if NeedsEndorsement(a.ApplicantType) {
		st := ""
		for _, e := range in.Endorsements {
			if st != EndorseGiven {
				st = e.Status
			}
		}
		switch st {
		case EndorseGiven:
			out = append(out, Check{Rule: RuleEndorsement, Passed: true, Key: "prize.check.endorsed", Note: "the city endorsed the project"})
		case EndorseDeclined:
			out = append(out, Check{Rule: RuleEndorsement, Key: "prize.check.endorse_declined", Note: "the city declined to endorse the project"})
		case EndorseRequested:
			out = append(out, Check{Rule: RuleEndorsement, Key: "prize.check.endorse_waiting", Note: "the city's endorsement is awaited"})
		default:
			out = append(out, Check{Rule: RuleEndorsement, Key: "prize.check.endorse_missing", Note: "no endorsement was requested"})
		}
	}
	return out
}

// Passed reports whether every check passed.
func Passed(cs []Check) bool {
	for _, c := range cs {
		if !c.Passed {
			return false
		}
	}
	return true
}

// Duplicate is a pair of applications that look like one project put
// forward twice.
type Duplicate struct {
	A, B       int64
	Similarity float64 // of titles or summaries, 0 to 1
}

// FindDuplicates flags applications of the same organisation (same
// account or same organisation name, case and spacing aside) whose titles
// or summaries are similar (word-set Jaccard similarity at least 0.6),
// across tracks. Drafts and withdrawn applications take no part.
func FindDuplicates(apps []*Application) []Duplicate {
	type item struct {
		app        *Application
		title, sum []int32 // word IDs, sorted, unique
	}
	ids := map[string]int32{}
	groups := map[string][]*item{}
	for _, a := range apps {
		if a.State != StateSubmitted && a.State != StateRejected {
			continue
		}
		it := &item{app: a, title: wordIDs(a.Title, ids), sum: wordIDs(a.Summary(), ids)}
		groups["u"+itoa(a.UserID)] = append(groups["u"+itoa(a.UserID)], it)
		if org := normalise(a.Organisation); org != "" {
			groups["o"+org] = append(groups["o"+org], it)
		}
	}
	seen := map[[2]int64]float64{}
	for _, g := range groups {
		for i := 0; i < len(g); i++ {
			for j := i + 1; j < len(g); j++ {
				// |A∩B|/|A∪B| ≤ min/max of the sizes: skip the merge
				// where the sizes alone keep it under the threshold.
				s := 0.0
				if sizesMayMatch(g[i].title, g[j].title) {
					s = jaccard(g[i].title, g[j].title)
				}
				if sizesMayMatch(g[i].sum, g[j].sum) {
					s = max(s, jaccard(g[i].sum, g[j].sum))
				}
				if s < 0.6 {
					continue
				}
				k := [2]int64{min(g[i].app.ID, g[j].app.ID), max(g[i].app.ID, g[j].app.ID)}
				seen[k] = max(seen[k], s)
			}
		}
	}
	out := make([]Duplicate, 0, len(seen))
	for k, s := range seen {
		out = append(out, Duplicate{A: k[0], B: k[1], Similarity: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A < out[j].A
		}
		return out[i].B < out[j].B
	})
	return out
}

func normalise(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// wordIDs is the set of s's words (lower case, letters and digits) as
// sorted IDs from ids, which it extends: comparing two sets is then a
// merge of two short slices. Looking a word up allocates nothing.
func wordIDs(s string, ids map[string]int32) []int32 {
	var out []int32
	var buf []byte
	flush := func() {
		if len(buf) == 0 {
			return
		}
		id, ok := ids[string(buf)]
		if !ok {
			id = int32(len(ids))
			ids[string(buf)] = id
		}
		out = append(out, id)
		buf = buf[:0]
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			buf = append(buf, byte(r))
		case r >= 'A' && r <= 'Z':
			buf = append(buf, byte(r)+'a'-'A')
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets, 0 when either is empty.
func sizesMayMatch(a, b []int32) bool {
	x, y := min(len(a), len(b)), max(len(a), len(b))
	return y > 0 && float64(x) >= 0.6*float64(y)
}

func jaccard(a, b []int32) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// Board counts an edition's applications for the administrator.
type Board struct {
	Total       int
	ByState     map[string]int
	ByTrack     map[string]int
	ByStage     map[string]int
	ByRegion    map[string]int
	ByCountry   map[string]int
	ByType      map[string]int
	ByScreening map[string]int
}

// BoardOf counts apps; region maps a country to its region ("" unknown).
// Drafts count in ByState only: the other counts are of what was
// submitted (submitted or rejected), as the secretariat reports entries.
func BoardOf(apps []*Application, region func(country string) string) Board {
	b := Board{ByState: map[string]int{}, ByTrack: map[string]int{}, ByStage: map[string]int{}, ByRegion: map[string]int{},
		ByCountry: map[string]int{}, ByType: map[string]int{}, ByScreening: map[string]int{}}
	for _, a := range apps {
		b.ByState[a.State]++
		if a.State != StateSubmitted && a.State != StateRejected {
			continue
		}
		b.Total++
		b.ByTrack[a.Track]++
		b.ByStage[a.Stage]++
		b.ByRegion[region(a.Country)]++
		b.ByCountry[a.Country]++
		b.ByType[a.ApplicantType]++
		scr := a.Screening
		if scr == "" {
			scr = "pending"
		}
		b.ByScreening[scr]++
	}
	return b
}

// Count is one line of a board's count table.
type Count struct {
	Key string
	N   int
}

// Sorted lists a count map, largest first, then by key.
func Sorted(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// checkReason checks a desk rejection's reason.
func checkReason(outcome, reason string) error {
	if outcome != ScreenEligible && outcome != ScreenRejected {
		return citylens.Ef(citylens.EINVALID, "prize.error.outcome", "the outcome must be eligible or rejected")
	}
	if outcome == ScreenRejected && strings.TrimSpace(reason) == "" {
		return citylens.Ef(citylens.EINVALID, "prize.error.reason", "a desk rejection needs a reason the applicant will read").
			WithProblems(citylens.Problem{Field: "reason"}.Keyed("prize.error.required", "required"))
	}
	if len(reason) > 4000 {
		return citylens.Ef(citylens.EINVALID, "prize.error.too_long", "at most %d characters", 4000)
	}
	return nil
}

var _ = time.Now
