package pipeline_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with testdata/name, or rewrites it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update and read the diff):\n%s", path, got)
	}
}

// digestWeeks builds the fixture province with two snapshots a week apart, 25 June and
// 2 July, and between them three files that change things:
//   - 902 sends two new groups, G9 in Xã E and G10 in Xã D: Xã E newly meets T01;
//   - 901 corrects G1 and G2 of Xã A as founded in 2025: Xã A no longer meets T01, and
//     901 falls behind on T01;
//   - 902 corrects C8's trained officers from 0 to 2 of 4: 902 recovers on T06.
//
// The files' times are fixed so that the digest reads the same on every run.
func digestWeeks(t *testing.T) (*store.Store, context.Context, *plan.Plan) {
	t.Helper()
	st, ctx, p := setup(t)
	recompute(t, ctx, st, p, june25)
	loadFile(t, ctx, st, "cooperative_groups", "902", "tht-902-v2", rows([]store.Group{
		{Name: "G9", CommuneCode: "00005", FoundedOn: on(2026, 6, 1)},
		{Name: "G10", CommuneCode: "00004", FoundedOn: on(2026, 5, 25)},
	})...)
	loadFile(t, ctx, st, "cooperative_groups", "901", "tht-901-v2", rows([]store.Group{
		{Name: "G1", CommuneCode: "00001", FoundedOn: on(2025, 12, 1)},
		{Name: "G2", CommuneCode: "00001", FoundedOn: on(2025, 12, 2)},
	})...)
	c8 := coops902()[2]
	c8.OfficersTrained = n(2)
	loadFile(t, ctx, st, "cooperatives", "902", "htx-902-v2", c8)
	recompute(t, ctx, st, p, july2)
	if _, err := st.DB().ExecContext(ctx, `
		UPDATE source_files SET ingested_at = timestamptz '2026-06-20 09:30:00+00' + (id - 1) * interval '1 day',
			last_seen_at = timestamptz '2026-06-20 09:30:00+00' + (id - 1) * interval '1 day'`); err != nil {
		t.Fatal(err)
	}
	return st, ctx, p
}

var june25 = day(2026, 6, 25)

func TestDigestGolden(t *testing.T) {
	t.Parallel()
	st, ctx, p := digestWeeks(t)
	for _, c := range []struct{ name, scope, lang string }{
		{"province_vi", "99", "vi"},
		{"province_en", "99", "en"},
		{"district_901_vi", "901", "vi"}, // one commune named per district, the rest counted
	} {
		t.Run(c.name, func(t *testing.T) {
			limit := 0
			if c.scope == "901" {
				limit = 1
			}
			d, err := pipeline.BuildDigestWith(ctx, st, p, c.scope, july2, c.lang,
				pipeline.DigestOptions{Location: time.UTC, CommunesPerDistrict: limit})
			if err != nil {
				t.Fatal(err)
			}
			d.ChartSrc = "cid:chart"
			var text, html bytes.Buffer
			if err := notify.RenderText(&text, d); err != nil {
				t.Fatal(err)
			}
			if err := notify.RenderHTML(&html, d); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "digest_"+c.name+".txt", text.Bytes())
			checkGolden(t, "digest_"+c.name+".html", html.Bytes())
		})
	}
}

