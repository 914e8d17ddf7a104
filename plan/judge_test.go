package plan

import (
	"math"
	"testing"
	"time"
)

// The 2026 plan year has 365 days. 2 July 2026 is day 183 (31+28+31+30+31+30 = 181, +2),
// and 182 days remain after it.
var (
	year2026 = Plan{
		Period: Period{NewDate(2026, 1, 1), NewDate(2026, 12, 31)},
		Status: Bands{OnTrack: 0.95, AtRisk: 0.8, MinCoverage: 0.5, AboutTolerance: 0.05, PaceWindowWeeks: 8},
	}
	july2  = time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
	groups = Target{Code: "T01", Cumulative: true, Comparator: AtLeast, Value: 80, Allocation: Allocation{PerCommune: 1}}
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-3 }

func TestFraction(t *testing.T) {
	t.Parallel()
	withMilestone := groups
	withMilestone.Milestones = []Milestone{{NewDate(2026, 6, 30), 20}}
	tests := []struct {
		name string
		t    Target
		asOf time.Time
		want float64
	}{
		{"before the period", groups, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), 0},
		{"first day", groups, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1.0 / 365},
		{"day 183", groups, july2, 183.0 / 365},
		{"last day", groups, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), 1},
		{"after the period", groups, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), 1},
		// 20 of 80 by 30 June is 0.25; then 2 of the 184 days to 31 December add 0.75*2/184.
		{"through a milestone", withMilestone, july2, 0.25 + 0.75*2/184},
		{"at the milestone", withMilestone, time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), 0.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := year2026.Fraction(tt.t, tt.asOf); !near(got, tt.want) {
				t.Errorf("Fraction = %.6f, want %.6f", got, tt.want)
			}
		})
	}
}

func TestUnitTarget(t *testing.T) {
	t.Parallel()
	quota := groups
	quota.Allocation.Quotas = map[string]float64{"934": 20, "935": 5}
	noAllocation := Target{Cumulative: true, Value: 20}
	income := Target{Value: 50}
	tests := []struct {
		name         string
		t            Target
		level, code  string
		communes     int
		want         float64
		wantHasValue bool
	}{
		{"province", groups, "province", "93", 75, 80, true},
		{"district: 1 per commune", groups, "district", "934", 15, 15, true},
		{"district: quota above communes", quota, "district", "934", 15, 20, true},
		{"district: communes above quota", quota, "district", "935", 10, 10, true},
		{"commune: per commune", groups, "commune", "31471", 0, 1, true},
		{"district without allocation", noAllocation, "district", "934", 15, 0, false},
		{"commune without allocation", noAllocation, "commune", "31471", 0, 0, false},
		{"level target applies everywhere", income, "commune", "31471", 0, 50, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.t.UnitTarget(tt.level, tt.code, tt.communes)
			if got != tt.want || ok != tt.wantHasValue {
				t.Errorf("UnitTarget = %v, %v; want %v, %v", got, ok, tt.want, tt.wantHasValue)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	income := Target{Comparator: MoreThan, Value: 50}
	members := Target{Cumulative: true, Comparator: About, Value: 500}
	baseline := 10.0
	glide := Target{Comparator: AtLeast, Value: 20, Baseline: &baseline}
	dec31 := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		t            Target
		value        float64
		actual       *float64
		coverage     float64
		asOf         time.Time
		wantStatus   string
		wantExpected float64 // ignored for no_target
	}{
		// Expected by 2 July: 80 * 183/365 = 40.110.
		{"cumulative on track", groups, 80, ptr(39.0), 1, july2, StatusOnTrack, 40.110}, // 39/40.11 = 0.972
		{"cumulative at risk", groups, 80, ptr(35.0), 1, july2, StatusAtRisk, 40.110},   // 0.873
		{"cumulative behind", groups, 80, ptr(30.0), 1, july2, StatusBehind, 40.110},    // 0.748
		{"cumulative achieved early", groups, 80, ptr(80.0), 1, july2, StatusAchieved, 40.110},
		{"district not reporting is no_data, not behind", groups, 80, ptr(0.0), 0, july2, StatusNoData, 40.110},
		{"nothing to measure", income, 50, nil, 1, july2, StatusNoData, 50},
		{"more than: equal is not achieved", income, 50, ptr(50.0), 1, july2, StatusOnTrack, 50},
		{"more than: above is achieved", income, 50, ptr(51.0), 1, july2, StatusAchieved, 50},
		{"level behind", income, 50, ptr(39.0), 1, july2, StatusBehind, 50}, // 0.78
		{"about: within tolerance", members, 500, ptr(475.0), 1, dec31, StatusAchieved, 500},
		{"about: below tolerance", members, 500, ptr(474.0), 1, dec31, StatusAtRisk, 500}, // 0.948
		// Glide from 10 to 20 over the year: 10 + 10*183/365 = 15.014.
		{"level glide path", glide, 20, ptr(15.0), 1, july2, StatusOnTrack, 15.014},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j := year2026.Judge(tt.t, tt.value, true, Measurement{Actual: tt.actual, Coverage: tt.coverage}, tt.asOf)
			if j.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", j.Status, tt.wantStatus)
			}
			if j.Expected == nil || !near(*j.Expected, tt.wantExpected) {
				t.Errorf("expected = %v, want %.3f", j.Expected, tt.wantExpected)
			}
		})
	}
	t.Run("no target", func(t *testing.T) {
		t.Parallel()
		j := year2026.Judge(Target{Cumulative: true}, 0, false, Measurement{Actual: ptr(3.0), Coverage: 1}, july2)
		if j.Status != StatusNoTarget || j.Target != nil || j.PaceNeeded != nil {
			t.Errorf("judgement = %+v, want no_target without target or pace", j)
		}
		if j.Projected == nil {
			t.Error("a measured unit without target still gets a projection")
		}
	})
}

