package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coopwatch/coopwatch/plan"
)

// Snapshot is one target's standing in one unit at one date.
type Snapshot struct {
	AsOf       time.Time       `db:"as_of" json:"as_of"`
	Indicator  string          `db:"indicator" json:"indicator"`
	UnitCode   string          `db:"unit_code" json:"unit_code"`
	PlanHash   string          `db:"plan_hash" json:"plan_hash"`
	Actual     sql.NullFloat64 `db:"actual" json:"-"`
	Expected   sql.NullFloat64 `db:"expected" json:"-"`
	Target     sql.NullFloat64 `db:"target" json:"-"`
	Ratio      sql.NullFloat64 `db:"ratio" json:"-"`
	Status     string          `db:"status" json:"status"`
	Coverage   float64         `db:"coverage" json:"coverage"`
	Projected  sql.NullFloat64 `db:"projected" json:"-"`
	PaceNeeded sql.NullFloat64 `db:"pace_needed" json:"-"`
	ETA        sql.NullTime    `db:"eta" json:"-"`

	// Filled by Snapshots from the units table.
	Level        string `db:"level" json:"level"`
	UnitName     string `db:"full_name" json:"unit_name"`
	DistrictCode string `db:"district_code" json:"district_code,omitempty"`
	ParentCode   string `db:"parent_code" json:"parent_code,omitempty"`
}

var snapshotColumns = []string{"as_of", "indicator", "unit_code", "plan_hash", "actual", "expected",
	"target", "ratio", "status", "coverage", "projected", "pace_needed", "eta"}

// SaveSnapshots replaces the province's snapshots of asOf with rows, and records the plan
// version they were computed with, in one transaction. Other provinces' rows stay.
func (s *Store) SaveSnapshots(ctx context.Context, p *plan.Plan, province string, asOf time.Time, rows []Snapshot) error {
	return s.WithTx(ctx, func(tx *sqlx.Tx) error {
		// Two recomputes of one province (the digest jobs of several groups fire together)
		// would both delete and both insert the day's rows: take turns.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('snapshots:' || $1))`, province); err != nil {
			return fmt.Errorf("store: unable to take the snapshot lock: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO plan_versions (hash, name, effective_from, content) VALUES ($1, $2, $3, $4)
			ON CONFLICT (hash) DO NOTHING`, p.Hash, p.Name, p.EffectiveFrom.Time, p.Source); err != nil {
			return fmt.Errorf("store: unable to save plan version: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM attainment_snapshots WHERE as_of = $1
			AND unit_code IN (SELECT unit_code FROM unit_ancestors WHERE ancestor_code = $2)`, asOf, province); err != nil {
			return fmt.Errorf("store: unable to replace snapshots of %s: %w", asOf.Format(time.DateOnly), err)
		}
		return copyRows(ctx, tx, "attainment_snapshots", snapshotColumns, len(rows), func(i int) []any {
			r := rows[i]
			return []any{asOf, r.Indicator, r.UnitCode, p.Hash, nullable(r.Actual), nullable(r.Expected),
				nullable(r.Target), nullable(r.Ratio), r.Status, r.Coverage, nullable(r.Projected),
				nullable(r.PaceNeeded), nullableTime(r.ETA)}
		})
	})
}

// copyRows streams n rows into table through COPY.
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, columns []string, n int, row func(int) []any) error {
	stmt, err := tx.PrepareContext(ctx, copyStatement(table, columns))
	if err != nil {
		return fmt.Errorf("store: unable to start copy into %s: %w", table, err)
	}
	defer stmt.Close()
	for i := range n {
		if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
			return fmt.Errorf("store: unable to copy into %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("store: unable to finish copy into %s: %w", table, err)
	}
	return nil
}

// copyStatement is the COPY ... FROM STDIN text that lib/pq turns into a copy stream.
func copyStatement(table string, columns []string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = pq.QuoteIdentifier(c)
	}
	return fmt.Sprintf("COPY %s (%s) FROM STDIN", pq.QuoteIdentifier(table), strings.Join(quoted, ", "))
}

// FloatPtr is v as a pointer, nil when v is NULL: how reports and JSON carry an
// optional number.
func FloatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

