package sources

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Defaults of FileConfig.
const (
	DefaultHeaderScanRows = 15
	DefaultMaxBytes       = 64 << 20
	DefaultTimeout        = 60 * time.Second
)

// The file kinds a FileConfig may name.
const (
	KindXLSX = "xlsx"
	KindCSV  = "csv"
)

// FileConfig configures a source that reads XLSX or CSV files from disk or from a URL.
type FileConfig struct {
	// Name identifies the source in lineage, logs and alerts.
	Name string
	// Entity is what the rows are: cooperatives, cooperative groups or activities.
	Entity Entity
	// Kind is the file format: "xlsx" or "csv".
	Kind string
	// Path is one file or a glob such as "testdata/demo/districts/*.xlsx"; one batch per file.
	Path string
	// URL is an HTTP(S) export link to read instead of Path; one batch per pull.
	URL string
	// Sheet is the XLSX sheet to read; default the first visible sheet.
	Sheet string
	// Columns maps target fields to header aliases over the entity's DefaultColumns: a field
	// given here replaces that field's default aliases.
	Columns map[string][]string
	// District is the district every file of this source reports for.
	District string
	// FileNamePattern cuts the district out of each file's base name, e.g.
	// "bao-cao-{district}.xlsx" ("*" matches anything); a name that does not match is an error.
	FileNamePattern string
	// Encoding of CSV files: "" (detect), "utf-8", "utf-16" or "windows-1258". A byte-order
	// mark always wins.
	Encoding string
	// Delimiter of CSV files: "" (sniff among comma, semicolon and tab), or one character
	// ("tab" for a tab).
	Delimiter string
	// HeaderScanRows is how many top rows may hold the title and header; default 15.
	HeaderScanRows int
	// MaxBytes caps a URL download; default 64 MiB.
	MaxBytes int64
	// Timeout bounds a URL download, body included; default 60s.
	Timeout time.Duration
}

// Validate returns every problem of c, each naming its field, joined with errors.Join.
func (c FileConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("file source %q: %s: %s", c.Name, field, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Name) == "" {
		bad("name", "is required")
	}
	if _, ok := defaultColumns[c.Entity]; !ok {
		bad("entity", "%q is not one of %s, %s, %s", c.Entity, Cooperatives, CooperativeGroups, Activities)
	}
	if c.Kind != KindXLSX && c.Kind != KindCSV {
		bad("kind", "%q is not %q or %q", c.Kind, KindXLSX, KindCSV)
	}
	switch {
	case c.Path == "" && c.URL == "":
		bad("path", "path or url is required")
	case c.Path != "" && c.URL != "":
		bad("url", "give path or url, not both")
	case c.Path != "":
		if _, err := filepath.Match(c.Path, ""); err != nil {
			bad("path", "%q is not a valid glob: %v", c.Path, err)
		}
	default:
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("url", "%q is not an http(s) URL", redactURL(c.URL))
		}
	}
	if c.Sheet != "" && c.Kind == KindCSV {
		bad("sheet", "only applies to xlsx")
	}
	for field, aliases := range c.Columns {
		if strings.TrimSpace(field) == "" {
			bad("columns", "a field name is empty")
			continue
		}
		if !slices.ContainsFunc(aliases, func(a string) bool { return strings.TrimSpace(a) != "" }) {
			bad("columns", "field %q has no header alias", field)
		}
	}
	if c.District != "" && c.FileNamePattern != "" {
		bad("district", "give district or file_name_pattern, not both")
	}
	if c.FileNamePattern != "" && strings.Count(c.FileNamePattern, "{district}") != 1 {
		bad("file_name_pattern", "%q must contain {district} once", c.FileNamePattern)
	}
	switch c.Encoding {
	case encodingAuto, encodingUTF8, encodingUTF16, encodingWindows1258:
	default:
		bad("encoding", "%q is not one of %q, %q, %q (or empty to detect)", c.Encoding, encodingUTF8, encodingUTF16, encodingWindows1258)
	}
	if c.Encoding != "" && c.Kind == KindXLSX {
		bad("encoding", "only applies to csv")
	}
	if _, err := parseDelimiter(c.Delimiter); err != nil {
		bad("delimiter", "%q %v", c.Delimiter, err)
	}
	if c.Delimiter != "" && c.Kind == KindXLSX {
		bad("delimiter", "only applies to csv")
	}
	if c.HeaderScanRows < 0 {
		bad("header_scan_rows", "must not be negative")
	}
	if c.MaxBytes < 0 {
		bad("max_bytes", "must not be negative")
	}
	if c.Timeout < 0 {
		bad("timeout", "must not be negative")
	}
	return errors.Join(errs...)
}

// fileSource is the Source of a FileConfig.
type fileSource struct {
	cfg       FileConfig // defaults filled
	delimiter rune       // 0: sniff
	matcher   *headerMatcher
	district  *regexp.Regexp // from FileNamePattern; nil without one
	client    *resty.Client  // URL sources only
}

