package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// batchesOf builds the source of cfg and lists its batches, failing the test on errors.
func batchesOf(t *testing.T, cfg FileConfig) []Batch {
	t.Helper()
	src, err := NewFileSource(cfg)
	if err != nil {
		t.Fatalf("NewFileSource: %v", err)
	}
	batches, err := src.Batches(context.Background())
	if err != nil {
		t.Fatalf("Batches: %v", err)
	}
	return batches
}

// readAll collects every record of b.
func readAll(t *testing.T, b Batch) []Record {
	t.Helper()
	var out []Record
	if err := b.Each(context.Background(), func(r Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("Each: %v", err)
	}
	return out
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	if g, ok := got.([]Record); ok {
		w := want.([]Record)
		for i := range max(len(g), len(w)) {
			switch {
			case i >= len(g):
				t.Errorf("%s[%d]: missing, want %+v", what, i, w[i])
			case i >= len(w):
				t.Errorf("%s[%d]: unexpected %+v", what, i, g[i])
			case !reflect.DeepEqual(g[i], w[i]):
				t.Errorf("%s[%d]:\n got %+v\nwant %+v", what, i, g[i], w[i])
			}
		}
		return
	}
	t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
}

func assertErrorContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	valid := FileConfig{Name: "hx", Entity: Cooperatives, Kind: KindXLSX, Path: "testdata/*.xlsx"}
	tests := []struct {
		name   string
		change func(*FileConfig)
		want   []string // one entry per expected problem; nil: valid
	}{
		{"valid path", func(*FileConfig) {}, nil},
		{"valid url", func(c *FileConfig) { c.Path, c.URL = "", "https://example.org/export?format=xlsx" }, nil},
		{"valid csv options", func(c *FileConfig) { c.Kind, c.Encoding, c.Delimiter = KindCSV, "windows-1258", "tab" }, nil},
		{"missing name", func(c *FileConfig) { c.Name = " " }, []string{"name: is required"}},
		{"bad entity", func(c *FileConfig) { c.Entity = "farms" }, []string{`entity: "farms" is not one of`}},
		{"bad kind", func(c *FileConfig) { c.Kind = "xls" }, []string{`kind: "xls" is not`}},
		{"no path or url", func(c *FileConfig) { c.Path = "" }, []string{"path: path or url is required"}},
		{"path and url", func(c *FileConfig) { c.URL = "https://example.org/x" }, []string{"url: give path or url, not both"}},
		{"bad glob", func(c *FileConfig) { c.Path = "testdata/[.xlsx" }, []string{"path: \"testdata/[.xlsx\" is not a valid glob"}},
		{"ftp url, token hidden", func(c *FileConfig) { c.Path, c.URL = "", "ftp://example.org/x?token=s3cret" }, []string{`url: "ftp://example.org/x?token=xxxxx" is not an http(s) URL`}},
		{"sheet for csv", func(c *FileConfig) { c.Kind, c.Sheet = KindCSV, "Sheet1" }, []string{"sheet: only applies to xlsx"}},
		{"empty aliases", func(c *FileConfig) { c.Columns = map[string][]string{"name": {" "}} }, []string{`columns: field "name" has no header alias`}},
		{"district and pattern", func(c *FileConfig) { c.District, c.FileNamePattern = "Tuy An", "bc-{district}.xlsx" }, []string{"district: give district or file_name_pattern, not both"}},
		{"pattern without placeholder", func(c *FileConfig) { c.FileNamePattern = "bc.xlsx" }, []string{`file_name_pattern: "bc.xlsx" must contain {district} once`}},
		{"unknown encoding", func(c *FileConfig) { c.Kind, c.Encoding = KindCSV, "latin-1" }, []string{`encoding: "latin-1" is not one of`}},
		{"encoding for xlsx", func(c *FileConfig) { c.Encoding = "utf-8" }, []string{"encoding: only applies to csv"}},
		{"bad delimiter", func(c *FileConfig) { c.Kind, c.Delimiter = KindCSV, ";;" }, []string{`delimiter: ";;" must be one character`}},
		{"negative numbers", func(c *FileConfig) { c.HeaderScanRows, c.MaxBytes, c.Timeout = -1, -1, -time.Second }, []string{
			"header_scan_rows: must not be negative", "max_bytes: must not be negative", "timeout: must not be negative",
		}},
		{"everything wrong at once", func(c *FileConfig) { *c = FileConfig{Kind: "ods"} }, []string{"name:", "entity:", "kind:", "path:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := valid
			tt.change(&cfg)
			err := cfg.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			assertErrorContains(t, err, tt.want...)
			if n := len(strings.Split(err.Error(), "\n")); n != len(tt.want) {
				t.Errorf("got %d problems, want %d: %v", n, len(tt.want), err)
			}
			if _, nerr := NewFileSource(cfg); nerr == nil || nerr.Error() != err.Error() {
				t.Errorf("NewFileSource error = %v, want the Validate error", nerr)
			}
		})
	}
}