func TestProjection(t *testing.T) {
	t.Parallel()
	t.Run("pace since the start", func(t *testing.T) {
		t.Parallel()
		j := year2026.Judge(groups, 80, true, Measurement{Actual: ptr(30.0), Coverage: 1}, july2)
		// 30 in 183 days; 182 days left: 30 + 30/183*182 = 59.836.
		if !near(*j.Projected, 59.836) {
			t.Errorf("projected = %.3f, want 59.836", *j.Projected)
		}
		// 50 to go in 26 weeks: 1.923 a week.
		if !near(*j.PaceNeeded, 50/(182.0/7)) {
			t.Errorf("pace needed = %.3f, want %.3f", *j.PaceNeeded, 50/(182.0/7))
		}
		// 50 more at 30/183 a day takes ceil(305) days: 3 May 2027.
		if j.ETA == nil || j.ETA.Format(time.DateOnly) != "2027-05-03" {
			t.Errorf("eta = %v, want 2027-05-03", j.ETA)
		}
	})
	t.Run("pace of the recent window", func(t *testing.T) {
		t.Parallel()
		past := &PastValue{AsOf: july2.Add(-56 * day), Actual: 16}
		j := year2026.Judge(groups, 80, true, Measurement{Actual: ptr(30.0), Coverage: 1, Past: past}, july2)
		// 14 in 56 days is 0.25 a day: 30 + 0.25*182 = 75.5; 50 more takes 200 days.
		if !near(*j.Projected, 75.5) {
			t.Errorf("projected = %.3f, want 75.5", *j.Projected)
		}
		if j.ETA == nil || j.ETA.Format(time.DateOnly) != "2027-01-18" {
			t.Errorf("eta = %v, want 2027-01-18", j.ETA)
		}
	})
	t.Run("achieved needs no pace", func(t *testing.T) {
		t.Parallel()
		j := year2026.Judge(groups, 80, true, Measurement{Actual: ptr(81.0), Coverage: 1}, july2)
		if *j.PaceNeeded != 0 || j.ETA != nil {
			t.Errorf("pace needed = %v, eta = %v; want 0 and none", *j.PaceNeeded, j.ETA)
		}
	})
}
