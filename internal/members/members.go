// Package members holds the network's directory: world regions, regional
// offices, member cities and partner organisations, with the rules for
// changing them (validation, audit, all-or-nothing CSV import).
package members

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// Region is a world region (UN M49 continental grouping); fixed reference
// data created by the first migration.
type Region struct {
	Code string `json:"code"` // AF, AS, EU, LA, NA, OC
	Name string `json:"name"`
}

// Office is a regional office of the network, serving one region.
type Office struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	RegionCode string `json:"region"`
	HostCity   string `json:"host_city"`
}

// Membership statuses of a city.
const (
	StatusMember    = "member"
	StatusCandidate = "candidate"
	StatusSuspended = "suspended"
	StatusFormer    = "former"
)

// Statuses lists every membership status, in display order.
var Statuses = []string{StatusMember, StatusCandidate, StatusSuspended, StatusFormer}

// City is a member city.
type City struct {
	Code        string  `json:"code"` // stable, URL-safe: "kr-seoul"
	Name        string  `json:"name"`
	LocalName   string  `json:"local_name"`
	Country     string  `json:"country"` // ISO 3166-1 alpha-2 or alpha-3, upper case
	RegionCode  string  `json:"region"`
	OfficeCode  string  `json:"office"` // "" when no office serves the city
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	Population  int64   `json:"population"`
	Status      string  `json:"status"`
	MemberSince string  `json:"member_since"` // YYYY-MM-DD or ""
	// Names are the city's names in the platform's languages beside its
	// official Name: searches match them, pages in a language show them.
	Names CityNames `json:"names"`
}

// CityNames are a city's names per language: En a common English name
// where the official one is local ("Cairo" for "Al-Qahirah"), Ko its
// Korean name. Empty: the official name.
type CityNames struct {
	En string `json:"en,omitempty"`
	Ko string `json:"ko,omitempty"`
}

// NameIn is the city's name in a language ("en", "ko"): its name there,
// or its official name.
func (c City) NameIn(lang string) string {
	switch {
	case lang == "ko" && c.Names.Ko != "":
		return c.Names.Ko
	case lang == "en" && c.Names.En != "":
		return c.Names.En
	}
	return c.Name
}

// Partner is a partner organisation (company, university, agency).
type Partner struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Country string `json:"country"`
	Website string `json:"website"`
}

// CityFilter selects cities; zero fields match all.
type CityFilter struct {
	RegionCode string
	Country    string
	Status     string
	Query      string // substring of name or local name, case-insensitive; at most MaxQueryLen characters
}

// MaxQueryLen bounds a name search (the longest city name is far shorter;
// a long LIKE pattern costs the database).
const MaxQueryLen = 100

// CheckQuery refuses a search longer than MaxQueryLen characters.
func CheckQuery(q string) error {
	if utf8.RuneCountInString(q) > MaxQueryLen {
		return citylens.E(citylens.EINVALID, "error.search_too_long", MaxQueryLen)
	}
	return nil
}

// Store is what this package needs from a database. Every method joins the
// transaction carried by ctx (see InTx). Lookups of a missing thing return an
// ENOTFOUND error.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	ListRegions(ctx context.Context) ([]Region, error)
	Region(ctx context.Context, code string) (Region, error)
	ListOffices(ctx context.Context) ([]Office, error)
	Office(ctx context.Context, code string) (Office, error)
	CreateOffice(ctx context.Context, o Office) error // ECONFLICT when the code is taken
	PutOffice(ctx context.Context, o Office) error    // insert or replace by code
	ListCities(ctx context.Context, f CityFilter) ([]City, error)
	City(ctx context.Context, code string) (City, error)
	PutCity(ctx context.Context, c City) error // insert or replace by code
	ListPartners(ctx context.Context) ([]Partner, error)
	Partner(ctx context.Context, code string) (Partner, error)
	CreatePartner(ctx context.Context, p Partner) error // ECONFLICT when the code is taken
	PutPartner(ctx context.Context, p Partner) error    // insert or replace by code
}

