package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// TestTwoProvincesInOneDatabase: recomputing one province leaves another's snapshots alone,
// and one province's files never count as another's coverage.
func TestTwoProvincesInOneDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	units := map[string]int{}
	for _, code := range []string{"93", "94"} { // Hậu Giang, Sóc Trăng
		g, err := gazetteer.Load(gazetteer.PreReform, code)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveUnits(ctx, g.Units()); err != nil {
			t.Fatal(err)
		}
		units[code] = len(g.Units())
	}
	// Sóc Trăng's alliance sent a provincial activities file; Hậu Giang sent nothing.
	l, err := st.BeginLoad(ctx, store.FileMeta{Source: "act", Entity: "activities", Location: "st.csv",
		ContentHash: "h94", ProvinceCode: "94"})
	if err != nil {
		t.Fatal(err)
	}
	held := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	one := 1.0
	if err := l.AddActivity(store.Activity{SourceID: "A1", Kind: "outreach_class", HeldOn: &held, UnitCode: "94",
		Quantity: &one, Lineage: store.Lineage{Row: 2, RowHash: "a1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Commit(); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Load("../plans/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
	for _, code := range []string{"93", "94"} {
		if _, err := pipeline.Recompute(ctx, st, p, code, asOf); err != nil {
			t.Fatal(err)
		}
	}
	for code, n := range units {
		var got int
		if err := st.DB().Get(&got, `SELECT count(*) FROM attainment_snapshots s JOIN units u ON u.code = s.unit_code
			WHERE u.province_code = $1`, code); err != nil {
			t.Fatal(err)
		}
		if got != n*len(p.Targets) {
			t.Errorf("province %s has %d snapshots after both recomputes, want %d", code, got, n*len(p.Targets))
		}
	}
	status := func(unit string) string {
		var s string
		if err := st.DB().Get(&s, `SELECT status FROM attainment_snapshots WHERE indicator = 'T09' AND unit_code = $1`, unit); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := status("93"); s != plan.StatusNoData {
		t.Errorf("Hậu Giang T09 is %s from Sóc Trăng's file, want no_data", s)
	}
	if s := status("94"); s == plan.StatusNoData {
		t.Errorf("Sóc Trăng T09 is no_data though its alliance reported")
	}
}
