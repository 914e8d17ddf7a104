package sources

import (
	"errors"
	"strings"
	"testing"
)

// rowsFrom numbers rows from 1; each row is its cells joined by "|".
func rowsFrom(lines ...string) []sheetRow {
	rows := make([]sheetRow, len(lines))
	for i, l := range lines {
		var cells []string
		if l != "" {
			cells = strings.Split(l, "|")
		}
		rows[i] = sheetRow{num: i + 1, cells: cells}
	}
	return rows
}

func TestHeaderMatcher(t *testing.T) {
	t.Parallel()
	m := newHeaderMatcher(DefaultColumns(Cooperatives))
	tests := []struct {
		header    string
		wantField string
		wantTier  int
	}{
		{"Tên HTX", "name", 0},
		{"  TÊN   htx ", "name", 0},
		{"Số thành\nviên", "members", 0},
		{"Te\u0302n HTX", "name", 0}, // NFD
		{"Doanh thu (triệu đồng)", "revenue", 1},
		{"Thu nhập bình quân (triệu đồng/người/tháng)", "avg_income", 1},
		{"Ten hop tac xa", "name", 2},
		{"Doanh thu(trieu dong)", "revenue", 1},
		{"Doanh thu binh quan (trieu dong)", "revenue", 2},
		{"Cán bộ chủ chốt / Đã qua đào tạo", "officers_trained", 0},
		{"Ghi chú", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			field, tier, ok := m.match(tt.header)
			if field != tt.wantField || tier != tt.wantTier || ok != (tt.wantField != "") {
				t.Errorf("match(%q) = %q, %d, %v; want %q, %d", tt.header, field, tier, ok, tt.wantField, tt.wantTier)
			}
		})
	}
}

func TestDetectHeader(t *testing.T) {
	t.Parallel()
	m := newHeaderMatcher(DefaultColumns(Cooperatives))
	tests := []struct {
		name      string
		rows      []sheetRow
		merges    []cellRange // nil: CSV rules
		xlsx      bool
		scanRows  int
		wantFrom  int
		wantTitle string
		want      map[string]string // field -> column letter + ":" + header
		wantErr   error
	}{
		{
			name:      "title rows then a one-row header",
			rows:      rowsFrom("UBND HUYỆN TUY AN||", "", "Danh sách HTX||", "STT|Tên HTX|Mã số HTX", "1|HTX A|123"),
			wantFrom:  5,
			wantTitle: "UBND HUYỆN TUY AN | Danh sách HTX",
			want:      map[string]string{"name": "B:Tên HTX", "registration_code": "C:Mã số HTX"},
		},
		{
			name:     "column numbers in parentheses are skipped",
			rows:     rowsFrom("STT|Tên HTX|Xã", "(1)|(2)|(3)", "1|HTX A|An Phú"),
			wantFrom: 3,
			want:     map[string]string{"name": "B:Tên HTX", "commune": "C:Xã"},
		},
		{
			name:     "plain column numbers are skipped",
			rows:     rowsFrom("STT|Tên HTX|Xã|Số thành viên", "1|2|3|4", "1|HTX A|An Phú|7"),
			wantFrom: 3,
			want:     map[string]string{"name": "B:Tên HTX", "commune": "C:Xã", "members": "D:Số thành viên"},
		},
		{
			name:     "column letters and formulas are skipped",
			rows:     rowsFrom("STT|Tên HTX|Số thành viên|Số lao động|Thành viên", "A|B|(1)|(2)|(3)=(1)+(2)", "1|HTX A|3|4|7"),
			wantFrom: 3,
			want:     map[string]string{"name": "B:Tên HTX", "members": "C:Số thành viên", "workers": "D:Số lao động"},
		},
		{
			name:     "numbers out of order are data",
			rows:     rowsFrom("Số thành viên|Số lao động|Điểm", "12|30|8"),
			wantFrom: 2,
			want:     map[string]string{"members": "A:Số thành viên", "workers": "B:Số lao động", "score": "C:Điểm"},
		},
		{
			name: "csv group continues over blank cells with a sub-header only",
			rows: rowsFrom(
				"Tên HTX|Cán bộ chủ chốt|||Ghi chú",
				"|Tổng số|Đã qua đào tạo||",
				"HTX A|5|3||",
			),
			wantFrom: 3,
			want: map[string]string{
				"name": "A:Tên HTX", "key_officers": "B:Cán bộ chủ chốt / Tổng số", "officers_trained": "C:Cán bộ chủ chốt / Đã qua đào tạo",
			},
		},
		{
			name: "a group that names the field alone",
			rows: rowsFrom(
				"Tên HTX|Số thành viên||Doanh thu",
				"|Tổng số|Trong đó nữ|",
				"HTX A|12|5|100",
			),
			wantFrom: 3,
			want:     map[string]string{"name": "A:Tên HTX", "members": "B:Số thành viên / Tổng số", "revenue": "D:Doanh thu"},
		},
		{
			name:     "csv header followed by data is one row",
			rows:     rowsFrom("Tên HTX||Xã", "HTX A|ghi chú|An Phú"),
			wantFrom: 2,
			want:     map[string]string{"name": "A:Tên HTX", "commune": "C:Xã"},
		},
		{
			name: "xlsx merges: cells merged down keep one text, a merged group heads its columns",
			rows: rowsFrom(
				"Tên HTX|Số thành viên||Xã",
				"|Tổng số|Trong đó nữ",
				"HTX A|12|5|An Phú",
			),
			merges:   []cellRange{{1, 0, 2, 0}, {1, 1, 1, 2}, {1, 3, 2, 3}},
			xlsx:     true,
			wantFrom: 3,
			want:     map[string]string{"name": "A:Tên HTX", "members": "B:Số thành viên / Tổng số", "commune": "D:Xã"},
		},
		{
			name:      "xlsx title merged across the header is a title, not a group",
			rows:      rowsFrom("DANH SÁCH HTX", "Tên HTX|Xã|Số thành viên", "HTX A|An Phú|12"),
			merges:    []cellRange{{1, 0, 1, 2}},
			xlsx:      true,
			wantFrom:  3,
			wantTitle: "DANH SÁCH HTX",
			want:      map[string]string{"name": "A:Tên HTX", "commune": "B:Xã", "members": "C:Số thành viên"},
		},
		{
			name:     "xlsx one-row header with merged cells is not paired with data",
			rows:     rowsFrom("Tên HTX||Xã", "HTX A|x|An Phú"),
			merges:   []cellRange{{1, 0, 1, 1}},
			xlsx:     true,
			wantFrom: 2,
			want:     map[string]string{"name": "A:Tên HTX", "commune": "C:Xã"},
		},
		{
			name:     "an exact header beats one matched without its unit",
			rows:     rowsFrom("Tên HTX|Doanh thu (triệu đồng)|Doanh thu"),
			wantFrom: 2,
			want:     map[string]string{"name": "A:Tên HTX", "revenue": "C:Doanh thu"},
		},
		{
			name:    "one known column is not a header",
			rows:    rowsFrom("Tên HTX|Ghi chú", "HTX A|"),
			wantErr: errNoHeader,
		},
		{
			name:     "header below the scanned rows",
			rows:     rowsFrom("a", "b", "c", "Tên HTX|Xã"),
			scanRows: 3,
			wantErr:  errNoHeader,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scan := tt.scanRows
			if scan == 0 {
				scan = 15
			}
			l, err := detectHeader(tt.rows, tt.merges, tt.xlsx, m, scan)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, c := range l.columns {
				got[c.field] = c.letter + ":" + c.header
				if l.headers[c.field] != c.header {
					t.Errorf("headers[%s] = %q, want %q", c.field, l.headers[c.field], c.header)
				}
			}
			assertEqual(t, "columns", got, tt.want)
			assertEqual(t, "dataFrom", l.dataFrom, tt.wantFrom)
			assertEqual(t, "title", l.title, tt.wantTitle)
		})
	}
}

