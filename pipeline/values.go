package pipeline

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

// The parsers in this file read one cell value each. They return ok=false with a nil error
// for an empty or explicitly missing cell, and an error in plain words that quotes the value
// and shows the expected form; the caller adds file, sheet, row and column.

// missingCellMarkers are the cell contents that mean "no value" rather than a bad value.
var missingCellMarkers = map[string]bool{"": true, "-": true, "–": true, "—": true, "...": true, "…": true, "n/a": true}

// cellText returns s in NFC, trimmed, with every kind of space (non-breaking included) as
// one plain space and zero-width characters removed.
func cellText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\u200b' || r == '\ufeff' || r == '\u200c' || r == '\u200d' {
			return -1
		}
		return r
	}, s)
	return textnorm.NFC(s)
}

func isMissingCell(t string) bool { return missingCellMarkers[strings.ToLower(t)] }

// sciNumberRe matches the scientific form excelize hands over for very large or small
// numeric cells, such as 1.5E+07.
var sciNumberRe = regexp.MustCompile(`^[+-]?\d+(\.\d+)?[eE][+-]?\d+$`)

// ParseNumber reads a number written the Vietnamese way ("1.234.567", "1.234,5", "12,5")
// or the international way ("1,234,567", "1,234.5", "1.5"), with spaces between thousands
// ("1 234 567") and trailing unit words or a percent sign dropped ("12 người", "50 triệu"
// is 50, "12,5%" is 12.5). A lone separator is read the Vietnamese way: "," is always the
// decimal comma ("1,234" is 1.234) and "." followed by exactly three digits after a group
// of one to three digits not starting with 0 is a thousands separator ("1.234" is 1234);
// any other lone "." is a decimal point ("1.5", "1234.5", "0.125"). Callers reading a
// numeric cell should take its raw float, which never has this ambiguity.
// "", "-", "–", "—", "..." and "n/a" mean missing: ok=false, err=nil.
func ParseNumber(s string) (v float64, ok bool, err error) {
	t := cellText(s)
	if isMissingCell(t) {
		return 0, false, nil
	}
	if sciNumberRe.MatchString(t) {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsInf(v, 0) {
			return 0, false, fmt.Errorf("%q is too large to be a number", t)
		}
		return v, true, nil
	}
	neg, num, rest := splitNumberText(t)
	if num == "" || !unitTailOK(rest) {
		return 0, false, notANumber(t)
	}
	canon, valid := canonicalNumber(num)
	if !valid {
		return 0, false, notANumber(t)
	}
	v, err = strconv.ParseFloat(canon, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("%q is too large to be a number", t)
	}
	if neg && v != 0 {
		v = -v
	}
	return v, true, nil
}

func notANumber(t string) error {
	return fmt.Errorf(`%q is not a number; write digits with "." between thousands and "," before decimals, such as 1.234.567,5`, t)
}

// splitNumberText splits t into a sign, the numeric part (digits, "." and "," and spaces
// between digits) and the rest (unit words).
func splitNumberText(t string) (neg bool, num, rest string) {
	i := 0
	switch {
	case strings.HasPrefix(t, "-"), strings.HasPrefix(t, "+"):
		neg, i = t[0] == '-', 1
	case strings.HasPrefix(t, "−"): // U+2212 minus sign
		neg, i = true, len("−")
	}
	if i >= len(t) || !isASCIIDigit(t[i]) {
		return neg, "", t[i:]
	}
	start := i
loop:
	for i < len(t) {
		c := t[i]
		switch {
		case isASCIIDigit(c), c == '.', c == ',':
			i++
		case c == ' ' && isASCIIDigit(t[i-1]) && i+1 < len(t) && isASCIIDigit(t[i+1]):
			i++
		default:
			break loop
		}
	}
	return neg, t[start:i], strings.TrimSpace(t[i:])
}

