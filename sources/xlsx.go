package sources

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

// Date cells. excelize formats a date cell with its number format, and the built-in short
// date renders US style ("03-15-21"). The pipeline wants the Excel serial instead, but
// RawCellValue works per row, not per cell, and would also strip the formatting of every
// other number. So after opening we rewrite, in the opened workbook's in-memory style table
// only (the file is never saved), every cell style whose number format is a date or time
// format to General: those cells, and only those, then read as their serial ("44270",
// "44270.5"), formula cells included, while other cells keep their formatted text. A workbook
// on the 1904 date system would give serials 1462 days off, so there date styles become the
// built-in short date, rendered as dd/mm/yyyy, which the pipeline parses too.

// shortDatePattern is how dates of 1904-system workbooks are rendered.
const shortDatePattern = "dd/mm/yyyy"

// xlsxReader streams one worksheet with excelize's row iterator.
type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	num  int
}

// openXLSX opens the sheet named sheet (empty: the first visible one) of the workbook at
// path. With mergeRows > 0 it also returns the merged ranges that start within the first
// mergeRows rows.
func openXLSX(filePath, sheet string, mergeRows int) (*xlsxReader, string, []cellRange, error) {
	f, err := excelize.OpenFile(filePath, excelize.Options{ShortDatePattern: shortDatePattern})
	if err != nil {
		return nil, "", nil, fmt.Errorf("not a readable xlsx workbook (corrupt, password-protected or another format): %w", err)
	}
	fail := func(err error) (*xlsxReader, string, []cellRange, error) {
		_ = f.Close()
		return nil, "", nil, err
	}
	name, err := pickSheet(f, sheet)
	if err != nil {
		return fail(err)
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	useSerialDates(f, date1904)
	var merges []cellRange
	if mergeRows > 0 {
		if merges, err = readMerges(filePath, name, mergeRows); err != nil {
			return fail(fmt.Errorf("sheet %q: read merged cells: %w", name, err))
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		return fail(fmt.Errorf("sheet %q: %w", name, err))
	}
	return &xlsxReader{f: f, rows: rows}, name, merges, nil
}

// pickSheet returns the configured sheet (exact name, else the only case- and
// space-insensitive match) or, when none is configured, the first visible sheet.
func pickSheet(f *excelize.File, want string) (string, error) {
	sheets := f.GetSheetList()
	list := func() string {
		quoted := make([]string, len(sheets))
		for i, s := range sheets {
			quoted[i] = strconv.Quote(s)
		}
		return strings.Join(quoted, ", ")
	}
	if want != "" {
		if slices.Contains(sheets, want) {
			return want, nil
		}
		var found []string
		for _, s := range sheets {
			if textnorm.Fold(s) == textnorm.Fold(want) {
				found = append(found, s)
			}
		}
		if len(found) == 1 {
			return found[0], nil
		}
		return "", fmt.Errorf("no sheet %q; the workbook has %s", want, list())
	}
	for _, s := range sheets {
		if visible, err := f.GetSheetVisible(s); err == nil && visible {
			return s, nil
		}
	}
	return "", fmt.Errorf("no visible sheet; the workbook has %s", list())
}

// useSerialDates rewrites date, time and thousands-separated number formats in f's style table, see the comment at
// the top of this file.
func useSerialDates(f *excelize.File, date1904 bool) {
	if f.Styles == nil || f.Styles.CellXfs == nil {
		return
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			if nf != nil {
				custom[nf.NumFmtID] = cmp.Or(nf.FormatCode16, nf.FormatCode)
			}
		}
	}
	replacement := 0 // General
	if date1904 {
		replacement = 14 // short date, rendered with shortDatePattern
	}
	general := 0
	for i := range f.Styles.CellXfs.Xf {
		xf := &f.Styles.CellXfs.Xf[i]
		switch {
		case xf.NumFmtID == nil:
		case isDateNumFmt(*xf.NumFmtID, custom):
			id := replacement
			xf.NumFmtID = &id
		case !keepNumFmt(*xf.NumFmtID, custom):
			xf.NumFmtID = &general
		}
	}
}

// keepNumFmt reports whether a non-date number format stays: text (@) and percentages.
// Every other number format becomes General, because excelize renders thousands
// separators US style ("1,235" for #,##0) while Vietnamese text reads "1,235" as 1.235:
// General gives the machine form ("1235", "1250.5") that reads the same either way.
func keepNumFmt(id int, custom map[int]string) bool {
	if code, ok := custom[id]; ok {
		return code == "@" || strings.Contains(code, "%")
	}
	return id == 9 || id == 10 || id == 49
}

// isDateNumFmt reports whether number format id shows a date or time.
func isDateNumFmt(id int, custom map[int]string) bool {
	if code, ok := custom[id]; ok {
		return isDateFormatCode(code)
	}
	return (14 <= id && id <= 22) || (27 <= id && id <= 36) || (45 <= id && id <= 47) || (50 <= id && id <= 58)
}

// isDateFormatCode reports whether a custom number format code has date or time parts once
// literal text ("..." and \x), fill and padding characters and [...] sections are dropped.
func isDateFormatCode(code string) bool {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	var b strings.Builder
	inQuote, inBracket := false, false
	var bracket strings.Builder
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case inBracket:
			if c == ']' {
				inBracket = false
				// Elapsed time ([h], [mm], [ss]) is time; colours, conditions and locales are not.
				if s := strings.ToLower(bracket.String()); s != "" && strings.Trim(s, "hms") == "" {
					b.WriteString(s)
				}
				bracket.Reset()
			} else {
				bracket.WriteByte(c)
			}
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\' || c == '_' || c == '*':
			i++ // the next character is literal
		default:
			b.WriteByte(c)
		}
	}
	s := strings.ReplaceAll(strings.ToLower(b.String()), "general", "")
	return strings.ContainsAny(s, "dmyhs")
}