func TestIsTotalsRow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		row  string
		want bool
	}{
		{"Tổng cộng|||120", true},
		{"TỔNG CỘNG:||120", true},
		{"|Cộng:|120", true},
		{"Cộng||120", true},
		{"Tổng số||120", true},
		{"Tổng|120", true},
		{"Tổng cộng toàn huyện|120", true},
		{"tong cong (A+B)|120", true},
		{"I|Tổng cộng|120", true},
		{"1|HTX Cộng Hòa|120", false},
		{"Tổng hợp số liệu|", false},
		{"1|HTX Tổng hợp|", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.row, func(t *testing.T) {
			t.Parallel()
			if got := isTotalsRow(strings.Split(tt.row, "|")); got != tt.want {
				t.Errorf("isTotalsRow(%q) = %v, want %v", tt.row, got, tt.want)
			}
		})
	}
}

func TestDataRows(t *testing.T) {
	t.Parallel()
	// Columns: A STT (not mapped), B name, C members; D notes (not mapped).
	l := &layout{columns: []mappedColumn{{field: "name", index: 1, letter: "B"}, {field: "members", index: 2, letter: "C"}}}
	tests := []struct {
		name string
		rows []string
		want []int // indexes of delivered rows
	}{
		{"blank and totals rows are skipped", []string{"1|HTX A|7", "", "||", "Tổng cộng||7", "2|HTX B|3"}, []int{0, 4}},
		{"a lone note is skipped", []string{"1|HTX A|7", "|||Số liệu sơ bộ", "2|HTX B|3"}, []int{0, 2}},
		{"two notes end the data, blank rows between them or not", []string{"1|HTX A|7", "|||ghi chú", "", "|||Người lập biểu", "2|HTX B|3"}, []int{0}},
		{"signature text in a mapped column", []string{"1|HTX A|7", "|Người lập biểu||Ngày 5 tháng 1 năm 2025", "|(Ký, ghi rõ họ tên)", "|Nguyễn Văn A"}, []int{0}},
		{"signature words in a row with numbers are data", []string{"1|HTX Chủ tịch|7"}, []int{0}},
		{"a row with only an STT is a note", []string{"1|HTX A|7", "2||", "3|HTX C|1"}, []int{0, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := dataRows{layout: l}
			var got []int
			for i, r := range tt.rows {
				deliver, done := d.next(strings.Split(r, "|"))
				if done {
					break
				}
				if deliver {
					got = append(got, i)
				}
			}
			assertEqual(t, "delivered", got, tt.want)
		})
	}
}

func TestColumnLetter(t *testing.T) {
	t.Parallel()
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := columnLetter(i); got != want {
			t.Errorf("columnLetter(%d) = %q, want %q", i, got, want)
		}
	}
}