// Service applies the rules: validation, audit in the same transaction.
type Service struct {
	Store Store
	Audit auditlog.Store
	Now   func() time.Time
}

var (
	cityCodePattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	countryCodePattern = regexp.MustCompile(`^[A-Z]{2,3}$`)
	datePattern        = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// invalid is the error of a record or file with problems: EINVALID, worded
// by count, its English message naming the first few.
func invalid(ps []citylens.Problem) *citylens.Error {
	e := citylens.Ef(citylens.EINVALID, "members.error.invalid", "%d problem(s)", len(ps))
	e.Message += ": " + citylens.ProblemsSummary(ps, citylens.Problem.String)
	return e.WithProblems(ps...)
}

// problem is the problem of a column (a CSV column, a form field), worded
// by key: format is the key's English text.
func problem(col, key, format string, args ...any) citylens.Problem {
	return citylens.Problem{Column: col}.Keyed(key, format, args...)
}

// Problems shared by the validations.
func badCode(col, v string) citylens.Problem {
	return problem(col, "members.problem.code", "%q must be 2-63 lower-case letters, digits or dashes", v)
}
func required(col string) citylens.Problem {
	return problem(col, "members.problem.required", "is required")
}
func tooLong(col string, n int) citylens.Problem {
	return problem(col, "members.problem.too_long", "is longer than %d characters", n)
}
func badCountry(col, v string) citylens.Problem {
	return problem(col, "members.problem.country", "%q is not an ISO 3166-1 alpha-2 or alpha-3 code (e.g. KR or KOR)", v)
}
func notOneOf(col, v string, of []string) citylens.Problem {
	return problem(col, "members.problem.not_one_of", "%q is not one of %s", v, strings.Join(of, ", "))
}
func unknownRegion(v string) citylens.Problem {
	return problem("region", "members.problem.unknown_region", "unknown region %q", v)
}

// ValidateCity checks a city's fields on their own (not against the
// database): it returns the problems, empty when the city is valid.
func ValidateCity(c City) []citylens.Problem {
	var ps []citylens.Problem
	add := func(p citylens.Problem) { ps = append(ps, p) }
	if !cityCodePattern.MatchString(c.Code) {
		add(badCode("code", c.Code))
	}
	if strings.TrimSpace(c.Name) == "" {
		add(required("name"))
	} else if len(c.Name) > 200 {
		add(tooLong("name", 200))
	}
	if len(c.LocalName) > 200 {
		add(tooLong("local_name", 200))
	}
	if len(c.Names.En) > 200 {
		add(tooLong("name_en", 200))
	}
	if len(c.Names.Ko) > 200 {
		add(tooLong("name_ko", 200))
	}
	if !countryCodePattern.MatchString(c.Country) {
		add(badCountry("country", c.Country))
	}
	if c.RegionCode == "" {
		add(required("region"))
	}
	if c.Latitude < -90 || c.Latitude > 90 {
		add(problem("latitude", "members.problem.latitude", "%v is outside -90..90", c.Latitude))
	}
	if c.Longitude < -180 || c.Longitude > 180 {
		add(problem("longitude", "members.problem.longitude", "%v is outside -180..180", c.Longitude))
	}
	if c.Population < 0 {
		add(problem("population", "members.problem.negative", "%d is negative", c.Population))
	}
	switch c.Status {
	case StatusMember, StatusCandidate, StatusSuspended, StatusFormer:
	default:
		add(notOneOf("status", c.Status, Statuses))
	}
	if c.MemberSince != "" {
		if _, err := time.Parse("2006-01-02", c.MemberSince); err != nil || !datePattern.MatchString(c.MemberSince) {
			add(problem("member_since", "members.problem.date", "%q is not a date YYYY-MM-DD", c.MemberSince))
		}
	}
	return ps
}

// checkReferences reports a region or office that does not exist, or an
// office of another region.
func (s *Service) checkReferences(ctx context.Context, c City, regions map[string]bool, offices map[string]Office) []citylens.Problem {
	var ps []citylens.Problem
	if c.RegionCode != "" && !regions[c.RegionCode] {
		ps = append(ps, unknownRegion(c.RegionCode))
	}
	if c.OfficeCode != "" {
		o, ok := offices[c.OfficeCode]
		switch {
		case !ok:
			ps = append(ps, problem("office", "members.problem.unknown_office", "unknown regional office %q", c.OfficeCode))
		case o.RegionCode != c.RegionCode:
			ps = append(ps, problem("office", "members.problem.office_region", "office %q serves region %s, not %s", o.Code, o.RegionCode, c.RegionCode))
		}
	}
	return ps
}

func (s *Service) referenceSets(ctx context.Context) (map[string]bool, map[string]Office, error) {
	regions, err := s.Store.ListRegions(ctx)
	if err != nil {
		return nil, nil, err
	}
	offices, err := s.Store.ListOffices(ctx)
	if err != nil {
		return nil, nil, err
	}
	rs := make(map[string]bool, len(regions))
	for _, r := range regions {
		rs[r.Code] = true
	}
	os := make(map[string]Office, len(offices))
	for _, o := range offices {
		os[o.Code] = o
	}
	return rs, os, nil
}

// SaveCity validates and stores a city (created or replaced), recording the
// change in the audit log in the same transaction. Saving an unchanged city
// records nothing.
func (s *Service) SaveCity(ctx context.Context, actor auditlog.Actor, c City) error {
	c = normaliseCity(c)
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		regions, offices, err := s.referenceSets(ctx)
		if err != nil {
			return err
		}
		ps := append(ValidateCity(c), s.checkReferences(ctx, c, regions, offices)...)
		if len(ps) > 0 {
			return invalid(ps)
		}
		_, err = s.put(ctx, actor, c)
		return err
	})
}

