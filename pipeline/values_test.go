package pipeline

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkValueErr fails unless err is non-nil, quotes the trimmed input and contains want.
func checkValueErr(t *testing.T, in string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error for %q, want one containing %q", in, want)
	}
	if quoted := strconv.Quote(strings.TrimSpace(in)); !strings.Contains(err.Error(), quoted) {
		t.Errorf("error %q does not quote the value %s", err, quoted)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     float64
		missing  bool
		wantErr  string
	}{
		{name: "vietnamese thousands", in: "1.234.567", want: 1234567},
		{name: "vietnamese thousands and decimal", in: "1.234,5", want: 1234.5},
		{name: "decimal comma", in: "1,5", want: 1.5},
		{name: "international thousands", in: "1,234,567", want: 1234567},
		{name: "international thousands and decimal", in: "1,234.5", want: 1234.5},
		{name: "percent", in: "12,5%", want: 12.5},
		{name: "percent after space", in: "12,5 %", want: 12.5},
		{name: "unit word", in: "12 người", want: 12},
		{name: "money word dropped", in: "50 triệu", want: 50},
		{name: "long unit phrase", in: "1.000 triệu đồng/người/năm", want: 1000},
		{name: "unit with digit", in: "5 m2", want: 5},
		{name: "unit glued to number", in: "1000đ", want: 1000},
		{name: "surrounding spaces", in: "  42  ", want: 42},
		{name: "non-breaking spaces", in: "\u00a01\u00a0234\u00a0", want: 1234},
		{name: "space thousands", in: "1 234 567", want: 1234567},
		{name: "space thousands with decimal comma", in: "1 234 567,25", want: 1234567.25},
		{name: "narrow no-break space thousands", in: "1\u202f234", want: 1234},
		{name: "lone dot and three digits is thousands", in: "1.234", want: 1234},
		{name: "lone comma and three digits is decimal", in: "1,234", want: 1.234},
		{name: "lone dot otherwise decimal", in: "1.5", want: 1.5},
		{name: "raw float with long whole part", in: "1234.567", want: 1234.567},
		{name: "leading zero is decimal", in: "0.125", want: 0.125},
		{name: "scientific from excelize", in: "1.5E+07", want: 1.5e7},
		{name: "negative", in: "-1.234,5", want: -1234.5},
		{name: "unicode minus", in: "−7", want: -7},
		{name: "plus sign", in: "+7", want: 7},
		{name: "zero", in: "0", want: 0},
		{name: "empty", in: "", missing: true},
		{name: "spaces only", in: "   ", missing: true},
		{name: "hyphen", in: "-", missing: true},
		{name: "en dash", in: "–", missing: true},
		{name: "em dash", in: "—", missing: true},
		{name: "dots", in: "...", missing: true},
		{name: "not applicable", in: "N/A", missing: true},
		{name: "letters", in: "abc", wantErr: "is not a number"},
		{name: "x", in: "x", wantErr: "is not a number"},
		{name: "words", in: "không có", wantErr: "is not a number"},
		{name: "mixed separators", in: "1.2.3,4,5", wantErr: "is not a number"},
		{name: "bad grouping", in: "1.23.456", wantErr: "is not a number"},
		{name: "two numbers", in: "12 5", wantErr: "is not a number"},
		{name: "trailing separator", in: "12,", wantErr: "is not a number"},
		{name: "leading separator", in: ",5", wantErr: "1.234.567,5"},
		{name: "number after words", in: "12 người 5", wantErr: "is not a number"},
		{name: "symbol after number", in: "12*", wantErr: "is not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := ParseNumber(tt.in)
			switch {
			case tt.wantErr != "":
				checkValueErr(t, tt.in, err, tt.wantErr)
				if ok {
					t.Errorf("ok = true with an error")
				}
			case err != nil:
				t.Fatalf("ParseNumber(%q): %v", tt.in, err)
			case ok == tt.missing:
				t.Fatalf("ParseNumber(%q) ok = %v, want %v", tt.in, ok, !tt.missing)
			case got != tt.want:
				t.Errorf("ParseNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCountAndAmount(t *testing.T) {
	t.Parallel()
	counts := []struct {
		name, in string
		want     int64
		ok       bool
		wantErr  string
	}{
		{name: "thousands", in: "1.234", want: 1234, ok: true},
		{name: "with unit", in: "12 người", want: 12, ok: true},
		{name: "whole with zero decimals", in: "12,0", want: 12, ok: true},
		{name: "missing", in: "-", ok: false},
		{name: "negative", in: "-3", wantErr: "a count cannot be negative"},
		{name: "fraction", in: "1,5", wantErr: "must be whole"},
		{name: "garbage", in: "mười", wantErr: "is not a number"},
		{name: "huge", in: "99999999999999999999", wantErr: "too large"},
	}
	for _, tt := range counts {
		t.Run("count/"+tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := ParseCount(tt.in)
			if tt.wantErr != "" {
				checkValueErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil || ok != tt.ok || got != tt.want {
				t.Errorf("ParseCount(%q) = %v, %v, %v; want %v, %v, nil", tt.in, got, ok, err, tt.want, tt.ok)
			}
		})
	}
	amounts := []struct {
		name, in string
		want     float64
		ok       bool
		wantErr  string
	}{
		{name: "decimal", in: "1.000,5", want: 1000.5, ok: true},
		{name: "with money word", in: "50 triệu đồng", want: 50, ok: true},
		{name: "missing", in: "", ok: false},
		{name: "negative", in: "-1.000", wantErr: "an amount cannot be negative"},
	}
	for _, tt := range amounts {
		t.Run("amount/"+tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := ParseAmount(tt.in)
			if tt.wantErr != "" {
				checkValueErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil || ok != tt.ok || got != tt.want {
				t.Errorf("ParseAmount(%q) = %v, %v, %v; want %v, %v, nil", tt.in, got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestMoneyFactor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     float64
		ok       bool
	}{
		{"dong in parentheses", "Doanh thu (đồng)", 1e-6, true},
		{"dong", "đồng", 1e-6, true},
		{"vnd", "VNĐ", 1e-6, true},
		{"vnd ascii", "VND", 1e-6, true},
		{"d", "đ", 1e-6, true},
		{"million", "Doanh thu (triệu đồng)", 1, true},
		{"million word", "triệu", 1, true},
		{"million abbreviated with dot", "tr.đ", 1, true},
		{"million abbreviated", "trđ", 1, true},
		{"billion", "Vốn điều lệ (tỷ đồng)", 1000, true},
		{"billion word", "tỷ", 1000, true},
		{"billion other spelling", "tỉ đồng", 1000, true},
		{"thousand", "(nghìn đồng)", 0.001, true},
		{"thousand southern", "ngàn đồng", 0.001, true},
		{"thousand written as number", "1000đ", 0.001, true},
		{"thousand written grouped", "1.000 đồng", 0.001, true},
		{"dong per person per year", "Thu nhập (đồng/người/năm)", 1e-6, true},
		{"million per person per year", "Thu nhập bình quân (triệu đồng/người/năm)", 1, true},
		{"upper case without marks", "DOANH THU (TRIEU DONG)", 1, true},
		{"nfd", "trie\u0302\u0323u đo\u0302\u0300ng", 1, true},
		{"no unit", "Số thành viên", 0, false},
		{"labour is not money", "Số lao động", 0, false},
		{"operating is not money", "Đang hoạt động", 0, false},
		{"board is not money", "Hội đồng quản trị", 0, false},
		{"ratio is not billion", "Tỷ lệ (%)", 0, false},
		{"ascii d is not dong", "Cột D", 0, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := MoneyFactor(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("MoneyFactor(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

var dateTestToday = time.Date(2026, 5, 1, 15, 30, 0, 0, time.FixedZone("ICT", 7*3600))

func TestParseDate(t *testing.T) {
	t.Parallel()
	day := func(y int, m time.Month, d int) Date {
		return Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Precision: DayPrecision}
	}
	month := func(y int, m time.Month) Date {
		return Date{Time: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), Precision: MonthPrecision}
	}
	tests := []struct {
		name, in string
		want     Date
		missing  bool
		wantErr  string
	}{
		{name: "excel serial", in: "46097", want: day(2026, 3, 16)},
		{name: "excel serial with decimals", in: "46097.0", want: day(2026, 3, 16)},
		{name: "excel serial with time", in: "46097.75", want: day(2026, 3, 16)},
		{name: "excel serial before the 1900 leap bug", in: "59", want: day(1900, 2, 28)},
		{name: "excel serial after the 1900 leap bug", in: "61", want: day(1900, 3, 1)},
		{name: "slashes", in: "15/03/2026", want: day(2026, 3, 15)},
		{name: "slashes short", in: "5/3/2026", want: day(2026, 3, 5)},
		{name: "dashes", in: "15-03-2026", want: day(2026, 3, 15)},
		{name: "dots", in: "15.03.2026", want: day(2026, 3, 15)},
		{name: "iso", in: "2026-03-15", want: day(2026, 3, 15)},
		{name: "iso with time", in: "2026-03-15T08:00:00Z", want: day(2026, 3, 15)},
		{name: "with time", in: "15/03/2026 10:30", want: day(2026, 3, 15)},
		{name: "two-digit year", in: "5/3/26", want: day(2026, 3, 5)},
		{name: "month", in: "03/2026", want: month(2026, 3)},
		{name: "month short", in: "3/2026", want: month(2026, 3)},
		{name: "month iso", in: "2026-03", want: month(2026, 3)},
		{name: "current month", in: "05/2026", want: month(2026, 5)},
		{name: "today", in: "01/05/2026", want: day(2026, 5, 1)},
		{name: "month in words", in: "Tháng 3 năm 2026", want: month(2026, 3)},
		{name: "date in words without marks", in: "ngay 15 thang 3 nam 2026", want: day(2026, 3, 15)},
		{name: "leap day", in: "29/02/2024", want: day(2024, 2, 29)},
		{name: "spaces", in: " 15/03/2026\u00a0", want: day(2026, 3, 15)},
		{name: "empty", in: "", missing: true},
		{name: "hyphen", in: "-", missing: true},
		{name: "impossible day", in: "31/02/2026", wantErr: "is not a real date"},
		{name: "not a leap year", in: "29/02/2025", wantErr: "is not a real date"},
		{name: "month first from excel display is read day first", in: "03-15-26", wantErr: "is not a real date"},
		{name: "month first with slashes", in: "3/15/26", wantErr: "is not a real date"},
		{name: "month 13", in: "13/2026", wantErr: "is not a real date"},
		{name: "future", in: "15/03/2027", wantErr: "is after today (01/05/2026)"},
		{name: "future month", in: "06/2026", wantErr: "is after today"},
		{name: "future date cell says the date", in: "46371", wantErr: `15/12/2026 (Excel date "46371") is after today (01/05/2026)`},
		{name: "two-digit year in the future", in: "1/1/98", wantErr: "is after today"},
		{name: "before 1900", in: "01/01/1899", wantErr: "between 1900 and 2100"},
		{name: "serial past 2100", in: "99999", wantErr: "between 1900 and 2100"},
		{name: "serial zero", in: "0", wantErr: "is not a real date"},
		{name: "excel's 29 february 1900", in: "60", wantErr: "is not a real date"},
		{name: "year alone", in: "2026", wantErr: "looks like a year alone"},
		{name: "mixed separators", in: "15/03-2026", wantErr: "is not a date"},
		{name: "words", in: "đầu năm", wantErr: "write it day first, such as 15/03/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := ParseDate(tt.in, dateTestToday)
			switch {
			case tt.wantErr != "":
				checkValueErr(t, tt.in, err, tt.wantErr)
			case err != nil:
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			case ok == tt.missing:
				t.Fatalf("ParseDate(%q) ok = %v, want %v", tt.in, ok, !tt.missing)
			case got != tt.want:
				t.Errorf("ParseDate(%q) = %v (%s), want %v (%s)", tt.in, got.Time, got.Precision, tt.want.Time, tt.want.Precision)
			}
		})
	}
	t.Run("zero today skips the future check", func(t *testing.T) {
		t.Parallel()
		if _, ok, err := ParseDate("15/03/2090", time.Time{}); !ok || err != nil {
			t.Errorf("ParseDate with zero today = %v, %v", ok, err)
		}
	})
}

func TestParseRating(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Rating
		ok      bool
		wantErr string
	}{
		{"Tốt", RatingGood, true, ""},
		{"Loại tốt", RatingGood, true, ""},
		{"TOT", RatingGood, true, ""},
		{"To\u0302\u0301t", RatingGood, true, ""},
		{"Khá", RatingFair, true, ""},
		{"Loại khá", RatingFair, true, ""},
		{"kha", RatingFair, true, ""},
		{"Trung bình", RatingAverage, true, ""},
		{"TB", RatingAverage, true, ""},
		{"Loại trung bình", RatingAverage, true, ""},
		{"Yếu", RatingWeak, true, ""},
		{"Kém", RatingWeak, true, ""},
		{"Chưa xếp loại", NotRated, true, ""},
		{"Chưa đánh giá", NotRated, true, ""},
		{"Không xếp loại", NotRated, true, ""},
		{"chua_xep_loai", NotRated, true, ""},
		{"", "", false, ""},
		{"Xuất sắc", "", false, "use Tốt, Khá, Trung bình, Yếu or Chưa xếp loại"},
		{"A", "", false, "is not a rating"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok, err := ParseRating(tt.in)
			if tt.wantErr != "" {
				checkValueErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil || ok != tt.ok || got != tt.want {
				t.Errorf("ParseRating(%q) = %q, %v, %v; want %q, %v, nil", tt.in, got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestScoreBands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		score   float64
		want    Rating
		wantErr string
	}{
		{"top", 100, RatingGood, ""},
		{"good boundary", 75, RatingGood, ""},
		{"just below good", 74.9, RatingFair, ""},
		{"fair boundary", 50, RatingFair, ""},
		{"average boundary", 35, RatingAverage, ""},
		{"weak", 34.5, RatingWeak, ""},
		{"zero", 0, RatingWeak, ""},
		{"above 100", 120, "", `score "120" is not between 0 and 100`},
		{"negative", -1, "", `score "-1" is not between 0 and 100`},
		{"nan", math.NaN(), "", "is not between 0 and 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DefaultScoreBands.Rating(tt.score)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Rating(%v) error = %v, want %q", tt.score, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Rating(%v) = %q, %v; want %q", tt.score, got, err, tt.want)
			}
		})
	}
	invalid := []struct {
		name    string
		bands   ScoreBands
		wantErr string
	}{
		{"fair above good", ScoreBands{Good: 40, Fair: 50, Average: 35}, "good (40) must be above fair (50)"},
		{"average above fair", ScoreBands{Good: 75, Fair: 30, Average: 35}, "fair (30) must be above average (35)"},
		{"negative average", ScoreBands{Good: 75, Fair: 50, Average: -1}, "average (-1) must be 0 or more"},
		{"good above 100", ScoreBands{Good: 101, Fair: 50, Average: 35}, "good (101) must be 100 or less"},
		{"zero value", ScoreBands{}, "fair (0) must be above average (0)"},
	}
	for _, tt := range invalid {
		t.Run("validate/"+tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.bands.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want %q", err, tt.wantErr)
			}
			if _, err := tt.bands.Rating(60); err == nil {
				t.Errorf("Rating with invalid bands gave no error")
			}
		})
	}
	t.Run("validate/default", func(t *testing.T) {
		t.Parallel()
		if err := DefaultScoreBands.Validate(); err != nil {
			t.Errorf("DefaultScoreBands.Validate() = %v", err)
		}
	})
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Status
		ok      bool
		wantErr string
	}{
		{"Đang hoạt động", StatusActive, true, ""},
		{"Hoạt động", StatusActive, true, ""},
		{"HĐ", StatusActive, true, ""},
		{"dang hoat dong", StatusActive, true, ""},
		{"Ngừng hoạt động", StatusSuspended, true, ""},
		{"Tạm ngừng", StatusSuspended, true, ""},
		{"TẠM NGỪNG HOẠT ĐỘNG", StatusSuspended, true, ""},
		{"Không hoạt động", StatusSuspended, true, ""},
		{"Giải thể", StatusDissolved, true, ""},
		{"Đã giải thể", StatusDissolved, true, ""},
		{"Gia\u0309i the\u0302\u0309", StatusDissolved, true, ""},
		{"", "", false, ""},
		{"Sáp nhập", "", false, "is not a status; use Đang hoạt động"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok, err := ParseStatus(tt.in)
			if tt.wantErr != "" {
				checkValueErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil || ok != tt.ok || got != tt.want {
				t.Errorf("ParseStatus(%q) = %q, %v, %v; want %q, %v, nil", tt.in, got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseActivityKind(t *testing.T) {
	t.Parallel()
	extra := map[string]ActivityKind{
		"Lớp bồi dưỡng Ban quản trị": VocationalClass, // overrides the outreach default
		"Gian hàng OCOP":             TradePromotion,
		"Chuyến tham quan":           "study_tour",
	}
	tests := []struct {
		name, in string
		want     ActivityKind
		ok       bool
		wantErr  string
	}{
		{"outreach plan wording", "Lớp tập huấn tuyên truyền pháp luật về KTTT", OutreachClass, true, ""},
		{"outreach propaganda", "Tuyên truyền Luật Hợp tác xã 2023", OutreachClass, true, ""},
		{"outreach law dissemination", "Phổ biến pháp luật về kinh tế tập thể", OutreachClass, true, ""},
		{"vocational handing down a trade", "Lớp truyền nghề đan lát", VocationalClass, true, ""},
		{"vocational teaching a trade", "Dạy nghề may công nghiệp", VocationalClass, true, ""},
		{"vocational livestock", "Tập huấn kỹ thuật chăn nuôi bò", VocationalClass, true, ""},
		{"vocational crops without marks", "tap huan ky thuat trong trot", VocationalClass, true, ""},
		{"handbook", "In sổ tay hỏi đáp về HTX", HandbookPrint, true, ""},
		{"handbook guide", "Cẩm nang tuyên truyền", HandbookPrint, true, ""},
		{"workshop", "Hội thảo phát triển KTTT", Workshop, true, ""},
		{"seminar old mark placement", "Toạ đàm", Workshop, true, ""},
		{"seminar new mark placement", "Tọa đàm", Workshop, true, ""},
		{"trade promotion", "Xúc tiến thương mại năm 2026", TradePromotion, true, ""},
		{"fair", "Tham gia Hội chợ nông sản", TradePromotion, true, ""},
		{"canonical code", "workshop", Workshop, true, ""},
		{"canonical code upper case", "OUTREACH_CLASS", OutreachClass, true, ""},
		{"config first", "lớp bồi dưỡng ban quản trị", VocationalClass, true, ""},
		{"config nfd", "Gian ha\u0300ng OCOP", TradePromotion, true, ""},
		{"config with unknown kind", "Chuyến tham quan", "", false, `activity kind "study_tour"`},
		{"empty", "", "", false, ""},
		{"unknown", "Họp tổng kết", "", false, "is not a known activity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := ParseActivityKind(tt.in, extra)
			if tt.wantErr != "" {
				checkValueErr(t, tt.in, err, tt.wantErr)
				return
			}
			if err != nil || ok != tt.ok || got != tt.want {
				t.Errorf("ParseActivityKind(%q) = %q, %v, %v; want %q, %v, nil", tt.in, got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestCleanTextAndCode(t *testing.T) {
	t.Parallel()
	texts := []struct{ name, in, want string }{
		{"nfd to nfc", "Ho\u0300a", "Hòa"},
		{"spaces collapsed", "  Hợp tác xã \n Nông   nghiệp\u00a0", "Hợp tác xã Nông nghiệp"},
		{"tcvn3", "Hîp t¸c x· N«ng nghiÖp", "Hợp tác xã Nông nghiệp"},
		{"vni", "Hôïp taùc xaõ Noâng nghieäp", "Hợp tác xã Nông nghiệp"},
		{"french stays", "Café crème à côté", "Café crème à côté"},
		{"latin-1 only vietnamese stays", "Hòa Tú", "Hòa Tú"},
		{"ascii stays", "HTX Nong nghiep", "HTX Nong nghiep"},
		{"empty", "", ""},
	}
	for _, tt := range texts {
		t.Run("text/"+tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CleanText(tt.in); got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	codes := []struct{ name, in, want string }{
		{"spaces", " 4107 000123 ", "4107000123"},
		{"non-breaking space and tab", "41\u00a007\t00", "410700"},
		{"lower case", "4107/gcn-ubnd", "4107/GCN-UBND"},
		{"vietnamese letters nfd", "so\u0302\u0301 12 đk", "SỐ12ĐK"},
	}
	for _, tt := range codes {
		t.Run("code/"+tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CleanCode(tt.in); got != tt.want {
				t.Errorf("CleanCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// valuesTestFormatVN writes v the Vietnamese way: "." between thousands, "," before decimals.
func valuesTestFormatVN(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("," + frac)
	}
	return b.String()
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1.234.567", "1.234,5", "1,5", "1,234,567", "1,234.5", "12,5%", "12 người", "50 triệu", "1 234 567", "-", "abc", "1.2.3,4,5", "1.5E+07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok, err := ParseNumber(s)
		if ok && err != nil {
			t.Fatalf("ParseNumber(%q): ok with error %v", s, err)
		}
		if !ok {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
		text := valuesTestFormatVN(v)
		again, ok, err := ParseNumber(text)
		if !ok || err != nil || again != v {
			t.Fatalf("ParseNumber(%q) = %v, formatted %q parses to %v, %v, %v", s, v, text, again, ok, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"46097", "46097.0", "15/03/2026", "5/3/26", "2026-03-15", "03/2026", "31/02/2026", "tháng 3 năm 2026", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok, err := ParseDate(s, dateTestToday)
		if ok && err != nil {
			t.Fatalf("ParseDate(%q): ok with error %v", s, err)
		}
		if !ok {
			return
		}
		if h, m, sec := d.Time.Clock(); h != 0 || m != 0 || sec != 0 || d.Time.Location() != time.UTC {
			t.Fatalf("ParseDate(%q) = %v, want midnight UTC", s, d.Time)
		}
		again, ok, err := ParseDate(d.String(), dateTestToday)
		if !ok || err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, formatted %q parses to %v, %v, %v", s, d, d.String(), again, ok, err)
		}
	})
}