// unitTailOK reports whether rest may follow a number: nothing, a percent sign, or unit
// words ("người", "triệu đồng/người/năm", "m2"), never a second number.
func unitTailOK(rest string) bool {
	if rest == "" {
		return true
	}
	first, _ := utf8.DecodeRuneInString(rest)
	if first != '%' && !unicode.IsLetter(first) {
		return false
	}
	prev := rune(0)
	for _, r := range rest {
		if unicode.IsDigit(r) && !unicode.IsLetter(prev) && !unicode.IsDigit(prev) {
			return false
		}
		prev = r
	}
	return true
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// canonicalNumber turns the numeric part into the form strconv.ParseFloat reads.
func canonicalNumber(num string) (string, bool) {
	dots, commas, spaces := strings.Count(num, "."), strings.Count(num, ","), strings.Count(num, " ")
	var thousands, decimal byte
	switch {
	case spaces > 0:
		if dots+commas > 1 {
			return "", false
		}
		thousands = ' '
		if dots == 1 {
			decimal = '.'
		} else if commas == 1 {
			decimal = ','
		}
	case dots > 0 && commas > 0:
		thousands, decimal = '.', ','
		if strings.LastIndexByte(num, '.') > strings.LastIndexByte(num, ',') {
			thousands, decimal = ',', '.'
		}
		if strings.Count(num, string(decimal)) != 1 {
			return "", false
		}
	case dots > 1:
		thousands = '.'
	case commas > 1:
		thousands = ','
	case dots == 1:
		whole, frac, _ := strings.Cut(num, ".")
		if len(frac) == 3 && len(whole) <= 3 && whole != "" && whole[0] != '0' {
			thousands = '.'
		} else {
			decimal = '.'
		}
	case commas == 1:
		decimal = ','
	}
	whole, frac := num, ""
	if decimal != 0 {
		i := strings.IndexByte(num, decimal)
		whole, frac = num[:i], num[i+1:]
		if !allASCIIDigits(frac) {
			return "", false
		}
	}
	if thousands != 0 {
		groups := strings.Split(whole, string(thousands))
		for i, g := range groups {
			if !allASCIIDigits(g) || len(g) > 3 || (i > 0 && len(g) != 3) {
				return "", false
			}
		}
		whole = strings.Join(groups, "")
	}
	if !allASCIIDigits(whole) {
		return "", false
	}
	if frac != "" {
		return whole + "." + frac, true
	}
	return whole, true
}

// ParseCount reads a whole, non-negative number such as a count of members or classes,
// in any form ParseNumber accepts ("1.234", "12 người").
func ParseCount(s string) (n int64, ok bool, err error) {
	v, ok, err := ParseNumber(s)
	if err != nil || !ok {
		return 0, ok, err
	}
	t := cellText(s)
	switch {
	case v < 0:
		return 0, false, fmt.Errorf("%q is not a valid count: a count cannot be negative", t)
	case v != math.Trunc(v):
		return 0, false, fmt.Errorf("%q is not a whole number; a count must be whole, such as 12", t)
	case v >= math.MaxInt64:
		return 0, false, fmt.Errorf("%q is too large to be a count", t)
	}
	return int64(v), true, nil
}

// ParseAmount reads a non-negative amount such as revenue, income or capital, in any form
// ParseNumber accepts; the unit comes from the header (see MoneyFactor).
func ParseAmount(s string) (v float64, ok bool, err error) {
	v, ok, err = ParseNumber(s)
	if err != nil || !ok {
		return 0, ok, err
	}
	if v < 0 {
		return 0, false, fmt.Errorf("%q is not a valid amount: an amount cannot be negative", cellText(s))
	}
	return v, true, nil
}

// moneyUnit is one way of naming a money unit, as a sequence of folded words.
type moneyUnit struct {
	words  []string
	factor float64
	// exact units must match with their marks: a bare ASCII "d" is not "đ".
	exact bool
}

// moneyUnits lists the unit phrases MoneyFactor knows; longer phrases are tried first.
var moneyUnits = func() []moneyUnit {
	var us []moneyUnit
	add := func(factor float64, exact bool, phrases ...string) {
		for _, p := range phrases {
			us = append(us, moneyUnit{words: strings.Fields(p), factor: factor, exact: exact})
		}
	}
	money := []string{"đồng", "vnđ", "đ"}
	for _, m := range money {
		add(1000, false, "tỷ "+m, "tỉ "+m)
		add(1, false, "triệu "+m, "tr "+m)
		add(0.001, false, "nghìn "+m, "ngàn "+m, "1000 "+m)
	}
	add(1000, false, "tỷ", "tỉ")
	add(1, false, "triệu", "trđ")
	add(0.001, false, "nghìn")
	add(1e-6, false, "đồng", "vnđ")
	add(1e-6, true, "đ")
	slices.SortStableFunc(us, func(a, b moneyUnit) int { return len(b.words) - len(a.words) })
	return us
}()

// Words that turn a unit word into something else: "lao động", "hội đồng", "tỷ lệ".
var (
	notMoneyBefore = map[string]map[string]bool{
		"dong": {"lao": true, "hoat": true, "cong": true, "hop": true, "hoi": true, "tac": true, "van": true, "chu": true, "bien": true, "luu": true, "canh": true},
	}
	notMoneyAfter = map[string]map[string]bool{
		"dong": {"bo": true, "thoi": true, "y": true, "chi": true, "bang": true, "ruong": true, "hanh": true, "nghiep": true, "khoi": true, "dang": true, "loat": true},
		"ty":   {"le": true, "trong": true, "so": true, "gia": true},
		"ti":   {"le": true, "trong": true, "so": true, "gia": true},
	}
	digitGroupRe = regexp.MustCompile(`(\d)[., ](\d{3})`)
)

// moneyWords splits folded text into runs of letters and runs of digits, with "1.000"
// read as "1000".
func moneyWords(text string) []string {
	f := textnorm.Fold(text)
	for {
		g := digitGroupRe.ReplaceAllString(f, "$1$2")
		if g == f {
			break
		}
		f = g
	}
	var words []string
	var cur []rune
	kind := 0 // 1 letter, 2 digit
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range f {
		k := 0
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			k = 1
		case unicode.IsDigit(r):
			k = 2
		}
		if k != kind || k == 0 {
			flush()
		}
		kind = k
		if k != 0 {
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// moneyWordMatches compares one folded word of the text with one unit word: exactly, or
// without marks when the text word was typed without any (so "dong" is "đồng" but "động"
// is not).
func moneyWordMatches(word, unit string, exact bool) bool {
	if word == unit {
		return true
	}
	return !exact && isASCII(word) && word == textnorm.StripMarks(unit)
}

// MoneyFactor returns the factor that turns an amount in the unit named by text (a column
// header such as "Doanh thu (triệu đồng)" or a configured word such as "tỷ") into million
// VND: đồng 1e-6, nghìn đồng 0.001, triệu đồng 1, tỷ đồng 1000. Case, Unicode form and
// diacritics do not matter; the first unit named wins, and at one place the longest phrase
// ("triệu đồng/người/năm" is million VND). ok is false when text names no money unit.
func MoneyFactor(text string) (factor float64, ok bool) {
	words := moneyWords(text)
	for i := range words {
		for _, u := range moneyUnits {
			if i+len(u.words) > len(words) {
				continue
			}
			match := true
			for j, w := range u.words {
				if !moneyWordMatches(words[i+j], w, u.exact) {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			if len(u.words) == 1 {
				key := textnorm.StripMarks(u.words[0])
				if i > 0 && notMoneyBefore[key][textnorm.StripMarks(words[i-1])] {
					continue
				}
				if i+1 < len(words) && notMoneyAfter[key][textnorm.StripMarks(words[i+1])] {
					continue
				}
			}
			return u.factor, true
		}
	}
	return 0, false
}

// DatePrecision says how much of a Date the source gave.
type DatePrecision string

// Date precisions.
const (
	DayPrecision   DatePrecision = "day"
	MonthPrecision DatePrecision = "month"
)

// Date is a calendar date at 00:00 UTC; with MonthPrecision it is the first of the month.
type Date struct {
	Time      time.Time
	Precision DatePrecision
}

// String writes d the Vietnamese way, day first: "15/03/2026", or "03/2026" for a month.
func (d Date) String() string {
	if d.Precision == MonthPrecision {
		return d.Time.Format("01/2006")
	}
	return d.Time.Format("02/01/2006")
}

var (
	dmyRe      = regexp.MustCompile(`^(\d{1,2})([/.\-])(\d{1,2})([/.\-])(\d{4}|\d{2})$`)
	ymdRe      = regexp.MustCompile(`^(\d{4})([/.\-])(\d{1,2})([/.\-])(\d{1,2})$`)
	myRe       = regexp.MustCompile(`^(\d{1,2})[/.\-](\d{4})$`)
	ymRe       = regexp.MustCompile(`^(\d{4})[/.\-](\d{1,2})$`)
	serialRe   = regexp.MustCompile(`^(\d{1,7})(?:\.\d+)?$`)
	dateTimeRe = regexp.MustCompile(`^(\S+)[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$`)
	vnDateRe   = regexp.MustCompile(`^(?:ngay\s*(\d{1,2})\s*)?thang\s*(\d{1,2})\s*(?:nam|/|-)\s*(\d{4})$`)
)

// ParseDate reads a date: an Excel serial number of the 1900 system ("46097", "46097.0"),
// day-month-year with "/", "." or "-" ("15/03/2026", "5/3/2026", "15-03-2026",
// "15.03.2026", "5/3/26" with a two-digit year read as 20yy), year-month-day ("2026-03-15"),
// a month alone ("03/2026", "3/2026", "2026-03") or in words ("tháng 3 năm 2026",
// "ngày 15 tháng 3 năm 2026"). With the year last the order is always day first, the
// Vietnamese convention; callers should take raw serials from date-formatted cells rather
// than Excel's month-first display text. A bare year ("2026") is refused rather than read
// as a serial. Dates before 1900, after 2100, impossible ("31/02/2026") or after today are
// errors; a zero today skips the last check. "" and "-" mean missing.
func ParseDate(s string, today time.Time) (Date, bool, error) {
	t := cellText(s)
	if isMissingCell(t) {
		return Date{}, false, nil
	}
	d, err := parseDateText(t)
	if err != nil {
		return Date{}, false, err
	}
	if !today.IsZero() {
		y, m, dd := today.Date()
		if limit := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC); d.Time.After(limit) {
			shown := fmt.Sprintf("%q", t)
			if serialRe.MatchString(t) { // a date cell: say the date the officer sees in Excel
				shown = fmt.Sprintf("%s (Excel date %q)", d, t)
			}
			return Date{}, false, fmt.Errorf("%s is after today (%s)", shown, limit.Format("02/01/2006"))
		}
	}
	return d, true, nil
}

func parseDateText(t string) (Date, error) {
	notDate := fmt.Errorf("%q is not a date; write it day first, such as 15/03/2026, or 03/2026 for a month", t)
	body := t
	if m := dateTimeRe.FindStringSubmatch(t); m != nil {
		body = m[1]
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := dmyRe.FindStringSubmatch(body); m != nil {
		if m[2] != m[4] {
			return Date{}, notDate
		}
		y := atoi(m[5])
		if len(m[5]) == 2 {
			y += 2000
		}
		return makeDate(t, y, atoi(m[3]), atoi(m[1]), DayPrecision)
	}
	if m := ymdRe.FindStringSubmatch(body); m != nil {
		if m[2] != m[4] {
			return Date{}, notDate
		}
		return makeDate(t, atoi(m[1]), atoi(m[3]), atoi(m[5]), DayPrecision)
	}
	if m := myRe.FindStringSubmatch(body); m != nil {
		return makeDate(t, atoi(m[2]), atoi(m[1]), 1, MonthPrecision)
	}
	if m := ymRe.FindStringSubmatch(body); m != nil {
		return makeDate(t, atoi(m[1]), atoi(m[2]), 1, MonthPrecision)
	}
	if m := vnDateRe.FindStringSubmatch(textnorm.StripMarks(t)); m != nil {
		if m[1] == "" {
			return makeDate(t, atoi(m[3]), atoi(m[2]), 1, MonthPrecision)
		}
		return makeDate(t, atoi(m[3]), atoi(m[2]), atoi(m[1]), DayPrecision)
	}
	if m := serialRe.FindStringSubmatch(t); m != nil {
		n := atoi(m[1])
		if n >= 1900 && n <= 2100 && m[0] == m[1] {
			return Date{}, fmt.Errorf("%q looks like a year alone; write the full date, such as 15/03/%d, or the month, such as 03/%d", t, n, n)
		}
		return excelSerialDate(t, n)
	}
	return Date{}, notDate
}

func makeDate(t string, y, m, d int, p DatePrecision) (Date, error) {
	if y < 1900 || y > 2100 {
		return Date{}, fmt.Errorf("%q is not a date between 1900 and 2100", t)
	}
	tm := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || tm.Day() != d {
		return Date{}, fmt.Errorf("%q is not a real date (dates are read day first, such as 15/03/2026)", t)
	}
	return Date{Time: tm, Precision: p}, nil
}

// excelSerialDate converts a 1900-system serial. Excel counts 29/02/1900, which never
// existed, as serial 60, so serials after it are one day late.
func excelSerialDate(t string, n int) (Date, error) {
	if n == 60 || n == 0 {
		return Date{}, fmt.Errorf("%q is not a real date", t)
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if n < 60 {
		base = base.AddDate(0, 0, 1)
	}
	if n > 80000 { // past 2119; keeps AddDate far from overflow
		return Date{}, fmt.Errorf("%q is not a date between 1900 and 2100", t)
	}
	tm := base.AddDate(0, 0, n)
	if tm.Year() > 2100 {
		return Date{}, fmt.Errorf("%q is not a date between 1900 and 2100", t)
	}
	return Date{Time: tm, Precision: DayPrecision}, nil
}

// Rating is a cooperative's yearly classification under Circular 01/2020/TT-BKHĐT.
type Rating string

// Ratings.
const (
	RatingGood    Rating = "tot"
	RatingFair    Rating = "kha"
	RatingAverage Rating = "trung_binh"
	RatingWeak    Rating = "yeu"
	NotRated      Rating = "chua_xep_loai"
)

// ratingWords maps mark-stripped rating words, without a "loại" prefix, to ratings.
var ratingWords = map[string]Rating{
	"tot": RatingGood, "kha": RatingFair, "trung binh": RatingAverage, "tb": RatingAverage,
	"yeu": RatingWeak, "kem": RatingWeak, "yeu kem": RatingWeak,
	"chua xep loai": NotRated, "chua danh gia": NotRated, "khong xep loai": NotRated,
	"trung_binh": RatingAverage, "chua_xep_loai": NotRated,
}

// ParseRating reads a rating word ("Tốt", "Loại khá", "Trung bình", "TB", "Yếu", "Kém",
// "Chưa xếp loại"), in any case, with or without diacritics, or a Rating code.
func ParseRating(s string) (Rating, bool, error) {
	t := cellText(s)
	if isMissingCell(t) {
		return "", false, nil
	}
	key := strings.Trim(textnorm.StripMarks(t), " .")
	for _, prefix := range []string{"xep loai ", "loai "} {
		key = strings.TrimPrefix(key, prefix)
	}
	if r, ok := ratingWords[key]; ok {
		return r, true, nil
	}
	return "", false, fmt.Errorf("%q is not a rating; use Tốt, Khá, Trung bình, Yếu or Chưa xếp loại", t)
}

// ScoreBands are the lowest scores, out of 100, for each rating.
type ScoreBands struct {
	Good, Fair, Average float64
}

// DefaultScoreBands are the bands of Circular 01/2020/TT-BKHĐT: 75 good, 50 fair, 35 average.
var DefaultScoreBands = ScoreBands{Good: 75, Fair: 50, Average: 35}

// Validate checks that the bands rise within 0..100.
func (b ScoreBands) Validate() error {
	switch {
	case !(b.Average >= 0):
		return fmt.Errorf("score bands: average (%g) must be 0 or more", b.Average)
	case !(b.Fair > b.Average):
		return fmt.Errorf("score bands: fair (%g) must be above average (%g)", b.Fair, b.Average)
	case !(b.Good > b.Fair):
		return fmt.Errorf("score bands: good (%g) must be above fair (%g)", b.Good, b.Fair)
	case !(b.Good <= 100):
		return fmt.Errorf("score bands: good (%g) must be 100 or less", b.Good)
	}
	return nil
}

// Rating classifies a score out of 100.
func (b ScoreBands) Rating(score float64) (Rating, error) {
	if err := b.Validate(); err != nil {
		return "", err
	}
	switch {
	case !(score >= 0 && score <= 100):
		return "", fmt.Errorf("score %q is not between 0 and 100 (Circular 01/2020/TT-BKHĐT scores out of 100 points)", strconv.FormatFloat(score, 'g', -1, 64))
	case score >= b.Good:
		return RatingGood, nil
	case score >= b.Fair:
		return RatingFair, nil
	case score >= b.Average:
		return RatingAverage, nil
	}
	return RatingWeak, nil
}

// Status is whether a cooperative or group is operating.
type Status string

// Statuses.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusDissolved Status = "dissolved"
)

var statusWords = map[string]Status{
	"dang hoat dong": StatusActive, "hoat dong": StatusActive, "hd": StatusActive, "con hoat dong": StatusActive, "active": StatusActive,
	"ngung hoat dong": StatusSuspended, "tam ngung": StatusSuspended, "tam ngung hoat dong": StatusSuspended,
	"tam dung": StatusSuspended, "tam dung hoat dong": StatusSuspended, "dung hoat dong": StatusSuspended,
	"khong hoat dong": StatusSuspended, "suspended": StatusSuspended,
	"giai the": StatusDissolved, "da giai the": StatusDissolved, "dissolved": StatusDissolved,
}

// ParseStatus reads an operating status ("Đang hoạt động", "HĐ", "Tạm ngừng hoạt động",
// "Không hoạt động", "Giải thể"), in any case, with or without diacritics.
func ParseStatus(s string) (Status, bool, error) {
	t := cellText(s)
	if isMissingCell(t) {
		return "", false, nil
	}
	if st, ok := statusWords[strings.Trim(textnorm.StripMarks(t), " .")]; ok {
		return st, true, nil
	}
	return "", false, fmt.Errorf("%q is not a status; use Đang hoạt động, Tạm ngừng hoạt động or Giải thể", t)
}

// ActivityKind is the kind of a plan activity.
type ActivityKind string

// Activity kinds of the plan.
const (
	OutreachClass   ActivityKind = "outreach_class"
	VocationalClass ActivityKind = "vocational_class"
	HandbookPrint   ActivityKind = "handbook_print"
	Workshop        ActivityKind = "workshop"
	TradePromotion  ActivityKind = "trade_promotion"
)

var activityKinds = []ActivityKind{OutreachClass, VocationalClass, HandbookPrint, Workshop, TradePromotion}

// activityPhrases are searched in order, so the more specific kinds come first: "in sổ tay
// tuyên truyền" is a handbook, "tập huấn kỹ thuật chăn nuôi" a vocational class.
var activityPhrases = []struct {
	kind    ActivityKind
	phrases []string
}{
	{HandbookPrint, []string{"so tay", "cam nang"}},
	{Workshop, []string{"hoi thao", "toa dam"}},
	{VocationalClass, []string{"truyen nghe", "day nghe", "dao tao nghe", "ky thuat", "chan nuoi", "trong trot", "nuoi trong"}},
	{OutreachClass, []string{"tap huan", "tuyen truyen", "pho bien", "boi duong"}},
	{TradePromotion, []string{"xuc tien thuong mai", "hoi cho"}},
}

// ParseActivityKind reads the kind of an activity from its description. extra, from the
// configuration, maps descriptions to kinds and is consulted first, comparing folded text;
// then canonical codes ("outreach_class"), then the plan's own phrases ("lớp tập huấn",
// "truyền nghề", "in sổ tay", "hội thảo", "xúc tiến thương mại") found anywhere in it.
func ParseActivityKind(s string, extra map[string]ActivityKind) (ActivityKind, bool, error) {
	t := cellText(s)
	if isMissingCell(t) {
		return "", false, nil
	}
	folded := textnorm.Fold(t)
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if textnorm.Fold(k) != folded {
			continue
		}
		if kind := extra[k]; slices.Contains(activityKinds, kind) {
			return kind, true, nil
		}
		return "", false, fmt.Errorf("%q is configured as activity kind %q, which is not one of %s", t, extra[k], activityKindList())
	}
	if slices.Contains(activityKinds, ActivityKind(folded)) {
		return ActivityKind(folded), true, nil
	}
	key := " " + strings.Join(strings.FieldsFunc(textnorm.StripMarks(t), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ") + " "
	for _, group := range activityPhrases {
		for _, p := range group.phrases {
			if strings.Contains(key, " "+p+" ") {
				return group.kind, true, nil
			}
		}
	}
	return "", false, fmt.Errorf("%q is not a known activity; name it with words such as lớp tập huấn, lớp truyền nghề, in sổ tay, hội thảo or xúc tiến thương mại, or map it to one of %s in the configuration", t, activityKindList())
}

func activityKindList() string {
	names := make([]string, len(activityKinds))
	for i, k := range activityKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// CleanText returns s in NFC, trimmed, with inner white space collapsed, converted from
// the legacy TCVN3 or VNI encoding when DetectLegacy is confident it holds one.
func CleanText(s string) string {
	t := cellText(s)
	switch DetectLegacy(t) {
	case LegacyTCVN3:
		return textnorm.NFC(FromTCVN3(t))
	case LegacyVNI:
		return textnorm.NFC(FromVNI(t))
	}
	return t
}

// CleanCode returns a registration or certificate code with all white space removed, in
// upper case and NFC: " 4107 000123 " becomes "4107000123".
func CleanCode(s string) string {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	return textnorm.NFC(strings.ToUpper(t))
}
