package gazetteer

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

//go:embed data/*.csv
var dataFS embed.FS

// dataFile is the embedded list of an edition.
func dataFile(edition Edition) (string, error) {
	switch edition {
	case PreReform:
		return "data/vn-units-2025-03-pre-reform.csv", nil
	case PostReform:
		return "data/vn-units-2026-post-reform.csv", nil
	}
	return "", fmt.Errorf("gazetteer: unknown edition %q (want %q or %q)", edition, PreReform, PostReform)
}

// Load returns the units of one province from the embedded list of an edition. province is
// a code ("93") or a name in any case, form and spelling of its type ("Tỉnh Hậu Giang",
// "hau giang").
func Load(edition Edition, province string) (*Gazetteer, error) {
	name, err := dataFile(edition)
	if err != nil {
		return nil, err
	}
	f, err := dataFS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("gazetteer: unable to open %s: %w", name, err)
	}
	defer f.Close()
	return load(f, name, edition, province)
}

// LoadReader is Load for an operator-supplied CSV with the columns of the embedded file of
// the same edition. Errors name the file when r has a Name method (as *os.File has).
func LoadReader(r io.Reader, edition Edition, province string) (*Gazetteer, error) {
	if _, err := dataFile(edition); err != nil {
		return nil, err
	}
	name := "input"
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		name = n.Name()
	}
	return load(r, name, edition, province)
}

// Column names of the two editions.
const (
	colProvinceCode    = "province_code"
	colProvinceName    = "province_name"
	colProvinceType    = "province_type"
	colDistrictCode    = "district_code"
	colDistrictName    = "district_name"
	colDistrictType    = "district_type"
	colCommuneCode     = "commune_code"
	colCommuneName     = "commune_name"
	colUnitType        = "unit_type"
	colCommuneFullName = "commune_full_name"
)

func requiredColumns(edition Edition) []string {
	if edition == PreReform {
		return []string{colProvinceCode, colProvinceName, colDistrictCode, colDistrictName,
			colDistrictType, colCommuneCode, colCommuneName, colUnitType, colCommuneFullName}
	}
	return []string{colProvinceCode, colProvinceName, colProvinceType, colCommuneCode,
		colCommuneName, colUnitType, colCommuneFullName}
}

// The unit types each level may have, as the data writes them.
var (
	provinceTypes = []string{"Tỉnh", "Thành phố"}
	districtTypes = []string{"Huyện", "Quận", "Thị xã", "Thành phố"}
	communeTypes  = []string{"Xã", "Phường", "Thị trấn", "Đặc khu"}
)

// centralCities are the provinces that were cities under central rule before the reform;
// the pre-reform list has no province_type column.
var centralCities = []string{"01", "31", "46", "48", "79", "92"}

// row is one parsed line of a CSV.
type row struct {
	province Unit
	district Unit // zero post-reform
	commune  Unit
}