func TestDigestWeekOverWeek(t *testing.T) {
	t.Parallel()
	st, ctx, p := digestWeeks(t)
	d, err := pipeline.BuildDigest(ctx, st, p, "99", july2, "en")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("change since the snapshot a week before", func(t *testing.T) {
		// T01: G1, G2, G7 on 25 June (G3 is founded on 2 July); G3, G7, G9, G10 on 2 July.
		line := d.Targets[0]
		if line.Code != "T01" || line.Previous == nil || *line.Previous != 3 || *line.Change() != 1 {
			t.Errorf("T01 line = %+v, want previous 3 and change +1", line)
		}
	})

	t.Run("what changed", func(t *testing.T) {
		c := d.Changes
		if c == nil || !c.Since.Equal(june25) {
			t.Fatalf("changes = %+v, want changes since 25 June", c)
		}
		wantLagging := []notify.StatusChange{
			{Code: "T01", Unit: "Huyện Một", From: "on_track", To: "behind"}, // Xã A lost G1 and G2
			{Code: "T11", Unit: "Tỉnh Thử", From: "on_track", To: "at_risk"}, // 2300 of 2411.0, then of 2506.8
		}
		if !reflect.DeepEqual(c.Lagging, wantLagging) {
			t.Errorf("newly lagging = %+v, want %+v", c.Lagging, wantLagging)
		}
		// C1 1/5, C2 2/4 in 901; C6 1/5, C7 1/5, C8 0/4 -> 2/4 in 902: 2/14 = 14% -> 4/14 = 29%.
		wantRecovered := []notify.StatusChange{{Code: "T06", Unit: "Huyện Hai", From: "behind", To: "achieved"}}
		if !reflect.DeepEqual(c.Recovered, wantRecovered) {
			t.Errorf("recovered = %+v, want %+v", c.Recovered, wantRecovered)
		}
		if len(c.Communes) != 1 {
			t.Fatalf("commune changes = %+v, want T01's only", c.Communes)
		}
		cc := c.Communes[0]
		wantMet := []notify.DistrictCommunes{{District: "Huyện Một", Communes: []string{"Xã C"}},
			{District: "Huyện Hai", Communes: []string{"Xã E"}}}
		wantShort := []notify.DistrictCommunes{{District: "Huyện Một", Communes: []string{"Xã A"}}}
		if cc.Code != "T01" || cc.Met != 2 || !reflect.DeepEqual(cc.MetIn, wantMet) ||
			cc.Short != 1 || !reflect.DeepEqual(cc.ShortIn, wantShort) {
			t.Errorf("T01 communes: %d met %+v, %d short %+v; want 2 %+v, 1 %+v", cc.Met, cc.MetIn, cc.Short, cc.ShortIn, wantMet, wantShort)
		}
	})

	t.Run("no earlier snapshot", func(t *testing.T) {
		first, err := pipeline.BuildDigest(ctx, st, p, "99", june25, "en")
		if err != nil {
			t.Fatal(err)
		}
		if first.Changes != nil || first.Targets[0].Previous != nil {
			t.Errorf("25 June has nothing a week before, yet changes = %+v, T01 previous = %v",
				first.Changes, first.Targets[0].Previous)
		}
	})

	t.Run("freshness of every district", func(t *testing.T) {
		var names []string
		var never []string
		for _, f := range d.Freshness {
			names = append(names, f.District)
			if f.LastFile == nil {
				never = append(never, f.District)
			}
		}
		if !slices.Equal(names, []string{"Huyện Một", "Huyện Hai", "Huyện Ba"}) || !slices.Equal(never, []string{"Huyện Ba"}) {
			t.Errorf("freshness lists %v, never %v; want all three, Huyện Ba never", names, never)
		}
	})

	t.Run("lagging communes are capped per district", func(t *testing.T) {
		dd, err := pipeline.BuildDigestWith(ctx, st, p, "901", july2, "vi", pipeline.DigestOptions{CommunesPerDistrict: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := []notify.DistrictCommunes{{District: "Huyện Một", Communes: []string{"Xã A"}, More: 1}}
		if len(dd.Gaps) != 1 || dd.Gaps[0].Communes != 2 || !reflect.DeepEqual(dd.Gaps[0].ByDistrict, want) {
			t.Errorf("gaps = %+v, want 2 communes shown as %+v", dd.Gaps, want)
		}
	})

	t.Run("trace names the files of each target's entity", func(t *testing.T) {
		want := []notify.TraceLine{
			{Targets: []string{"T01"}, Entity: "cooperative_groups", Sources: []notify.TraceSource{{Source: "cooperative_groups",
				Files: []notify.TraceFile{{Name: "tht-901-v2.xlsx", Accepted: 2}, {Name: "tht-901.xlsx", Accepted: 5}, {Name: "tht-902-v2.xlsx", Accepted: 2}, {Name: "tht-902.xlsx", Accepted: 3}}}}},
			{Targets: []string{"T02", "T03", "T04", "T05", "T06", "T07", "T08"}, Entity: "cooperatives", Sources: []notify.TraceSource{{Source: "cooperatives",
				Files: []notify.TraceFile{{Name: "htx-901.xlsx", Accepted: 5}, {Name: "htx-902-v2.xlsx", Accepted: 1}, {Name: "htx-902.xlsx", Accepted: 5}}}}},
			{Targets: []string{"T09", "T10", "T11", "T12", "T13"}, Entity: "activities", Sources: []notify.TraceSource{{Source: "activities",
				Files: []notify.TraceFile{{Name: "hoatdong-tinh.xlsx", Accepted: 15}}}}},
		}
		if !reflect.DeepEqual(d.Trace, want) {
			t.Errorf("trace = %+v\nwant %+v", d.Trace, want)
		}
		// A district's digest names its own files and the provincial ones only.
		dd, err := pipeline.BuildDigest(ctx, st, p, "901", july2, "en")
		if err != nil {
			t.Fatal(err)
		}
		for _, tl := range dd.Trace {
			for _, src := range tl.Sources {
				for _, f := range src.Files {
					if strings.Contains(f.Name, "902") {
						t.Errorf("901's digest traces %s to %s", strings.Join(tl.Targets, ","), f.Name)
					}
				}
			}
		}
	})
}

// TestDigestNotReportingAgreesWithStaleAlert: with the alerts' stale threshold, a district
// whose last file is too old is listed as not reporting, as the stale alert says.
func TestDigestNotReportingAgreesWithStaleAlert(t *testing.T) {
	t.Parallel()
	st, ctx, p := digestWeeks(t)
	// Files were applied from 20 to 27 June 2026; district 903 never sent any.
	for _, c := range []struct {
		name string
		now  time.Time
		want int
	}{
		{"a week later: only the district that never reported", time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC), 1},
		{"two months later: every district", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), 3},
	} {
		d, err := pipeline.BuildDigestWith(ctx, st, p, "99", july2, "vi",
			pipeline.DigestOptions{StaleAfter: 30 * 24 * time.Hour, Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.NotReporting) != c.want {
			t.Errorf("%s: not reporting %v, want %d districts", c.name, d.NotReporting, c.want)
		}
	}
}