// put stores c unless identical to the stored city, auditing the change.
// It reports whether anything changed.
func (s *Service) put(ctx context.Context, actor auditlog.Actor, c City) (string, error) {
	before, err := s.Store.City(ctx, c.Code)
	var prev any
	outcome := "created"
	switch {
	case err == nil:
		if before == c {
			return "unchanged", nil
		}
		prev, outcome = before, "updated"
	case citylens.ErrorCode(err) != citylens.ENOTFOUND:
		return "", err
	}
	if err := s.Store.PutCity(ctx, c); err != nil {
		return "", err
	}
	action := "city.update"
	if outcome == "created" {
		action = "city.create"
	}
	return outcome, auditlog.Record(ctx, s.Audit, s.Now(), actor, action, "city", c.Code, prev, c)
}

// Partner kinds, in display order.
const (
	PartnerCompany       = "company"
	PartnerUniversity    = "university"
	PartnerResearch      = "research"
	PartnerAgency        = "agency"        // a government or public agency
	PartnerInternational = "international" // an international organisation
	PartnerNonProfit     = "nonprofit"
)

// PartnerKinds lists every partner kind, in display order.
var PartnerKinds = []string{PartnerCompany, PartnerUniversity, PartnerResearch, PartnerAgency, PartnerInternational, PartnerNonProfit}

// ValidateOffice checks an office's fields on their own (its region's
// existence is checked against the database when it is saved).
func ValidateOffice(o Office) []citylens.Problem {
	var ps []citylens.Problem
	add := func(p citylens.Problem) { ps = append(ps, p) }
	if !cityCodePattern.MatchString(o.Code) {
		add(badCode("code", o.Code))
	}
	if o.Name == "" {
		add(required("name"))
	} else if len(o.Name) > 200 {
		add(tooLong("name", 200))
	}
	if o.RegionCode == "" {
		add(required("region"))
	}
	if len(o.HostCity) > 200 {
		add(tooLong("host_city", 200))
	}
	return ps
}

