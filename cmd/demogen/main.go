// Command demogen regenerates the demo data in testdata/demo: one spreadsheet per reporting
// district of Hậu Giang written the way district offices write them, the provincial
// cooperative alliance's activities.csv, and EXPECTED.md, which documents what a correct
// reader should find in them. The output depends only on the gazetteer and the seed.
//
// Usage:
//
//	go run ./cmd/demogen -out testdata/demo
package main

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

const (
	defaultSeed      = 2026
	defaultGazetteer = "gazetteer/data/vn-units-2025-03-pre-reform.csv"

	provinceCode   = "93"
	provinceName   = "Hậu Giang"
	silentDistrict = "931" // Ngã Bảy: the demo's district that sends no report
	planYear       = 2026
)

var (
	today      = date(2026, 11, 28)
	reportDate = date(2026, 11, 20)
	// docTime is written into every workbook's properties so that reruns give the same bytes.
	docTime = "2026-11-20T08:00:00Z"
)

// Demo sizes. Totals are fixed; the seed decides how they spread over districts and communes.
const (
	coopsTotal        = 85
	coopsNew          = 15
	coopsMinPerDist   = 10
	coopsMaxPerDist   = 14
	coopsMaxNewPerDis = 4
	groupsNew         = 65
	groupsOld         = 35
	communesNoNewTHT  = 14 // reporting communes with no new group; Ngã Bảy's 6 come on top
	outreachClasses   = 45
	vocationalClasses = 25
	tradeFairCoops    = 8
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("demogen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "testdata/demo", "directory to write the demo data into")
	seed := fs.Uint64("seed", defaultSeed, "seed of the PCG random source")
	gazetteer := fs.String("gazetteer", defaultGazetteer, "pre-reform gazetteer CSV to take the communes from")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := generate(*gazetteer, *out, *seed); err != nil {
		fmt.Fprintf(stderr, "demogen: %v\n", err)
		return 1
	}
	return 0
}

// generate reads the province's communes from gazetteerPath and writes the demo into outDir.
func generate(gazetteerPath, outDir string, seed uint64) error {
	districts, err := loadDistricts(gazetteerPath, provinceCode)
	if err != nil {
		return err
	}
	d, err := buildDemo(districts, rand.New(rand.NewPCG(seed, seed^0x636f6f7077617463)))
	if err != nil {
		return err
	}
	d.seed = seed
	if err := os.MkdirAll(filepath.Join(outDir, "districts"), 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	for _, dd := range d.reports {
		if err := writeWorkbook(filepath.Join(outDir, "districts", dd.fileName()), dd); err != nil {
			return fmt.Errorf("write workbook of %s: %w", dd.district.fullName(), err)
		}
	}
	if err := os.WriteFile(filepath.Join(outDir, "activities.csv"), renderActivities(d.activities), 0o644); err != nil {
		return fmt.Errorf("write activities.csv: %w", err)
	}
	if err := os.WriteFile(filepath.Join(outDir, "EXPECTED.md"), renderExpected(d), 0o644); err != nil {
		return fmt.Errorf("write EXPECTED.md: %w", err)
	}
	return nil
}

// ---------------------------------------------------------------------------------------
// Gazetteer

type commune struct {
	code, name, unitType, fullName string
}

type district struct {
	code, name, unitType string
	communes             []commune
}

func (d district) fullName() string { return d.unitType + " " + d.name }

// slug is the ASCII file name stem: "huyen-chau-thanh-a", "tp-vi-thanh", "thi-xa-long-my".
func (d district) slug() string {
	kind := strings.ReplaceAll(textnorm.StripMarks(d.unitType), " ", "-")
	if d.unitType == "Thành phố" {
		kind = "tp"
	}
	return kind + "-" + strings.ReplaceAll(textnorm.StripMarks(d.name), " ", "-")
}

// loadDistricts returns the districts of one province with their communes, in file order.
func loadDistricts(path, province string) ([]district, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open gazetteer: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read gazetteer %s header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, want := range []string{"province_code", "district_code", "district_name", "district_type",
		"commune_code", "commune_name", "unit_type", "commune_full_name"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("gazetteer %s: column %q missing", path, want)
		}
	}
	var out []district
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read gazetteer %s line %d: %w", path, line, err)
		}
		if rec[col["province_code"]] != province {
			continue
		}
		code := rec[col["district_code"]]
		if len(out) == 0 || out[len(out)-1].code != code {
			out = append(out, district{code: code, name: rec[col["district_name"]], unitType: rec[col["district_type"]]})
		}
		d := &out[len(out)-1]
		d.communes = append(d.communes, commune{
			code:     rec[col["commune_code"]],
			name:     rec[col["commune_name"]],
			unitType: rec[col["unit_type"]],
			fullName: rec[col["commune_full_name"]],
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("gazetteer %s: no communes of province %s", path, province)
	}
	slices.SortStableFunc(out, func(a, b district) int { return cmp.Compare(a.code, b.code) })
	return out, nil
}

// ---------------------------------------------------------------------------------------
// How each district office writes its file

type communeStyle int

const (
	styleFull   communeStyle = iota // "Xã Tân Phú Thạnh"
	styleBare                       // "Tân Phú Thạnh"
	styleAbbrev                     // "X. Tân Phú Thạnh", "TT. Ngã Sáu", "P. Trà Lồng"
)

func (s communeStyle) String() string {
	return [...]string{"full name (Xã …)", "name without prefix", "abbreviated (X., P., TT.)"}[s]
}

type format struct {
	revenueDong  bool // "Doanh thu (đồng)" in full đồng instead of triệu đồng
	score        bool // "Điểm đánh giá" (Circular 01/2020 points) instead of the rating word
	textDates    bool // dates typed as text: "15/03/2026" or "5/3/2026"
	textNumbers  bool // numbers typed as Vietnamese text: "1.234,5"
	numericCodes bool // registration codes entered as numbers
	communes     communeStyle
}

var formats = map[string]format{
	"930": {communes: styleFull},
	"932": {communes: styleBare, numericCodes: true},
	"933": {communes: styleAbbrev},
	"934": {communes: styleFull, revenueDong: true},
	"935": {communes: styleFull, textDates: true},
	"936": {communes: styleBare, score: true},
	"937": {communes: styleAbbrev, textNumbers: true},
}

// forcedSpelling places one row of a sheet in a given commune, written in a given way, so
// that the demo surely contains the spellings a commune matcher must accept.
type forcedSpelling struct {
	district, sheet, commune, written string
}

var forcedSpellings = []forcedSpelling{
	{"930", sheetHTX, "31321", "P. 3"},       // Phường III, Arabic numeral
	{"930", sheetTHT, "31321", "P.III"},      // Phường III, no space
	{"930", sheetHTX, "31336", "Xã Hỏa Lựu"}, // CSV: Hoả Lựu
	{"932", sheetHTX, "31345", "Tân Hòa"},    // CSV: Tân Hoà
	{"933", sheetTHT, "31366", "TT. Ngã Sáu"},
	{"934", sheetHTX, "31420", "Xã Hoà Mỹ"},                   // CSV: Hòa Mỹ
	{"935", sheetHTX, "31462", norm.NFD.String("Xã Vị Đông")}, // decomposed Unicode
	{"935", sheetTHT, "31447", "Xã Vị Thủy"},                  // CSV: Vị Thuỷ
	{"936", sheetTHT, "31492", "xã lương tâm"},                // lower case
	{"937", sheetHTX, "31475", "P. Vĩnh Tường"},               // Vĩnh Tường is also a xã of Vị Thuỷ
}

const (
	sheetHTX   = "HTX"
	sheetTHT   = "THT"
	sheetNotes = "Ghi chú"
)

// ---------------------------------------------------------------------------------------
// Records

const (
	statusActive    = "Đang hoạt động"
	statusStopped   = "Ngừng hoạt động"
	statusDissolved = "Giải thể"

	ratingGood    = "Tốt"
	ratingFair    = "Khá"
	ratingAverage = "Trung bình"
	ratingWeak    = "Yếu"
	ratingNone    = "Chưa xếp loại"
)

var ratingOrder = []string{ratingGood, ratingFair, ratingAverage, ratingWeak, ratingNone}

// badRow says why a row is deliberately wrong and, unless the row is a copy, which cell
// (0-based column) holds which wrong value.
type badRow struct {
	why   string
	col   int
	value any
	copy  bool
}

type coop struct {
	name, code, field   string
	commune             commune
	written             string // commune as written in the file
	founded             time.Time
	datePadded          bool // "05/03/2026" rather than "5/3/2026" where dates are text
	status              string
	members, workers    int
	revenueTenths       int64 // triệu đồng × 10
	incomeTenths        int64 // triệu đồng per person per year × 10
	rating              string
	score               int
	officers, trained   int
	refreshed           int
	codeSpaced          bool
	stt                 int
	bad                 *badRow
	tradeFairSupported  int
	forced, isNew, dupe bool
}

type group struct {
	name, contract, field, status string
	commune                       commune
	written                       string
	founded                       time.Time
	datePadded                    bool
	members                       int
	stt                           int
	bad                           *badRow
	forced, isNew                 bool
}

type activity struct {
	code, kind, content string
	day                 time.Time
	district, commune   string
	quantity, attendees string
	coopCode            string
}

// report is one district's file.
type report struct {
	district district
	format   format
	coops    []*coop
	groups   []*group
}

func (r report) fileName() string { return r.district.slug() + ".xlsx" }

type demo struct {
	seed       uint64
	districts  []district
	reports    []*report
	activities []activity
	fairCoops  []*coop
}

// ---------------------------------------------------------------------------------------
// Building the demo

func buildDemo(districts []district, r *rand.Rand) (*demo, error) {
	d := &demo{districts: districts}
	for _, dist := range districts {
		if dist.code == silentDistrict {
			continue
		}
		f, ok := formats[dist.code]
		if !ok {
			return nil, fmt.Errorf("no file format defined for district %s %s", dist.code, dist.fullName())
		}
		d.reports = append(d.reports, &report{district: dist, format: f})
	}
	if len(d.reports) != 7 {
		return nil, fmt.Errorf("expected 7 reporting districts, gazetteer gives %d", len(d.reports))
	}
	g := &gen{r: r, codes: map[string]bool{}, names: map[string]bool{}}
	g.buildCoops(d.reports)
	g.buildGroups(d.reports)
	for _, rep := range d.reports {
		sortRows(rep)
	}
	g.addBadRows(d.reports)
	for _, rep := range d.reports {
		numberRows(rep)
	}
	d.activities, d.fairCoops = g.buildActivities(districts, d.reports)
	return d, nil
}

type gen struct {
	r     *rand.Rand
	codes map[string]bool
	names map[string]bool
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// between returns a random day in [from, to].
func (g *gen) between(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	return from.AddDate(0, 0, g.r.IntN(days+1))
}

func (g *gen) spread(total, parts, lo, hi int) []int {
	out := make([]int, parts)
	for i := range out {
		out[i] = lo
	}
	for left := total - lo*parts; left > 0; {
		i := g.r.IntN(parts)
		if out[i] < hi {
			out[i]++
			left--
		}
	}
	return out
}

var coopFields = []struct{ field, nameWord string }{
	{"Nông nghiệp", "Nông nghiệp"},
	{"Dịch vụ nông nghiệp", "Dịch vụ nông nghiệp"},
	{"Thủy sản", "Thủy sản"},
	{"Chăn nuôi", "Chăn nuôi"},
	{"Trồng trọt", "Khóm"},
	{"Trồng trọt", "Cây ăn trái"},
	{"Trồng trọt", "Sản xuất lúa"},
	{"Thương mại - dịch vụ", "Thương mại dịch vụ"},
	{"Vận tải", "Vận tải"},
	{"Tiểu thủ công nghiệp", "Đan đát lục bình"},
	{"Nước sạch", "Cấp nước"},
}

var luckyNames = []string{"Thành Công", "Tiến Phát", "Hưng Thịnh", "Phú Lợi", "Thuận Phát", "Hòa Bình",
	"Đoàn Kết", "Thống Nhất", "An Bình", "Phước Lộc", "Mỹ Phát", "Tân Tiến", "Kim Thành", "Hồng Phát",
	"Quyết Thắng", "Sông Hậu", "Xà No", "Cái Côn", "Phú An", "Minh Châu"}

func (g *gen) coopName(c commune, nameWord string) string {
	for {
		tail := c.name
		if c.unitType == "Phường" || g.r.IntN(3) == 0 {
			tail = g.pick(luckyNames)
		}
		prefix := "HTX"
		if g.r.IntN(4) == 0 {
			prefix = "Hợp tác xã"
		}
		name := prefix + " " + nameWord + " " + tail
		if key := textnorm.Fold(nameWord + " " + tail); !g.names[key] {
			g.names[key] = true
			return name
		}
	}
}

func (g *gen) coopCode() string {
	for {
		code := fmt.Sprintf("6300%06d", g.r.IntN(1_000_000))
		if !g.codes[code] {
			g.codes[code] = true
			return code
		}
	}
}

func (g *gen) newCoop(rep *report, c commune, isNew bool) *coop {
	f := coopFields[g.r.IntN(len(coopFields))]
	co := &coop{
		name:       g.coopName(c, f.nameWord),
		code:       g.coopCode(),
		field:      f.field,
		commune:    c,
		status:     statusActive,
		isNew:      isNew,
		datePadded: g.r.IntN(5) < 3,
		codeSpaced: g.r.IntN(8) == 0,
		officers:   3 + g.r.IntN(5),
	}
	u := g.r.Float64()
	if isNew {
		co.founded = g.between(date(planYear, 1, 15), reportDate)
		co.members = 7 + g.r.IntN(34)
		co.workers = 5 + g.r.IntN(min(co.members, 25))
		co.revenueTenths = 2000 + int64(u*u*u*u*33000)
		co.rating = ratingNone
	} else {
		co.founded = g.between(date(2010, 1, 1), date(2025, 12, 31))
		co.members = 7 + int(u*u*143)
		co.workers = 5 + g.r.IntN(56)
		co.revenueTenths = 2000 + int64(u*u*u*33000)
	}
	co.incomeTenths = 300 + int64(500*math.Pow(g.r.Float64(), 1.2))
	switch w := g.r.IntN(100); {
	case w < 35:
		co.trained = 0
	case w < 70:
		co.trained = 1
	case w < 90:
		co.trained = 2
	default:
		co.trained = 3
	}
	co.refreshed = co.officers
	if g.r.IntN(6) == 0 {
		co.refreshed -= 1 + g.r.IntN(2)
	}
	co.written = g.spell(c, rep.format.communes)
	return co
}

func (g *gen) buildCoops(reports []*report) {
	counts := g.spread(coopsTotal, len(reports), coopsMinPerDist, coopsMaxPerDist)
	news := g.spread(coopsNew, len(reports), 0, coopsMaxNewPerDis)
	var old []*coop
	for i, rep := range reports {
		comms := rep.district.communes
		var forced []forcedSpelling
		for _, fs := range forcedSpellings {
			if fs.district == rep.district.code && fs.sheet == sheetHTX {
				forced = append(forced, fs)
			}
		}
		for k := range counts[i] {
			isNew := k < news[i]
			c := comms[g.r.IntN(len(comms))]
			var fs *forcedSpelling
			if j := k - (counts[i] - len(forced)); j >= 0 {
				fs = &forced[j]
				c = communeByCode(comms, fs.commune)
			}
			co := g.newCoop(rep, c, isNew)
			if fs != nil {
				co.written, co.forced = fs.written, true
			}
			rep.coops = append(rep.coops, co)
			if !isNew {
				old = append(old, co)
			}
		}
	}
	// Statuses and ratings are decided province-wide so the mix is exact.
	order := g.r.Perm(len(old))
	ratings := make([]string, 0, len(old))
	for _, rc := range []struct {
		rating string
		n      int
	}{{ratingGood, 12}, {ratingFair, 19}, {ratingAverage, 27}, {ratingWeak, 12}} {
		for range rc.n {
			ratings = append(ratings, rc.rating)
		}
	}
	for len(ratings) < len(old) {
		ratings = append(ratings, ratingAverage)
	}
	// The first four in the shuffled order stop or dissolve, and are rated weak.
	weak := slices.Index(ratings, ratingWeak)
	for n, idx := range order {
		co := old[idx]
		switch {
		case n < 3:
			co.status, co.rating = statusStopped, ratingWeak
		case n == 3:
			co.status, co.rating = statusDissolved, ratingWeak
		}
	}
	rest := slices.Delete(slices.Clone(ratings), weak, weak+4)
	g.r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	for n, idx := range order[4:] {
		old[idx].rating = rest[n]
	}
	for _, co := range old {
		co.score = g.score(co.rating)
	}
}

// score gives Circular 01/2020 points matching the rating under coopwatch's default
// bands: tốt 75-100, khá 50-74, trung bình 35-49, yếu under 35.
func (g *gen) score(rating string) int {
	switch rating {
	case ratingGood:
		return 75 + g.r.IntN(24)
	case ratingFair:
		return 50 + g.r.IntN(25)
	case ratingAverage:
		return 35 + g.r.IntN(15)
	case ratingWeak:
		return 15 + g.r.IntN(20)
	}
	return 0
}

var groupFields = []string{"Trồng lúa", "Trồng khóm", "Trồng rau màu", "Nuôi cá đồng", "Chăn nuôi bò",
	"Nuôi lươn", "Trồng cây ăn trái", "Đan đát lục bình", "Nuôi ếch", "Trồng mía", "Nuôi gà thả vườn"}

var hamletNames = []string{"Mỹ Hòa", "Tân Phú", "Long An", "Phú Lợi", "Thạnh Hưng", "Xẻo Vông",
	"Cầu Đúc", "Mỹ Lợi", "Bình An", "Tân Long", "Đông An", "Hòa Lộc"}

func (g *gen) newGroup(rep *report, c commune, isNew bool) *group {
	field := g.pick(groupFields)
	hamlet := "ấp " + strconv.Itoa(1+g.r.IntN(12))
	if g.r.IntN(3) == 0 {
		hamlet = "ấp " + g.pick(hamletNames)
	}
	gr := &group{
		name:       "Tổ hợp tác " + lowerFirst(field) + " " + hamlet,
		field:      field,
		commune:    c,
		status:     statusActive,
		members:    5 + g.r.IntN(26),
		isNew:      isNew,
		datePadded: g.r.IntN(5) < 3,
	}
	if g.r.IntN(3) == 0 {
		gr.name = strings.Replace(gr.name, "Tổ hợp tác", "THT", 1)
	}
	if g.r.IntN(7) != 0 {
		gr.contract = fmt.Sprintf("%02d/HĐHT-UBND", 1+g.r.IntN(60))
	}
	if isNew {
		gr.founded = g.between(date(planYear, 1, 5), reportDate)
	} else {
		gr.founded = g.between(date(2012, 1, 1), date(2025, 12, 31))
		if g.r.IntN(6) == 0 {
			gr.status = statusStopped
		}
	}
	gr.written = g.spell(c, rep.format.communes)
	return gr
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

func (g *gen) buildGroups(reports []*report) {
	type slot struct {
		rep *report
		c   commune
	}
	var all []slot
	for _, rep := range reports {
		for _, c := range rep.district.communes {
			all = append(all, slot{rep, c})
		}
	}
	// Which communes get no new group, which get two.
	order := g.r.Perm(len(all))
	withNew := order[communesNoNewTHT:]
	newPer := map[int]int{}
	for _, i := range withNew {
		newPer[i] = 1
	}
	for _, i := range withNew[:groupsNew-len(withNew)] {
		newPer[i] = 2
	}
	for i, s := range all {
		for range newPer[i] {
			s.rep.groups = append(s.rep.groups, g.newGroup(s.rep, s.c, true))
		}
	}
	nOld := groupsOld
	for _, fs := range forcedSpellings {
		if fs.sheet != sheetTHT {
			continue
		}
		for _, rep := range reports {
			if rep.district.code == fs.district {
				gr := g.newGroup(rep, communeByCode(rep.district.communes, fs.commune), false)
				gr.written, gr.forced = fs.written, true
				rep.groups = append(rep.groups, gr)
				nOld--
			}
		}
	}
	for range nOld {
		s := all[g.r.IntN(len(all))]
		s.rep.groups = append(s.rep.groups, g.newGroup(s.rep, s.c, false))
	}
}

func communeByCode(cs []commune, code string) commune {
	for _, c := range cs {
		if c.code == code {
			return c
		}
	}
	panic("demogen: commune " + code + " not in district")
}

// spell writes a commune the way the district office tends to, with the odd deviation.
func (g *gen) spell(c commune, style communeStyle) string {
	if g.r.IntN(5) == 0 {
		style = styleFull
	}
	var s string
	switch style {
	case styleBare:
		s = c.name
		if c.unitType == "Phường" {
			s = c.fullName // "I" alone would be no name at all
		}
	case styleAbbrev:
		s = map[string]string{"Xã": "X. ", "Phường": "P. ", "Thị trấn": "TT. "}[c.unitType] + c.name
	default:
		s = c.fullName
	}
	if g.r.IntN(2) == 0 {
		s = swapTones(s)
	}
	return s
}

// swapTones moves the tone mark between old ("Hoà", "Thuỷ") and new ("Hòa", "Thủy") placement.
var toneSwapper = strings.NewReplacer(
	"oà", "òa", "òa", "oà", "oả", "ỏa", "ỏa", "oả", "oá", "óa", "óa", "oá",
	"uỷ", "ủy", "ủy", "uỷ", "uý", "úy", "úy", "uý",
)

func swapTones(s string) string { return toneSwapper.Replace(s) }

func sortRows(rep *report) {
	pos := map[string]int{}
	for i, c := range rep.district.communes {
		pos[c.code] = i
	}
	slices.SortStableFunc(rep.coops, func(a, b *coop) int {
		return cmp.Or(cmp.Compare(pos[a.commune.code], pos[b.commune.code]), a.founded.Compare(b.founded))
	})
	slices.SortStableFunc(rep.groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(pos[a.commune.code], pos[b.commune.code]), a.founded.Compare(b.founded))
	})
}

// Column indexes (0-based) used by bad rows.
const (
	colHTXCommune = 3
	colHTXFounded = 5
	colHTXRating  = 11
	colTHTCommune = 3
	colTHTFounded = 4
	colTHTMembers = 5
)

// addBadRows adds the deliberately wrong rows, one or two per file, at plausible places.
func (g *gen) addBadRows(reports []*report) {
	insertCoop := func(rep *report, co *coop) {
		at := 1 + g.r.IntN(len(rep.coops)-1)
		rep.coops = slices.Insert(rep.coops, at, co)
	}
	insertGroup := func(rep *report, gr *group) {
		at := 1 + g.r.IntN(len(rep.groups)-1)
		rep.groups = slices.Insert(rep.groups, at, gr)
	}
	randomCommune := func(rep *report) commune {
		return rep.district.communes[g.r.IntN(len(rep.district.communes))]
	}
	for _, rep := range reports {
		switch rep.district.code {
		case "930":
			// A row copied twice, code and all.
			var cands []int
			for i, co := range rep.coops {
				if !co.isNew && !co.forced {
					cands = append(cands, i)
				}
			}
			i := cands[g.r.IntN(len(cands))]
			dup := *rep.coops[i]
			dup.dupe = true
			dup.bad = &badRow{why: fmt.Sprintf("exact copy of row %d above it (same STT, registration code and values)", 8+i), copy: true}
			rep.coops = slices.Insert(rep.coops, i+1, &dup)
		case "932":
			gr := g.newGroup(rep, randomCommune(rep), true)
			gr.bad = &badRow{why: "commune does not exist in the province", col: colTHTCommune, value: "Xã Mỹ Khánh Đông"}
			insertGroup(rep, gr)
		case "933":
			co := g.newCoop(rep, randomCommune(rep), false)
			co.rating = ratingGood
			co.bad = &badRow{why: "not a rating word (tốt, khá, trung bình, yếu)", col: colHTXRating, value: "Xuất sắc"}
			insertCoop(rep, co)
		case "934":
			co := g.newCoop(rep, randomCommune(rep), true)
			co.founded = date(2026, 12, 15)
			co.bad = &badRow{why: "founding date after the report date and after today (2026-11-28)", col: colHTXFounded, value: co.founded}
			insertCoop(rep, co)
			gr := g.newGroup(rep, randomCommune(rep), true)
			gr.bad = &badRow{why: "negative member count", col: colTHTMembers, value: int64(-12)}
			insertGroup(rep, gr)
		case "935":
			co := g.newCoop(rep, randomCommune(rep), true)
			co.bad = &badRow{why: "impossible date (31 February)", col: colHTXFounded, value: "31/02/2026"}
			insertCoop(rep, co)
		case "936":
			gr := g.newGroup(rep, randomCommune(rep), true)
			gr.founded = date(2026, 12, 15)
			gr.bad = &badRow{why: "founding date after the report date and after today (2026-11-28)", col: colTHTFounded, value: gr.founded}
			insertGroup(rep, gr)
		case "937":
			co := g.newCoop(rep, randomCommune(rep), false)
			co.rating = g.pick([]string{ratingFair, ratingAverage})
			co.score = g.score(co.rating)
			co.bad = &badRow{why: "commune does not exist in the province", col: colHTXCommune, value: "X. Thới Lai Đông"}
			insertCoop(rep, co)
		}
	}
}

// numberRows fills STT; a copied row keeps the number of the row it copies.
func numberRows(rep *report) {
	n := 0
	for _, co := range rep.coops {
		if !co.dupe {
			n++
		}
		co.stt = n
	}
	for i, gr := range rep.groups {
		gr.stt = i + 1
	}
}

var outreachTopics = []string{
	"Tuyên truyền Luật Hợp tác xã năm 2023 và các văn bản hướng dẫn",
	"Phổ biến Nghị quyết 20-NQ/TW về kinh tế tập thể",
	"Tập huấn thành lập, tổ chức lại tổ hợp tác, hợp tác xã",
	"Tuyên truyền chính sách hỗ trợ, ưu đãi đối với hợp tác xã",
	"Tập huấn kế toán, quản trị hợp tác xã",
	"Phổ biến Nghị định 77/2019/NĐ-CP về tổ hợp tác",
}

var vocationalTopics = []string{
	"Kỹ thuật nuôi lươn không bùn", "Kỹ thuật trồng khóm theo tiêu chuẩn VietGAP",
	"Kỹ thuật nuôi cá thát lát", "Kỹ thuật chăn nuôi bò sinh sản", "Kỹ thuật trồng bưởi năm roi",
	"Kỹ thuật sản xuất lúa chất lượng cao", "Đan đát lục bình xuất khẩu", "Kỹ thuật nuôi ếch thương phẩm",
}

var fairs = []struct {
	name string
	day  time.Time
}{
	{"Hội chợ Nông nghiệp quốc tế Việt Nam tại Cần Thơ", date(2026, 4, 16)},
	{"Hội chợ Triển lãm Công Thương tỉnh Hậu Giang năm 2026", date(2026, 7, 9)},
	{"Tuần lễ trái cây và sản phẩm OCOP Hậu Giang", date(2026, 9, 24)},
}

func (g *gen) buildActivities(districts []district, reports []*report) ([]activity, []*coop) {
	var out []activity
	place := func(p int) (string, string) {
		if g.r.IntN(100) >= p {
			return "", ""
		}
		d := districts[g.r.IntN(len(districts))]
		if g.r.IntN(10) < 3 {
			return d.fullName(), ""
		}
		return d.fullName(), d.communes[g.r.IntN(len(d.communes))].fullName
	}
	for range outreachClasses {
		dist, comm := place(85)
		out = append(out, activity{kind: "Lớp tập huấn tuyên truyền", content: g.pick(outreachTopics),
			day: g.between(date(planYear, 1, 12), date(planYear, 11, 25)), district: dist, commune: comm,
			quantity: "1", attendees: strconv.Itoa(30 + g.r.IntN(71))})
	}
	for range vocationalClasses {
		dist, comm := place(100)
		out = append(out, activity{kind: "Lớp truyền nghề", content: g.pick(vocationalTopics),
			day: g.between(date(planYear, 2, 1), date(planYear, 11, 25)), district: dist, commune: comm,
			quantity: "1", attendees: strconv.Itoa(20 + g.r.IntN(16))})
	}
	for i, copies := range []int{1000, 1500, 1000, 500} {
		out = append(out, activity{kind: "In sổ tay",
			content:  []string{"In sổ tay hỏi đáp Luật Hợp tác xã năm 2023", "In sổ tay kinh tế tập thể dành cho cán bộ xã", "In sổ tay hướng dẫn thành lập tổ hợp tác", "In bổ sung sổ tay hỏi đáp Luật Hợp tác xã"}[i],
			day:      g.between(date(planYear, 3, 1), date(planYear, 10, 31)),
			quantity: vnInt(int64(copies))})
	}
	out = append(out, activity{kind: "Hội thảo", content: "Hội thảo phát triển kinh tế tập thể, hợp tác xã gắn với chuyển đổi số",
		day: date(planYear, 8, 20), quantity: "1", attendees: "120"})

	// Trade fairs: eight distinct active cooperatives, the first of them at two fairs.
	var cands []*coop
	for _, rep := range reports {
		for _, co := range rep.coops {
			if co.bad == nil && !co.isNew && co.status == statusActive {
				cands = append(cands, co)
			}
		}
	}
	var picked []*coop
	for _, i := range g.r.Perm(len(cands))[:tradeFairCoops] {
		picked = append(picked, cands[i])
	}
	for i, co := range picked {
		visits := []int{i % len(fairs)}
		if i == 0 {
			visits = append(visits, (i+1)%len(fairs))
		}
		for _, v := range visits {
			co.tradeFairSupported++
			out = append(out, activity{kind: "Xúc tiến thương mại",
				content:  "Hỗ trợ " + co.name + " tham gia " + fairs[v].name,
				day:      fairs[v].day,
				quantity: "1", coopCode: co.code})
		}
	}
	slices.SortStableFunc(out, func(a, b activity) int { return a.day.Compare(b.day) })
	for i := range out {
		out[i].code = fmt.Sprintf("HD2026-%03d", i+1)
	}
	return out, picked
}

// ---------------------------------------------------------------------------------------
// Cell values as the file writes them

// excelDate is a date to be stored as a real Excel date cell.
type excelDate time.Time

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func (f format) dateCell(t time.Time, padded bool) any {
	if f.textDates {
		if padded {
			return t.Format("02/01/2006")
		}
		return t.Format("2/1/2006")
	}
	return excelDate(t)
}

func (f format) intCell(n int64) any {
	if f.textNumbers {
		return vnInt(n)
	}
	return n
}

// tenthsCell is a number with at most one decimal.
func (f format) tenthsCell(t int64) any {
	if f.textNumbers {
		return vnTenths(t)
	}
	return float64(t) / 10
}

// vnInt writes n with Vietnamese thousands dots: 1234567 -> "1.234.567".
func vnInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// vnTenths writes t/10 the Vietnamese way: 12345 -> "1.234,5", 12340 -> "1.234".
func vnTenths(t int64) string {
	if t%10 == 0 {
		return vnInt(t / 10)
	}
	return vnInt(t/10) + "," + strconv.FormatInt(t%10, 10)
}

// badCell writes a bad row's wrong value the way the file writes that kind of value.
func (f format) badCell(v any) any {
	switch v := v.(type) {
	case int64:
		return f.intCell(v)
	case time.Time:
		return f.dateCell(v, true)
	}
	return v
}

func (co *coop) cells(f format) []any {
	var code any = co.code
	if co.codeSpaced {
		code = co.code[:4] + " " + co.code[4:]
	} else if f.numericCodes {
		n, _ := strconv.ParseInt(co.code, 10, 64)
		code = n
	}
	var revenue any = f.tenthsCell(co.revenueTenths)
	if f.revenueDong {
		revenue = f.intCell(co.revenueTenths * 100_000)
	}
	var rating any = co.rating
	if f.score {
		rating = ""
		if co.rating != ratingNone {
			rating = f.intCell(int64(co.score))
		}
	}
	row := []any{
		f.intCell(int64(co.stt)), co.name, code, co.written, co.field,
		f.dateCell(co.founded, co.datePadded), co.status,
		f.intCell(int64(co.members)), f.intCell(int64(co.workers)), revenue, f.tenthsCell(co.incomeTenths),
		rating, f.intCell(int64(co.officers)), f.intCell(int64(co.trained)), f.intCell(int64(co.refreshed)),
	}
	if b := co.bad; b != nil && !b.copy {
		row[b.col] = f.badCell(b.value)
	}
	return row
}

func (gr *group) cells(f format) []any {
	row := []any{
		f.intCell(int64(gr.stt)), gr.name, gr.contract, gr.written,
		f.dateCell(gr.founded, gr.datePadded), f.intCell(int64(gr.members)), gr.field, gr.status,
	}
	if b := gr.bad; b != nil {
		row[b.col] = f.badCell(b.value)
	}
	return row
}

// ---------------------------------------------------------------------------------------
// Writing the workbook

type styles struct {
	title, titleLeft, italic, header, colNum, text, int, dec, dong, date, total, totalInt, totalDec, sign int
}

func newStyles(f *excelize.File) (styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	font := func(bold, italic bool) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Size: 12, Bold: bold, Italic: italic}
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	fmtDate, fmtDec := "dd/mm/yyyy", "#,##0.0"
	var s styles
	specs := []struct {
		dst   *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: font(true, false), Alignment: center}},
		{&s.titleLeft, excelize.Style{Font: font(true, false), Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&s.italic, excelize.Style{Font: font(false, true), Alignment: center}},
		{&s.header, excelize.Style{Font: font(true, false), Alignment: center, Border: border}},
		{&s.colNum, excelize.Style{Font: font(false, true), Alignment: center, Border: border}},
		{&s.text, excelize.Style{Font: font(false, false), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}, Border: border}},
		{&s.int, excelize.Style{Font: font(false, false), Border: border, NumFmt: 1}},
		{&s.dec, excelize.Style{Font: font(false, false), Border: border, CustomNumFmt: &fmtDec}},
		{&s.dong, excelize.Style{Font: font(false, false), Border: border, NumFmt: 3}},
		{&s.date, excelize.Style{Font: font(false, false), Border: border, CustomNumFmt: &fmtDate, Alignment: &excelize.Alignment{Horizontal: "center"}}},
		{&s.total, excelize.Style{Font: font(true, false), Alignment: center, Border: border}},
		{&s.totalInt, excelize.Style{Font: font(true, false), Border: border, NumFmt: 3}},
		{&s.totalDec, excelize.Style{Font: font(true, false), Border: border, CustomNumFmt: &fmtDec}},
		{&s.sign, excelize.Style{Font: font(true, false), Alignment: &excelize.Alignment{Horizontal: "center"}}},
	}
	for _, sp := range specs {
		id, err := f.NewStyle(&sp.style)
		if err != nil {
			return s, fmt.Errorf("create style: %w", err)
		}
		*sp.dst = id
	}
	return s, nil
}

