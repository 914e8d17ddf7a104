package sources

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite the encoded CSV fixtures in testdata/")

// groupsCSV is the cooperative-group report every encoded fixture holds: title rows, a
// multi-line cell, an empty line, a totals row, a signature block and a row after it.
const groupsCSV = "UBND HUYỆN ĐỒNG XUÂN;;;;;\n" +
	"BÁO CÁO TỔ HỢP TÁC NĂM 2024;;;;;\n" +
	"STT;Tên tổ hợp tác;Xã;Số tổ viên;Ngày thành lập;Ghi chú\n" +
	"1;THT Rau sạch Xuân Lãnh;Xuân Lãnh;12;05/06/2020;\n" +
	"2;\"THT Nuôi ong\nĐa Lộc\";Đa Lộc;8;2021-01-15;mới\n" +
	"\n" +
	"3;THT Mây tre;Xuân Phước;\"1.234\";;\n" +
	"Tổng cộng;;;\"1.254\";;\n" +
	"Người lập biểu;;;;Ngày 10 tháng 1 năm 2025;\n" +
	";;;;TM. UBND HUYỆN;\n" +
	"4;THT Sau chữ ký;Xuân Sơn;3;;\n"

// csvFixture is one committed encoding of groupsCSV.
type csvFixture struct {
	file      string
	delimiter string // replaces ';'
	encode    func(t *testing.T, s string) []byte
}

var csvFixtures = []csvFixture{
	{"groups-utf8-comma.csv", ",", utf8Bytes(false)},
	{"groups-utf8-bom-semicolon.csv", ";", utf8Bytes(true)},
	{"groups-utf8-tab.csv", "\t", utf8Bytes(false)},
	{"groups-utf16le-bom-tab.csv", "\t", utf16Bytes(xunicode.LittleEndian, xunicode.UseBOM)},
	{"groups-utf16be-bom-semicolon.csv", ";", utf16Bytes(xunicode.BigEndian, xunicode.UseBOM)},
	{"groups-utf16le-nobom-tab.csv", "\t", utf16Bytes(xunicode.LittleEndian, xunicode.IgnoreBOM)},
	{"groups-windows1258-semicolon.csv", ";", windows1258Bytes},
}

func utf8Bytes(bom bool) func(*testing.T, string) []byte {
	return func(_ *testing.T, s string) []byte {
		if bom {
			return append([]byte{0xEF, 0xBB, 0xBF}, s...)
		}
		return []byte(s)
	}
}

func utf16Bytes(e xunicode.Endianness, bom xunicode.BOMPolicy) func(*testing.T, string) []byte {
	return func(t *testing.T, s string) []byte {
		b, err := xunicode.UTF16(e, bom).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// windows1258Bytes encodes s the way Vietnamese Windows writes it: base letters with their
// circumflex, breve or horn precomposed, tone marks as separate combining characters.
func windows1258Bytes(t *testing.T, s string) []byte {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		base, tones := "", ""
		for _, m := range norm.NFD.String(string(r)) {
			switch {
			case !unicode.Is(unicode.Mn, m):
				base += string(m)
			case m == '\u0302' || m == '\u0306' || m == '\u031B':
				base = norm.NFC.String(base + string(m))
			default:
				tones += string(m)
			}
		}
		b.WriteString(base + tones)
	}
	out, err := charmap.Windows1258.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCSVFixtures checks the committed encoded fixtures; go test -run TestCSVFixtures -update
// rewrites them.
func TestCSVFixtures(t *testing.T) {
	t.Parallel()
	for _, fx := range csvFixtures {
		t.Run(fx.file, func(t *testing.T) {
			t.Parallel()
			want := fx.encode(t, strings.ReplaceAll(groupsCSV, ";", fx.delimiter))
			path := filepath.Join("testdata", fx.file)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from its encoding of groupsCSV; run go test -run TestCSVFixtures -update", path)
			}
		})
	}
}

// groupsRecords are the records of every groupsCSV fixture at path.
func groupsRecords(path string) []Record {
	cols := []struct{ field, col, header string }{
		{"name", "B", "Tên tổ hợp tác"},
		{"commune", "C", "Xã"},
		{"members", "D", "Số tổ viên"},
		{"founded_on", "E", "Ngày thành lập"},
	}
	rec := func(row int, raw ...string) Record {
		r := Record{Loc: Location{Source: "groups", File: path, Row: row}, Fields: map[string]Cell{}, Raw: raw}
		for _, c := range cols {
			idx := int(c.col[0] - 'A')
			r.Fields[c.field] = Cell{Column: c.col, Header: c.header, Value: raw[idx]}
		}
		return r
	}
	return []Record{
		rec(4, "1", "THT Rau sạch Xuân Lãnh", "Xuân Lãnh", "12", "05/06/2020", ""),
		rec(5, "2", "THT Nuôi ong\nĐa Lộc", "Đa Lộc", "8", "2021-01-15", "mới"),
		rec(7, "3", "THT Mây tre", "Xuân Phước", "1.234", "", ""),
	}
}

var groupsHeaders = map[string]string{
	"name": "Tên tổ hợp tác", "commune": "Xã", "members": "Số tổ viên", "founded_on": "Ngày thành lập",
}

const groupsTitle = "UBND HUYỆN ĐỒNG XUÂN | BÁO CÁO TỔ HỢP TÁC NĂM 2024"

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		encoding  string
		delimiter string
	}{
		{"groups-utf8-comma.csv", "", ""},
		{"groups-utf8-bom-semicolon.csv", "", ""},
		{"groups-utf8-tab.csv", "", ""},
		{"groups-utf16le-bom-tab.csv", "", ""},
		{"groups-utf16be-bom-semicolon.csv", "", ""},
		{"groups-utf16le-nobom-tab.csv", "", ""}, // NUL bytes give UTF-16 away
		{"groups-utf16le-nobom-tab.csv", "utf-16", "tab"},
		{"groups-windows1258-semicolon.csv", "", ""}, // not valid UTF-8
		{"groups-windows1258-semicolon.csv", "windows-1258", ";"},
		{"groups-utf8-bom-semicolon.csv", "utf-8", ";"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+cmpName(tt.encoding, tt.delimiter), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tt.file)
			batches := batchesOf(t, FileConfig{Name: "groups", Entity: CooperativeGroups, Kind: KindCSV, Path: path, Encoding: tt.encoding, Delimiter: tt.delimiter})
			if len(batches) != 1 {
				t.Fatalf("got %d batches, want 1", len(batches))
			}
			info := batches[0].Info()
			want := BatchInfo{Source: "groups", Entity: CooperativeGroups, Location: path, ContentHash: sha256File(t, path), Title: groupsTitle, Headers: groupsHeaders, Complete: true}
			assertEqual(t, "info", info, want)
			assertEqual(t, "records", readAll(t, batches[0]), groupsRecords(path))
		})
	}
}