// ValidatePartner checks a partner organisation's fields.
func ValidatePartner(p Partner) []citylens.Problem {
	var ps []citylens.Problem
	add := func(p citylens.Problem) { ps = append(ps, p) }
	if !cityCodePattern.MatchString(p.Code) {
		add(badCode("code", p.Code))
	}
	if p.Name == "" {
		add(required("name"))
	} else if len(p.Name) > 200 {
		add(tooLong("name", 200))
	}
	known := false
	for _, k := range PartnerKinds {
		known = known || k == p.Kind
	}
	if !known {
		add(notOneOf("kind", p.Kind, PartnerKinds))
	}
	if p.Country != "" && !countryCodePattern.MatchString(p.Country) {
		add(badCountry("country", p.Country))
	}
	if p.Website != "" {
		u, err := url.Parse(p.Website)
		switch {
		case len(p.Website) > 500:
			add(tooLong("website", 500))
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			add(problem("website", "members.problem.website", "%q is not a web address starting with https:// or http://", p.Website))
		}
	}
	return ps
}

func normaliseOffice(o Office) Office {
	o.Code, o.Name = strings.TrimSpace(o.Code), strings.TrimSpace(o.Name)
	o.RegionCode, o.HostCity = strings.TrimSpace(o.RegionCode), strings.TrimSpace(o.HostCity)
	return o
}

func normalisePartner(p Partner) Partner {
	p.Code, p.Name, p.Kind = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name), strings.TrimSpace(p.Kind)
	p.Country, p.Website = strings.ToUpper(strings.TrimSpace(p.Country)), strings.TrimSpace(p.Website)
	return p
}

// How a save treats an existing record of the same code.
type saveMode int

const (
	upsert   saveMode = iota // create or replace (seeding)
	mustNew                  // ECONFLICT when the code is taken
	mustHave                 // ENOTFOUND when there is none
)

// CreateOffice validates and stores a new regional office, with an audit
// entry; a code already taken is ECONFLICT.
func (s *Service) CreateOffice(ctx context.Context, actor auditlog.Actor, o Office) error {
	return s.saveOffice(ctx, actor, o, mustNew)
}

// UpdateOffice validates and replaces an existing regional office, with an
// audit entry; ENOTFOUND when there is none. An office serving cities keeps
// its region: a city's office must serve the city's region.
func (s *Service) UpdateOffice(ctx context.Context, actor auditlog.Actor, o Office) error {
	return s.saveOffice(ctx, actor, o, mustHave)
}

// SaveOffice validates and stores a regional office, created or replaced,
// with an audit entry. Saving an unchanged office records nothing.
func (s *Service) SaveOffice(ctx context.Context, actor auditlog.Actor, o Office) error {
	return s.saveOffice(ctx, actor, o, upsert)
}

func (s *Service) saveOffice(ctx context.Context, actor auditlog.Actor, o Office, mode saveMode) error {
	o = normaliseOffice(o)
	ps := ValidateOffice(o)
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if o.RegionCode != "" {
			if _, err := s.Store.Region(ctx, o.RegionCode); citylens.ErrorCode(err) == citylens.ENOTFOUND {
				ps = append(ps, unknownRegion(o.RegionCode))
			} else if err != nil {
				return err
			}
		}
		before, err := s.Store.Office(ctx, o.Code)
		exists := err == nil
		if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		switch {
		case mode == mustNew && exists:
			return conflict(ps, problem("code", "members.problem.office_taken", "a regional office with code %q already exists (%s)", o.Code, before.Name))
		case mode == mustHave && !exists:
			return citylens.Ef(citylens.ENOTFOUND, "members.error.office_not_found", "regional office %q not found", o.Code)
		}
		if exists && before.RegionCode != o.RegionCode && len(ps) == 0 {
			n, err := s.citiesServedBy(ctx, o.Code)
			if err != nil {
				return err
			}
			if n > 0 {
				ps = append(ps, problem("region", "members.problem.office_serves",
					"the office serves %d cities of region %s: move them to another office before changing its region", n, before.RegionCode))
			}
		}
		if len(ps) > 0 {
			return invalid(ps)
		}
		if exists && before == o {
			return nil
		}
		var prev any
		action := "office.create"
		if exists {
			prev, action = before, "office.update"
		}
		if mode == mustNew {
			err = s.Store.CreateOffice(ctx, o)
			if citylens.ErrorCode(err) == citylens.ECONFLICT {
				return conflict(nil, problem("code", "members.problem.office_code_taken", "a regional office with code %q already exists", o.Code))
			}
		} else {
			err = s.Store.PutOffice(ctx, o)
		}
		if err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.Now(), actor, action, "office", o.Code, prev, o)
	})
}