// sheetWriter keeps the first error so that writing a sheet reads as a list of cells.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	st    styles
	err   error
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func (w *sheetWriter) do(err error) {
	if w.err == nil && err != nil {
		w.err = fmt.Errorf("sheet %s: %w", w.sheet, err)
	}
}

// set writes v into (col,row), 1-based, choosing the cell type and style from v.
func (w *sheetWriter) set(col, row int, v any, style int) {
	cell := cellName(col, row)
	switch v := v.(type) {
	case string:
		if v != "" {
			w.do(w.f.SetCellStr(w.sheet, cell, v))
		}
	case int64:
		w.do(w.f.SetCellInt(w.sheet, cell, v))
	case float64:
		w.do(w.f.SetCellFloat(w.sheet, cell, v, -1, 64))
	case excelDate:
		w.do(w.f.SetCellInt(w.sheet, cell, excelSerial(time.Time(v))))
	default:
		w.do(fmt.Errorf("cell %s: unsupported value %T", cell, v))
	}
	if style != 0 {
		w.do(w.f.SetCellStyle(w.sheet, cell, cell, style))
	}
}

func (w *sheetWriter) styleFor(v any, dong bool) int {
	switch v.(type) {
	case int64:
		if dong {
			return w.st.dong
		}
		return w.st.int
	case float64:
		return w.st.dec
	case excelDate:
		return w.st.date
	}
	return w.st.text
}

