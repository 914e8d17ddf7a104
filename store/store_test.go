package store_test

import (
	"context"
	"testing"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// tinyProvince: province 99 with district 901 (communes 00001, 00002) and district 902
// (commune 00003).
func tinyProvince() []gazetteer.Unit {
	u := func(code, name string, level gazetteer.Level, parent, district string) gazetteer.Unit {
		return gazetteer.Unit{Code: code, Name: name, FullName: name, Type: string(level), Level: level,
			ParentCode: parent, DistrictCode: district, ProvinceCode: "99"}
	}
	return []gazetteer.Unit{
		u("99", "Tỉnh Thử", gazetteer.Province, "", ""),
		u("901", "Huyện Một", gazetteer.District, "99", ""),
		u("902", "Huyện Hai", gazetteer.District, "99", ""),
		u("00001", "Xã A", gazetteer.Commune, "901", "901"),
		u("00002", "Xã B", gazetteer.Commune, "901", "901"),
		u("00003", "Xã C", gazetteer.Commune, "902", "902"),
	}
}

func setup(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.SaveUnits(ctx, tinyProvince()); err != nil {
		t.Fatal(err)
	}
	return s, ctx
}

func count(t *testing.T, s *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSaveUnitsTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	if err := s.SaveUnits(ctx, tinyProvince()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM units`); n != 6 {
		t.Errorf("units = %d, want 6", n)
	}
	// Each unit is its own ancestor; communes have two more, districts one more: 6 + 3*2 + 2.
	if n := count(t, s, `SELECT count(*) FROM unit_ancestors`); n != 14 {
		t.Errorf("unit_ancestors = %d, want 14", n)
	}
	under, err := s.UnitsUnder(ctx, "901")
	if err != nil {
		t.Fatal(err)
	}
	if len(under) != 3 || under[0].Code != "901" {
		t.Errorf("units under 901 = %+v, want 901 then its two communes", under)
	}
}

func i64(v int64) *int64 { return &v }

func coop(code, commune string, row int, members int64) store.Cooperative {
	return store.Cooperative{RegistrationCode: code, Name: "HTX " + code, CommuneCode: commune, Status: "active",
		Members: i64(members), Lineage: store.Lineage{Row: row, RowHash: code + "-" + string(rune('0'+members%10))}}
}

func TestLoadMergesDuplicatesAndConflicts(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	load := func(hash string, rows ...store.Cooperative) store.LoadResult {
		t.Helper()
		l, err := s.BeginLoad(ctx, store.FileMeta{Source: "htx", Entity: "cooperatives", Location: "a.xlsx", ContentHash: hash, DistrictCode: "901"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := l.AddCooperative(r); err != nil {
				t.Fatal(err)
			}
		}
		l.Reject(store.Reject{Row: 99, Column: "D", Value: "Xã Zzz", Reason: "unknown commune", Raw: []string{"1", "Xã Zzz"}})
		res, err := l.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := load("h1",
		coop("A1", "00001", 8, 10),
		coop("A1", "00001", 9, 10), // exact duplicate: collapses
		coop("A2", "00002", 10, 20),
		coop("A2", "00002", 11, 21), // same code, other values: rejected
	)
	if first.Read != 5 || first.Accepted != 2 || first.Rejected != 2 || first.Changed != 2 {
		t.Errorf("first load = %+v, want read 5, accepted 2, rejected 2, changed 2", first)
	}
	var reason string
	if err := s.DB().Get(&reason, `SELECT reason FROM rejected_rows WHERE row_number = 11`); err != nil {
		t.Fatal(err)
	}
	if want := `registration_code "A2" appears again with different values (first at row 10, which was kept)`; reason != want {
		t.Errorf("conflict reason = %q, want %q", reason, want)
	}
	// The same rows in another file version: nothing changes.
	again := load("h2", coop("A1", "00001", 8, 10), coop("A2", "00002", 10, 20))
	if again.Changed != 0 {
		t.Errorf("loading the same data again changed %d rows", again.Changed)
	}
	if n := count(t, s, `SELECT count(*) FROM cooperatives`); n != 2 {
		t.Errorf("cooperatives = %d, want 2", n)
	}
	applied, err := s.FileApplied(ctx, "htx", "h1")
	if err != nil || !applied {
		t.Errorf("FileApplied(h1) = %v, %v; want true", applied, err)
	}
}

func TestLoadRollbackKeepsNothing(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	l, err := s.BeginLoad(ctx, store.FileMeta{Source: "htx", Entity: "cooperatives", Location: "b.xlsx", ContentHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddCooperative(coop("B1", "00001", 5, 9)); err != nil {
		t.Fatal(err)
	}
	if err := l.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT (SELECT count(*) FROM cooperatives) + (SELECT count(*) FROM source_files)`); n != 0 {
		t.Errorf("a rolled-back load left %d rows", n)
	}
}

func TestLoadFailureMidFileKeepsNothing(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	l, err := s.BeginLoad(ctx, store.FileMeta{Source: "htx", Entity: "cooperatives", Location: "c.xlsx", ContentHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddCooperative(coop("C1", "00001", 5, 9)); err != nil {
		t.Fatal(err)
	}
	// A commune that is not in units breaks the merge's foreign key: the whole file fails.
	if err := l.AddCooperative(coop("C2", "77777", 6, 9)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Commit(); err == nil {
		t.Fatal("commit with an unknown commune succeeded")
	}
	if n := count(t, s, `SELECT (SELECT count(*) FROM cooperatives) + (SELECT count(*) FROM source_files)`); n != 0 {
		t.Errorf("a failed load left %d rows", n)
	}
}

func TestSchemaNewerThanWorkerIsRefused(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	if _, err := s.DB().Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err == nil {
		t.Fatal("migrate accepted a schema newer than the worker")
	}
	if err := s.CheckSchema(ctx, false); err == nil {
		t.Fatal("CheckSchema accepted a schema newer than the worker")
	}
}