// NewFileSource validates cfg, fills its defaults and returns the source. Batches from a URL
// hold a downloaded temporary file: they implement io.Closer to remove it (it is also removed
// once the batch is garbage collected).
func NewFileSource(cfg FileConfig) (Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.HeaderScanRows = cmp.Or(cfg.HeaderScanRows, DefaultHeaderScanRows)
	cfg.MaxBytes = cmp.Or(cfg.MaxBytes, DefaultMaxBytes)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	s := &fileSource{cfg: cfg, matcher: newHeaderMatcher(mergeColumns(cfg.Entity, cfg.Columns))}
	s.delimiter, _ = parseDelimiter(cfg.Delimiter)
	if cfg.FileNamePattern != "" {
		before, after, _ := strings.Cut(cfg.FileNamePattern, "{district}")
		literal := func(s string) string { return strings.ReplaceAll(regexp.QuoteMeta(s), `\*`, `.*`) }
		s.district = regexp.MustCompile(`(?i)^` + literal(before) + `(.+?)` + literal(after) + `$`)
	}
	if cfg.URL != "" {
		s.client = resty.New().SetTimeout(cfg.Timeout)
	}
	return s, nil
}

func (s *fileSource) Name() string   { return s.cfg.Name }
func (s *fileSource) Entity() Entity { return s.cfg.Entity }

// Batches returns one batch per file matched by Path, sorted by name, or one for the URL,
// downloaded now. Each batch's content hash and header are read here; a file that cannot be
// read still gets a batch, whose Each returns the reason.
func (s *fileSource) Batches(ctx context.Context) ([]Batch, error) {
	if s.cfg.URL != "" {
		b, err := s.download(ctx)
		if err != nil {
			return nil, err
		}
		return []Batch{b}, nil
	}
	files, err := filepath.Glob(s.cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("sources: %s: path %q: %w", s.cfg.Name, s.cfg.Path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("sources: %s: no file matches path %q", s.cfg.Name, s.cfg.Path)
	}
	slices.Sort(files)
	batches := make([]Batch, 0, len(files))
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b := s.newBatch(f, f)
		if b.err == nil {
			b.info.ContentHash, b.err = hashFile(f)
		}
		s.prepare(b)
		batches = append(batches, b)
	}
	return batches, nil
}