func TestNewFileSourceDefaults(t *testing.T) {
	t.Parallel()
	src, err := NewFileSource(FileConfig{Name: "hx", Entity: Activities, Kind: KindCSV, Path: "x.csv"})
	if err != nil {
		t.Fatal(err)
	}
	fs := src.(*fileSource)
	if fs.cfg.HeaderScanRows != 15 || fs.cfg.MaxBytes != 64<<20 || fs.cfg.Timeout != 60*time.Second {
		t.Errorf("defaults = %d, %d, %v", fs.cfg.HeaderScanRows, fs.cfg.MaxBytes, fs.cfg.Timeout)
	}
	if src.Name() != "hx" || src.Entity() != Activities {
		t.Errorf("Name, Entity = %q, %q", src.Name(), src.Entity())
	}
}

// writeGroupsCSV writes a small cooperative-group CSV to dir/name.
func writeGroupsCSV(t *testing.T, dir, name, commune string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	content := "Tên THT,Xã,Số tổ viên\nTHT " + commune + "," + commune + ",7\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGlobBatches(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := writeGroupsCSV(t, dir, "bao-cao-tuy-an.csv", "An Dân")
	a := writeGroupsCSV(t, dir, "bao-cao-dong-xuan.csv", "Xuân Lãnh")
	other := writeGroupsCSV(t, dir, "tong-hop.csv", "Hòa Tú")

	t.Run("sorted by name, district from the file name", func(t *testing.T) {
		t.Parallel()
		batches := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: filepath.Join(dir, "bao-cao-*.csv"), FileNamePattern: "BAO-CAO-{district}.csv"})
		var got [][2]string
		for _, bt := range batches {
			got = append(got, [2]string{bt.Info().Location, bt.Info().District})
		}
		assertEqual(t, "batches", got, [][2]string{{a, "dong-xuan"}, {b, "tuy-an"}})
		if h := batches[0].Info().ContentHash; h != sha256File(t, a) {
			t.Errorf("ContentHash = %s, want sha256 of the file", h)
		}
	})
	t.Run("fixed district", func(t *testing.T) {
		t.Parallel()
		batches := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: a, District: "Đồng Xuân"})
		if got := batches[0].Info().District; got != "Đồng Xuân" {
			t.Errorf("District = %q", got)
		}
	})
	t.Run("no pattern, no district", func(t *testing.T) {
		t.Parallel()
		batches := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: a})
		if got := batches[0].Info().District; got != "" {
			t.Errorf("District = %q, want empty", got)
		}
	})
	t.Run("file name outside the pattern fails that batch only", func(t *testing.T) {
		t.Parallel()
		batches := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: filepath.Join(dir, "*.csv"), FileNamePattern: "bao-cao-{district}.csv"})
		if len(batches) != 3 {
			t.Fatalf("got %d batches, want 3", len(batches))
		}
		if n := len(readAll(t, batches[0])); n != 1 {
			t.Errorf("first batch: %d records, want 1", n)
		}
		err := batches[2].Each(context.Background(), func(Record) error { return nil })
		assertErrorContains(t, err, other, `"tong-hop.csv" does not match file_name_pattern "bao-cao-{district}.csv"`)
	})
	t.Run("glob matching nothing", func(t *testing.T) {
		t.Parallel()
		src, err := NewFileSource(FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: filepath.Join(dir, "*.xlsx")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Batches(context.Background())
		assertErrorContains(t, err, `no file matches path "`+filepath.Join(dir, "*.xlsx")+`"`)
	})
	t.Run("fn error stops Each", func(t *testing.T) {
		t.Parallel()
		stop := errors.New("stop")
		bt := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: a})[0]
		if err := bt.Each(context.Background(), func(Record) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("Each = %v, want the fn error", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		bt := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: a})[0]
		if err := bt.Each(ctx, func(Record) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("Each = %v, want context.Canceled", err)
		}
	})
}