func (w *sheetWriter) merge(from, to string) { w.do(w.f.MergeCell(w.sheet, from, to)) }

// numeric is the value a total adds up: a number cell, or Vietnamese number text where the
// office types numbers as text.
func numeric(v any, text bool) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case string:
		if !text {
			return 0, false
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(v, ".", ""), ",", "."), 64)
		return n, err == nil
	}
	return 0, false
}

func excelSerial(t time.Time) int64 {
	return int64(t.Sub(date(1899, 12, 30)).Hours() / 24)
}

func writeWorkbook(path string, rep *report) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", sheetHTX); err != nil {
		return err
	}
	for _, name := range []string{sheetTHT, sheetNotes} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	for _, write := range []func(*sheetWriter, *report){writeCoopSheet, writeGroupSheet, writeNotesSheet} {
		w := &sheetWriter{f: f, st: st}
		write(w, rep)
		if w.err != nil {
			return w.err
		}
	}
	f.SetActiveSheet(0)
	office := "UBND " + rep.district.fullName()
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator: office, LastModifiedBy: office, Created: docTime, Modified: docTime,
		Title: "Danh sách HTX, THT năm 2026 - " + rep.district.fullName(), Language: "vi-VN",
	}); err != nil {
		return err
	}
	fullCalc := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &fullCalc}); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func (w *sheetWriter) titles(rep *report, what string, lastCol int) {
	upper := strings.ToUpper(rep.district.fullName())
	last := cellName(lastCol, 1)[:1]
	w.set(1, 1, "ỦY BAN NHÂN DÂN "+upper, w.st.titleLeft)
	w.set(1, 2, "DANH SÁCH "+what+" TRÊN ĐỊA BÀN "+upper+" NĂM 2026", w.st.title)
	w.set(1, 3, "(Kèm theo Báo cáo số .../BC-UBND ngày 20/11/2026)", w.st.italic)
	w.merge("A1", "E1")
	w.merge("A2", last+"2")
	w.merge("A3", last+"3")
	w.do(w.f.SetRowHeight(w.sheet, 2, 33))
}

