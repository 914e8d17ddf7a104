package sources

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

// This file holds what XLSX and CSV share: rows as strings, header detection, column
// mapping and the rules that tell data rows from totals, blanks and signature blocks.

// sheetRow is one row as a format reader yields it.
type sheetRow struct {
	num   int      // 1-based row number as the spreadsheet shows it
	cells []string // as read; trailing empty cells may be missing
}

// rowReader streams the rows of one sheet or CSV file in order.
type rowReader interface {
	next() (sheetRow, error) // io.EOF after the last row
	close() error
}

// cellRange is a merged range: rows 1-based, columns 0-based, both inclusive.
type cellRange struct {
	top, left, bottom, right int
}

func (r cellRange) contains(row, col int) bool {
	return r.top <= row && row <= r.bottom && r.left <= col && col <= r.right
}

// columnLetter turns a 0-based column index into its spreadsheet letter: 0 -> "A", 27 -> "AB".
func columnLetter(index int) string {
	var b []byte
	for n := index + 1; n > 0; n = (n - 1) / 26 {
		b = append(b, byte('A'+(n-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// stripParens drops parenthesized parts such as units: "Doanh thu (triệu đồng)" -> "Doanh thu ".
func stripParens(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// aliasKey is one header alias in its three comparison forms.
type aliasKey struct {
	field              string
	alias              string // as configured
	exact, loose, bare string
}

// headerMatcher finds the target field a header text names.
type headerMatcher struct {
	keys []aliasKey // by field name, then alias order, so matches are deterministic
}

// headerKeys gives a header's three comparison forms; the loosest also ignores
// punctuation, so "Xã phường", "Xã/phường" and "Xã - phường" meet.
func headerKeys(s string) (exact, loose, bare string) {
	words := strings.FieldsFunc(textnorm.StripMarks(stripParens(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return textnorm.Fold(s), textnorm.Fold(stripParens(s)), strings.Join(words, " ")
}

func newHeaderMatcher(columns map[string][]string) *headerMatcher {
	m := &headerMatcher{}
	fields := make([]string, 0, len(columns))
	for field := range columns {
		fields = append(fields, field)
	}
	slices.Sort(fields)
	for _, field := range fields {
		for _, alias := range columns[field] {
			exact, loose, bare := headerKeys(alias)
			if exact != "" {
				m.keys = append(m.keys, aliasKey{field, textnorm.NFC(alias), exact, loose, bare})
			}
		}
	}
	return m
}

// match returns the field text names and how loosely: tier 0 is an exact folded match, 1 a
// match with parentheses ignored, 2 a match without diacritics and punctuation.
func (m *headerMatcher) match(text string) (field string, tier int, ok bool) {
	exact, loose, bare := headerKeys(text)
	if exact == "" {
		return "", 0, false
	}
	for _, k := range m.keys {
		if k.exact == exact {
			return k.field, 0, true
		}
	}
	if loose != "" {
		for _, k := range m.keys {
			if k.loose == loose {
				return k.field, 1, true
			}
		}
	}
	if bare != "" {
		for _, k := range m.keys {
			if k.bare == bare {
				return k.field, 2, true
			}
		}
	}
	return "", 0, false
}

// headerCell is the header of one column: the text reported and the texts tried, best first
// (for a two-row header: "group / sub", then sub alone, then group alone).
type headerCell struct {
	text  string
	tries []string
}

func newHeaderCell(group, sub string) headerCell {
	switch {
	case group == "" && sub == "":
		return headerCell{}
	case sub == "" || textnorm.Fold(group) == textnorm.Fold(sub):
		return headerCell{text: group, tries: []string{group}}
	case group == "":
		return headerCell{text: sub, tries: []string{sub}}
	}
	full := group + " / " + sub
	return headerCell{text: full, tries: []string{full, sub, group}}
}

// columnMatch is the column chosen for a field and how well it matched (lower is better).
type columnMatch struct {
	index, rank int
}

// assignFields maps each field to its best column: a column names at most one field, and a
// field goes to the column that matches it best, the leftmost on a tie.
func assignFields(cols []headerCell, m *headerMatcher) map[string]columnMatch {
	out := map[string]columnMatch{}
	for i, col := range cols {
		best, bestRank := "", -1
		for j, text := range col.tries {
			field, tier, ok := m.match(text)
			if rank := j*3 + tier; ok && (bestRank < 0 || rank < bestRank) {
				best, bestRank = field, rank
			}
		}
		if bestRank < 0 {
			continue
		}
		if cur, ok := out[best]; !ok || bestRank < cur.rank {
			out[best] = columnMatch{i, bestRank}
		}
	}
	return out
}

// mappedColumn is a data column the layout reads into a field.
type mappedColumn struct {
	field  string
	index  int
	letter string
	header string
}

// layout is what header detection learns about a table.
type layout struct {
	dataFrom int // first row number that may hold data
	columns  []mappedColumn
	title    string
	headers  map[string]string // field -> header text
}

// headerCandidate is one row, or pair of rows, that could be the header.
type headerCandidate struct {
	first, last int // row numbers
	cols        []headerCell
	fields      map[string]columnMatch
}

// headerTable holds the rows scanned for the header, with merges when the format has them.
type headerTable struct {
	rows      []sheetRow
	byNum     map[int]sheetRow
	merges    []cellRange // nil for CSV
	hasMerges bool        // XLSX: merge info is authoritative, so no CSV-style guessing
}

func (t *headerTable) text(row, col int) string {
	r, ok := t.byNum[row]
	if !ok || col >= len(r.cells) {
		return ""
	}
	return textnorm.NFC(r.cells[col])
}

func (t *headerTable) mergeAt(row, col int) (cellRange, bool) {
	for _, m := range t.merges {
		if m.contains(row, col) {
			return m, true
		}
	}
	return cellRange{}, false
}

// mergedText is the text of a merged range, which lives in its top-left cell.
func (t *headerTable) mergedText(m cellRange) string {
	return t.text(m.top, m.left)
}

func (t *headerTable) width(rows ...sheetRow) int {
	w := 0
	for _, r := range rows {
		w = max(w, len(r.cells))
	}
	for _, m := range t.merges {
		for _, r := range rows {
			if m.top <= r.num && r.num <= m.bottom {
				w = max(w, m.right+1)
			}
		}
	}
	return w
}

func (t *headerTable) single(r sheetRow, m *headerMatcher) headerCandidate {
	cols := make([]headerCell, t.width(r))
	for c := range cols {
		cols[c] = newHeaderCell(t.text(r.num, c), "")
	}
	return headerCandidate{first: r.num, last: r.num, cols: cols, fields: assignFields(cols, m)}
}

// pair reads rows top and bottom as a two-row header. grouped reports whether the rows have
// the shape of one: a cell merged down over both rows, or a group cell spanning several
// sub-headers beside other header cells (for CSV: a group continued over blank cells), and
// no text under a header cell that is not a group (that is a header over data).
func (t *headerTable) pair(top, bottom sheetRow, m *headerMatcher) (headerCandidate, bool) {
	cols := make([]headerCell, t.width(top, bottom))
	grouped, underPlain := false, false
	topCells := 0
	for c := range cols {
		if t.text(top.num, c) != "" {
			topCells++
		}
	}
	for c := range cols {
		if t.hasMerges {
			if mr, ok := t.mergeAt(top.num, c); ok {
				text := t.mergedText(mr)
				if mr.bottom >= bottom.num {
					// Merged down over both rows: one text, no sub-header.
					cols[c] = newHeaderCell(text, "")
					grouped = grouped || (mr.top == top.num && text != "")
					continue
				}
				sub := t.text(bottom.num, c)
				if sb, ok := t.mergeAt(bottom.num, c); ok && sb.top == bottom.num {
					sub = t.mergedText(sb)
				}
				cols[c] = newHeaderCell(text, sub)
				if mr.right > mr.left && text != "" && t.subTexts(bottom.num, mr.left, mr.right) >= 2 && topCells >= 2 {
					grouped = true
				}
				continue
			}
			sub := t.text(bottom.num, c)
			if sb, ok := t.mergeAt(bottom.num, c); ok && sb.top == bottom.num {
				sub = t.mergedText(sb)
			}
			group := t.text(top.num, c)
			underPlain = underPlain || (group != "" && sub != "")
			cols[c] = newHeaderCell(group, sub)
			continue
		}
		group, sub := t.text(top.num, c), t.text(bottom.num, c)
		if group != "" && sub != "" && !(c+1 < len(cols) && t.text(top.num, c+1) == "" && t.text(bottom.num, c+1) != "") {
			underPlain = true // not the start of a group
		}
		if group == "" && sub != "" {
			// CSV has no merges: a blank group cell continues the group on its left, but
			// only over columns that have a sub-header.
			k := c - 1
			for k >= 0 && t.text(top.num, k) == "" && t.text(bottom.num, k) != "" {
				k--
			}
			if k >= 0 && t.text(top.num, k) != "" && t.text(bottom.num, k) != "" {
				group = t.text(top.num, k)
				grouped = grouped || topCells >= 2
			}
		}
		cols[c] = newHeaderCell(group, sub)
	}
	return headerCandidate{first: top.num, last: bottom.num, cols: cols, fields: assignFields(cols, m)}, grouped && !underPlain
}

func (t *headerTable) subTexts(row, left, right int) int {
	n := 0
	for c := left; c <= right; c++ {
		if t.text(row, c) != "" {
			n++
		}
	}
	return n
}

// errNoHeader says no row in the scanned window looks like the header.
var errNoHeader = errors.New("no header row found")

// detectHeader finds the header among rows (which hold at least the first scanRows+2 rows):
// the row or pair of adjacent rows within the first scanRows rows that names the most fields,
// at least two. A pair wins over a single row when it names more fields than either of its
// rows alone, or as many as its top row and it has the shape of a two-row header.
func detectHeader(rows []sheetRow, merges []cellRange, hasMerges bool, m *headerMatcher, scanRows int) (*layout, error) {
	t := &headerTable{rows: rows, byNum: make(map[int]sheetRow, len(rows)), merges: merges, hasMerges: hasMerges}
	for _, r := range rows {
		t.byNum[r.num] = r
	}
	var best *headerCandidate
	bestIsPair := false
	consider := func(c headerCandidate, isPair bool) {
		if len(c.fields) < 2 {
			return
		}
		if best == nil || len(c.fields) > len(best.fields) || (len(c.fields) == len(best.fields) && isPair && !bestIsPair) {
			best, bestIsPair = &c, isPair
		}
	}
	for i, r := range rows {
		if r.num > scanRows {
			break
		}
		single := t.single(r, m)
		consider(single, false)
		if i+1 >= len(rows) || rows[i+1].num != r.num+1 || isColumnNumberRow(rows[i+1].cells) {
			continue
		}
		below := t.single(rows[i+1], m)
		pair, grouped := t.pair(r, rows[i+1], m)
		n := len(pair.fields)
		if n > max(len(single.fields), len(below.fields)) || (grouped && n >= len(single.fields)) {
			consider(pair, true)
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w in the first %d rows: no row names at least 2 of the expected columns", errNoHeader, scanRows)
	}

	l := &layout{dataFrom: best.last + 1, headers: make(map[string]string, len(best.fields))}
	if next, ok := t.byNum[best.last+1]; ok && isColumnNumberRow(next.cells) {
		l.dataFrom++
	}
	var title []string
	for _, r := range rows {
		if r.num >= best.first {
			break
		}
		for c := range r.cells {
			if s := t.text(r.num, c); s != "" {
				title = append(title, s)
			}
		}
	}
	l.title = strings.Join(title, " | ")
	for field, cm := range best.fields {
		header := best.cols[cm.index].text
		l.columns = append(l.columns, mappedColumn{field: field, index: cm.index, letter: columnLetter(cm.index), header: header})
		l.headers[field] = header
	}
	slices.SortFunc(l.columns, func(a, b mappedColumn) int { return a.index - b.index })
	return l, nil
}

var (
	// columnNumberCell matches the cells of the row that numbers the columns under a header:
	// "1", "(2)", "A", "(B)", "(5)=(3)x(4)".
	columnNumberCell = regexp.MustCompile(`^\(?\s*(\d{1,3}|[A-Za-z]{1,2})\s*\)?(\s*[=+\-*x×/:]\s*\(?\s*\d{1,3}\s*\)?)*$`)
	leadingNumber    = regexp.MustCompile(`^\(?\s*(\d{1,3})`)
	numericCell      = regexp.MustCompile(`^[+-]?\d[\d.,\s]*%?$`)
	sttCell          = regexp.MustCompile(`^(\d{1,4}|[ivxlIVXL]{1,5}|[A-Za-z])\.?$`)
	signatureCell    = regexp.MustCompile(`^(nguoi lap|lap bieu|nguoi tong hop|thu truong|giam doc|chu tich|pho chu tich|truong phong|pho truong phong)|^(tm|kt|tl|tuq|q)\s*[./]|ngay\s*\S*\s*thang\s*\S*\s*nam|ghi ro ho ten|\(ky|ky ten|dong dau|xac nhan`)
)

// isColumnNumberRow reports whether cells number the columns: "(1) (2) (3)", "1 2 3",
// "A B 1 2", with the numbers rising.
func isColumnNumberRow(cells []string) bool {
	n, last := 0, 0
	for _, cell := range cells {
		s := strings.TrimSpace(cell)
		if s == "" {
			continue
		}
		if !columnNumberCell.MatchString(s) {
			return false
		}
		if m := leadingNumber.FindStringSubmatch(s); m != nil {
			v, _ := strconv.Atoi(m[1])
			if v <= last {
				return false
			}
			last = v
		}
		n++
	}
	return n >= 2
}

// totalsLabels are the folded, unmarked labels of totals and subtotals rows.
var totalsLabels = map[string]bool{
	"tong cong": true, "cong": true, "tong so": true, "tong": true, "tong cong toan huyen": true,
}

func isTotalsLabel(s string) bool {
	k := strings.TrimSpace(strings.TrimRight(textnorm.StripMarks(stripParens(s)), ": "))
	return totalsLabels[k] || strings.HasPrefix(k, "tong cong toan ")
}

// isTotalsRow reports whether the row's first text cell (past an STT label such as "I" or
// "1") says it is a total: "Tổng cộng", "Cộng:", "Tổng số"...
func isTotalsRow(cells []string) bool {
	var texts []string
	for _, cell := range cells {
		if s := strings.TrimSpace(cell); s != "" {
			texts = append(texts, s)
			if len(texts) == 2 {
				break
			}
		}
	}
	if len(texts) == 0 {
		return false
	}
	if isTotalsLabel(texts[0]) {
		return true
	}
	return len(texts) == 2 && sttCell.MatchString(texts[0]) && isTotalsLabel(texts[1])
}

// rowKind is what a row after the header turns out to be.
type rowKind int

const (
	rowBlank rowKind = iota
	rowTotals
	rowText // free text, no data: a stray note or part of the signature block
	rowData
)

func (l *layout) classify(cells []string) rowKind {
	blank, numeric := true, false
	for _, cell := range cells {
		s := strings.TrimSpace(cell)
		if s == "" {
			continue
		}
		blank = false
		numeric = numeric || numericCell.MatchString(s)
	}
	switch {
	case blank:
		return rowBlank
	case isTotalsRow(cells):
		return rowTotals
	case !numeric && hasSignature(cells): // data rows have numbers: skip the costly check
		return rowText
	}
	for _, col := range l.columns {
		if col.index < len(cells) && strings.TrimSpace(cells[col.index]) != "" {
			return rowData
		}
	}
	return rowText
}

// hasSignature reports whether a row holds signature-block wording ("Người lập biểu").
func hasSignature(cells []string) bool {
	for _, cell := range cells {
		if s := strings.TrimSpace(cell); s != "" && signatureCell.MatchString(textnorm.StripMarks(s)) {
			return true
		}
	}
	return false
}

// record builds the Record of a data row.
func (l *layout) record(loc Location, cells []string) Record {
	rec := Record{Loc: loc, Fields: make(map[string]Cell, len(l.columns)), Raw: cells}
	for _, col := range l.columns {
		value := ""
		if col.index < len(cells) {
			value = cells[col.index]
		}
		rec.Fields[col.field] = Cell{Column: col.letter, Header: col.header, Value: value}
	}
	return rec
}

// dataRows tracks the end of the data: two free-text rows in a row (blank rows between them
// do not count) are a signature block, after which nothing is read; a lone one is skipped.
type dataRows struct {
	layout *layout
	texts  int
}

// next says whether row is a record to deliver and whether the data has ended.
func (d *dataRows) next(cells []string) (deliver, done bool) {
	switch d.layout.classify(cells) {
	case rowData:
		d.texts = 0
		return true, false
	case rowText:
		d.texts++
		return false, d.texts >= 2
	default:
		return false, false
	}
}