func (x *xlsxReader) next() (sheetRow, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return sheetRow{}, err
		}
		return sheetRow{}, io.EOF
	}
	// Rows yields every row number in turn, empty ones included, so counting is exact.
	x.num++
	cells, err := x.rows.Columns()
	if err != nil {
		return sheetRow{}, fmt.Errorf("row %d: %w", x.num, err)
	}
	return sheetRow{num: x.num, cells: cells}, nil
}

func (x *xlsxReader) close() error {
	return errors.Join(x.rows.Close(), x.f.Close())
}

// readMerges returns the merged ranges of sheet that start within the first maxRow rows.
// excelize's GetMergeCells decodes the whole worksheet into memory (and would make a later
// Rows re-encode it), and merges are stored after the cell data, so the sheet's XML part is
// scanned here as a byte stream for <mergeCell ref="..."> elements, keeping memory flat.
func readMerges(filePath, sheet string, maxRow int) ([]cellRange, error) {
	zr, err := zip.OpenReader(filePath)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		parts[strings.TrimPrefix(f.Name, "/")] = f
	}
	workbook := "xl/workbook.xml"
	if rels, err := readRels(parts, "_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				workbook = r.target
			}
		}
	}
	sheetRID := ""
	err = scanElements(parts, workbook, "sheet", func(attrs map[string]string) {
		if attrs["name"] == sheet {
			sheetRID = attrs["id"]
		}
	})
	if err != nil {
		return nil, err
	}
	rels, err := readRels(parts, path.Join(path.Dir(workbook), "_rels", path.Base(workbook)+".rels"), path.Dir(workbook))
	if err != nil {
		return nil, err
	}
	sheetPart := ""
	for _, r := range rels {
		if r.id == sheetRID {
			sheetPart = r.target
		}
	}
	part, ok := parts[sheetPart]
	if sheetRID == "" || !ok {
		return nil, fmt.Errorf("no worksheet part for sheet %q", sheet)
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []cellRange
	err = scanMergeRefs(rc, func(ref string) error {
		first, last, ok := strings.Cut(ref, ":")
		if !ok {
			return nil // a single cell merges nothing
		}
		c1, r1, err := excelize.CellNameToCoordinates(first)
		if err != nil {
			return fmt.Errorf("merged range %q: %w", ref, err)
		}
		c2, r2, err := excelize.CellNameToCoordinates(last)
		if err != nil {
			return fmt.Errorf("merged range %q: %w", ref, err)
		}
		if r := (cellRange{min(r1, r2), min(c1, c2) - 1, max(r1, r2), max(c1, c2) - 1}); r.top <= maxRow {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

type relationship struct {
	id, typ, target string
}

// readRels reads a relationships part; targets are resolved against dir.
func readRels(parts map[string]*zip.File, name, dir string) ([]relationship, error) {
	var out []relationship
	err := scanElements(parts, name, "Relationship", func(attrs map[string]string) {
		target := attrs["Target"]
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join(dir, target)
		}
		out = append(out, relationship{id: attrs["Id"], typ: attrs["Type"], target: target})
	})
	return out, err
}

// scanElements calls fn with the attributes (by local name) of every element named local in
// a small XML part.
func scanElements(parts map[string]*zip.File, name, local string, fn func(map[string]string)) error {
	part, ok := parts[name]
	if !ok {
		return fmt.Errorf("missing part %s", name)
	}
	rc, err := part.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("part %s: %w", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == local {
			attrs := make(map[string]string, len(se.Attr))
			for _, a := range se.Attr {
				attrs[a.Name.Local] = a.Value
			}
			fn(attrs)
		}
	}
}

var refAttr = regexp.MustCompile(`\sref\s*=\s*["']([^"']*)["']`)

// scanMergeRefs finds every mergeCell element (with or without a namespace prefix) in a
// worksheet XML stream and calls fn with its ref attribute.
func scanMergeRefs(r io.Reader, fn func(ref string) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		_, err := br.ReadSlice('<')
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		head, _ := br.Peek(24)
		name := head
		if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
			name = name[:i]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if string(name) != "mergeCell" {
			continue
		}
		tag, err := br.ReadSlice('>')
		if err != nil {
			return fmt.Errorf("mergeCell element: %w", err)
		}
		if m := refAttr.FindSubmatch(tag); m != nil {
			if err := fn(string(m[1])); err != nil {
				return err
			}
		}
	}
}