func (w *sheetWriter) signature(rep *report, row, leftCol, rightCol, lastCol int) {
	right := func(r int, text string) {
		w.set(rightCol, r, text, w.st.sign)
		w.merge(cellName(rightCol, r), cellName(lastCol, r))
	}
	rightItalic := func(r int, text string) {
		w.set(rightCol, r, text, w.st.italic)
		w.merge(cellName(rightCol, r), cellName(lastCol, r))
	}
	rightItalic(row, rep.district.name+", ngày 20 tháng 11 năm 2026")
	w.set(leftCol, row+1, "Người lập biểu", w.st.sign)
	right(row+1, "TM. ỦY BAN NHÂN DÂN")
	right(row+2, "KT. CHỦ TỊCH")
	right(row+3, "PHÓ CHỦ TỊCH")
	w.set(leftCol, row+7, "Nguyễn Thị Ngọc Hân", w.st.sign)
	right(row+7, "Trần Văn Lực")
}

func writeCoopSheet(w *sheetWriter, rep *report) {
	w.sheet = sheetHTX
	f := rep.format
	w.titles(rep, "HỢP TÁC XÃ", 15)
	revenue := "Doanh thu (triệu đồng)"
	if f.revenueDong {
		revenue = "Doanh thu (đồng)"
	}
	rating := "Xếp loại"
	if f.score {
		rating = "Điểm đánh giá"
	}
	heads := []string{"STT", "Tên hợp tác xã", "Mã số HTX", "Xã, phường, thị trấn", "Lĩnh vực hoạt động",
		"Ngày thành lập", "Tình trạng", "Số thành viên", "Số lao động", revenue,
		"Thu nhập bình quân (triệu đồng/người/năm)", rating}
	for i, h := range heads {
		w.set(i+1, 5, h, w.st.header)
		w.set(i+1, 6, "", w.st.header)
		w.merge(cellName(i+1, 5), cellName(i+1, 6))
	}
	w.set(13, 5, "Cán bộ chủ chốt", w.st.header)
	w.set(14, 5, "", w.st.header)
	w.set(15, 5, "", w.st.header)
	w.merge("M5", "O5")
	for i, h := range []string{"Tổng số", "Đã qua đào tạo", "Được bồi dưỡng"} {
		w.set(13+i, 6, h, w.st.header)
	}
	for c := 1; c <= 15; c++ {
		w.set(c, 7, fmt.Sprintf("(%d)", c), w.st.colNum)
	}
	first := 8
	sums := map[int]float64{}
	for i, co := range rep.coops {
		for c, v := range co.cells(f) {
			w.set(c+1, first+i, v, w.styleFor(v, f.revenueDong && c == 9))
			if n, ok := numeric(v, f.textNumbers); ok {
				sums[c+1] += n
			}
		}
	}
	last := first + len(rep.coops) - 1
	total := last + 1
	w.set(1, total, "Tổng cộng", w.st.total)
	for c := 2; c <= 15; c++ {
		w.set(c, total, "", w.st.total)
	}
	w.merge(cellName(1, total), cellName(7, total))
	w.totals(total, first, last, []int{8, 9, 10, 13, 14, 15}, sums, f, map[int]bool{10: !f.revenueDong})
	w.signature(rep, total+2, 2, 11, 15)
	for _, cw := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 5}, {"B", "B", 34}, {"C", "C", 14}, {"D", "D", 20}, {"E", "E", 18}, {"F", "F", 12},
		{"G", "G", 15}, {"H", "I", 10}, {"J", "J", 15}, {"K", "K", 14}, {"L", "L", 11}, {"M", "O", 10}} {
		w.do(w.f.SetColWidth(w.sheet, cw.from, cw.to, cw.width))
	}
}