func nullable(v sql.NullFloat64) any {
	if !v.Valid {
		return nil
	}
	return v.Float64
}

func nullableTime(v sql.NullTime) any {
	if !v.Valid {
		return nil
	}
	return v.Time
}

// PastActuals returns, per indicator and unit of the province, the oldest snapshot taken
// between from and to: the start of the window the recent pace is measured over.
func (s *Store) PastActuals(ctx context.Context, province string, from, to time.Time) (map[[2]string]plan.PastValue, error) {
	var rows []struct {
		Indicator string    `db:"indicator"`
		UnitCode  string    `db:"unit_code"`
		AsOf      time.Time `db:"as_of"`
		Actual    float64   `db:"actual"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT DISTINCT ON (indicator, unit_code) indicator, unit_code, as_of, actual
		FROM attainment_snapshots
		WHERE as_of BETWEEN $1 AND $2 AND actual IS NOT NULL
			AND unit_code IN (SELECT unit_code FROM unit_ancestors WHERE ancestor_code = $3)
		ORDER BY indicator, unit_code, as_of`, from, to, province)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read past snapshots: %w", err)
	}
	out := make(map[[2]string]plan.PastValue, len(rows))
	for _, r := range rows {
		out[[2]string{r.Indicator, r.UnitCode}] = plan.PastValue{AsOf: r.AsOf, Actual: r.Actual}
	}
	return out, nil
}

// SnapshotQuery selects snapshots; empty fields select everything.
type SnapshotQuery struct {
	AsOf       time.Time
	Level      string   // province, district, commune
	Indicators []string // target codes
	Statuses   []string
	Under      string // only units below (and including) this unit code
}

// Snapshots reads the snapshots of one date, ordered by indicator then unit.
func (s *Store) Snapshots(ctx context.Context, q SnapshotQuery) ([]Snapshot, error) {
	conds := []string{"s.as_of = $1"}
	args := []any{q.AsOf}
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if q.Level != "" {
		add("u.level = $%d", q.Level)
	}
	if len(q.Indicators) > 0 {
		add("s.indicator = ANY($%d)", pq.Array(q.Indicators))
	}
	if len(q.Statuses) > 0 {
		add("s.status = ANY($%d)", pq.Array(q.Statuses))
	}
	if q.Under != "" {
		add("s.unit_code IN (SELECT unit_code FROM unit_ancestors WHERE ancestor_code = $%d)", q.Under)
	}
	var out []Snapshot
	err := s.db.SelectContext(ctx, &out, `
		SELECT s.as_of, s.indicator, s.unit_code, s.plan_hash, s.actual, s.expected, s.target, s.ratio,
			s.status, s.coverage, s.projected, s.pace_needed, s.eta,
			u.level, u.full_name, coalesce(u.district_code, '') AS district_code, coalesce(u.parent_code, '') AS parent_code
		FROM attainment_snapshots s JOIN units u ON u.code = s.unit_code
		WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY s.indicator, CASE u.level WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, u.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read snapshots: %w", err)
	}
	return out, nil
}

// LatestSnapshotDate is the newest as-of date with snapshots, or false when there is none.
func (s *Store) LatestSnapshotDate(ctx context.Context) (time.Time, bool, error) {
	var d sql.NullTime
	if err := s.db.GetContext(ctx, &d, `SELECT max(as_of) FROM attainment_snapshots`); err != nil {
		return time.Time{}, false, fmt.Errorf("store: unable to read snapshot dates: %w", err)
	}
	return d.Time, d.Valid, nil
}

// SnapshotDateOnOrBefore is the newest as-of date with snapshots on or before t, or false
// when there is none: the earlier snapshot a digest compares with.
func (s *Store) SnapshotDateOnOrBefore(ctx context.Context, t time.Time) (time.Time, bool, error) {
	var d sql.NullTime
	err := s.db.GetContext(ctx, &d, `SELECT max(as_of) FROM attainment_snapshots WHERE as_of <= $1::date`,
		t.Format(time.DateOnly))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: unable to read snapshot dates before %s: %w", t.Format(time.DateOnly), err)
	}
	return d.Time, d.Valid, nil
}
