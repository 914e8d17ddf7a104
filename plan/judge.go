package plan

import (
	"math"
	"time"
)

// Statuses of a target in one unit.
const (
	StatusAchieved = "achieved"
	StatusOnTrack  = "on_track"
	StatusAtRisk   = "at_risk"
	StatusBehind   = "behind"
	// StatusNoData: too few districts reported, or nothing to measure; never "behind".
	StatusNoData = "no_data"
	// StatusNoTarget: the unit is measured but the plan sets it no target.
	StatusNoTarget = "no_target"
)

const day = 24 * time.Hour

// UnitTarget is the value a unit must reach: the province's value; for a district, its
// quota or PerCommune times its communes (the larger); for a commune, PerCommune. Level
// targets (averages, shares) apply unchanged everywhere. ok is false where the plan sets
// no target for the unit.
func (t Target) UnitTarget(level, code string, communes int) (value float64, ok bool) {
	if level == "province" || !t.Cumulative {
		return t.Value, true
	}
	a := t.Allocation
	switch level {
	case "district":
		q, hasQuota := a.Quotas[code]
		if a.PerCommune > 0 {
			return max(q, a.PerCommune*float64(communes)), true
		}
		return q, hasQuota
	case "commune":
		return a.PerCommune, a.PerCommune > 0
	}
	return 0, false
}

// Fraction is the share of a cumulative target that should be reached by asOf: linear
// over the period, or through the milestones. Days are counted whole, both ends included.
func (p *Plan) Fraction(t Target, asOf time.Time) float64 {
	start := p.Period.Start.Add(-day) // zero at the end of the day before the period
	points := []struct {
		at    time.Time
		share float64
	}{{start, 0}}
	for _, m := range t.Milestones {
		if t.Value > 0 {
			points = append(points, struct {
				at    time.Time
				share float64
			}{m.Date.Time, m.Value / t.Value})
		}
	}
	points = append(points, struct {
		at    time.Time
		share float64
	}{p.Period.End.Time, 1})
	if !asOf.After(start) {
		return 0
	}
	for i := 1; i < len(points); i++ {
		a, b := points[i-1], points[i]
		if !asOf.After(b.at) {
			span := b.at.Sub(a.at).Hours()
			return a.share + (b.share-a.share)*asOf.Sub(a.at).Hours()/span
		}
	}
	return 1
}

// Expected is where a unit with target value should be at asOf.
func (p *Plan) Expected(t Target, value float64, asOf time.Time) float64 {
	switch {
	case t.Cumulative:
		return value * p.Fraction(t, asOf)
	case t.Baseline != nil:
		linear := Target{Value: value, Cumulative: true}
		return *t.Baseline + (value-*t.Baseline)*p.Fraction(linear, asOf)
	default:
		return value
	}
}

// Meets reports whether actual satisfies the target's comparator against value.
func (p *Plan) Meets(t Target, actual, value float64) bool {
	switch t.Comparator {
	case MoreThan:
		return actual > value
	case AtMost:
		return actual <= value
	case About:
		return actual >= value*(1-p.Status.AboutTolerance)
	default:
		return actual >= value
	}
}

// Measurement is what the data says about one target in one unit.
type Measurement struct {
	Actual   *float64 // nil when there is nothing to measure (a mean over no cooperatives)
	Coverage float64  // share of the unit's districts that reported
	// Past is the unit's value some weeks ago, from the snapshots, for the recent pace.
	Past *PastValue
}

// PastValue is an earlier snapshot's actual value.
type PastValue struct {
	AsOf   time.Time
	Actual float64
}

// Judgement is a target's standing in one unit at one date.
type Judgement struct {
	Target     *float64
	Expected   *float64
	Ratio      *float64 // actual / expected (expected / actual for "<=")
	Status     string
	Projected  *float64   // value at the period end at the current pace
	PaceNeeded *float64   // per week, from now to the target
	ETA        *time.Time // when the target is reached at the current pace
}

// Judge turns a measurement into a status, a projection and the pace still needed.
func (p *Plan) Judge(t Target, value float64, hasTarget bool, m Measurement, asOf time.Time) Judgement {
	var j Judgement
	if hasTarget {
		j.Target = &value
		exp := p.Expected(t, value, asOf)
		j.Expected = &exp
	}
	if m.Actual != nil && t.Cumulative {
		p.project(t, value, hasTarget, m, asOf, &j)
	} else if m.Actual != nil {
		j.Projected = ptr(*m.Actual)
	}
	// No data comes first: a unit whose districts did not report is not "without target"
	// or "behind", it is unknown.
	switch {
	case m.Coverage < p.Status.MinCoverage:
		j.Status = StatusNoData
	case !hasTarget:
		j.Status = StatusNoTarget
	case m.Actual == nil:
		j.Status = StatusNoData
	default:
		actual, exp := *m.Actual, *j.Expected
		j.Ratio = ratio(t, actual, exp)
		switch {
		case p.Meets(t, actual, value):
			j.Status = StatusAchieved
		case j.Ratio == nil || *j.Ratio >= p.Status.OnTrack:
			j.Status = StatusOnTrack
		case *j.Ratio >= p.Status.AtRisk:
			j.Status = StatusAtRisk
		default:
			j.Status = StatusBehind
		}
	}
	return j
}

// ratio is nil when nothing is expected yet (the first day of the period).
func ratio(t Target, actual, expected float64) *float64 {
	if t.Comparator == AtMost {
		if actual == 0 {
			return ptr(1.0)
		}
		return ptr(expected / actual)
	}
	if expected == 0 {
		return nil
	}
	return ptr(actual / expected)
}

// project fills Projected, PaceNeeded and ETA of a cumulative target: the pace is that of
// the recent window when a snapshot from at least a week ago exists, else the pace since
// the period start.
func (p *Plan) project(t Target, value float64, hasTarget bool, m Measurement, asOf time.Time, j *Judgement) {
	actual := *m.Actual
	elapsed := asOf.Sub(p.Period.Start.Add(-day)).Hours() / 24
	remaining := math.Max(0, p.Period.End.Sub(asOf).Hours()/24)
	var pace float64 // per day
	switch {
	case m.Past != nil && asOf.Sub(m.Past.AsOf) >= 7*day:
		pace = (actual - m.Past.Actual) / (asOf.Sub(m.Past.AsOf).Hours() / 24)
	case elapsed > 0:
		pace = actual / elapsed
	}
	pace = math.Max(pace, 0)
	j.Projected = ptr(actual + pace*remaining)
	if !hasTarget {
		return
	}
	gap := value - actual
	if p.Meets(t, actual, value) || gap <= 0 {
		j.PaceNeeded = ptr(0.0)
		return
	}
	if remaining > 0 {
		j.PaceNeeded = ptr(gap / (remaining / 7))
	}
	if pace > 0 {
		eta := asOf.Add(time.Duration(math.Ceil(gap/pace)) * day)
		j.ETA = &eta
	}
}

func ptr[T any](v T) *T { return &v }