// totals writes SUM formulas with their values cached; a district that types numbers as
// text cannot sum them, so its officer typed the totals as text too.
func (w *sheetWriter) totals(row, first, last int, cols []int, sums map[int]float64, f format, decimal map[int]bool) {
	for _, c := range cols {
		cell := cellName(c, row)
		if f.textNumbers {
			if decimal[c] {
				w.set(c, row, vnTenths(int64(math.Round(sums[c]*10))), w.st.total)
			} else {
				w.set(c, row, vnInt(int64(math.Round(sums[c]))), w.st.total)
			}
			continue
		}
		if decimal[c] {
			w.set(c, row, math.Round(sums[c]*10)/10, w.st.totalDec)
		} else {
			w.set(c, row, int64(math.Round(sums[c])), w.st.totalInt)
		}
		w.do(w.f.SetCellFormula(w.sheet, cell, fmt.Sprintf("SUM(%s:%s)", cellName(c, first), cellName(c, last))))
	}
}

func writeGroupSheet(w *sheetWriter, rep *report) {
	w.sheet = sheetTHT
	f := rep.format
	w.titles(rep, "TỔ HỢP TÁC", 8)
	for i, h := range []string{"STT", "Tên tổ hợp tác", "Số hợp đồng hợp tác", "Xã, phường, thị trấn",
		"Ngày thành lập", "Số tổ viên", "Lĩnh vực", "Tình trạng"} {
		w.set(i+1, 5, h, w.st.header)
		w.set(i+1, 6, fmt.Sprintf("(%d)", i+1), w.st.colNum)
	}
	first := 7
	sum := 0.0
	for i, gr := range rep.groups {
		for c, v := range gr.cells(f) {
			w.set(c+1, first+i, v, w.styleFor(v, false))
			if n, ok := numeric(v, f.textNumbers); ok && c == colTHTMembers {
				sum += n
			}
		}
	}
	last := first + len(rep.groups) - 1
	total := last + 1
	for c := 1; c <= 8; c++ {
		w.set(c, total, "", w.st.total)
	}
	w.set(2, total, "Cộng", w.st.total)
	w.totals(total, first, last, []int{6}, map[int]float64{6: sum}, f, nil)
	w.signature(rep, total+2, 2, 5, 8)
	for _, cw := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 5}, {"B", "B", 38}, {"C", "C", 16}, {"D", "D", 20}, {"E", "E", 13}, {"F", "F", 9}, {"G", "G", 18}, {"H", "H", 16}} {
		w.do(w.f.SetColWidth(w.sheet, cw.from, cw.to, cw.width))
	}
}

