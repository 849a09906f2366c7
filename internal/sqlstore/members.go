package sqlstore

import (
	"context"
	"strings"

	"github.com/citylens/citylens/internal/members"
)

func (db *Store) ListRegions(ctx context.Context) ([]members.Region, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT code, name FROM regions ORDER BY code`)
	if err != nil {
		return nil, db.dbError(ctx, "list regions", err)
	}
	defer rows.Close()
	var out []members.Region
	for rows.Next() {
		var r members.Region
		if err := rows.Scan(&r.Code, &r.Name); err != nil {
			return nil, db.dbError(ctx, "list regions", err)
		}
		out = append(out, r)
	}
	return out, db.dbError(ctx, "list regions", rows.Err())
}

func (db *Store) Region(ctx context.Context, code string) (members.Region, error) {
	var r members.Region
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT code, name FROM regions WHERE code = $1`, code).Scan(&r.Code, &r.Name)
	return r, db.dbError(ctx, "region", notFound(err, "region %q not found", code))
}

const officeColumns = `code, name, region_code, host_city`

func (db *Store) ListOffices(ctx context.Context) ([]members.Office, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+officeColumns+` FROM offices ORDER BY region_code, code`)
	if err != nil {
		return nil, db.dbError(ctx, "list offices", err)
	}
	defer rows.Close()
	var out []members.Office
	for rows.Next() {
		var o members.Office
		if err := rows.Scan(&o.Code, &o.Name, &o.RegionCode, &o.HostCity); err != nil {
			return nil, db.dbError(ctx, "list offices", err)
		}
		out = append(out, o)
	}
	return out, db.dbError(ctx, "list offices", rows.Err())
}

func (db *Store) Office(ctx context.Context, code string) (members.Office, error) {
	var o members.Office
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT `+officeColumns+` FROM offices WHERE code = $1`, code).
		Scan(&o.Code, &o.Name, &o.RegionCode, &o.HostCity)
	return o, db.dbError(ctx, "office", notFound(err, "regional office %q not found", code))
}

func (db *Store) CreateOffice(ctx context.Context, o members.Office) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO offices (code, name, region_code, host_city) VALUES ($1, $2, $3, $4)`,
		o.Code, o.Name, o.RegionCode, o.HostCity)
	return db.dbError(ctx, "office "+o.Code, err)
}

func (db *Store) PutOffice(ctx context.Context, o members.Office) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO offices (code, name, region_code, host_city) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, host_city = excluded.host_city`,
		o.Code, o.Name, o.RegionCode, o.HostCity)
	return db.dbError(ctx, "office "+o.Code, err)
}

const cityColumns = `code, name, local_name, country, region_code, COALESCE(office_code, ''), latitude, longitude, population, status, member_since, name_en, name_ko`

type scanner interface{ Scan(dest ...any) error }

func scanCity(s scanner) (members.City, error) {
	var c members.City
	err := s.Scan(&c.Code, &c.Name, &c.LocalName, &c.Country, &c.RegionCode, &c.OfficeCode,
		&c.Latitude, &c.Longitude, &c.Population, &c.Status, &c.MemberSince, &c.Names.En, &c.Names.Ko)
	return c, err
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (db *Store) ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error) {
	q := `SELECT ` + cityColumns + ` FROM cities WHERE 1=1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if f.RegionCode != "" {
		q += ` AND region_code = ` + arg(f.RegionCode)
	}
	if f.Country != "" {
		q += ` AND country = ` + arg(f.Country)
	}
	if f.Status != "" {
		q += ` AND status = ` + arg(f.Status)
	}
	if f.Query != "" {
		if err := members.CheckQuery(f.Query); err != nil {
			return nil, err
		}
		// The search is a substring: % and _ in it are themselves.
		p := "%" + likeEscaper.Replace(strings.ToLower(f.Query)) + "%"
		q += ` AND (lower(name) LIKE ` + arg(p) + ` ESCAPE '\' OR lower(local_name) LIKE ` + arg(p) + ` ESCAPE '\'
			OR lower(name_en) LIKE ` + arg(p) + ` ESCAPE '\' OR lower(name_ko) LIKE ` + arg(p) + ` ESCAPE '\')`
	}
	q += ` ORDER BY name, code`
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.dbError(ctx, "list cities", err)
	}
	defer rows.Close()
	var out []members.City
	for rows.Next() {
		c, err := scanCity(rows)
		if err != nil {
			return nil, db.dbError(ctx, "list cities", err)
		}
		out = append(out, c)
	}
	return out, db.dbError(ctx, "list cities", rows.Err())
}

func (db *Store) City(ctx context.Context, code string) (members.City, error) {
	c, err := scanCity(db.reader(ctx).QueryRowContext(ctx, `SELECT `+cityColumns+` FROM cities WHERE code = $1`, code))
	return c, db.dbError(ctx, "city", notFound(err, "city %q not found", code))
}

func (db *Store) PutCity(ctx context.Context, c members.City) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO cities (code, name, local_name, country, region_code, office_code,
		latitude, longitude, population, status, member_since, name_en, name_ko)
		VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, local_name = excluded.local_name, country = excluded.country,
		region_code = excluded.region_code, office_code = excluded.office_code, latitude = excluded.latitude,
		longitude = excluded.longitude, population = excluded.population, status = excluded.status,
		member_since = excluded.member_since, name_en = excluded.name_en, name_ko = excluded.name_ko`,
		c.Code, c.Name, c.LocalName, c.Country, c.RegionCode, c.OfficeCode, c.Latitude, c.Longitude, c.Population, c.Status, c.MemberSince,
		c.Names.En, c.Names.Ko)
	return db.dbError(ctx, "city "+c.Code, err)
}

func (db *Store) ListPartners(ctx context.Context) ([]members.Partner, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+partnerColumns+` FROM partners ORDER BY name, code`)
	if err != nil {
		return nil, db.dbError(ctx, "list partners", err)
	}
	defer rows.Close()
	var out []members.Partner
	for rows.Next() {
		var p members.Partner
		if err := rows.Scan(&p.Code, &p.Name, &p.Kind, &p.Country, &p.Website); err != nil {
			return nil, db.dbError(ctx, "list partners", err)
		}
		out = append(out, p)
	}
	return out, db.dbError(ctx, "list partners", rows.Err())
}

const partnerColumns = `code, name, kind, country, website`

func (db *Store) Partner(ctx context.Context, code string) (members.Partner, error) {
	var p members.Partner
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT `+partnerColumns+` FROM partners WHERE code = $1`, code).
		Scan(&p.Code, &p.Name, &p.Kind, &p.Country, &p.Website)
	return p, db.dbError(ctx, "partner", notFound(err, "partner organisation %q not found", code))
}

func (db *Store) CreatePartner(ctx context.Context, p members.Partner) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO partners (`+partnerColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		p.Code, p.Name, p.Kind, p.Country, p.Website)
	return db.dbError(ctx, "partner "+p.Code, err)
}

func (db *Store) PutPartner(ctx context.Context, p members.Partner) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO partners (code, name, kind, country, website) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, country = excluded.country, website = excluded.website`,
		p.Code, p.Name, p.Kind, p.Country, p.Website)
	return db.dbError(ctx, "partner "+p.Code, err)
}
