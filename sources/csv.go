package sources

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// sniffBytes is how much of a CSV file decides its encoding and delimiter.
const sniffBytes = 64 << 10

// The encodings a CSV source may name.
const (
	encodingAuto        = ""
	encodingUTF8        = "utf-8"
	encodingUTF16       = "utf-16"
	encodingWindows1258 = "windows-1258"
)

// csvReader streams a CSV file record by record.
type csvReader struct {
	file    *os.File
	r       *csv.Reader
	row     int // row number of the last record
	endLine int // line the last record ended on
}

// openCSV opens the CSV file at path. encoding is one of the encoding* names; delimiter 0
// means sniff it.
func openCSV(filePath, encoding string, delimiter rune) (*csvReader, error) {
	f, err := os.Open(filePath)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF {
		_ = f.Close()
		return nil, err
	}
	dec, bom := pickDecoder(head, encoding, len(head) < sniffBytes)
	if _, err := br.Discard(bom); err != nil {
		_ = f.Close()
		return nil, err
	}
	if delimiter == 0 {
		sample := head[bom:]
		if len(head) == sniffBytes {
			// Drop the last, probably cut, line.
			if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
				sample = sample[:i]
			}
		}
		if dec != nil {
			sample, _, _ = transform.Bytes(dec, sample)
		}
		delimiter = sniffDelimiter(string(sample))
	}
	var in io.Reader = br
	if dec != nil {
		in = transform.NewReader(br, dec) // resets dec
	}
	r := csv.NewReader(in)
	r.Comma = delimiter
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	return &csvReader{file: f, r: r}, nil
}

// pickDecoder chooses how to decode a file from its first bytes: a byte-order mark decides,
// then the configured encoding, then the bytes themselves (NUL bytes mean UTF-16 without a
// mark; bytes that are not valid UTF-8 mean Windows-1258). It returns nil for UTF-8 and the
// length of the byte-order mark to skip.
func pickDecoder(head []byte, encoding string, whole bool) (transform.Transformer, int) {
	utf16 := func(e unicode.Endianness) transform.Transformer {
		return unicode.UTF16(e, unicode.IgnoreBOM).NewDecoder()
	}
	// Windows-1258 writes tone marks as combining characters; compose them like UTF-8 text.
	windows1258 := transform.Chain(charmap.Windows1258.NewDecoder(), norm.NFC)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return nil, 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return utf16(unicode.LittleEndian), 2
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return utf16(unicode.BigEndian), 2
	}
	switch encoding {
	case encodingUTF8:
		return nil, 0
	case encodingWindows1258:
		return windows1258, 0
	case encodingUTF16:
		if le, be := nulBytes(head); be > le {
			return utf16(unicode.BigEndian), 0
		}
		return utf16(unicode.LittleEndian), 0
	}
	if le, be := nulBytes(head); le+be > len(head)/4 {
		if be > le {
			return utf16(unicode.BigEndian), 0
		}
		return utf16(unicode.LittleEndian), 0
	}
	sample := head
	if !whole {
		// The sample may end inside a character: judge only complete lines.
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i]
		}
	}
	if utf8.Valid(sample) {
		return nil, 0
	}
	return windows1258, 0
}

// nulBytes counts NUL bytes at odd (UTF-16LE ASCII) and even (UTF-16BE ASCII) offsets.
func nulBytes(b []byte) (le, be int) {
	for i, c := range b {
		if c != 0 {
			continue
		}
		if i%2 == 1 {
			le++
		} else {
			be++
		}
	}
	return le, be
}

// sniffDelimiter picks among ',', ';' and tab the delimiter that splits the most sample lines
// into the same number (more than one) of fields; ties go to more fields, then to that order.
func sniffDelimiter(sample string) rune {
	best, bestLines, bestFields := ',', 0, 0
	for _, d := range []rune{',', ';', '\t'} {
		r := csv.NewReader(strings.NewReader(sample))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = d, true, -1
		counts := map[int]int{}
		for range 50 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if len(rec) > 1 {
				counts[len(rec)]++
			}
		}
		for fields, lines := range counts {
			if lines > bestLines || (lines == bestLines && fields > bestFields) {
				best, bestLines, bestFields = d, lines, fields
			}
		}
	}
	return best
}

func (c *csvReader) next() (sheetRow, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return sheetRow{}, io.EOF
	}
	if err != nil {
		return sheetRow{}, fmt.Errorf("after row %d: %w", c.row, err)
	}
	// encoding/csv skips empty lines; spreadsheets show them as rows, so count them back in.
	// A quoted cell may span lines, so a record ends on the line its last field starts on
	// plus the line breaks in that field.
	start, _ := c.r.FieldPos(0)
	if c.endLine == 0 {
		c.row = start
	} else {
		c.row += start - c.endLine
	}
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	return sheetRow{num: c.row, cells: rec}, nil
}

func (c *csvReader) close() error {
	return c.file.Close()
}

// errDelimiter reports a configured delimiter encoding/csv cannot use.
var errDelimiter = errors.New("must be one character other than a quote or line break, or \"tab\"")

// parseDelimiter turns the configured delimiter into a rune; 0 means sniff.
func parseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", `\t`:
		return '\t', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return 0, errDelimiter
	}
	return r, nil
}
