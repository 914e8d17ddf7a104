package sources

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetWriter sets cells of one sheet, failing the test on errors.
type sheetWriter struct {
	t     *testing.T
	f     *excelize.File
	sheet string
}

func (w sheetWriter) set(cell string, v any) {
	w.t.Helper()
	if err := w.f.SetCellValue(w.sheet, cell, v); err != nil {
		w.t.Fatal(err)
	}
}

// formula sets a formula whose cached value is v, as Excel saves it.
func (w sheetWriter) formula(cell, formula string, v any) {
	w.t.Helper()
	w.set(cell, v)
	if err := w.f.SetCellFormula(w.sheet, cell, formula); err != nil {
		w.t.Fatal(err)
	}
}

func (w sheetWriter) merge(from, to string) {
	w.t.Helper()
	if err := w.f.MergeCell(w.sheet, from, to); err != nil {
		w.t.Fatal(err)
	}
}

func (w sheetWriter) style(cell string, style int) {
	w.t.Helper()
	if err := w.f.SetCellStyle(w.sheet, cell, cell, style); err != nil {
		w.t.Fatal(err)
	}
}

func newStyle(t *testing.T, f *excelize.File, s *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func saveWorkbook(t *testing.T, f *excelize.File, name string, opts ...excelize.Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path, opts...); err != nil {
		t.Fatal(err)
	}
	return path
}

// districtWorkbook is a district report as offices write it: a hidden first sheet, the report
// on the second sheet, a third sheet to ignore; title rows, a two-row header with merged
// cells, a column-number row, date cells, formulas with cached values, a stray note, a
// totals row, a signature block and a row after it.
func districtWorkbook(t *testing.T) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Mẫu cũ"); err != nil {
		t.Fatal(err)
	}
	report, err := f.NewSheet("Báo cáo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Ghi chú"); err != nil {
		t.Fatal(err)
	}
	f.SetActiveSheet(report)
	if err := f.SetSheetVisible("Mẫu cũ", false); err != nil {
		t.Fatal(err)
	}
	old := sheetWriter{t, f, "Mẫu cũ"}
	old.set("A1", "Tên HTX")
	old.set("B1", "Mã số HTX")
	old.set("A2", "HTX trong sheet ẩn")
	old.set("B2", "0000")
	notes := sheetWriter{t, f, "Ghi chú"}
	notes.set("A1", "Tên HTX")
	notes.set("B1", "Xã")
	notes.set("A2", "HTX trong sheet ghi chú")

	ddmmyyyy := "dd/mm/yyyy"
	dateStyle := newStyle(t, f, &excelize.Style{CustomNumFmt: &ddmmyyyy})
	shortDate := newStyle(t, f, &excelize.Style{NumFmt: 14})
	oneDecimal := "#,##0.0"
	moneyStyle := newStyle(t, f, &excelize.Style{CustomNumFmt: &oneDecimal})

	w := sheetWriter{t, f, "Báo cáo"}
	w.set("A1", "UBND HUYỆN ĐỒNG XUÂN")
	w.merge("A1", "I1")
	w.set("A2", "BÁO CÁO TÌNH HÌNH HỢP TÁC XÃ NĂM 2024")
	w.merge("A2", "I2")
	for col, text := range map[string]string{"A": "STT", "B": "Tên HTX", "C": "Mã số HTX", "D": "Xã, phường,\nthị trấn", "E": "Ngày thành lập", "F": "Doanh thu\n(triệu đồng)"} {
		w.set(col+"4", text)
		w.merge(col+"4", col+"5")
	}
	w.set("G4", "Cán bộ chủ chốt")
	w.merge("G4", "I4")
	w.set("G5", "Tổng số")
	w.set("H5", "Đã qua đào tạo")
	w.set("I5", "Được bồi dưỡng")
	for i, n := range []string{"A", "B", "(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 6)
		w.set(cell, n)
	}

	w.set("A7", 1)
	w.set("B7", "HTX Nông nghiệp An Phú")
	w.set("C7", "4401000123")
	w.set("D7", "Xã An Phú")
	w.set("E7", 44270) // 15/03/2021
	w.style("E7", dateStyle)
	w.set("F7", 1250.5)
	w.style("F7", moneyStyle)
	w.set("G7", 5)
	w.set("H7", 3)
	w.set("I7", 2)

	w.set("A8", 2)
	w.set("B8", "HTX Dịch vụ\nHòa Tú")
	w.set("C8", "4401000456")
	w.set("D8", "Hòa Tú")
	w.formula("E8", "DATE(2019,7,1)", 43647)
	w.style("E8", shortDate)
	w.formula("F8", "400*2", 800)
	w.set("G8", 4)
	w.set("H8", 4)
	w.set("I8", 1)

	w.set("J9", "Số liệu sơ bộ") // a lone note outside the table

	w.set("A11", 3)
	w.set("B11", "HTX Thủy sản Xuân Lộc")
	w.set("D11", "Xuân Lộc")
	w.set("E11", "01/02/2020") // typed as text
	w.set("G11", 3)

	w.set("A12", "Tổng cộng")
	w.merge("A12", "B12")
	w.formula("F12", "SUM(F7:F11)", 2050.5)
	w.formula("G12", "SUM(G7:G11)", 12)

	w.set("B14", "Người lập biểu")
	w.set("F14", "Ngày 15 tháng 01 năm 2025")
	w.set("F15", "TM. UBND HUYỆN")
	w.set("B16", "Nguyễn Văn A")
	w.set("A17", 4)
	w.set("B17", "HTX Sau chữ ký")
	w.set("C17", "4401000999")
	return f
}