// writeNotesSheet writes the free notes a reader must ignore, including a small table that
// looks like data.
func writeNotesSheet(w *sheetWriter, rep *report) {
	w.sheet = sheetNotes
	lines := []string{
		"GHI CHÚ",
		"1. Số liệu tổng hợp đến ngày 15/11/2026, do UBND các xã, phường, thị trấn báo cáo.",
		"2. Các HTX ngừng hoạt động đang được hướng dẫn giải thể theo Luật Hợp tác xã năm 2023.",
		"3. Doanh thu, thu nhập do HTX tự kê khai, chưa được kiểm toán.",
		"4. Dự kiến năm 2027 thành lập mới:",
	}
	for i, l := range lines {
		w.set(1, i+1, l, 0)
	}
	w.set(1, 7, "Xã, phường, thị trấn", 0)
	w.set(2, 7, "Số THT", 0)
	w.set(3, 7, "Số HTX", 0)
	for i, c := range rep.district.communes[:3] {
		w.set(1, 8+i, c.fullName, 0)
		w.set(2, 8+i, int64(1+i%2), 0)
		w.set(3, 8+i, int64(i%2), 0)
	}
	w.do(w.f.SetColWidth(w.sheet, "A", "A", 30))
}

// ---------------------------------------------------------------------------------------
// activities.csv

