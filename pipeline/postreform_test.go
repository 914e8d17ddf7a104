package pipeline_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/sources"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// TestPostReformProvince runs a province of the post-reform list (province > commune, no
// districts) from a CSV file to snapshots: communes are matched province-wide, the province
// is the sum of its communes, and an entity nobody sent is no_data.
func TestPostReformProvince(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	g, err := gazetteer.Load(gazetteer.PostReform, "Cần Thơ")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Districts) != 0 || len(g.Communes) != 103 {
		t.Fatalf("post-reform Cần Thơ: %d districts, %d communes; want 0 and 103", len(g.Districts), len(g.Communes))
	}
	if err := st.SaveUnits(ctx, g.Units()); err != nil {
		t.Fatal(err)
	}
	csv := "Tên tổ hợp tác,Xã phường,Ngày thành lập,Số tổ viên\n" +
		"THT rau sạch Cái Khế,P. Cái Khế,15/03/2026,12\n" +
		"THT cá tra,Phường Ninh Kiều,01/04/2026,9\n" +
		"THT lúa,phường ninh kiều,02/05/2026,15\n" + // same commune, other spelling
		"THT cũ,Phường Tân An,10/10/2024,8\n" + // before the period
		"THT không rõ,Xã Không Có,01/06/2026,5\n" // no such commune: rejected
	path := filepath.Join(t.TempDir(), "tht-can-tho.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := sources.NewFileSource(sources.FileConfig{Name: "groups", Entity: sources.CooperativeGroups, Kind: "csv", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	in := &pipeline.Ingester{Store: st, Matcher: gazetteer.NewMatcher(g, nil), Province: g.Province,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Today: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	res := in.Ingest(ctx, src, pipeline.SourceOptions{MoneyFactor: 1, ScoreBands: pipeline.DefaultScoreBands})
	if res.Err != nil || len(res.Files) != 1 || res.Files[0].Err != nil {
		t.Fatalf("ingest: %+v", res)
	}
	if f := res.Files[0]; f.Accepted != 4 || f.Rejected != 1 || f.District != "" {
		t.Errorf("file result = %+v, want 4 accepted, 1 rejected, no district", f)
	}

	p, err := plan.Load("../plans/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	july2 := time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
	rows, err := pipeline.Recompute(ctx, st, p, g.Province.Code, july2)
	if err != nil {
		t.Fatal(err)
	}
	// 1 province + 103 communes, 13 targets each; no district level at all.
	if len(rows) != 104*13 {
		t.Errorf("%d snapshots, want %d", len(rows), 104*13)
	}
	byUnit := map[[2]string]float64{}
	status := map[[2]string]string{}
	for _, r := range rows {
		if r.Level == "district" {
			t.Fatalf("a post-reform province has a district snapshot: %+v", r)
		}
		byUnit[[2]string{r.Indicator, r.UnitCode}] = r.Actual.Float64
		status[[2]string{r.Indicator, r.UnitCode}] = r.Status
	}
	cai, _ := gazetteer.NewMatcher(g, nil).Commune("Phường Cái Khế", "")
	ninh, _ := gazetteer.NewMatcher(g, nil).Commune("Phường Ninh Kiều", "")
	// Three groups founded in 2026 up to 2 July: Cái Khế 1, Ninh Kiều 2.
	for _, c := range []struct {
		unit string
		want float64
	}{{g.Province.Code, 3}, {cai.Code, 1}, {ninh.Code, 2}} {
		if got := byUnit[[2]string{"T01", c.unit}]; got != c.want {
			t.Errorf("T01 in %s = %v, want %v", c.unit, got, c.want)
		}
	}
	if s := status[[2]string{"T01", cai.Code}]; s != plan.StatusAchieved {
		t.Errorf("T01 in Cái Khế (1 group, 1 per commune) is %s, want achieved", s)
	}
	// Nobody sent cooperatives: T02 is unknown, not behind.
	if s := status[[2]string{"T02", g.Province.Code}]; s != plan.StatusNoData {
		t.Errorf("T02 with no cooperative file is %s, want no_data", s)
	}
}