func load(r io.Reader, name string, edition Edition, province string) (*Gazetteer, error) {
	q := newProvinceQuery(province)
	provinces, rows, err := readRows(r, name, edition, q.fits)
	if err != nil {
		return nil, err
	}
	prov, err := q.pick(provinces, name, edition)
	if err != nil {
		return nil, err
	}
	g := &Gazetteer{Edition: edition, Province: prov}
	seen := make(map[string]bool)
	for _, rw := range rows {
		if rw.province.Code != prov.Code {
			continue
		}
		if rw.district.Code != "" && !seen[rw.district.Code] {
			seen[rw.district.Code] = true
			g.Districts = append(g.Districts, rw.district)
		}
		g.Communes = append(g.Communes, rw.commune)
	}
	slices.SortFunc(g.Districts, func(a, b Unit) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortFunc(g.Communes, func(a, b Unit) int { return cmp.Compare(a.Code, b.Code) })
	return g, nil
}

// readRows parses and checks every line: codes are numbers, names are present, types are
// known, and a code always carries the same name. It returns every province, in the order
// of the file, and the rows of those that keep accepts.
func readRows(r io.Reader, name string, edition Edition, keep func(Unit) bool) ([]Unit, []row, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("gazetteer: unable to read %s: %w", name, err)
	}
	nfc := norm.NFC.IsNormal(data) // then each field needs only its spaces checked
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("gazetteer: %s is empty", name)
		}
		return nil, nil, fmt.Errorf("gazetteer: unable to read the header of %s: %w", name, err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimPrefix(h, "\ufeff")
		col[textnorm.Fold(h)] = i
	}
	for _, c := range requiredColumns(edition) {
		if _, ok := col[c]; !ok {
			return nil, nil, fmt.Errorf("gazetteer: %s has no column %q; a %s list needs %s",
				name, c, edition, strings.Join(requiredColumns(edition), ","))
		}
	}

	var (
		rows  []row
		order []Unit
		kept  = make(map[string]bool)
	)
	provinces := make(map[string]Unit)
	districts := make(map[string]Unit)
	communes := make(map[string]int) // code -> line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("gazetteer: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		rw, err := parseRow(rec, col, edition, nfc)
		if err != nil {
			return nil, nil, fmt.Errorf("gazetteer: %s line %d: %w", name, line, err)
		}
		if p, ok := provinces[rw.province.Code]; ok && p.FullName != rw.province.FullName {
			return nil, nil, fmt.Errorf("gazetteer: %s line %d: province %s is %q here but %q above",
				name, line, p.Code, rw.province.FullName, p.FullName)
		}
		if _, ok := provinces[rw.province.Code]; !ok {
			provinces[rw.province.Code] = rw.province
			order = append(order, rw.province)
			kept[rw.province.Code] = keep(rw.province)
		}
		if rw.district.Code != "" {
			if d, ok := districts[rw.district.Code]; ok && d.FullName != rw.district.FullName {
				return nil, nil, fmt.Errorf("gazetteer: %s line %d: district %s is %q here but %q above",
					name, line, d.Code, rw.district.FullName, d.FullName)
			}
			districts[rw.district.Code] = rw.district
		}
		if prev, ok := communes[rw.commune.Code]; ok {
			return nil, nil, fmt.Errorf("gazetteer: %s line %d: commune code %s already on line %d",
				name, line, rw.commune.Code, prev)
		}
		communes[rw.commune.Code] = line
		if kept[rw.province.Code] {
			rows = append(rows, rw)
		}
	}
	if len(order) == 0 {
		return nil, nil, fmt.Errorf("gazetteer: %s has no units", name)
	}
	return order, rows, nil
}

func parseRow(rec []string, col map[string]int, edition Edition, nfc bool) (row, error) {
	get := func(c string) string { return clean(rec[col[c]], nfc) }
	var rw row

	pcode, err := code(get(colProvinceCode), colProvinceCode, 2)
	if err != nil {
		return rw, err
	}
	pname, err := required(get(colProvinceName), colProvinceName)
	if err != nil {
		return rw, err
	}
	ptype := "Tỉnh"
	if slices.Contains(centralCities, pcode) {
		ptype = "Thành phố"
	}
	if i, ok := col[colProvinceType]; ok {
		if ptype, err = unitType(clean(rec[i], nfc), colProvinceType, provinceTypes); err != nil {
			return rw, err
		}
	}
	rw.province = Unit{Code: pcode, Name: pname, FullName: ptype + " " + pname, Type: ptype,
		Level: Province, ProvinceCode: pcode}

	parent := pcode
	if edition == PreReform {
		dcode, err := code(get(colDistrictCode), colDistrictCode, 3)
		if err != nil {
			return rw, err
		}
		dname, err := required(get(colDistrictName), colDistrictName)
		if err != nil {
			return rw, err
		}
		dtype, err := unitType(get(colDistrictType), colDistrictType, districtTypes)
		if err != nil {
			return rw, err
		}
		rw.district = Unit{Code: dcode, Name: dname, FullName: dtype + " " + dname, Type: dtype,
			Level: District, ParentCode: pcode, ProvinceCode: pcode}
		parent = dcode
	}

	ccode, err := code(get(colCommuneCode), colCommuneCode, 5)
	if err != nil {
		return rw, err
	}
	cname, err := required(get(colCommuneName), colCommuneName)
	if err != nil {
		return rw, err
	}
	ctype, err := unitType(get(colUnitType), colUnitType, communeTypes)
	if err != nil {
		return rw, err
	}
	full := get(colCommuneFullName)
	if full == "" {
		full = ctype + " " + cname
	}
	rw.commune = Unit{Code: ccode, Name: cname, FullName: full, Type: ctype, Level: Commune,
		ParentCode: parent, ProvinceCode: pcode}
	if edition == PreReform {
		rw.commune.DistrictCode = parent
	}
	return rw, nil
}

