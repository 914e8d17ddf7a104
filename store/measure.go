package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/coopwatch/coopwatch/plan"
)

// entityTable says where an entity lives, which column dates it and which places it.
var entityTable = map[string]struct{ table, date, unit string }{
	plan.Cooperatives:      {"cooperatives", "founded_on", "commune_code"},
	plan.CooperativeGroups: {"cooperative_groups", "founded_on", "commune_code"},
	plan.Activities:        {"activities", "held_on", "unit_code"},
}

// UnitValue is one indicator's aggregate in one unit. Value is Num for counts and sums,
// Num/Den for means, ratios and shares.
type UnitValue struct {
	Indicator string          `db:"indicator"`
	UnitCode  string          `db:"unit_code"`
	Num       sql.NullFloat64 `db:"num"`
	Den       sql.NullFloat64 `db:"den"`
}

// Measure computes every target of the plan for every unit of the province that has data,
// at all levels at once: each row is counted in its own unit and every ancestor of it, so
// a province's count is the sum of its communes' by construction.
func (s *Store) Measure(ctx context.Context, p *plan.Plan, province string, asOf time.Time) ([]UnitValue, error) {
	parts := make([]string, 0, len(p.Targets))
	for _, t := range p.Targets {
		q, err := measureSQL(t)
		if err != nil {
			return nil, fmt.Errorf("store: indicator %s: %w", t.Code, err)
		}
		parts = append(parts, q)
	}
	var out []UnitValue
	err := s.db.SelectContext(ctx, &out, strings.Join(parts, "\nUNION ALL\n"), p.Period.Start.Time, asOf, p.Period.End.Time, province)
	if err != nil {
		return nil, fmt.Errorf("store: unable to measure indicators: %w", err)
	}
	return out, nil
}

// measureSQL builds one indicator's aggregate. Field names were checked against
// plan.Fields when the plan was loaded; they are quoted here all the same. $1 is the period
// start, $2 the as-of date, $3 the period end, $4 the province: a row dated after the period never counts,
// even when recomputing after it ended. Every part names all three through p, so that
// Postgres knows their types whichever filters a plan uses.
func measureSQL(t plan.Target) (string, error) {
	m := t.Measure
	e, ok := entityTable[m.Entity]
	if !ok {
		return "", fmt.Errorf("unknown entity %q", m.Entity)
	}
	col := func(name string) string { return "e." + pq.QuoteIdentifier(name) }
	var num, den string
	switch m.Kind {
	case plan.Count:
		num, den = "count(*)", "NULL"
	case plan.Sum:
		num, den = fmt.Sprintf("coalesce(sum(%s), 0)", col(m.Field)), "NULL"
	case plan.Mean:
		num, den = fmt.Sprintf("sum(%s)", col(m.Field)), fmt.Sprintf("count(%s)", col(m.Field))
	case plan.WeightedMean:
		both := fmt.Sprintf("%s IS NOT NULL AND %s IS NOT NULL", col(m.Field), col(m.Weight))
		num = fmt.Sprintf("sum(%s * %s) FILTER (WHERE %s)", col(m.Field), col(m.Weight), both)
		den = fmt.Sprintf("sum(%s) FILTER (WHERE %s)", col(m.Weight), both)
	case plan.Ratio:
		both := fmt.Sprintf("%s IS NOT NULL AND %s IS NOT NULL", col(m.Numerator), col(m.Denominator))
		num = fmt.Sprintf("sum(%s) FILTER (WHERE %s)", col(m.Numerator), both)
		den = fmt.Sprintf("sum(%s) FILTER (WHERE %s)", col(m.Denominator), both)
	case plan.Share:
		num, den = fmt.Sprintf("count(*) FILTER (WHERE %s)", filterSQL(m.Match, m.Entity, e.date)), "count(*)"
	case plan.DistinctCount:
		num, den = fmt.Sprintf("count(DISTINCT %s)", col(m.Field)), "NULL"
	default:
		return "", fmt.Errorf("unknown measure kind %q", m.Kind)
	}
	return fmt.Sprintf(`SELECT %s AS indicator, a.ancestor_code AS unit_code, (%s)::float8 AS num, (%s)::float8 AS den
FROM %s e JOIN unit_ancestors a ON a.unit_code = e.%s
CROSS JOIN (SELECT $1::date AS start, $2::date AS as_of, LEAST($2::date, $3::date) AS until) p
WHERE e.%s IN (SELECT unit_code FROM unit_ancestors WHERE ancestor_code = $4::text) AND %s
GROUP BY a.ancestor_code`,
		pq.QuoteLiteral(t.Code), num, den, e.table, e.unit, e.unit, filterSQL(m.Filter, m.Entity, e.date)), nil
}

func filterSQL(f plan.Filter, entity, dateCol string) string {
	conds := []string{"true"}
	if f.InPeriod {
		conds = append(conds, fmt.Sprintf("e.%s BETWEEN p.start AND p.until", dateCol))
	}
	if f.DissolvedInPeriod {
		conds = append(conds, "e.dissolved_on BETWEEN p.start AND p.until")
	}
	if f.Active {
		conds = append(conds, "e.status = 'active'", "(e.founded_on IS NULL OR e.founded_on <= p.as_of)")
		if entity == plan.Cooperatives {
			conds = append(conds, "(e.dissolved_on IS NULL OR e.dissolved_on > p.as_of)")
		}
	}
	in := func(column string, values []string) {
		if len(values) == 0 {
			return
		}
		quoted := make([]string, len(values))
		for i, v := range values {
			quoted[i] = pq.QuoteLiteral(v)
		}
		conds = append(conds, fmt.Sprintf("e.%s IN (%s)", column, strings.Join(quoted, ", ")))
	}
	in("status", f.Status)
	in("rating", f.Rating)
	in("kind", f.Kind)
	in("sector", f.Sector)
	return strings.Join(conds, " AND ")
}

// Reporting says which districts sent data for each entity. A file with no district
// (a provincial file) covers the whole province.
type Reporting struct {
	Districts    map[string]map[string]bool // entity -> district codes
	ProvinceWide map[string]bool            // entities with a file that has no district
}

// Reporting reads which districts of the province have reported, per entity: a file whose
// rows were all rejected reports nothing. Files from before files recorded their province
// count for whichever province asks.
func (s *Store) Reporting(ctx context.Context, province string) (Reporting, error) {
	r := Reporting{Districts: map[string]map[string]bool{}, ProvinceWide: map[string]bool{}}
	var rows []struct {
		Entity   string         `db:"entity"`
		District sql.NullString `db:"district_code"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT DISTINCT entity, district_code FROM source_files
		WHERE (province_code = $1 OR province_code IS NULL) AND rows_accepted > 0`, province); err != nil {
		return r, fmt.Errorf("store: unable to read reporting districts: %w", err)
	}
	for _, row := range rows {
		if !row.District.Valid {
			r.ProvinceWide[row.Entity] = true
			continue
		}
		if r.Districts[row.Entity] == nil {
			r.Districts[row.Entity] = map[string]bool{}
		}
		r.Districts[row.Entity][row.District.String] = true
	}
	return r, nil
}