// newBatch starts the batch of the file at local path, known to officers as location.
func (s *fileSource) newBatch(location, local string) *fileBatch {
	b := &fileBatch{src: s, path: local, info: BatchInfo{
		Source:   s.cfg.Name,
		Entity:   s.cfg.Entity,
		Location: location,
		District: s.cfg.District,
		Complete: true,
	}}
	if s.district != nil {
		base := location
		if u, err := url.Parse(location); err == nil && s.cfg.URL != "" {
			base = u.Path
		}
		base = filepath.Base(base)
		m := s.district.FindStringSubmatch(base)
		if m == nil {
			b.err = fmt.Errorf("sources: %s: file name %q does not match file_name_pattern %q", location, base, s.cfg.FileNamePattern)
			return b
		}
		b.info.District = m[1]
	}
	return b
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("sources: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("sources: read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// open opens b's file as rows; with merges it also reads the merged ranges of the header rows.
func (s *fileSource) open(b *fileBatch, merges bool) (rowReader, string, []cellRange, error) {
	if s.cfg.Kind == KindCSV {
		r, err := openCSV(b.path, s.cfg.Encoding, s.delimiter)
		return r, "", nil, err
	}
	mergeRows := 0
	if merges {
		mergeRows = s.cfg.HeaderScanRows + 2
	}
	r, sheet, ranges, err := openXLSX(b.path, s.cfg.Sheet, mergeRows)
	return r, sheet, ranges, err
}

// prepare reads the top of b's file and finds its header.
func (s *fileSource) prepare(b *fileBatch) {
	if b.err != nil {
		return
	}
	rr, sheet, merges, err := s.open(b, true)
	if err != nil {
		b.err = fmt.Errorf("sources: read %s: %w", b.info.Location, err)
		return
	}
	defer rr.close()
	b.info.Sheet = sheet
	limit := s.cfg.HeaderScanRows + 2 // a two-row header on the last scanned row, then column numbers
	var top []sheetRow
	for {
		row, err := rr.next()
		if err == io.EOF || (err == nil && row.num > limit) {
			break
		}
		if err != nil {
			b.err = fmt.Errorf("sources: read %s: %w", b.where(0), err)
			return
		}
		top = append(top, row)
	}
	l, err := detectHeader(top, merges, s.cfg.Kind == KindXLSX, s.matcher, s.cfg.HeaderScanRows)
	if err != nil {
		b.err = fmt.Errorf("sources: read %s: %w; expected headers for %s: %s", b.where(0), err, s.cfg.Entity, s.expectedHeaders())
		return
	}
	b.layout = l
	b.info.Title = l.title
	b.info.Headers = l.headers
}

// expectedHeaders names each field with its first alias, for error messages.
func (s *fileSource) expectedHeaders() string {
	var out []string
	seen := map[string]bool{}
	for _, k := range s.matcher.keys {
		if !seen[k.field] {
			seen[k.field] = true
			out = append(out, fmt.Sprintf("%q (%s)", k.alias, k.field))
		}
	}
	return strings.Join(out, ", ")
}

// download fetches the URL into a temporary file, hashing it on the way, and prepares its
// batch.
func (s *fileSource) download(ctx context.Context) (*fileBatch, error) {
	shown := redactURL(s.cfg.URL)
	fail := func(format string, args ...any) (*fileBatch, error) {
		return nil, fmt.Errorf("sources: %s: download %s: %s", s.cfg.Name, shown, fmt.Sprintf(format, args...))
	}
	resp, err := s.client.R().SetContext(ctx).SetDoNotParseResponse(true).Get(s.cfg.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the full URL
		}
		return fail("%v", err)
	}
	body := resp.RawBody()
	defer body.Close()
	if !resp.IsSuccess() {
		return fail("HTTP status %s", resp.Status())
	}
	tooBig := func() (*fileBatch, error) {
		return fail("the file is larger than the %d-byte cap (max_bytes)", s.cfg.MaxBytes)
	}
	if resp.RawResponse.ContentLength > s.cfg.MaxBytes {
		return tooBig()
	}
	tmp, err := os.CreateTemp("", "coopwatch-*."+s.cfg.Kind)
	if err != nil {
		return fail("%v", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(body, s.cfg.MaxBytes+1))
	err = errors.Join(err, tmp.Close())
	if err != nil || n > s.cfg.MaxBytes {
		_ = os.Remove(tmp.Name())
		if err != nil {
			return fail("%v", err)
		}
		return tooBig()
	}
	// The location is shown in logs, rejects and digests: never with the URL's secrets.
	b := s.newBatch(redactURL(s.cfg.URL), tmp.Name())
	b.tempFile = tmp.Name()
	runtime.AddCleanup(b, func(name string) { _ = os.Remove(name) }, tmp.Name())
	b.info.ContentHash = hex.EncodeToString(h.Sum(nil))
	s.prepare(b)
	return b, nil
}

// redactURL hides the password and every query value of u: export links name their
// tokens in many ways.
func redactURL(u string) string { return redact(u, func(string) bool { return true }) }

// redact hides u's password, its fragment, and the values of the query parameters hide
// picks, for URLs shown in logs, errors and reports.
func redact(u string, hide func(param string) bool) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	if p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "xxxxx")
		}
	}
	if p.RawQuery != "" {
		q := p.Query()
		for k := range q {
			if hide(k) {
				q[k] = []string{"xxxxx"}
			}
		}
		p.RawQuery = q.Encode()
	}
	p.Fragment, p.RawFragment = "", ""
	return p.String()
}

// fileBatch is one file of a file source.
type fileBatch struct {
	src      *fileSource
	path     string // local file Each reads
	info     BatchInfo
	layout   *layout
	err      error  // why the file cannot be read; Each returns it
	tempFile string // downloaded copy to remove on Close
}

func (b *fileBatch) Info() BatchInfo {
	info := b.info
	info.Headers = make(map[string]string, len(b.info.Headers))
	for k, v := range b.info.Headers {
		info.Headers[k] = v
	}
	return info
}

// where names the file, sheet and row for error messages; row 0 leaves the row out.
func (b *fileBatch) where(row int) string {
	loc := Location{File: b.info.Location, Sheet: b.info.Sheet, Row: row}
	if row > 0 {
		return loc.String()
	}
	if loc.Sheet != "" {
		return fmt.Sprintf("%s, sheet %q", loc.File, loc.Sheet)
	}
	return loc.File
}

func (b *fileBatch) Each(ctx context.Context, fn func(Record) error) error {
	if b.err != nil {
		return b.err
	}
	rr, _, _, err := b.src.open(b, false)
	if err != nil {
		return fmt.Errorf("sources: read %s: %w", b.info.Location, err)
	}
	defer rr.close()
	data := dataRows{layout: b.layout}
	for i := 0; ; i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := rr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sources: read %s: %w", b.where(0), err)
		}
		if row.num < b.layout.dataFrom {
			continue
		}
		deliver, done := data.next(row.cells)
		if done {
			return nil
		}
		if !deliver {
			continue
		}
		loc := Location{Source: b.info.Source, File: b.info.Location, Sheet: b.info.Sheet, Row: row.num}
		if err := fn(b.layout.record(loc, row.cells)); err != nil {
			return err
		}
	}
}

// Close removes the temporary copy of a downloaded file; for files on disk it does nothing.
func (b *fileBatch) Close() error {
	if b.tempFile == "" {
		return nil
	}
	err := os.Remove(b.tempFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
