package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// Golden numbers of the attainment computation over a small province, worked out by hand.
// 2 July 2026 is day 183 of the 365-day plan year (31+28+31+30+31+30 = 181, +2); 182 days
// remain to 31 December. 7 May 2026 is day 127 (31+28+31+30 = 120, +7), 56 days before 2 July.

const share = 183.0 / 365 // share of a cumulative target expected by 2 July

var (
	may7  = day(2026, 5, 7)
	july2 = day(2026, 7, 2)
	none  = math.NaN() // a NULL column in a want
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
func on(y int, m time.Month, d int) *time.Time { t := day(y, m, d); return &t }
func f(v float64) *float64                     { return &v }
func n(v int64) *int64                         { return &v }

// testUnits: province 99; district 901 with communes 00001-00003, district 902 with 00004
// and 00005, district 903 with 00006 (903 never sends a file).
func testUnits() []gazetteer.Unit {
	u := func(code, name string, level gazetteer.Level, parent, district string) gazetteer.Unit {
		return gazetteer.Unit{Code: code, Name: name, FullName: name, Type: string(level), Level: level,
			ParentCode: parent, DistrictCode: district, ProvinceCode: "99"}
	}
	return []gazetteer.Unit{
		u("99", "Tỉnh Thử", gazetteer.Province, "", ""),
		u("901", "Huyện Một", gazetteer.District, "99", ""),
		u("902", "Huyện Hai", gazetteer.District, "99", ""),
		u("903", "Huyện Ba", gazetteer.District, "99", ""),
		u("00001", "Xã A", gazetteer.Commune, "901", "901"),
		u("00002", "Xã B", gazetteer.Commune, "901", "901"),
		u("00003", "Xã C", gazetteer.Commune, "901", "901"),
		u("00004", "Xã D", gazetteer.Commune, "902", "902"),
		u("00005", "Xã E", gazetteer.Commune, "902", "902"),
		u("00006", "Xã G", gazetteer.Commune, "903", "903"),
	}
}

// Cooperatives. Active on 2 July: C1, C2, C3, C6, C7, C8. C4 was dissolved on 30 April,
// C5 is suspended, C9 is founded only in September, C10 was dissolved in 2024.
func coops901() []store.Cooperative {
	return []store.Cooperative{
		{RegistrationCode: "C1", CommuneCode: "00001", FoundedOn: on(2026, 2, 10), Status: "active", Rating: "chua_xep_loai",
			Members: n(30), Workers: n(10), AvgIncomeMVND: f(60), RevenueMVND: f(1200), KeyOfficers: n(5), OfficersTrained: n(1), OfficersRefreshed: n(5)},
		{RegistrationCode: "C2", CommuneCode: "00001", FoundedOn: on(2019, 5, 1), Status: "active", Rating: "tot",
			Members: n(50), Workers: n(20), AvgIncomeMVND: f(45), RevenueMVND: f(800), KeyOfficers: n(4), OfficersTrained: n(2), OfficersRefreshed: n(3)},
		// New, but nothing reported beyond its founding: no members, revenue or rating.
		{RegistrationCode: "C3", CommuneCode: "00002", FoundedOn: on(2026, 3, 15), Status: "active"},
		{RegistrationCode: "C4", CommuneCode: "00003", FoundedOn: on(2015, 1, 1), DissolvedOn: on(2026, 4, 30), Status: "dissolved", Rating: "yeu",
			Members: n(12), Workers: n(8), AvgIncomeMVND: f(30), RevenueMVND: f(200), KeyOfficers: n(3), OfficersTrained: n(0), OfficersRefreshed: n(1)},
		{RegistrationCode: "C5", CommuneCode: "00002", FoundedOn: on(2020, 1, 1), Status: "suspended", Rating: "trung_binh",
			Members: n(20), Workers: n(5), AvgIncomeMVND: f(40), RevenueMVND: f(300), KeyOfficers: n(3), OfficersTrained: n(1), OfficersRefreshed: n(2)},
	}
}

func coops902() []store.Cooperative {
	return []store.Cooperative{
		{RegistrationCode: "C6", CommuneCode: "00004", FoundedOn: on(2026, 5, 20), Status: "active", Rating: "chua_xep_loai",
			Members: n(25), Workers: n(5), AvgIncomeMVND: f(54), KeyOfficers: n(5), OfficersTrained: n(1)},
		{RegistrationCode: "C7", CommuneCode: "00004", FoundedOn: on(2018, 1, 1), Status: "active", Rating: "kha",
			Members: n(40), Workers: n(15), AvgIncomeMVND: f(52), RevenueMVND: f(1500), KeyOfficers: n(5), OfficersTrained: n(1), OfficersRefreshed: n(5)},
		{RegistrationCode: "C8", CommuneCode: "00005", FoundedOn: on(2021, 1, 1), Status: "active", Rating: "trung_binh",
			Members: n(15), AvgIncomeMVND: f(35), RevenueMVND: f(600), KeyOfficers: n(4), OfficersTrained: n(0), OfficersRefreshed: n(3)},
		{RegistrationCode: "C9", CommuneCode: "00005", FoundedOn: on(2026, 9, 1), Status: "active", Rating: "tot",
			Members: n(10), Workers: n(10), AvgIncomeMVND: f(100), RevenueMVND: f(5000), KeyOfficers: n(10), OfficersTrained: n(10), OfficersRefreshed: n(10)},
		{RegistrationCode: "C10", CommuneCode: "00004", FoundedOn: on(2010, 3, 1), DissolvedOn: on(2024, 12, 1), Status: "dissolved", Rating: "yeu",
			Members: n(9), Workers: n(9), AvgIncomeMVND: f(20), RevenueMVND: f(100), KeyOfficers: n(3), OfficersTrained: n(0), OfficersRefreshed: n(0)},
	}
}

// Groups new in the period by 2 July: G1 (the first day), G2, G3 (the as-of day itself), G7.
func groups901() []store.Group {
	return []store.Group{
		{Name: "G1", CommuneCode: "00001", FoundedOn: on(2026, 1, 1)},
		{Name: "G2", CommuneCode: "00001", FoundedOn: on(2026, 3, 20)},
		{Name: "G3", CommuneCode: "00003", FoundedOn: on(2026, 7, 2)},
		{Name: "G4", CommuneCode: "00002", FoundedOn: on(2025, 11, 5)}, // before the period: 00002 has no new group
		{Name: "G6", CommuneCode: "00001", FoundedOn: on(2026, 8, 15)}, // after 2 July
	}
}

func groups902() []store.Group {
	return []store.Group{
		{Name: "G7", CommuneCode: "00004", FoundedOn: on(2026, 4, 10)},
		{Name: "G8", CommuneCode: "00005", FoundedOn: on(2024, 3, 1)},   // before the period: 00005 has no new group
		{Name: "G11", CommuneCode: "00004", FoundedOn: on(2027, 1, 10)}, // after the period
	}
}

// Activities, from one provincial file: in communes, in districts and at the province.
func activities() []store.Activity {
	a := func(id, kind, unit string, held *time.Time, qty float64, coop string) store.Activity {
		return store.Activity{SourceID: id, Kind: kind, Title: kind + " " + id, UnitCode: unit, HeldOn: held,
			Quantity: &qty, CooperativeCode: coop}
	}
	return []store.Activity{
		a("A1", "outreach_class", "00001", on(2026, 3, 5), 2, ""),
		a("A2", "outreach_class", "901", on(2026, 4, 12), 3, ""),
		a("A3", "outreach_class", "99", on(2026, 2, 20), 5, ""),
		a("A4", "outreach_class", "00004", on(2025, 12, 15), 4, ""), // before the period
		a("A5", "vocational_class", "00002", on(2026, 5, 10), 1, ""),
		a("A6", "vocational_class", "00005", on(2026, 6, 1), 2, ""),
		a("A7", "vocational_class", "902", on(2026, 8, 1), 6, ""), // after 2 July
		a("A8", "handbook_print", "99", on(2026, 3, 1), 1500, ""),
		a("A9", "handbook_print", "902", on(2026, 4, 1), 500, ""),
		a("A10", "handbook_print", "00006", on(2026, 5, 1), 300, ""), // in district 903
		a("A11", "workshop", "99", on(2026, 6, 10), 1, ""),
		a("A12", "trade_promotion", "00001", on(2026, 3, 10), 1, "C2"),
		a("A13", "trade_promotion", "99", on(2026, 6, 5), 1, "C2"), // C2 supported a second time
		a("A14", "trade_promotion", "00004", on(2026, 4, 20), 1, "C7"),
		a("A15", "trade_promotion", "901", on(2026, 5, 15), 1, "C1"),
	}
}

// loadFile applies one file of rows (all of one entity) through the store's load.
func loadFile(t *testing.T, ctx context.Context, st *store.Store, entity, district, hash string, rows ...any) {
	t.Helper()
	l, err := st.BeginLoad(ctx, store.FileMeta{Source: entity, Entity: entity, Location: hash + ".xlsx",
		ContentHash: hash, DistrictCode: district})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		lin := store.Lineage{Row: i + 2, RowHash: fmt.Sprintf("%s-%d", hash, i)}
		switch r := r.(type) {
		case store.Cooperative:
			r.Name, r.Lineage = "HTX "+r.RegistrationCode, lin
			err = l.AddCooperative(r)
		case store.Group:
			r.NaturalKey, r.Status, r.Lineage = "name:"+r.CommuneCode+":"+r.Name, "active", lin
			err = l.AddGroup(r)
		case store.Activity:
			r.Lineage = lin
			err = l.AddActivity(r)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Commit(); err != nil {
		t.Fatal(err)
	}
}

func rows[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// setup builds the fixture province in a fresh schema and loads the default plan.
func setup(t *testing.T) (*store.Store, context.Context, *plan.Plan) {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.SaveUnits(ctx, testUnits()); err != nil {
		t.Fatal(err)
	}
	loadFile(t, ctx, st, "cooperatives", "901", "htx-901", rows(coops901())...)
	loadFile(t, ctx, st, "cooperatives", "902", "htx-902", rows(coops902())...)
	loadFile(t, ctx, st, "cooperative_groups", "901", "tht-901", rows(groups901())...)
	loadFile(t, ctx, st, "cooperative_groups", "902", "tht-902", rows(groups902())...)
	loadFile(t, ctx, st, "activities", "", "hoatdong-tinh", rows(activities())...)
	p, err := plan.Load("../plans/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return st, ctx, p
}

type key struct{ code, unit string }

// recompute runs Recompute and reads back the day's stored snapshots by target and unit.
func recompute(t *testing.T, ctx context.Context, st *store.Store, p *plan.Plan, asOf time.Time) map[key]store.Snapshot {
	t.Helper()
	if _, err := pipeline.Recompute(ctx, st, p, "99", asOf); err != nil {
		t.Fatal(err)
	}
	snaps, err := st.Snapshots(ctx, store.SnapshotQuery{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[key]store.Snapshot, len(snaps))
	for _, s := range snaps {
		out[key{s.Indicator, s.UnitCode}] = s
	}
	return out
}

func get(t *testing.T, snaps map[key]store.Snapshot, code, unit string) store.Snapshot {
	t.Helper()
	s, ok := snaps[key{code, unit}]
	if !ok {
		t.Fatalf("no snapshot of %s in %s", code, unit)
	}
	return s
}

// same compares a stored value with a hand-computed one (NaN: NULL).
func same(got sql.NullFloat64, want float64) bool {
	if math.IsNaN(want) {
		return !got.Valid
	}
	return got.Valid && math.Abs(got.Float64-want) < 1e-3
}

func show(v sql.NullFloat64) string {
	if !v.Valid {
		return "NULL"
	}
	return fmt.Sprintf("%.4f", v.Float64)
}

type want struct {
	actual, target, expected float64
	status                   string
}

func checkSnap(t *testing.T, s store.Snapshot, w want) {
	t.Helper()
	if !same(s.Actual, w.actual) {
		t.Errorf("actual = %s, want %.4f", show(s.Actual), w.actual)
	}
	if !same(s.Target, w.target) {
		t.Errorf("target = %s, want %.4f", show(s.Target), w.target)
	}
	if !same(s.Expected, w.expected) {
		t.Errorf("expected = %s, want %.4f", show(s.Expected), w.expected)
	}
	if s.Status != w.status {
		t.Errorf("status = %s, want %s", s.Status, w.status)
	}
}

func TestAttainmentGolden(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	snaps := recompute(t, ctx, st, p, july2)
	if len(snaps) != 10*13 {
		t.Fatalf("%d snapshots, want 10 units x 13 targets", len(snaps))
	}
	const (
		ach, ok, risk, behind = plan.StatusAchieved, plan.StatusOnTrack, plan.StatusAtRisk, plan.StatusBehind
		noTarget              = plan.StatusNoTarget
	)
	golden := map[string]map[string]want{
		"99": {
			"T01": {1 + 1 + 1 + 1, 80, 80 * share, behind}, // G1, G2, G3, G7; expected 40.110, ratio 0.100
			"T02": {3, 20, 20 * share, behind},             // C1, C3, C6 (C9 founded after 2 July); 3/10.027
			"T03": {30 + 25, 500, 500 * share, behind},     // C1 30 + C3 nil + C6 25 = 55; 55/250.685 = 0.219
			// Active C1, C2, C6, C7 have income and workers (C3 has neither, C8 no workers):
			// (60*10 + 45*20 + 54*5 + 52*15) / (10+20+5+15) = 2550/50 = 51 > 50.
			"T04": {(60*10 + 45*20 + 54*5 + 52*15) / (10 + 20 + 5 + 15.0), 50, 50, ach},
			// Active with revenue: C1, C2, C7, C8: (1200+800+1500+600)/4 = 1025.
			"T05": {(1200 + 800 + 1500 + 600) / 4.0, 1000, 1000, ach},
			// C1 1/5, C2 2/4, C6 1/5, C7 1/5, C8 0/4: 5/23*100 = 21.739, "about 20" from 19.
			"T06": {100 * (1 + 2 + 1 + 1 + 0) / (5 + 4 + 5 + 5 + 4.0), 20, 20, ach},
			// C1 5/5, C2 3/4, C7 5/5, C8 3/4 (C6 has no refreshed count): 16/18 = 88.889; 0.988 of 90.
			"T07": {100 * (5 + 3 + 5 + 3) / (5 + 4 + 5 + 4.0), 90, 90, ok},
			// Rated among active: C2 tot, C7 kha, C8 trung_binh (C1, C6 chua_xep_loai left out): 2/3.
			"T08": {100 * 2 / 3.0, 20, 20, ach},
			"T09": {2 + 3 + 5, 50, 50 * share, behind},          // A1 + A2 + A3 = 10; 10/25.068 = 0.399
			"T10": {1 + 2, 30, 30 * share, behind},              // A5 + A6 = 3; 3/15.041 = 0.199
			"T11": {1500 + 500 + 300, 5000, 5000 * share, risk}, // 2300/2506.849 = 0.9175
			"T12": {1, 1, share, ach},                           // A11
			"T13": {3, 10, 10 * share, behind},                  // C2 (twice), C7, C1; 3/5.014 = 0.598
		},
		"901": {
			"T01": {3, 1 * 3, 3 * share, ach}, // G1, G2, G3; 1 per commune x 3 communes
			"T02": {2, none, none, noTarget},  // C1, C3
			"T03": {30, none, none, noTarget}, // C1 30 + C3 nil
			// C1, C2: (60*10 + 45*20)/30 = 50, not more than 50; ratio 1.0 is on track.
			"T04": {(60*10 + 45*20) / (10 + 20.0), 50, 50, ok},
			"T05": {(1200 + 800) / 2.0, 1000, 1000, ach},    // exactly 1000 meets ">="
			"T06": {100 * (1 + 2) / (5 + 4.0), 20, 20, ach}, // 33.333
			"T07": {100 * (5 + 3) / (5 + 4.0), 90, 90, ok},  // 88.889
			"T08": {100 * 1 / 1.0, 20, 20, ach},             // C2 tot only
			"T09": {2 + 3, none, none, noTarget},            // A1 in 00001 + A2 at the district
			"T10": {1, none, none, noTarget},                // A5
			"T11": {0, none, none, noTarget},
			"T12": {0, none, none, noTarget},
			"T13": {2, none, none, noTarget}, // C2 (A12), C1 (A15 at the district)
		},
		"00001": {
			"T01": {2, 1, share, ach},                          // G1, G2 (G6 after 2 July)
			"T02": {1, none, none, noTarget},                   // C1
			"T03": {30, none, none, noTarget},                  // C1
			"T04": {(60*10 + 45*20) / (10 + 20.0), 50, 50, ok}, // C1, C2 are both in 00001
			"T05": {(1200 + 800) / 2.0, 1000, 1000, ach},
			"T06": {100 * (1 + 2) / (5 + 4.0), 20, 20, ach},
			"T07": {100 * (5 + 3) / (5 + 4.0), 90, 90, ok},
			"T08": {100, 20, 20, ach},
			"T09": {2, none, none, noTarget}, // A1
			"T10": {0, none, none, noTarget},
			"T11": {0, none, none, noTarget},
			"T12": {0, none, none, noTarget},
			"T13": {1, none, none, noTarget}, // C2
		},
	}
	for _, unit := range []string{"99", "901", "00001"} {
		for _, tg := range p.Targets {
			t.Run(unit+"/"+tg.Code, func(t *testing.T) {
				t.Parallel()
				w, found := golden[unit][tg.Code]
				if !found {
					t.Fatalf("no golden value for %s in %s", tg.Code, unit)
				}
				checkSnap(t, get(t, snaps, tg.Code, unit), w)
			})
		}
	}

	t.Run("province T01 projection at the pace since the start", func(t *testing.T) {
		t.Parallel()
		s := get(t, snaps, "T01", "99")
		// 4 in 183 days, 182 to go: 4 + 4/183*182 = 7.978; 76 left over 26 weeks: 2.923 a week.
		if !same(s.Projected, 4+4.0/183*182) || !same(s.PaceNeeded, 76/(182.0/7)) {
			t.Errorf("projected %s, pace needed %s; want 7.978 and 2.923", show(s.Projected), show(s.PaceNeeded))
		}
		if !same(s.Ratio, 4/(80*share)) { // 0.0997
			t.Errorf("ratio = %s, want %.4f", show(s.Ratio), 4/(80*share))
		}
	})

	t.Run("coverage", func(t *testing.T) {
		t.Parallel()
		// Two of three districts sent cooperative and group files; activities came in a
		// provincial file, which covers everyone.
		for _, c := range []struct {
			code, unit string
			want       float64
		}{{"T01", "99", 2 / 3.0}, {"T04", "99", 2 / 3.0}, {"T01", "901", 1}, {"T01", "903", 0},
			{"T01", "00006", 0}, {"T09", "99", 1}, {"T11", "903", 1}, {"T11", "00006", 1}} {
			if got := get(t, snaps, c.code, c.unit).Coverage; math.Abs(got-c.want) > 1e-9 {
				t.Errorf("coverage of %s in %s = %.4f, want %.4f", c.code, c.unit, got, c.want)
			}
		}
	})

	t.Run("district 903 sent no file", func(t *testing.T) {
		t.Parallel()
		for _, unit := range []string{"903", "00006"} {
			for _, code := range []string{"T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08"} {
				s := get(t, snaps, code, unit)
				switch {
				case s.Status != plan.StatusNoData:
					// Coverage is judged before the target: a unit that sent nothing is unknown,
					// not "without target" with an actual of 0.
					t.Errorf("%s in %s is %s, want no_data", code, unit, s.Status)
				}
			}
		}
		// Activities follow the provincial file: handbooks printed in 00006 count there.
		checkSnap(t, get(t, snaps, "T11", "903"), want{300, none, none, plan.StatusNoTarget}) // A10
		checkSnap(t, get(t, snaps, "T11", "00006"), want{300, none, none, plan.StatusNoTarget})
		checkSnap(t, get(t, snaps, "T09", "903"), want{0, none, none, plan.StatusNoTarget})
	})

	t.Run("reporting communes with no new group are behind", func(t *testing.T) {
		t.Parallel()
		// Expected 1*183/365 = 0.501; 0 of it is a ratio of 0: behind, never no_data.
		checkSnap(t, get(t, snaps, "T01", "00002"), want{0, 1, share, plan.StatusBehind})
		checkSnap(t, get(t, snaps, "T01", "00005"), want{0, 1, share, plan.StatusBehind})
		checkSnap(t, get(t, snaps, "T01", "00003"), want{1, 1, share, plan.StatusAchieved}) // G3, founded on the as-of day
		// 902: G7 of 1 per commune x 2; expected 2*183/365 = 1.003, ratio 0.997: on track.
		checkSnap(t, get(t, snaps, "T01", "902"), want{1, 2, 2 * share, plan.StatusOnTrack})
	})

	t.Run("level targets with nothing to average are no_data", func(t *testing.T) {
		t.Parallel()
		// 00002: C3 reports nothing, C5 is suspended. 00003: C4 was dissolved on 30 April.
		for _, unit := range []string{"00002", "00003"} {
			for _, code := range []string{"T04", "T05", "T06", "T07", "T08"} {
				checkSnap(t, get(t, snaps, code, unit), want{none, 50, 50, plan.StatusNoData}.withTarget(p, code))
			}
		}
		// 00005: C8 gives no workers (T04 no data), but a share of 0 rated good is data.
		checkSnap(t, get(t, snaps, "T04", "00005"), want{none, 50, 50, plan.StatusNoData})
		checkSnap(t, get(t, snaps, "T05", "00005"), want{600, 1000, 1000, plan.StatusBehind}) // 0.6
		checkSnap(t, get(t, snaps, "T08", "00005"), want{0, 20, 20, plan.StatusBehind})       // C8 trung_binh: 0/1
		checkSnap(t, get(t, snaps, "T08", "902"), want{100 * 1 / 2.0, 20, 20, plan.StatusAchieved})
	})
}

// withTarget sets a level target's value from the plan (it applies unchanged in every unit).
func (w want) withTarget(p *plan.Plan, code string) want {
	tg, _ := p.Target(code)
	w.target, w.expected = tg.Value, tg.Value
	return w
}

func TestAttainmentRollup(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	snaps := recompute(t, ctx, st, p, july2)
	// What is recorded at a district or at the province itself, not in any commune, by hand:
	// A2 (3 outreach classes) at 901, A3 (5) at 99, A9 (500 handbooks) at 902, A8 (1500) and
	// the workshop A11 at 99. A7 at 902 is after 2 July.
	own := map[key]float64{
		{"T09", "901"}: 3, {"T09", "99"}: 5,
		{"T11", "902"}: 500, {"T11", "99"}: 1500,
		{"T12", "99"}: 1,
	}
	communes := map[string][]string{"901": {"00001", "00002", "00003"}, "902": {"00004", "00005"}, "903": {"00006"}}
	var additive []string
	for _, tg := range p.Targets {
		if tg.Measure.Additive() {
			additive = append(additive, tg.Code)
		}
	}
	if want := []string{"T01", "T02", "T03", "T09", "T10", "T11", "T12"}; !slices.Equal(additive, want) {
		t.Fatalf("additive targets = %v, want %v", additive, want)
	}
	for _, code := range additive {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			val := func(unit string) float64 { return get(t, snaps, code, unit).Actual.Float64 }
			province := own[key{code, "99"}]
			for _, d := range []string{"901", "902", "903"} {
				sum := own[key{code, d}]
				for _, c := range communes[d] {
					sum += val(c)
				}
				if got := val(d); math.Abs(got-sum) > 1e-9 {
					t.Errorf("district %s = %v, its communes and own records sum to %v", d, got, sum)
				}
				province += val(d)
			}
			if got := val("99"); math.Abs(got-province) > 1e-9 {
				t.Errorf("province = %v, its districts and own records sum to %v", got, province)
			}
		})
	}
	t.Run("T13 counts a cooperative supported twice once", func(t *testing.T) {
		t.Parallel()
		// Four rows in the period (A12 C2 in 00001, A13 C2 at the province, A14 C7, A15 C1):
		// three cooperatives. 901 has C2 and C1; the province-level record is C2 again.
		for unit, w := range map[string]float64{"99": 3, "901": 2, "902": 1, "00001": 1, "00004": 1} {
			if s := get(t, snaps, "T13", unit); !same(s.Actual, w) {
				t.Errorf("T13 in %s = %s, want %v", unit, show(s.Actual), w)
			}
		}
	})
}

func TestAttainmentPlanAsData(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	src, err := os.ReadFile("../plans/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A 14th target, written only in the plan file. in_period filters on the founding date,
	// so "dissolved" here means dissolved at any time (C4 in 2026 and C10 in 2024).
	extra := `
  - code: T14
    name_vi: Hợp tác xã đã giải thể
    name_en: Cooperatives dissolved
    unit: hợp tác xã
    cumulative: true
    comparator: ">="
    value: 5
    measure:
      kind: count
      entity: cooperatives
      filter: {in_period: false, status: [dissolved]}
`
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(path, append(src, extra...), 0o600); err != nil {
		t.Fatal(err)
	}
	p14, err := plan.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p14.Targets) != 14 || p14.Hash == p.Hash {
		t.Fatalf("modified plan: %d targets, hash %s (default %s)", len(p14.Targets), p14.Hash, p.Hash)
	}
	recompute(t, ctx, st, p, july2)
	snaps := recompute(t, ctx, st, p14, july2)

	t.Run("T14 is computed", func(t *testing.T) {
		// 2 of 5: expected 5*183/365 = 2.507, ratio 0.798 (just under 0.8): behind.
		checkSnap(t, get(t, snaps, "T14", "99"), want{2, 5, 5 * share, plan.StatusBehind})
		checkSnap(t, get(t, snaps, "T14", "901"), want{1, none, none, plan.StatusNoTarget}) // C4
		checkSnap(t, get(t, snaps, "T14", "902"), want{1, none, none, plan.StatusNoTarget}) // C10
		checkSnap(t, get(t, snaps, "T14", "00003"), want{1, none, none, plan.StatusNoTarget})
		// The other targets are unchanged.
		checkSnap(t, get(t, snaps, "T01", "99"), want{4, 80, 80 * share, plan.StatusBehind})
	})
	t.Run("plan versions", func(t *testing.T) {
		if len(snaps) != 10*14 {
			t.Errorf("%d snapshots of 2 July, want 10 units x 14 targets (replacing the default plan's)", len(snaps))
		}
		for k, s := range snaps {
			if s.PlanHash != p14.Hash {
				t.Errorf("%v: plan hash %s, want the modified plan's %s", k, s.PlanHash, p14.Hash)
				break
			}
		}
		var hashes []string
		if err := st.DB().Select(&hashes, `SELECT hash FROM plan_versions ORDER BY hash`); err != nil {
			t.Fatal(err)
		}
		want := []string{p.Hash, p14.Hash}
		slices.Sort(want)
		if !slices.Equal(hashes, want) {
			t.Errorf("plan_versions = %v, want both %v", hashes, want)
		}
	})
}

func TestAttainmentHistory(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	before := recompute(t, ctx, st, p, may7)
	// By 7 May (day 127): G1, G2, G7. Expected 80*127/365 = 27.836; pace since the start
	// 3/127 a day over the 238 days left: 3 + 3/127*238 = 8.622.
	t.Run("7 May", func(t *testing.T) {
		s := get(t, before, "T01", "99")
		checkSnap(t, s, want{3, 80, 80 * 127.0 / 365, plan.StatusBehind})
		if !same(s.Projected, 3+3.0/127*238) {
			t.Errorf("projected = %s, want 8.622", show(s.Projected))
		}
	})

	// Two more groups arrive from 902 in a later file.
	loadFile(t, ctx, st, "cooperative_groups", "902", "tht-902-v2", rows([]store.Group{
		{Name: "G9", CommuneCode: "00005", FoundedOn: on(2026, 6, 1)},
		{Name: "G10", CommuneCode: "00004", FoundedOn: on(2026, 5, 25)},
	})...)
	after := recompute(t, ctx, st, p, july2)
	t.Run("2 July uses the pace of the last 56 days", func(t *testing.T) {
		s := get(t, after, "T01", "99")
		// G1, G2, G3, G7, G9, G10 = 6; the 7 May snapshot is 56 days back (24+30+2):
		// pace (6-3)/56 a day; projected 6 + 3/56*182 = 6 + 9.75 = 15.75.
		checkSnap(t, s, want{6, 80, 80 * share, plan.StatusBehind})
		if !same(s.Projected, 15.75) {
			t.Errorf("projected = %s, want 15.75 (the pace since the start would give 6 + 6/183*182 = 11.967)", show(s.Projected))
		}
		// 74 to go over 26 weeks: 2.846 a week.
		if !same(s.PaceNeeded, 74/26.0) {
			t.Errorf("pace needed = %s, want %.4f", show(s.PaceNeeded), 74/26.0)
		}
		// 74 at 3/56 a day: ceil(1381.33) = 1382 days after 2 July 2026 = 14 April 2030
		// (2027-07-02 +365, 2028-07-02 +731, 2029-07-02 +1096, then 286 more days).
		if !s.ETA.Valid || s.ETA.Time.Format(time.DateOnly) != "2030-04-14" {
			t.Errorf("eta = %v, want 2030-04-14", s.ETA)
		}
		// 902: 1 new group on 7 May, now G7, G9, G10 = 3 against 1 per commune x 2: achieved.
		d := get(t, after, "T01", "902")
		checkSnap(t, d, want{3, 2, 2 * share, plan.StatusAchieved})
		if !same(d.PaceNeeded, 0) || d.ETA.Valid {
			t.Errorf("902: pace needed %s, eta %v; want 0 and none", show(d.PaceNeeded), d.ETA)
		}
	})

	t.Run("recomputing a day replaces its snapshots", func(t *testing.T) {
		countRows := func() (all, ofDay int) {
			t.Helper()
			if err := st.DB().Get(&all, `SELECT count(*) FROM attainment_snapshots`); err != nil {
				t.Fatal(err)
			}
			if err := st.DB().Get(&ofDay, `SELECT count(*) FROM attainment_snapshots WHERE as_of = $1`, july2); err != nil {
				t.Fatal(err)
			}
			return all, ofDay
		}
		all, ofDay := countRows()
		if all != 2*130 || ofDay != 130 {
			t.Fatalf("snapshots: %d in all, %d of 2 July; want 260 and 130", all, ofDay)
		}
		again := recompute(t, ctx, st, p, july2)
		if all2, ofDay2 := countRows(); all2 != all || ofDay2 != ofDay {
			t.Errorf("after recomputing 2 July again: %d in all, %d of the day; want %d and %d", all2, ofDay2, all, ofDay)
		}
		if s := get(t, again, "T01", "99"); !same(s.Actual, 6) || !same(s.Projected, 15.75) {
			t.Errorf("recomputed T01: actual %s, projected %s; want 6 and 15.75", show(s.Actual), show(s.Projected))
		}
	})
}

func TestAttainmentDigest(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	snaps := recompute(t, ctx, st, p, july2)
	d, err := pipeline.BuildDigest(ctx, st, p, "99", july2, "en")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("province lines equal the snapshots", func(t *testing.T) {
		t.Parallel()
		if len(d.Targets) != len(p.Targets) {
			t.Fatalf("%d target lines, want %d", len(d.Targets), len(p.Targets))
		}
		eq := func(a *float64, b sql.NullFloat64) bool {
			return (a == nil && !b.Valid) || (a != nil && b.Valid && *a == b.Float64)
		}
		for i, line := range d.Targets {
			s := get(t, snaps, p.Targets[i].Code, "99")
			if line.Code != s.Indicator || line.Status != s.Status || !eq(line.Actual, s.Actual) ||
				!eq(line.Expected, s.Expected) || !eq(line.Target, s.Target) || !eq(line.Ratio, s.Ratio) ||
				!eq(line.Projected, s.Projected) || !eq(line.PaceNeeded, s.PaceNeeded) {
				t.Errorf("line %d = %+v, snapshot %+v", i, line, s)
			}
		}
		// Statuses counted by hand from the golden province values.
		want := map[string]int{
			plan.StatusAchieved: 5, // T04, T05, T06, T08, T12
			plan.StatusOnTrack:  1, // T07
			plan.StatusAtRisk:   1, // T11
			plan.StatusBehind:   6, // T01, T02, T03, T09, T10, T13
		}
		if !maps.Equal(d.Headline, want) {
			t.Errorf("headline = %v, want %v", d.Headline, want)
		}
		if d.DaysLeft != 182 || math.Abs(d.PeriodShare-share) > 1e-9 || d.Province != "Tỉnh Thử" {
			t.Errorf("days left %d, period share %.4f, province %q; want 182, %.4f, Tỉnh Thử", d.DaysLeft, d.PeriodShare, d.Province, share)
		}
	})
	t.Run("T01 coverage gap", func(t *testing.T) {
		t.Parallel()
		// Reporting communes without a new group: 00002 (Xã B, 901) and 00005 (Xã E, 902).
		// 00006 (Xã G) is in 903, which sent nothing: no data, not short.
		if len(d.Gaps) != 1 || d.Gaps[0].Code != "T01" {
			t.Fatalf("gaps = %+v, want one, of T01", d.Gaps)
		}
		g := d.Gaps[0]
		want := []notify.DistrictCommunes{{District: "Huyện Một", Communes: []string{"Xã B"}},
			{District: "Huyện Hai", Communes: []string{"Xã E"}}}
		if g.Communes != 2 || g.PerCommune != 1 || !reflect.DeepEqual(g.ByDistrict, want) {
			t.Errorf("gap: %d communes %+v (per commune %v), want 2 %+v (1)", g.Communes, g.ByDistrict, g.PerCommune, want)
		}
	})
	t.Run("not reporting", func(t *testing.T) {
		t.Parallel()
		if !slices.Equal(d.NotReporting, []string{"Huyện Ba"}) {
			t.Errorf("not reporting = %v, want [Huyện Ba]", d.NotReporting)
		}
	})
}

func TestAttainmentAfterPeriodEnd(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	// In January 2027 the 2026 plan is judged on what was founded in 2026: G1, G2, G3, G6,
	// G7 = 5. G11 (10 January 2027) belongs to no 2026 target.
	snaps := recompute(t, ctx, st, p, day(2027, 1, 15))
	s := get(t, snaps, "T01", "99")
	if !same(s.Actual, 5) {
		// in_period ends at the earlier of the as-of date and the period end.
		t.Errorf("T01 on 15 January 2027 = %s, want 5 (G11, founded 2027-01-10, is outside the 2026 period)", show(s.Actual))
	}
	if !same(s.Expected, 80) { // the whole target is due after the period
		t.Errorf("expected = %s, want 80", show(s.Expected))
	}
	// 00004: G7 only (G11 is in 2027).
	if c := get(t, snaps, "T01", "00004"); !same(c.Actual, 1) {
		t.Errorf("T01 in 00004 on 15 January 2027 = %s, want 1", show(c.Actual))
	}
}

func TestAttainmentLevelOnlyPlan(t *testing.T) {
	t.Parallel()
	st, ctx, _ := setup(t)
	// A plan of level targets only: nothing filters on the period, so the period start ($1 of
	// the measure query) is referenced nowhere.
	p, err := plan.Parse([]byte(`
name: Chỉ tiêu bình quân
period: {start: 2026-01-01, end: 2026-12-31}
targets:
  - code: L1
    name_vi: Doanh thu bình quân của hợp tác xã
    name_en: Average yearly revenue per cooperative
    comparator: ">="
    value: 1000
    measure: {kind: mean, entity: cooperatives, field: revenue_mvnd, filter: {active: true}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Recompute(ctx, st, p, "99", july2); err != nil {
		// Every part names the period parameters, so Postgres can type them whatever the plan.
		t.Fatalf("a plan without in_period filters cannot be computed: %v", err)
	}
	snaps, err := st.Snapshots(ctx, store.SnapshotQuery{AsOf: july2, Indicators: []string{"L1"}, Level: "province"})
	if err != nil {
		t.Fatal(err)
	}
	// As T05: (1200+800+1500+600)/4 = 1025.
	if len(snaps) != 1 || !same(snaps[0].Actual, 1025) {
		t.Errorf("L1 in the province = %+v, want 1025", snaps)
	}
}