func TestURLSource(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile(filepath.Join("testdata", "groups-utf8-bom-semicolon.csv"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/export/bao-cao-dong-xuan.csv", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) })
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, _ *http.Request) {
		// Flushing first means no Content-Length: the cap must hold while reading.
		_, _ = w.Write(body[:10])
		w.(http.Flusher).Flush()
		_, _ = w.Write(body[10:])
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := func(path string) FileConfig {
		return FileConfig{Name: "groups", Entity: CooperativeGroups, Kind: KindCSV, URL: srv.URL + path}
	}

	t.Run("200", func(t *testing.T) {
		t.Parallel()
		c := cfg("/export/bao-cao-dong-xuan.csv?token=s3cret")
		c.FileNamePattern = "bao-cao-{district}.csv"
		batches := batchesOf(t, c)
		if len(batches) != 1 {
			t.Fatalf("got %d batches, want 1", len(batches))
		}
		sum := sha256.Sum256(body)
		// The location is shown to people: the token never is.
		shown := strings.Replace(c.URL, "token=s3cret", "token=xxxxx", 1)
		want := BatchInfo{Source: "groups", Entity: CooperativeGroups, Location: shown, ContentHash: hex.EncodeToString(sum[:]), District: "dong-xuan", Title: groupsTitle, Headers: groupsHeaders, Complete: true}
		assertEqual(t, "info", batches[0].Info(), want)
		assertEqual(t, "records", readAll(t, batches[0]), groupsRecords(shown))

		tmp := batches[0].(*fileBatch).tempFile
		if err := batches[0].(io.Closer).Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temp file %s still there after Close: %v", tmp, err)
		}
	})

	failures := []struct {
		name, path string
		maxBytes   int64
		timeout    time.Duration
		want       []string
	}{
		{"404", "/missing?token=s3cret", 0, 0, []string{"download " + srv.URL + "/missing?token=xxxxx", "HTTP status 404 Not Found"}},
		{"over the cap with Content-Length", "/big", 100, 0, []string{srv.URL + "/big", "larger than the 100-byte cap (max_bytes)"}},
		{"over the cap while reading", "/big-chunked", 100, 0, []string{srv.URL + "/big-chunked", "larger than the 100-byte cap"}},
		{"timeout", "/slow", 0, 50 * time.Millisecond, []string{srv.URL + "/slow", "Timeout"}},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := cfg(tt.path)
			c.MaxBytes, c.Timeout = tt.maxBytes, tt.timeout
			src, err := NewFileSource(c)
			if err != nil {
				t.Fatal(err)
			}
			batches, err := src.Batches(context.Background())
			if batches != nil {
				t.Errorf("got batches %v, want none", batches)
			}
			assertErrorContains(t, err, tt.want...)
			if strings.Contains(fmt.Sprint(err), "s3cret") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}
