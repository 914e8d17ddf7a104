package pipeline_test

import (
	"context"
	"encoding/csv"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// National volumes, roughly the country's registries: cooperatives, cooperative groups and
// activities in a year.
const (
	benchCoops      = 35_000
	benchGroups     = 90_000
	benchActivities = 50_000
)

// BenchmarkRecomputeNational times Recompute over every pre-reform unit of Vietnam (63
// provinces, ~10,000 communes) with national volumes of data, at one as-of date and the
// default plan:
//
//   - province=XX: the biggest province, with the whole country in the database;
//   - national: Recompute of each of the 63 provinces in turn, the national figure;
//   - measure: store.Measure alone for the biggest province, the aggregate query of Recompute;
//   - province=XX/alone: the biggest province in a database holding only itself and its
//     share of the data, as a provincial deployment has.
//
// Run it with: go test -run '^$' -bench RecomputeNational -benchtime 1x ./pipeline/
func BenchmarkRecomputeNational(b *testing.B) {
	ctx := context.Background()
	asOf := day(2026, 7, 2)
	p, err := plan.Load("../plans/default.yaml")
	if err != nil {
		b.Fatal(err)
	}

	st := storetest.New(b)
	codes := benchProvinceCodes(b)
	start := time.Now()
	for _, code := range codes {
		g, err := gazetteer.Load(gazetteer.PreReform, code)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.SaveUnits(ctx, g.Units()); err != nil {
			b.Fatalf("province %s: %v", code, err)
		}
	}
	unitsTook := time.Since(start)
	start = time.Now()
	benchLoad(b, ctx, st, benchCoops, benchGroups, benchActivities)
	b.Logf("%d provinces' units saved in %s; %d cooperatives, %d groups, %d activities loaded in %s",
		len(codes), unitsTook.Round(time.Millisecond), benchCoops, benchGroups, benchActivities, time.Since(start).Round(time.Millisecond))

	var big string
	var bigCommunes, allCommunes int
	err = st.DB().QueryRowContext(ctx, `
		SELECT province_code, count(*), sum(count(*)) OVER ()
		FROM units WHERE level = 'commune' GROUP BY province_code ORDER BY count(*) DESC, province_code LIMIT 1`).
		Scan(&big, &bigCommunes, &allCommunes)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("biggest province %s: %d of %d communes", big, bigCommunes, allCommunes)

	recompute := func(b *testing.B, st *store.Store, province string) int {
		rows, err := pipeline.Recompute(ctx, st, p, province, asOf)
		if err != nil {
			b.Fatal(err)
		}
		return len(rows)
	}

	b.Run("province="+big, func(b *testing.B) {
		n, rows := 0, 0
		for b.Loop() {
			rows = recompute(b, st, big)
			n++
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(n), "s/recompute")
		b.ReportMetric(float64(rows), "snapshots")
	})

	b.Run("national", func(b *testing.B) {
		n, rows := 0, 0
		for b.Loop() {
			rows = 0
			for _, code := range codes {
				rows += recompute(b, st, code)
			}
			n++
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(n), "s/national")
		b.ReportMetric(float64(rows), "snapshots")
	})

	b.Run("measure", func(b *testing.B) {
		n, values := 0, 0
		for b.Loop() {
			v, err := st.Measure(ctx, p, big, asOf)
			if err != nil {
				b.Fatal(err)
			}
			values = len(v)
			n++
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(n), "s/measure")
		b.ReportMetric(float64(values), "values")
	})

	b.Run("province="+big+"/alone", func(b *testing.B) {
		alone := storetest.New(b)
		g, err := gazetteer.Load(gazetteer.PreReform, big)
		if err != nil {
			b.Fatal(err)
		}
		if err := alone.SaveUnits(ctx, g.Units()); err != nil {
			b.Fatal(err)
		}
		share := func(total int) int { return total * bigCommunes / allCommunes }
		benchLoad(b, ctx, alone, share(benchCoops), share(benchGroups), share(benchActivities))
		n, rows := 0, 0
		for b.Loop() {
			rows = recompute(b, alone, big)
			n++
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(n), "s/recompute")
		b.ReportMetric(float64(rows), "snapshots")
	})
}

// benchProvinceCodes lists the province codes of the pre-reform list, in its order.
func benchProvinceCodes(b *testing.B) []string {
	b.Helper()
	f, err := os.Open("../gazetteer/data/vn-units-2025-03-pre-reform.csv")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	var codes []string
	for _, r := range records[1:] { // header first
		if !slices.Contains(codes, r[0]) {
			codes = append(codes, r[0])
		}
	}
	if len(codes) != 63 {
		b.Fatalf("%d provinces in the pre-reform list, want 63", len(codes))
	}
	return codes
}

// benchLoad spreads the given numbers of cooperatives, groups and activities evenly over
// the communes in st, with set-based SQL: one source_files row per entity for lineage,
// provincial (no district), so every unit counts as covered. About one cooperative in
// seven and one group in four is founded in the plan year; activities run from mid-2025
// to the end of 2026.
func benchLoad(b *testing.B, ctx context.Context, st *store.Store, coops, groups, activities int) {
	b.Helper()
	const communes = `
		c AS (SELECT code, (row_number() OVER (ORDER BY code) - 1)::int AS i FROM units WHERE level = 'commune'),
		n AS (SELECT count(*)::int AS n FROM units WHERE level = 'commune')`
	statements := []struct {
		what string
		sql  string
		arg  int
	}{
		{"cooperatives", `
			WITH f AS (INSERT INTO source_files (source, entity, location, content_hash)
				VALUES ('bench', 'cooperatives', 'bench://cooperatives', 'bench-cooperatives') RETURNING id),` + communes + `
			INSERT INTO cooperatives (registration_code, name, commune_code, sector, founded_on, founded_precision,
				dissolved_on, status, members, workers, revenue_mvnd, avg_income_mvnd, rating, score, key_officers,
				officers_trained, officers_refreshed, file_id, row_number, row_hash)
			SELECT 'BENCH-' || g, 'HTX ' || g, c.code, (ARRAY['nông nghiệp', 'thương mại', 'vận tải', 'xây dựng'])[1 + g % 4],
				CASE WHEN g % 7 = 0 THEN date '2026-01-01' + g % 330 ELSE date '2005-01-01' + g * 7919 % 7600 END, 'day',
				CASE WHEN g % 20 = 0 THEN date '2018-01-01' + g % 3000 END,
				CASE WHEN g % 20 = 0 THEN 'dissolved' WHEN g % 33 = 0 THEN 'suspended' ELSE 'active' END,
				7 + g % 150, 3 + g % 60, (g % 5000)::float8, (30 + g % 70)::float8,
				(ARRAY['tot', 'kha', 'trung_binh', 'yeu', 'chua_xep_loai'])[1 + g % 5], (g % 100)::float8,
				3 + g % 5, g % 3, g % 4, f.id, g, md5(g::text)
			FROM generate_series(1, $1::int) g CROSS JOIN n CROSS JOIN f JOIN c ON c.i = g % n.n`, coops},
		{"cooperative groups", `
			WITH f AS (INSERT INTO source_files (source, entity, location, content_hash)
				VALUES ('bench', 'cooperative_groups', 'bench://groups', 'bench-groups') RETURNING id),` + communes + `
			INSERT INTO cooperative_groups (natural_key, name, commune_code, sector, founded_on, founded_precision,
				members, status, file_id, row_number, row_hash)
			SELECT 'name:' || c.code || ':tht ' || g, 'THT ' || g, c.code, 'nông nghiệp',
				CASE WHEN g % 4 = 0 THEN date '2026-01-01' + g % 330 ELSE date '2008-01-01' + g * 7919 % 6500 END, 'day',
				3 + g % 20, CASE WHEN g % 25 = 0 THEN 'dissolved' ELSE 'active' END, f.id, g, md5(g::text)
			FROM generate_series(1, $1::int) g CROSS JOIN n CROSS JOIN f JOIN c ON c.i = g * 7 % n.n`, groups},
		{"activities", `
			WITH f AS (INSERT INTO source_files (source, entity, location, content_hash)
				VALUES ('bench', 'activities', 'bench://activities', 'bench-activities') RETURNING id),` + communes + `,
			k AS (SELECT (ARRAY['outreach_class', 'vocational_class', 'handbook_print', 'workshop', 'trade_promotion'])[1 + g % 5] AS kind, g
				FROM generate_series(1, $1::int) g)
			INSERT INTO activities (source, source_id, kind, title, held_on, held_precision, unit_code, quantity,
				participants, cooperative_code, file_id, row_number, row_hash)
			SELECT 'bench', k.g::text, k.kind, k.kind || ' ' || k.g, date '2025-07-01' + k.g % 540, 'day', c.code,
				CASE WHEN k.kind = 'handbook_print' THEN 100 + k.g % 400 ELSE 1 + k.g % 3 END,
				10 + k.g % 90, CASE WHEN k.kind = 'trade_promotion' THEN 'BENCH-' || (1 + k.g * 31 % 35000) END,
				f.id, k.g, md5(k.g::text)
			FROM k CROSS JOIN n CROSS JOIN f JOIN c ON c.i = k.g * 13 % n.n`, activities},
	}
	for _, s := range statements {
		if _, err := st.DB().ExecContext(ctx, s.sql, s.arg); err != nil {
			b.Fatalf("load %s: %v", s.what, err)
		}
	}
	// As autovacuum would soon after a load; the planner needs the row counts.
	if _, err := st.DB().ExecContext(ctx, `ANALYZE units, unit_ancestors, source_files, cooperatives, cooperative_groups, activities`); err != nil {
		b.Fatal(err)
	}
}