// conflict is the error of a code already taken: ECONFLICT with the
// problem naming the field, or, when the record has other problems too,
// EINVALID with all of them.
func conflict(ps []citylens.Problem, taken citylens.Problem) error {
	if len(ps) > 0 {
		return invalid(append(ps, taken))
	}
	return &citylens.Error{Code: citylens.ECONFLICT, Key: taken.Key, Args: taken.Args, Message: taken.Reason, Problems: []citylens.Problem{taken}}
}

// citiesServedBy counts the cities an office serves.
func (s *Service) citiesServedBy(ctx context.Context, office string) (int, error) {
	cs, err := s.Store.ListCities(ctx, CityFilter{})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		if c.OfficeCode == office {
			n++
		}
	}
	return n, nil
}

// CreatePartner validates and stores a new partner organisation, with an
// audit entry; a code already taken is ECONFLICT.
func (s *Service) CreatePartner(ctx context.Context, actor auditlog.Actor, p Partner) error {
	return s.savePartner(ctx, actor, p, mustNew)
}

// UpdatePartner validates and replaces an existing partner organisation,
// with an audit entry; ENOTFOUND when there is none.
func (s *Service) UpdatePartner(ctx context.Context, actor auditlog.Actor, p Partner) error {
	return s.savePartner(ctx, actor, p, mustHave)
}

// SavePartner validates and stores a partner organisation, created or
// replaced, with an audit entry. Saving an unchanged partner records nothing.
func (s *Service) SavePartner(ctx context.Context, actor auditlog.Actor, p Partner) error {
	return s.savePartner(ctx, actor, p, upsert)
}

func (s *Service) savePartner(ctx context.Context, actor auditlog.Actor, p Partner, mode saveMode) error {
	p = normalisePartner(p)
	ps := ValidatePartner(p)
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		before, err := s.Store.Partner(ctx, p.Code)
		exists := err == nil
		if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		switch {
		case mode == mustNew && exists:
			return conflict(ps, problem("code", "members.problem.partner_taken", "a partner organisation with code %q already exists (%s)", p.Code, before.Name))
		case mode == mustHave && !exists:
			return citylens.Ef(citylens.ENOTFOUND, "members.error.partner_not_found", "partner organisation %q not found", p.Code)
		}
		if len(ps) > 0 {
			return invalid(ps)
		}
		if exists && before == p {
			return nil
		}
		var prev any
		action := "partner.create"
		if exists {
			prev, action = before, "partner.update"
		}
		if mode == mustNew {
			err = s.Store.CreatePartner(ctx, p)
			if citylens.ErrorCode(err) == citylens.ECONFLICT {
				return conflict(nil, problem("code", "members.problem.partner_code_taken", "a partner organisation with code %q already exists", p.Code))
			}
		} else {
			err = s.Store.PutPartner(ctx, p)
		}
		if err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.Now(), actor, action, "partner", p.Code, prev, p)
	})
}

func normaliseCity(c City) City {
	c.Code = strings.TrimSpace(c.Code)
	c.Name = strings.TrimSpace(c.Name)
	c.LocalName = strings.TrimSpace(c.LocalName)
	c.Names.En, c.Names.Ko = strings.TrimSpace(c.Names.En), strings.TrimSpace(c.Names.Ko)
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	c.RegionCode = strings.TrimSpace(c.RegionCode)
	c.OfficeCode = strings.TrimSpace(c.OfficeCode)
	c.Status = strings.TrimSpace(c.Status)
	c.MemberSince = strings.TrimSpace(c.MemberSince)
	return c
}
