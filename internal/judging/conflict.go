package judging

import (
	"strings"
	"unicode"
)

// Conflict types. The first seven are what judges and applicants declare;
// detection finds the organisational, city, country and endorsement links.
const (
	ConflictOrganisation = "same_organisation"       // the same organisation, or its parent
	ConflictCity         = "same_city_government"    // the judge's city is the applicant's
	ConflictCountry      = "same_country_government" // the judge's country is the applicant's
	ConflictAdviser      = "adviser"                 // advised the project
	ConflictFunding      = "funding"                 // funded it or is funded by the applicant
	ConflictPersonal     = "personal"                // family, close friend, recent collaborator
	ConflictOther        = "other"
	ConflictEndorsement  = "endorsement" // the judge's organisation endorsed the application
	ConflictPartner      = "partner"     // the judge's organisation partners the project
)

// DeclaredTypes are the types a declaration may take.
var DeclaredTypes = []string{ConflictOrganisation, ConflictCity, ConflictCountry,
	ConflictAdviser, ConflictFunding, ConflictPersonal, ConflictOther}

// ValidDeclared reports whether t may be declared.
func ValidDeclared(t string) bool {
	for _, d := range DeclaredTypes {
		if d == t {
			return true
		}
	}
	return false
}

// Sources of a conflict.
const (
	SourceDetected  = "detected"
	SourceJudge     = "judge"     // declared by the judge
	SourceApplicant = "applicant" // declared by the applicant
)

// Conflict states: a detected conflict waits for the chair's confirmation
// and a declared one that looks unjustified for the chair's review; both
// bind while they wait. Only a dismissed conflict does not bind.
const (
	StatusPending   = "pending"
	StatusConfirmed = "confirmed"
	StatusDismissed = "dismissed"
)

// Conflict is one judge–application conflict of interest.
type Conflict struct {
	Judge  int64  `json:"judge"`
	App    int64  `json:"app"`
	Type   string `json:"type"`
	Source string `json:"source"`
	Detail string `json:"detail"` // what links them, e.g. the organisation
	Status string `json:"status"`
	// Unsupported marks a declared conflict with no detected link: the
	// chair reviews it, to catch a judge avoiding an application (or an
	// applicant avoiding a judge) strategically.
	Unsupported bool `json:"unsupported"`
}

// Binds reports whether the conflict keeps the judge from the application.
func (c Conflict) Binds() bool { return c.Status != StatusDismissed }

// Person is a judge as conflict detection sees them.
type Person struct {
	ID           int64
	Organisation string
	CityCode     string // member city code, or ""
	CityName     string
	Country      string // ISO 3166 alpha-3
}

// Party is an application as conflict detection sees it: the applicant's
// and co-applicants' organisations, the project's city and country, and
// the organisations that endorsed or partner it.
type Party struct {
	ID            int64
	Organisations []string // the applicant first, then co-applicants
	CityCode      string
	CityName      string
	Country       string
	Endorsers     []string // organisations (city governments) that endorsed it
	Partners      []string // partner organisations named in the application
}

// Orgs resolves organisation names to a canonical key and knows each
// organisation's parent (a department's city government, an institute's
// university), so links are found at the level of organisations, not
// e-mail domains.
type Orgs struct {
	parent map[string]string
}

// NewOrgs builds the resolver from child → parent names.
func NewOrgs(parents map[string]string) *Orgs {
	o := &Orgs{parent: map[string]string{}}
	for c, p := range parents {
		if k, pk := OrgKey(c), OrgKey(p); k != "" && pk != "" && k != pk {
			o.parent[k] = pk
		}
	}
	return o
}

// OrgKey is the comparison key of an organisation's name: case-folded,
// letters and digits only, single-spaced.
func OrgKey(name string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// chain is the organisation and its ancestors (bounded, cycle-safe).
func (o *Orgs) chain(name string) []string {
	k := OrgKey(name)
	if k == "" {
		return nil
	}
	out := []string{k}
	seen := map[string]bool{k: true}
	for range 16 {
		p, ok := o.parent[k]
		if !ok || seen[p] {
			break
		}
		out = append(out, p)
		seen[p] = true
		k = p
	}
	return out
}

// related reports whether two organisations are the same or one is an
// ancestor of the other, or they share a parent; it returns the link.
func (o *Orgs) related(a, b string) (string, bool) {
	ca, cb := o.chain(a), o.chain(b)
	for _, x := range ca {
		for _, y := range cb {
			if x == y {
				return x, true
			}
		}
	}
	return "", false
}

// Detect finds the conflicts between a judge and an application. Each
// link gives one conflict (status pending, for the chair to confirm).
func (o *Orgs) Detect(j Person, a Party) []Conflict {
	var out []Conflict
	add := func(t, detail string) {
		out = append(out, Conflict{Judge: j.ID, App: a.ID, Type: t, Source: SourceDetected,
			Detail: detail, Status: StatusPending})
	}
	for _, org := range a.Organisations {
		if link, ok := o.related(j.Organisation, org); ok {
			add(ConflictOrganisation, link)
			break
		}
	}
	switch {
	case j.CityCode != "" && strings.EqualFold(j.CityCode, a.CityCode):
		add(ConflictCity, a.CityCode)
	case j.CityName != "" && OrgKey(j.CityName) == OrgKey(a.CityName) && strings.EqualFold(j.Country, a.Country):
		add(ConflictCity, a.CityName)
	}
	if j.Country != "" && strings.EqualFold(j.Country, a.Country) {
		add(ConflictCountry, strings.ToUpper(a.Country))
	}
	for _, e := range a.Endorsers {
		if link, ok := o.related(j.Organisation, e); ok {
			add(ConflictEndorsement, link)
			break
		}
	}
	for _, p := range a.Partners {
		if link, ok := o.related(j.Organisation, p); ok {
			add(ConflictPartner, link)
			break
		}
	}
	return out
}

// Review merges declared conflicts with detected ones for one pair: a
// declared conflict with no detected link of any type is marked
// Unsupported for the chair's review. The result holds every conflict.
func Review(detected, declared []Conflict) []Conflict {
	linked := map[[2]int64]bool{}
	for _, d := range detected {
		linked[[2]int64{d.Judge, d.App}] = true
	}
	out := append([]Conflict(nil), detected...)
	for _, d := range declared {
		d.Unsupported = !linked[[2]int64{d.Judge, d.App}]
		if d.Status == "" {
			d.Status = StatusPending
			if !d.Unsupported {
				d.Status = StatusConfirmed
			}
		}
		out = append(out, d)
	}
	return out
}

// Blocked is the set of pairs that binding conflicts keep apart.
func Blocked(cs []Conflict) map[[2]int64]bool {
	m := map[[2]int64]bool{}
	for _, c := range cs {
		if c.Binds() {
			m[[2]int64{c.Judge, c.App}] = true
		}
	}
	return m
}