func renderActivities(acts []activity) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"Mã hoạt động", "Loại hoạt động", "Nội dung", "Ngày tổ chức", "Huyện", "Xã",
		"Số lượng", "Số người tham dự", "Mã số HTX"})
	for _, a := range acts {
		_ = cw.Write([]string{a.code, a.kind, a.content, a.day.Format("02/01/2006"), a.district, a.commune,
			a.quantity, a.attendees, a.coopCode})
	}
	cw.Flush()
	return buf.Bytes()
}

// ---------------------------------------------------------------------------------------
// EXPECTED.md

type tally struct {
	coops, active, stopped, dissolved, newCoops, newMembers int
	members, workers, officers, trained, refreshed          int
	revenueTenths, incomeTenths                             int64
	ratings                                                 map[string]int
	groups, newGroups, communes                             int
	noNew                                                   []commune
	reporting                                               bool
}

func newTally() tally { return tally{ratings: map[string]int{}} }

func (t *tally) add(o tally) {
	t.coops += o.coops
	t.active += o.active
	t.stopped += o.stopped
	t.dissolved += o.dissolved
	t.newCoops += o.newCoops
	t.newMembers += o.newMembers
	t.members += o.members
	t.workers += o.workers
	t.officers += o.officers
	t.trained += o.trained
	t.refreshed += o.refreshed
	t.revenueTenths += o.revenueTenths
	t.incomeTenths += o.incomeTenths
	for _, r := range ratingOrder {
		t.ratings[r] += o.ratings[r]
	}
	t.groups += o.groups
	t.newGroups += o.newGroups
	t.communes += o.communes
	t.noNew = append(t.noNew, o.noNew...)
}

func isNewIn2026(t time.Time) bool { return t.Year() == planYear && !t.After(today) }

func tallyReport(dist district, rep *report) tally {
	t := newTally()
	t.communes = len(dist.communes)
	if rep == nil {
		t.noNew = dist.communes
		return t
	}
	t.reporting = true
	newIn := map[string]bool{}
	for _, co := range rep.coops {
		if co.bad != nil {
			continue
		}
		t.coops++
		switch co.status {
		case statusActive:
			t.active++
		case statusStopped:
			t.stopped++
		case statusDissolved:
			t.dissolved++
		}
		if isNewIn2026(co.founded) {
			t.newCoops++
			t.newMembers += co.members
		}
		t.members += co.members
		t.workers += co.workers
		t.officers += co.officers
		t.trained += co.trained
		t.refreshed += co.refreshed
		t.revenueTenths += co.revenueTenths
		t.incomeTenths += co.incomeTenths
		t.ratings[co.rating]++
	}
	for _, gr := range rep.groups {
		if gr.bad != nil {
			continue
		}
		t.groups++
		if isNewIn2026(gr.founded) {
			t.newGroups++
			newIn[gr.commune.code] = true
		}
	}
	for _, c := range dist.communes {
		if !newIn[c.code] {
			t.noNew = append(t.noNew, c)
		}
	}
	return t
}