var districtHeaders = map[string]string{
	"registration_code":  "Mã số HTX",
	"name":               "Tên HTX",
	"commune":            "Xã, phường, thị trấn",
	"founded_on":         "Ngày thành lập",
	"revenue":            "Doanh thu (triệu đồng)",
	"key_officers":       "Cán bộ chủ chốt / Tổng số",
	"officers_trained":   "Cán bộ chủ chốt / Đã qua đào tạo",
	"officers_refreshed": "Cán bộ chủ chốt / Được bồi dưỡng",
}

func districtRecords(path string) []Record {
	cols := map[string]string{
		"name": "B", "registration_code": "C", "commune": "D", "founded_on": "E", "revenue": "F",
		"key_officers": "G", "officers_trained": "H", "officers_refreshed": "I",
	}
	rec := func(row int, raw ...string) Record {
		r := Record{Loc: Location{Source: "hx", File: path, Sheet: "Báo cáo", Row: row}, Fields: map[string]Cell{}, Raw: raw}
		for field, col := range cols {
			v := ""
			if i := int(col[0] - 'A'); i < len(raw) {
				v = raw[i]
			}
			r.Fields[field] = Cell{Column: col, Header: districtHeaders[field], Value: v}
		}
		return r
	}
	return []Record{
		rec(7, "1", "HTX Nông nghiệp An Phú", "4401000123", "Xã An Phú", "44270", "1250.5", "5", "3", "2"),
		rec(8, "2", "HTX Dịch vụ\nHòa Tú", "4401000456", "Hòa Tú", "43647", "800", "4", "4", "1"),
		rec(11, "3", "HTX Thủy sản Xuân Lộc", "", "Xuân Lộc", "01/02/2020", "", "3"),
	}
}

func TestXLSXDistrictReport(t *testing.T) {
	t.Parallel()
	path := saveWorkbook(t, districtWorkbook(t), "bao-cao.xlsx")
	batches := batchesOf(t, FileConfig{Name: "hx", Entity: Cooperatives, Kind: KindXLSX, Path: path})
	if len(batches) != 1 {
		t.Fatalf("got %d batches, want 1", len(batches))
	}
	want := BatchInfo{
		Source: "hx", Entity: Cooperatives, Location: path, Sheet: "Báo cáo", ContentHash: sha256File(t, path),
		Title:   "UBND HUYỆN ĐỒNG XUÂN | BÁO CÁO TÌNH HÌNH HỢP TÁC XÃ NĂM 2024",
		Headers: districtHeaders, Complete: true,
	}
	assertEqual(t, "info", batches[0].Info(), want)
	assertEqual(t, "records", readAll(t, batches[0]), districtRecords(path))
}

func TestXLSXSheets(t *testing.T) {
	t.Parallel()
	path := saveWorkbook(t, districtWorkbook(t), "bao-cao.xlsx")
	tests := []struct {
		name      string
		sheet     string
		wantNames []string
		wantErr   []string
	}{
		{"hidden sheet when configured", "Mẫu cũ", []string{"HTX trong sheet ẩn"}, nil},
		{"configured name, other case", "GHI CHÚ", []string{"HTX trong sheet ghi chú"}, nil},
		{"missing sheet lists the sheets", "Tổng hợp", nil, []string{path, `no sheet "Tổng hợp"; the workbook has "Mẫu cũ", "Báo cáo", "Ghi chú"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := batchesOf(t, FileConfig{Name: "hx", Entity: Cooperatives, Kind: KindXLSX, Path: path, Sheet: tt.sheet})[0]
			var names []string
			err := b.Each(context.Background(), func(r Record) error {
				names = append(names, r.Fields["name"].Value)
				return nil
			})
			if tt.wantErr != nil {
				assertErrorContains(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "names", names, tt.wantNames)
		})
	}
}

func TestXLSXBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	encrypted := saveWorkbook(t, districtWorkbook(t), "encrypted.xlsx", excelize.Options{Password: "mật khẩu"})
	noHeader := excelize.NewFile()
	_ = noHeader.SetCellValue("Sheet1", "A1", "Danh sách")
	_ = noHeader.SetCellValue("Sheet1", "A2", "HTX A")
	tests := []struct {
		name, path string
		want       []string
	}{
		{"csv named xlsx", write("csv.xlsx", []byte("Tên HTX,Xã\nHTX A,An Phú\n")), []string{"csv.xlsx", "not a readable xlsx workbook"}},
		{"truncated zip", write("cut.xlsx", []byte("PK\x03\x04garbage")), []string{"cut.xlsx", "not a readable xlsx workbook"}},
		{"encrypted", encrypted, []string{"encrypted.xlsx", "not a readable xlsx workbook (corrupt, password-protected or another format)"}},
		{"no header", saveWorkbook(t, noHeader, "no-header.xlsx"), []string{"no-header.xlsx", `sheet "Sheet1"`, "no header row found in the first 15 rows", `"Tên HTX" (name)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := batchesOf(t, FileConfig{Name: "hx", Entity: Cooperatives, Kind: KindXLSX, Path: tt.path})[0]
			if b.Info().ContentHash != sha256File(t, tt.path) {
				t.Errorf("a bad file still gets its content hash")
			}
			err := b.Each(context.Background(), func(Record) error { return nil })
			assertErrorContains(t, err, tt.want...)
		})
	}
}

