package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var gazetteerForTest = filepath.Join("..", "..", defaultGazetteer)

// generateTwice writes the demo into two fresh directories with the default seed.
func generateTwice(t *testing.T) (string, string) {
	t.Helper()
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := generate(gazetteerForTest, dir, defaultSeed); err != nil {
			t.Fatalf("generate into %s: %v", dir, err)
		}
	}
	return a, b
}

func districtFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "districts"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// cells returns every sheet's rows as GetRows reads them, keyed "sheet!row".
func cells(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	out := map[string][]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatalf("%s sheet %s: %v", path, sheet, err)
		}
		for i, r := range rows {
			out[fmt.Sprintf("%s!%d", sheet, i+1)] = r
		}
	}
	return out
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	a, b := generateTwice(t)

	t.Run("text outputs are byte-identical across runs", func(t *testing.T) {
		for _, name := range []string{"activities.csv", "EXPECTED.md"} {
			x, errA := os.ReadFile(filepath.Join(a, name))
			y, errB := os.ReadFile(filepath.Join(b, name))
			if errA != nil || errB != nil {
				t.Fatalf("read %s: %v, %v", name, errA, errB)
			}
			if !bytes.Equal(x, y) {
				t.Errorf("%s differs between two runs with the same seed", name)
			}
		}
	})

	t.Run("workbooks are identical across runs", func(t *testing.T) {
		for _, name := range districtFiles(t, a) {
			pa, pb := filepath.Join(a, "districts", name), filepath.Join(b, "districts", name)
			ca, cb := cells(t, pa), cells(t, pb)
			if len(ca) != len(cb) {
				t.Errorf("%s: %d rows in one run, %d in the other", name, len(ca), len(cb))
			}
			for k, row := range ca {
				if !slices.Equal(row, cb[k]) {
					t.Errorf("%s %s: %q vs %q", name, k, row, cb[k])
				}
			}
			x, _ := os.ReadFile(pa)
			y, _ := os.ReadFile(pb)
			if !bytes.Equal(x, y) {
				t.Errorf("%s: bytes differ between runs", name)
			}
		}
	})

	t.Run("seven district files and none for Ngã Bảy", func(t *testing.T) {
		got := districtFiles(t, a)
		want := []string{"huyen-chau-thanh-a.xlsx", "huyen-chau-thanh.xlsx", "huyen-long-my.xlsx",
			"huyen-phung-hiep.xlsx", "huyen-vi-thuy.xlsx", "thi-xa-long-my.xlsx", "tp-vi-thanh.xlsx"}
		if !slices.Equal(got, want) {
			t.Errorf("district files = %q, want %q", got, want)
		}
		for _, name := range got {
			if strings.Contains(name, "nga-bay") {
				t.Errorf("Ngã Bảy must send no file, found %s", name)
			}
		}
	})

	t.Run("HTX sheet has the merged header and a Tổng cộng row", func(t *testing.T) {
		f, err := excelize.OpenFile(filepath.Join(a, "districts", "huyen-chau-thanh-a.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); !slices.Equal(got, []string{sheetHTX, sheetTHT, sheetNotes}) {
			t.Errorf("sheets = %q", got)
		}
		merges, err := f.GetMergeCells(sheetHTX)
		if err != nil {
			t.Fatal(err)
		}
		var ranges []string
		for _, m := range merges {
			ranges = append(ranges, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		for _, want := range []string{"A5:A6", "L5:L6", "M5:O5"} {
			if !slices.Contains(ranges, want) {
				t.Errorf("merged ranges %q lack %s", ranges, want)
			}
		}
		for cell, want := range map[string]string{"M5": "Cán bộ chủ chốt", "M6": "Tổng số", "N6": "Đã qua đào tạo",
			"O6": "Được bồi dưỡng", "B5": "Tên hợp tác xã", "A7": "(1)", "O7": "(15)"} {
			if got, _ := f.GetCellValue(sheetHTX, cell); got != want {
				t.Errorf("%s = %q, want %q", cell, got, want)
			}
		}
		rows, err := f.GetRows(sheetHTX)
		if err != nil {
			t.Fatal(err)
		}
		total := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 0 && r[0] == "Tổng cộng" })
		if total < 0 {
			t.Fatal("no Tổng cộng row")
		}
		if formula, _ := f.GetCellFormula(sheetHTX, "H"+strconv.Itoa(total+1)); formula != "SUM(H8:H"+strconv.Itoa(total)+")" {
			t.Errorf("members total formula = %q", formula)
		}
	})

	t.Run("the committed demo is what the generator writes", func(t *testing.T) {
		demo := filepath.Join("..", "..", "testdata", "demo")
		names := []string{"activities.csv", "EXPECTED.md"}
		for _, n := range districtFiles(t, a) {
			names = append(names, filepath.Join("districts", n))
		}
		for _, name := range names {
			want, err := os.ReadFile(filepath.Join(a, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(demo, name))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("testdata/demo/%s is stale or missing; run: go run ./cmd/demogen -out testdata/demo", name)
			}
		}
	})
}

func TestVietnameseNumbers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tenths int64
		want   string
	}{
		{12345, "1.234,5"},
		{12340, "1.234"},
		{5, "0,5"},
		{10_000_000, "1.000.000"},
		{-120, "-12"},
	} {
		if got := vnTenths(tc.tenths); got != tc.want {
			t.Errorf("vnTenths(%d) = %q, want %q", tc.tenths, got, tc.want)
		}
	}
}

func TestBadFlag(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	if code := run([]string{"-nope"}, &stderr); code != 2 {
		t.Errorf("run with an unknown flag = %d, want 2", code)
	}
}