func renderExpected(d *demo) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	byCode := map[string]*report{}
	for _, rep := range d.reports {
		byCode[rep.district.code] = rep
	}
	tallies := make([]tally, len(d.districts))
	total := newTally()
	for i, dist := range d.districts {
		tallies[i] = tallyReport(dist, byCode[dist.code])
		total.add(tallies[i])
	}

	p("# Demo data: what a correct reader finds\n\n")
	p("Generated by `go run ./cmd/demogen -out testdata/demo -seed %d` from the pre-reform gazetteer;\n", d.seed)
	p("do not edit by hand. Province %s (%s), plan period calendar year %d, as of %s.\n\n",
		provinceName, provinceCode, planYear, today.Format("2006-01-02"))
	p("Counting rules used below:\n\n")
	p("- The deliberately bad rows listed at the end are left out of every count and sum; of a\n")
	p("  duplicated row only the first occurrence counts.\n")
	p("- \"New\" means founded from 2026-01-01 up to today (2026-11-28).\n")
	p("- Cooperatives are counted whatever their status (active, stopped, dissolved).\n")
	p("- Ngã Bảy (931) sends no file: its communes have no data and count as communes without a new group.\n\n")

	p("## Districts\n\n")
	p("| Code | District | File | HTX | New HTX 2026 | Members of new HTX | THT | New THT 2026 | Communes | Communes without a new THT |\n")
	p("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, dist := range d.districts {
		t := tallies[i]
		file := "none (not reporting)"
		if rep := byCode[dist.code]; rep != nil {
			file = "districts/" + rep.fileName()
		}
		if t.reporting {
			p("| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d |\n", dist.code, dist.fullName(), file,
				t.coops, t.newCoops, t.newMembers, t.groups, t.newGroups, t.communes, len(t.noNew))
		} else {
			p("| %s | %s | %s | - | - | - | - | - | %d | %d |\n", dist.code, dist.fullName(), file, t.communes, len(t.noNew))
		}
	}
	p("| | **Province** | 7 files | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** |\n\n",
		total.coops, total.newCoops, total.newMembers, total.groups, total.newGroups, total.communes, len(total.noNew))

	p("## Cooperatives: statuses, sums and ratings\n\n")
	p("Revenue is in triệu đồng whatever unit the file uses; income is the sum of the per-cooperative\n")
	p("averages (divide by the count for the plain mean). Ratings come from the word, or from the\n")
	p("Circular 01/2020 score where a file gives points: tốt 75-100, khá 50-74, trung bình 35-49, yếu under 35 (coopwatch's default bands).\n\n")
	p("| Code | Active | Stopped | Dissolved | Members | Workers | Revenue (triệu) | Income sum (triệu) | Key officers | Trained | Refreshed | Tốt | Khá | Trung bình | Yếu | Chưa xếp loại |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(label string, t tally) {
		p("| %s | %d | %d | %d | %d | %d | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", label,
			t.active, t.stopped, t.dissolved, t.members, t.workers, tenths(t.revenueTenths), tenths(t.incomeTenths),
			t.officers, t.trained, t.refreshed, t.ratings[ratingGood], t.ratings[ratingFair],
			t.ratings[ratingAverage], t.ratings[ratingWeak], t.ratings[ratingNone])
	}
	for i, dist := range d.districts {
		if tallies[i].reporting {
			row(dist.code, tallies[i])
		}
	}
	row("**Province**", total)
	p("\nProvince means over the %d cooperatives: revenue %s triệu, income %s triệu; key officers trained %s%%, refreshed %s%%; rated tốt or khá %d of %d.\n\n",
		total.coops, ratio(total.revenueTenths, int64(total.coops)*10), ratio(total.incomeTenths, int64(total.coops)*10),
		ratio(int64(total.trained)*100, int64(total.officers)), ratio(int64(total.refreshed)*100, int64(total.officers)),
		total.ratings[ratingGood]+total.ratings[ratingFair], total.coops)

	p("## Communes without a new cooperative group in 2026\n\n")
	for i, dist := range d.districts {
		var names []string
		for _, c := range tallies[i].noNew {
			names = append(names, c.code+" "+c.fullName)
		}
		p("- %s %s (%d): %s\n", dist.code, dist.fullName(), len(names), strings.Join(names, ", "))
	}

	p("\n## How each file is written\n\n")
	p("| File | Revenue | Rating column | Dates | Numbers | Registration codes | Commune names |\n")
	p("|---|---|---|---|---|---|---|\n")
	for _, rep := range d.reports {
		f := rep.format
		p("| %s | %s | %s | %s | %s | %s | %s |\n", rep.fileName(),
			pickStr(f.revenueDong, "đồng", "triệu đồng"), pickStr(f.score, "Điểm đánh giá (score)", "Xếp loại (word)"),
			pickStr(f.textDates, "text, \"15/03/2026\" or \"5/3/2026\"", "date cells, dd/mm/yyyy"),
			pickStr(f.textNumbers, "text, \"1.234,5\"; totals typed as text", "number cells; totals are SUM formulas"),
			pickStr(f.numericCodes, "number cells (text where written with a space)", "text, some with a space"),
			f.communes)
	}
	p("\nEvery file has the sheets HTX, THT and Ghi chú (free notes with a small table: ignore it).\n")
	p("HTX: titles in rows 1-3, header in rows 5-6 (\"Cán bộ chủ chốt\" merged over M5:O5), column numbers\n")
	p("in row 7, data from row 8, then \"Tổng cộng\" (merged A:G) and the signature block. THT: header in\n")
	p("row 5, column numbers in row 6, data from row 7, then \"Cộng\" and the signature block.\n\n")

	p("## Deliberately bad rows\n\n")
	p("| File | Sheet | Row | Column | Written | What is wrong |\n|---|---|---:|---|---|---|\n")
	nBad := 0
	for _, rep := range d.reports {
		for i, co := range rep.coops {
			if co.bad != nil {
				nBad++
				col, val := "-", "-"
				if !co.bad.copy {
					col, val = columnLetter(co.bad.col), written(co.cells(rep.format)[co.bad.col])
				}
				p("| %s | HTX | %d | %s | %s | %s (%s, code %s) |\n", rep.fileName(), 8+i, col, val, co.bad.why, co.name, co.code)
			}
		}
		for i, gr := range rep.groups {
			if gr.bad != nil {
				nBad++
				p("| %s | THT | %d | %s | %s | %s (%s) |\n", rep.fileName(), 7+i, columnLetter(gr.bad.col),
					written(gr.cells(rep.format)[gr.bad.col]), gr.bad.why, gr.name)
			}
		}
	}
	rows := 0
	for _, rep := range d.reports {
		rows += len(rep.coops) + len(rep.groups)
	}
	p("\n%d bad rows out of %d data rows.\n\n", nBad, rows)

	p("## Commune spellings that differ from the gazetteer's full name\n\n")
	p("| Written | Commune | Gazetteer full name | File |\n|---|---|---|---|\n")
	seen := map[string]bool{}
	for _, rep := range d.reports {
		var items []struct{ w, code, full string }
		for _, co := range rep.coops {
			if co.bad == nil || co.bad.col != colHTXCommune || co.bad.copy {
				items = append(items, struct{ w, code, full string }{co.written, co.commune.code, co.commune.fullName})
			}
		}
		for _, gr := range rep.groups {
			if gr.bad == nil || gr.bad.col != colTHTCommune {
				items = append(items, struct{ w, code, full string }{gr.written, gr.commune.code, gr.commune.fullName})
			}
		}
		for _, it := range items {
			key := rep.district.code + "|" + it.w
			if it.w == it.full || seen[key] {
				continue
			}
			seen[key] = true
			shown := it.w
			if !norm.NFC.IsNormalString(it.w) {
				shown = norm.NFC.String(it.w) + " (NFD)"
			}
			p("| %s | %s | %s | %s |\n", shown, it.code, it.full, rep.fileName())
		}
	}

	p("\n## activities.csv\n\n")
	counts := map[string]int{}
	var kinds []string
	copies := 0
	for _, a := range d.activities {
		if counts[a.kind] == 0 {
			kinds = append(kinds, a.kind)
		}
		counts[a.kind]++
		if a.kind == "In sổ tay" {
			n, _ := strconv.Atoi(strings.ReplaceAll(a.quantity, ".", ""))
			copies += n
		}
	}
	slices.Sort(kinds)
	p("UTF-8 with BOM, %d rows, dates dd/mm/yyyy from %s to %s; province-wide rows leave Huyện and Xã empty.\n\n",
		len(d.activities), d.activities[0].day.Format("02/01/2006"), d.activities[len(d.activities)-1].day.Format("02/01/2006"))
	p("| Loại hoạt động | Rows |\n|---|---:|\n")
	for _, k := range kinds {
		p("| %s | %d |\n", k, counts[k])
	}
	p("\nHandbooks printed: %s copies. Cooperatives supported at trade fairs: %d distinct:\n\n", vnInt(int64(copies)), len(d.fairCoops))
	for _, co := range d.fairCoops {
		note := ""
		if co.tradeFairSupported > 1 {
			note = fmt.Sprintf(" (supported %d times)", co.tradeFairSupported)
		}
		if co.codeSpaced {
			note += " (its spreadsheet writes the code with a space)"
		}
		p("- %s %s, %s%s\n", co.code, co.name, co.commune.fullName, note)
	}
	return []byte(b.String())
}

func pickStr(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func tenths(t int64) string { return fmt.Sprintf("%d.%d", t/10, t%10) }

// ratio formats num/den with one decimal, rounded half up.
func ratio(num, den int64) string {
	if den == 0 {
		return "-"
	}
	return tenths((num*20/den + 1) / 2)
}

func columnLetter(col int) string {
	name, _ := excelize.ColumnNumberToName(col + 1)
	return name
}

func written(v any) string {
	switch v := v.(type) {
	case excelDate:
		return time.Time(v).Format("02/01/2006") + " (date cell)"
	case int64:
		return strconv.FormatInt(v, 10)
	case string:
		return "\"" + v + "\""
	}
	return fmt.Sprint(v)
}