func TestXLSXDates(t *testing.T) {
	t.Parallel()
	build := func(t *testing.T, date1904 bool) string {
		f := excelize.NewFile()
		if date1904 {
			yes := true
			if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
				t.Fatal(err)
			}
		}
		w := sheetWriter{t, f, "Sheet1"}
		w.set("A1", "Tên HTX")
		w.set("B1", "Ngày thành lập")
		w.set("C1", "Ngày giải thể")
		w.set("D1", "Số thành viên")
		w.set("A2", "HTX A")
		serial := 44270.5 // 15/03/2021 12:00 in the 1900 system
		if date1904 {
			serial -= 1462
		}
		w.set("B2", serial)
		w.style("B2", newStyle(t, f, &excelize.Style{NumFmt: 22})) // m/d/yy h:mm
		long := `[$-42A]dddd, dd "tháng" mm, yyyy`
		w.set("C2", serial)
		w.style("C2", newStyle(t, f, &excelize.Style{CustomNumFmt: &long}))
		pct := `0.0%`
		w.set("D2", 0.25)
		w.style("D2", newStyle(t, f, &excelize.Style{CustomNumFmt: &pct}))
		return saveWorkbook(t, f, "dates.xlsx")
	}
	tests := []struct {
		name     string
		date1904 bool
		want     []string
	}{
		{"1900 system gives serials", false, []string{"44270.5", "44270.5", "25.0%"}},
		{"1904 system gives dd/mm/yyyy", true, []string{"15/03/2021", "15/03/2021", "25.0%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := batchesOf(t, FileConfig{Name: "d", Entity: Cooperatives, Kind: KindXLSX, Path: build(t, tt.date1904)})[0]
			recs := readAll(t, b)
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1", len(recs))
			}
			f := recs[0].Fields
			assertEqual(t, "values", []string{f["founded_on"].Value, f["dissolved_on"].Value, f["members"].Value}, tt.want)
		})
	}
}

func TestIsDateFormatCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"dd/mm/yyyy", true},
		{"[$-42A]dd/mm/yyyy", true},
		{"h:mm AM/PM", true},
		{"[h]:mm:ss", true},
		{"mmm-yy", true},
		{"General", false},
		{"#,##0.0", false},
		{`#,##0 "đồng"`, false},
		{`0.00E+00`, false},
		{`[Red]#,##0;[Blue]-#,##0`, false},
		{`0\ \m`, false},
		{`_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)`, false},
		{"@", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			if got := isDateFormatCode(tt.code); got != tt.want {
				t.Errorf("isDateFormatCode(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

func TestXLSXNumbersReadInMachineForm(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	thousands, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		t.Fatal(err)
	}
	decimals, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{{"Tên HTX", "Mã số HTX", "Số thành viên", "Doanh thu"}, {"HTX A", "6300000001", 1235, 1250.5}}
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	f.SetCellStyle(sheet, "C2", "C2", thousands)
	f.SetCellStyle(sheet, "D2", "D2", decimals)
	path := filepath.Join(t.TempDir(), "numbers.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	src, err := NewFileSource(FileConfig{Name: "n", Entity: Cooperatives, Kind: KindXLSX, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	batches, err := src.Batches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []Record
	if err := batches[0].Each(context.Background(), func(r Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d records, want 1", len(got))
	}
	// "1,235" would read as 1.235 under the Vietnamese convention; the machine form cannot.
	if v := got[0].Fields["members"].Value; v != "1235" {
		t.Errorf("#,##0 cell read as %q, want 1235", v)
	}
	if v := got[0].Fields["revenue"].Value; v != "1250.5" {
		t.Errorf("#,##0.00 cell read as %q, want 1250.5", v)
	}
}