func cmpName(encoding, delimiter string) string {
	if encoding == "" && delimiter == "" {
		return "detected"
	}
	return "configured"
}

func TestCSVTwoRowHeader(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "coops-two-row-header.csv")
	b := batchesOf(t, FileConfig{Name: "coops", Entity: Cooperatives, Kind: KindCSV, Path: path})[0]
	wantHeaders := map[string]string{
		"name":               "Tên HTX",
		"registration_code":  "Mã số HTX",
		"key_officers":       "Cán bộ chủ chốt / Tổng số",
		"officers_trained":   "Cán bộ chủ chốt / Đã qua đào tạo",
		"officers_refreshed": "Cán bộ chủ chốt / Được bồi dưỡng",
		"revenue":            "Doanh thu (triệu đồng)",
	}
	assertEqual(t, "headers", b.Info().Headers, wantHeaders)
	raw := []string{"1", "HTX An Phú", "4401000123", "5", "3", "2", "1.250,5"}
	want := []Record{{
		Loc: Location{Source: "coops", File: path, Row: 4},
		Fields: map[string]Cell{
			"name":               {Column: "B", Header: "Tên HTX", Value: "HTX An Phú"},
			"registration_code":  {Column: "C", Header: "Mã số HTX", Value: "4401000123"},
			"key_officers":       {Column: "D", Header: "Cán bộ chủ chốt / Tổng số", Value: "5"},
			"officers_trained":   {Column: "E", Header: "Cán bộ chủ chốt / Đã qua đào tạo", Value: "3"},
			"officers_refreshed": {Column: "F", Header: "Cán bộ chủ chốt / Được bồi dưỡng", Value: "2"},
			"revenue":            {Column: "G", Header: "Doanh thu (triệu đồng)", Value: "1.250,5"},
		},
		Raw: raw,
	}}
	assertEqual(t, "records", readAll(t, b), want)
}

func TestSniffDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, sample string
		want         rune
	}{
		{"comma", "a,b,c\n1,2,3\n", ','},
		{"semicolon with decimal commas", "Tên;Doanh thu\nHTX A;1,5\nHTX B;2,25\n", ';'},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t'},
		{"title line does not decide", "BÁO CÁO, NĂM 2024\nSTT;Tên;Xã\n1;A;B\n2;C;D\n", ';'},
		{"quoted delimiters ignored", "\"a;b\",c\n\"1;2\",3\n", ','},
		{"single column falls back to comma", "a\nb\n", ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sniffDelimiter(tt.sample); got != tt.want {
				t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.sample, got, tt.want)
			}
		})
	}
}

func TestCSVRowNumbers(t *testing.T) {
	t.Parallel()
	// Leading empty line, CRLF line ends, a cell spanning three lines, two empty lines.
	content := "\r\nTên THT,Xã\r\nTHT A,\"Xã\r\nAn\r\nPhú\"\r\n\r\n\r\nTHT B,Xã Hòa\r\n"
	path := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	b := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: path})[0]
	var got []int
	var values []string
	if err := b.Each(context.Background(), func(r Record) error {
		got = append(got, r.Loc.Row)
		values = append(values, r.Fields["commune"].Value)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "rows", got, []int{3, 6})
	assertEqual(t, "communes", values, []string{"Xã\nAn\nPhú", "Xã Hòa"})
}
