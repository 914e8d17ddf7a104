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
	meta := func(hash string) store.FileMeta {
		return store.FileMeta{Source: "htx", Entity: "cooperatives", Location: "a.xlsx", ContentHash: hash,
			DistrictCode: "901", Replaces: true, KeyHeader: "Mã số HTX"}
	}
	load := func(hash string, rows ...store.Cooperative) store.LoadResult {
		t.Helper()
		l, err := s.BeginLoad(ctx, meta(hash))
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
		coop("A1", "00001", 9, 10), // exact duplicate: counted once, kept as a reject
		coop("A2", "00002", 10, 20),
		coop("A2", "00002", 11, 21), // same code, other values: rejected
		coop("A3", "00002", 12, 30),
	)
	if first.Read != 6 || first.Accepted != 3 || first.Rejected != 3 || first.Changed != 3 {
		t.Errorf("first load = %+v, want read 6, accepted 3, rejected 3, changed 3", first)
	}
	reasons := map[int]string{}
	var rows []struct {
		Row    int    `db:"row_number"`
		Reason string `db:"reason"`
		Header string `db:"header"`
	}
	if err := s.DB().Select(&rows, `SELECT row_number, reason, header FROM rejected_rows`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		reasons[r.Row] = r.Reason
		if r.Row != 99 && r.Header != "Mã số HTX" {
			t.Errorf("row %d: reject header %q, want the key column's", r.Row, r.Header)
		}
	}
	if want := "same as row 8: counted once"; reasons[9] != want {
		t.Errorf("duplicate reason = %q, want %q", reasons[9], want)
	}
	if want := "the same registration code as row 10 but with other values; row 10 was kept"; reasons[11] != want {
		t.Errorf("conflict reason = %q, want %q", reasons[11], want)
	}

	// The newest version unchanged: skipped. Sent again, it still counts as reporting.
	if unchanged, err := s.FileUnchanged(ctx, meta("h1")); err != nil || !unchanged {
		t.Errorf("FileUnchanged(h1) = %v, %v; want true", unchanged, err)
	}
	// A new version without A3 and with the same A1, A2: nothing changes but A3 is gone.
	second := load("h2", coop("A1", "00001", 8, 10), coop("A2", "00002", 10, 20))
	if second.Changed != 0 || second.Removed != 1 {
		t.Errorf("second version = %+v, want 0 changed and A3 removed", second)
	}
	if n := count(t, s, `SELECT count(*) FROM cooperatives`); n != 2 {
		t.Errorf("cooperatives = %d, want 2", n)
	}
	// Sending the first version again undoes the second: A3 returns. The same bytes
	// applied before are not skipped once another version came after them.
	if unchanged, _ := s.FileUnchanged(ctx, meta("h1")); unchanged {
		t.Error("FileUnchanged(h1) after h2 = true; the newest version is h2")
	}
	third := load("h1", coop("A1", "00001", 8, 10), coop("A2", "00002", 10, 20), coop("A3", "00002", 12, 30))
	if third.Changed != 1 || count(t, s, `SELECT count(*) FROM cooperatives`) != 3 {
		t.Errorf("re-sent first version = %+v; want A3 back", third)
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
