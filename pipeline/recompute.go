package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
)

// Recompute measures every target of the plan in the province and each of its districts
// and communes as of asOf, judges each against the plan, and saves that day's snapshots
// (replacing any computed earlier for the same day).
func Recompute(ctx context.Context, st *store.Store, p *plan.Plan, provinceCode string, asOf time.Time) ([]store.Snapshot, error) {
	units, err := st.UnitsUnder(ctx, provinceCode)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("recompute: province %s has no units: load the gazetteer first", provinceCode)
	}
	values, err := st.Measure(ctx, p, provinceCode, asOf)
	if err != nil {
		return nil, err
	}
	byKey := make(map[[2]string]store.UnitValue, len(values))
	for _, v := range values {
		byKey[[2]string{v.Indicator, v.UnitCode}] = v
	}
	reporting, err := st.Reporting(ctx, provinceCode)
	if err != nil {
		return nil, err
	}
	window := time.Duration(p.Status.PaceWindowWeeks) * 7 * 24 * time.Hour
	past, err := st.PastActuals(ctx, provinceCode, asOf.Add(-window), asOf.AddDate(0, 0, -7))
	if err != nil {
		return nil, err
	}
	cov := newCoverage(units, reporting)

	rows := make([]store.Snapshot, 0, len(units)*len(p.Targets))
	for _, t := range p.Targets {
		for _, u := range units {
			m := plan.Measurement{Coverage: cov.of(u, t.Measure.Entity)}
			// Where nobody reported, a count of 0 would be a claim: leave it unknown.
			if m.Coverage > 0 {
				m.Actual = actual(t.Measure, byKey[[2]string{t.Code, u.Code}])
			}
			if pv, ok := past[[2]string{t.Code, u.Code}]; ok {
				m.Past = &pv
			}
			value, has := t.UnitTarget(u.Level, u.Code, cov.communes[u.Code])
			j := p.Judge(t, value, has, m, asOf)
			rows = append(rows, store.Snapshot{
				AsOf: asOf, Indicator: t.Code, UnitCode: u.Code, PlanHash: p.Hash,
				Actual: nf(m.Actual), Expected: nf(j.Expected), Target: nf(j.Target), Ratio: nf(j.Ratio),
				Status: j.Status, Coverage: m.Coverage, Projected: nf(j.Projected), PaceNeeded: nf(j.PaceNeeded),
				ETA: nt(j.ETA), Level: u.Level, UnitName: u.FullName, DistrictCode: u.DistrictCode.String,
				ParentCode: u.ParentCode.String,
			})
		}
	}
	if err := st.SaveSnapshots(ctx, p, provinceCode, asOf, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// actual turns a unit's aggregate into the indicator's value. Counts and sums of a unit
// with no rows are 0; a mean, ratio or share over nothing is undefined.
func actual(m plan.Measure, v store.UnitValue) *float64 {
	switch m.Kind {
	case plan.Count, plan.Sum, plan.DistinctCount:
		x := v.Num.Float64 * m.ScaleOr1()
		return &x
	}
	if !v.Num.Valid || !v.Den.Valid || v.Den.Float64 == 0 {
		return nil
	}
	x := v.Num.Float64 / v.Den.Float64 * m.ScaleOr1()
	return &x
}

// coverage answers which share of a unit's districts reported an entity.
type coverage struct {
	reporting store.Reporting
	districts []string       // every district code of the province
	communes  map[string]int // district or province code -> number of communes under it
	district  map[string]string
}

func newCoverage(units []store.Unit, r store.Reporting) *coverage {
	c := &coverage{reporting: r, communes: map[string]int{}, district: map[string]string{}}
	for _, u := range units {
		switch u.Level {
		case "district":
			c.districts = append(c.districts, u.Code)
			c.district[u.Code] = u.Code
		case "commune":
			c.communes[units[0].Code]++ // units[0] is the province
			if u.DistrictCode.Valid {
				c.communes[u.DistrictCode.String]++
				c.district[u.Code] = u.DistrictCode.String
			}
		}
	}
	return c
}

// of is 1 where a provincial file covers the entity; else the share of the unit's
// districts (all of them for the province) that sent a file of it. Without districts
// (post-reform), a unit is covered once any file of the entity arrived.
func (c *coverage) of(u store.Unit, entity string) float64 {
	if c.reporting.ProvinceWide[entity] {
		return 1
	}
	reported := c.reporting.Districts[entity]
	if d, ok := c.district[u.Code]; ok {
		if reported[d] {
			return 1
		}
		return 0
	}
	if len(c.districts) == 0 {
		if len(reported) > 0 {
			return 1
		}
		return 0
	}
	n := 0
	for _, d := range c.districts {
		if reported[d] {
			n++
		}
	}
	return float64(n) / float64(len(c.districts))
}

func nf(v *float64) sql.NullFloat64 {
	if v == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *v, Valid: true}
}

func nt(v *time.Time) sql.NullTime {
	if v == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: *v, Valid: true}
}
