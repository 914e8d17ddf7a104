package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coopwatch/coopwatch/gazetteer"
)

// SaveUnits upserts the units of a gazetteer and rebuilds their ancestor table. Saving the
// same units twice changes nothing.
func (s *Store) SaveUnits(ctx context.Context, units []gazetteer.Unit) error {
	n := len(units)
	codes, levels, names, fulls, types := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	parents, districts, provinces := make([]sql.NullString, n), make([]sql.NullString, n), make([]string, n)
	for i, u := range units {
		codes[i], levels[i], names[i], fulls[i], types[i] = u.Code, string(u.Level), u.Name, u.FullName, u.Type
		parents[i] = nullString(u.ParentCode)
		districts[i] = nullString(u.DistrictCode)
		provinces[i] = u.ProvinceCode
	}
	return s.WithTx(ctx, func(tx *sqlx.Tx) error {
		// Parents come before children in units, and Postgres checks the foreign key at the
		// end of the statement, so one statement can insert a whole tree.
		_, err := tx.ExecContext(ctx, `
			INSERT INTO units (code, level, name, full_name, unit_type, parent_code, district_code, province_code)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
			ON CONFLICT (code) DO UPDATE SET
				level = excluded.level, name = excluded.name, full_name = excluded.full_name,
				unit_type = excluded.unit_type, parent_code = excluded.parent_code,
				district_code = excluded.district_code, province_code = excluded.province_code
			WHERE (units.level, units.name, units.full_name, units.unit_type, units.parent_code, units.district_code, units.province_code)
				IS DISTINCT FROM
				(excluded.level, excluded.name, excluded.full_name, excluded.unit_type, excluded.parent_code, excluded.district_code, excluded.province_code)`,
			pq.Array(codes), pq.Array(levels), pq.Array(names), pq.Array(fulls), pq.Array(types),
			pq.Array(parents), pq.Array(districts), pq.Array(provinces))
		if err != nil {
			return fmt.Errorf("store: unable to save units: %w", err)
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO unit_ancestors (ancestor_code, unit_code)
			WITH RECURSIVE up (unit_code, ancestor_code) AS (
				SELECT code, code FROM units
				UNION ALL
				SELECT up.unit_code, u.parent_code FROM up JOIN units u ON u.code = up.ancestor_code
				WHERE u.parent_code IS NOT NULL
			)
			SELECT ancestor_code, unit_code FROM up
			ON CONFLICT DO NOTHING`)
		if err != nil {
			return fmt.Errorf("store: unable to save unit ancestors: %w", err)
		}
		return nil
	})
}

// Unit is a stored administrative unit.
type Unit struct {
	Code         string         `db:"code"`
	Level        string         `db:"level"`
	Name         string         `db:"name"`
	FullName     string         `db:"full_name"`
	Type         string         `db:"unit_type"`
	ParentCode   sql.NullString `db:"parent_code"`
	DistrictCode sql.NullString `db:"district_code"`
}

// UnitsUnder lists a unit and everything below it, by level then code.
func (s *Store) UnitsUnder(ctx context.Context, code string) ([]Unit, error) {
	var units []Unit
	err := s.db.SelectContext(ctx, &units, `
		SELECT u.code, u.level, u.name, u.full_name, u.unit_type, u.parent_code, u.district_code
		FROM unit_ancestors a JOIN units u ON u.code = a.unit_code
		WHERE a.ancestor_code = $1
		ORDER BY CASE u.level WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, u.code`, code)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list units under %s: %w", code, err)
	}
	return units, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