// clean is textnorm.NFC, quick for text that needs nothing done, as the embedded data: nfc
// says the whole file is already NFC.
func clean(s string, nfc bool) string {
	if !nfc {
		return textnorm.NFC(s)
	}
	prevSpace := true // a leading space needs trimming
	for _, r := range s {
		space := unicode.IsSpace(r)
		if space && (prevSpace || r != ' ') {
			return textnorm.NFC(s)
		}
		prevSpace = space
	}
	if prevSpace && s != "" {
		return textnorm.NFC(s)
	}
	return s
}

// code checks a code column and restores the leading zeros a spreadsheet may have dropped.
func code(v, column string, width int) (string, error) {
	c, ok := padCode(v, width)
	if !ok {
		return "", fmt.Errorf("%s %q is not a code of up to %d digits", column, v, width)
	}
	return c, nil
}

func required(v, column string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%s is empty", column)
	}
	return v, nil
}

// unitType returns the type as the data writes it, whatever the case of v.
func unitType(v, column string, allowed []string) (string, error) {
	if slices.Contains(allowed, v) {
		return v, nil
	}
	for _, t := range allowed {
		if textnorm.Fold(v) == textnorm.Fold(t) {
			return t, nil
		}
	}
	return "", fmt.Errorf("%s %q is not one of %s", column, v, strings.Join(allowed, ", "))
}

// provinceQuery is the province asked for, as a code or as name keys.
type provinceQuery struct {
	asked, code, exact, loose string
}

func newProvinceQuery(asked string) provinceQuery {
	q := provinceQuery{asked: asked}
	q.code, _ = padCode(asked, 2)
	words := provinceWords(asked)
	q.exact, q.loose = exactKey(words), looseKey(words)
	return q
}

// fits reports whether p may be the province asked for: same code, or same name with or
// without diacritics.
func (q provinceQuery) fits(p Unit) bool {
	return p.Code == q.code || looseKey(provinceWords(p.Name)) == q.loose
}

// pick finds the province asked for among all: by code, by name, or by the name without
// diacritics when only one province has it.
func (q provinceQuery) pick(all []Unit, name string, edition Edition) (Unit, error) {
	var byLoose []Unit
	for _, p := range all {
		if p.Code == q.code {
			return p, nil
		}
	}
	for _, p := range all {
		pw := provinceWords(p.Name)
		if exactKey(pw) == q.exact {
			return p, nil
		}
		if looseKey(pw) == q.loose {
			byLoose = append(byLoose, p)
		}
	}
	if len(byLoose) == 1 {
		return byLoose[0], nil
	}

	near := slices.Clone(all)
	slices.SortStableFunc(near, func(a, b Unit) int {
		return cmp.Compare(distance(q.loose, looseKey(provinceWords(a.Name))),
			distance(q.loose, looseKey(provinceWords(b.Name))))
	})
	names := make([]string, 0, 3)
	for _, p := range near[:min(3, len(near))] {
		names = append(names, p.Name)
	}
	return Unit{}, fmt.Errorf("gazetteer: province %q is not in the %s list %s; close names: %s",
		q.asked, edition, name, strings.Join(names, ", "))
}

// provinceWords are the key words of a province name without its type ("Tỉnh", "Thành
// phố", "TP.").
func provinceWords(s string) []string {
	words := keyWords(s)
	if len(words) > 1 {
		switch textnorm.StripMarks(words[0]) {
		case "tinh", "tp":
			return words[1:]
		}
	}
	if len(words) > 2 && looseKey(words[:2]) == "thanh pho" {
		return words[2:]
	}
	return words
}
