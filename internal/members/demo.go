package members

import (
	"bytes"
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// demodata holds the UN World Urbanization Prospects 2018 cities file
// (CC BY 3.0 IGO, see demodata/README.md) and the M49 → ISO 3166 table of
// the countries in it.
//
//go:embed demodata/WUP2018-F12-Cities_Over_300K.csv demodata/countries.csv demodata/city_names.csv
var demodata embed.FS

// DemoAttribution must be shown wherever the demo cities are.
const DemoAttribution = "Demo cities: UN DESA, Population Division (2018). World Urbanization Prospects: The 2018 Revision (CC BY 3.0 IGO)."

// Country is one row of the embedded M49 → ISO 3166 table.
type Country struct {
	M49, ISO2, ISO3, Name, Region string
}

// DemoCountries returns the embedded country table, keyed by M49 code
// ("410" → Republic of Korea).
func DemoCountries() (map[string]Country, error) {
	f, err := demodata.Open("demodata/countries.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "demo countries: %v", err)
	}
	out := map[string]Country{}
	for _, r := range rows[1:] {
		out[strings.TrimLeft(r[0], "0")] = Country{M49: r[0], ISO2: r[1], ISO3: r[2], Name: r[3], Region: r[4]}
	}
	return out, nil
}

// demoQuota is how many cities the demo network takes from each region, at
// most demoPerCountry from any one country, largest (2020 population) first.
var demoQuota = map[string]int{"AF": 30, "AS": 45, "EU": 30, "LA": 25, "NA": 10, "OC": 8}

const demoPerCountry = 4

// DemoOffices are the regional offices of the demo network, one per region.
var DemoOffices = []Office{
	{Code: "office-africa", Name: "Africa Regional Office", RegionCode: "AF", HostCity: "Abuja"},
	{Code: "office-asia", Name: "Asia Regional Office", RegionCode: "AS", HostCity: "Chengdu"},
	{Code: "office-europe", Name: "Europe Regional Office", RegionCode: "EU", HostCity: "Beyoğlu (Istanbul)"},
	{Code: "office-latam", Name: "Latin America and Caribbean Regional Office", RegionCode: "LA", HostCity: "Mexico City"},
	{Code: "office-namerica", Name: "North America Regional Office", RegionCode: "NA", HostCity: "Toronto"},
	{Code: "office-oceania", Name: "Oceania Regional Office", RegionCode: "OC", HostCity: "Sydney"},
}

// DemoPartners are the demo network's partner organisations.
var DemoPartners = []Partner{
	{Code: "partner-open-data-lab", Name: "Open Data Lab", Kind: "research", Country: "GBR", Website: "https://example.org/odl"},
	{Code: "partner-urban-mobility", Name: "Urban Mobility Alliance", Kind: "company", Country: "DEU", Website: "https://example.org/uma"},
	{Code: "partner-smart-grid", Name: "Smart Grid Institute", Kind: "university", Country: "KOR", Website: "https://example.org/sgi"},
}

// DemoCities picks the demo member cities from the embedded WUP file,
// deterministically: per region, the largest cities by 2020 population, at
// most demoPerCountry per country, up to the region's quota (about 150 in
// all). Member dates are spread over 2010-2025 by rank.
func DemoCities() ([]City, error) {
	countries, err := DemoCountries()
	if err != nil {
		return nil, err
	}
	raw, err := demodata.ReadFile("demodata/WUP2018-F12-Cities_Over_300K.csv")
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "demo cities: %v", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	type candidate struct {
		City
		pop2020 float64
	}
	byRegion := map[string][]candidate{}
	for _, r := range rows[1:] {
		c, ok := countries[r[col["Country Code"]]]
		if !ok {
			return nil, citylens.Errorf(citylens.EINTERNAL, "demo cities: no ISO code for M49 %s", r[col["Country Code"]])
		}
		pop, _ := strconv.ParseFloat(r[col["2020"]], 64)
		lat, _ := strconv.ParseFloat(r[col["Latitude"]], 64)
		lon, _ := strconv.ParseFloat(r[col["Longitude"]], 64)
		name := r[col["Urban Agglomeration"]]
		byRegion[c.Region] = append(byRegion[c.Region], candidate{City: City{
			Code:       strings.ToLower(c.ISO2) + "-" + slug(name),
			Name:       shortName(name),
			LocalName:  name,
			Country:    c.ISO3,
			RegionCode: c.Region,
			Latitude:   lat, Longitude: lon,
			Population: int64(pop * 1000),
			Status:     StatusMember,
		}, pop2020: pop})
	}
	officeOf := map[string]string{}
	for _, o := range DemoOffices {
		officeOf[o.RegionCode] = o.Code
	}
	names, err := demoCityNames()
	if err != nil {
		return nil, err
	}
	var out []City
	regions := make([]string, 0, len(demoQuota))
	for r := range demoQuota {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	seen := map[string]bool{}
	for _, region := range regions {
		cs := byRegion[region]
		sort.SliceStable(cs, func(i, j int) bool {
			if cs[i].pop2020 != cs[j].pop2020 {
				return cs[i].pop2020 > cs[j].pop2020
			}
			return cs[i].Code < cs[j].Code
		})
		perCountry := map[string]int{}
		n := 0
		for _, c := range cs {
			if n == demoQuota[region] {
				break
			}
			if perCountry[c.Country] == demoPerCountry || seen[c.Code] {
				continue
			}
			perCountry[c.Country]++
			seen[c.Code] = true
			c.OfficeCode = officeOf[region]
			c.Names = names[c.Code]
			c.MemberSince = fmt.Sprintf("%d-%02d-01", 2010+n%16, 1+n%12)
			if n%17 == 16 {
				c.Status = StatusCandidate
				c.MemberSince = ""
			}
			out = append(out, c.City)
			n++
		}
	}
	return out, nil
}

// demoCityNames reads the demo cities' names per language: a common
// English name where WUP's is local, and the Korean name (city_names.csv).
func demoCityNames() (map[string]CityNames, error) {
	raw, err := demodata.ReadFile("demodata/city_names.csv")
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "demo city names: %v", err)
	}
	out := map[string]CityNames{}
	for _, r := range rows[1:] {
		out[r[0]] = CityNames{En: r[1], Ko: r[2]}
	}
	return out, nil
}

// SeedDemo stores the demo offices, partners and cities; it is idempotent
// (a second run changes and records nothing).
func (s *Service) SeedDemo(ctx context.Context) (ImportResult, error) {
	actor := auditlog.System("demo-seed")
	cities, err := DemoCities()
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		for _, o := range DemoOffices {
			if err := s.SaveOffice(ctx, actor, o); err != nil {
				return err
			}
		}
		for _, p := range DemoPartners {
			if err := s.savePartnerIfChanged(ctx, actor, p); err != nil {
				return err
			}
		}
		res, err = s.Import(ctx, actor, cities)
		return err
	})
	return res, err
}

func (s *Service) savePartnerIfChanged(ctx context.Context, actor auditlog.Actor, p Partner) error {
	ps, err := s.Store.ListPartners(ctx)
	if err != nil {
		return err
	}
	for _, have := range ps {
		if have == p {
			return nil
		}
	}
	return s.SavePartner(ctx, actor, p)
}

// shortName drops the parenthesised alternatives of a WUP name:
// "Seoul" stays, "Mumbai (Bombay)" becomes "Mumbai".
func shortName(name string) string {
	if i := strings.Index(name, " ("); i > 0 {
		return name[:i]
	}
	return name
}

// slug makes a URL-safe ASCII code from a city name: "São Paulo" → "sao-paulo".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(shortName(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 40 {
		s = strings.TrimSuffix(s[:40], "-")
	}
	if s == "" {
		s = "city"
	}
	return s
}
