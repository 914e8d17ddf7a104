package sources

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// apiServer is an httptest server that remembers the requests it saw.
type apiServer struct {
	*httptest.Server
	mu      sync.Mutex
	queries []url.Values
}

func newAPIServer(t *testing.T, handler http.HandlerFunc) *apiServer {
	t.Helper()
	s := &apiServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.queries = append(s.queries, r.URL.Query())
		s.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns how many requests the server saw.
func (s *apiServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queries)
}

// query returns the query of the i-th request (0-based).
func (s *apiServer) query(i int) url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[i]
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// testCoops are the records the fake APIs serve, in order.
func testCoops() []map[string]any {
	names := []string{"HTX Hòa An", "HTX Sông Cầu", "HTX An Ninh", "HTX Xuân Lộc", "HTX Tuy An"}
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = map[string]any{"id": i + 1, "name": n, "updated_at": fmt.Sprintf("2026-03-0%dT08:00:00Z", i+2)}
	}
	return out
}

// window returns the test records from index from, at most n of them.
func window(from, n int) []map[string]any {
	all := testCoops()
	from = min(from, len(all))
	return all[from:min(from+n, len(all))]
}

func intParam(r *http.Request, name string, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return n
	}
	return def
}

func testAPIConfig(u string) APIConfig {
	return APIConfig{
		Name:        "hx-api",
		Entity:      Cooperatives,
		URL:         u,
		BackoffBase: 10 * time.Millisecond,
		BackoffMax:  50 * time.Millisecond,
	}
}

// pullAPI runs one pull of cfg and reads its only batch.
func pullAPI(t *testing.T, ctx context.Context, cfg APIConfig, cursors CursorReader) (BatchInfo, []Record, error) {
	t.Helper()
	src, err := NewAPISource(cfg, cursors)
	if err != nil {
		t.Fatalf("NewAPISource: %v", err)
	}
	batches, err := src.Batches(ctx)
	if err != nil {
		return BatchInfo{}, nil, err
	}
	if len(batches) != 1 {
		t.Fatalf("got %d batches, want 1", len(batches))
	}
	return batches[0].Info(), readAll(t, batches[0]), nil
}

// names lists the "name" field of each record, checking that rows count up from 1.
func names(t *testing.T, recs []Record) []string {
	t.Helper()
	var out []string
	for i, r := range recs {
		if r.Loc.Row != i+1 {
			t.Errorf("record %d: row %d, want %d", i, r.Loc.Row, i+1)
		}
		out = append(out, r.Fields["name"].Value)
	}
	return out
}

var allTestNames = []string{"HTX Hòa An", "HTX Sông Cầu", "HTX An Ninh", "HTX Xuân Lộc", "HTX Tuy An"}

func TestAPIPagination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		path         string
		pagination   APIPagination
		recordsPath  string
		handler      http.HandlerFunc
		wantRequests int
	}{
		{
			name: "no pagination", path: "/coops",
			handler:      func(w http.ResponseWriter, r *http.Request) { writeJSON(w, testCoops()) },
			wantRequests: 1,
		},
		{
			name: "page numbers with total_pages", path: "/coops",
			pagination:  APIPagination{Kind: PaginatePage, Size: 2, TotalPagesPath: "meta.total_pages"},
			recordsPath: "data",
			handler: func(w http.ResponseWriter, r *http.Request) {
				page, size := intParam(r, "page", -1), intParam(r, "page_size", -1)
				writeJSON(w, map[string]any{"data": window((page-1)*size, size), "meta": map[string]any{"total_pages": 3}})
			},
			wantRequests: 3,
		},
		{
			name: "page numbers until an empty page, custom params from 0", path: "/coops",
			pagination:  APIPagination{Kind: PaginatePage, PageParam: "p", SizeParam: "n", Size: 2, StartPage: 0},
			recordsPath: "data",
			handler: func(w http.ResponseWriter, r *http.Request) {
				page, size := intParam(r, "p", -1), intParam(r, "n", -1)
				writeJSON(w, map[string]any{"data": window((page-1)*size, size)})
			},
			wantRequests: 4, // 2 + 2 + 1 + empty
		},
		{
			name: "offset and limit", path: "/coops",
			pagination: APIPagination{Kind: PaginateOffset, Size: 2},
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, window(intParam(r, "offset", -1), intParam(r, "limit", -1)))
			},
			wantRequests: 4,
		},
		{
			name: "next link, absolute URL", path: "/coops",
			pagination:  APIPagination{Kind: PaginateNext, NextPath: "links.next"},
			recordsPath: "data",
			handler: func(w http.ResponseWriter, r *http.Request) {
				after := intParam(r, "after", 0)
				body := map[string]any{"data": window(after, 2), "links": map[string]any{"next": nil}}
				if after+2 < 5 {
					body["links"] = map[string]any{"next": fmt.Sprintf("http://%s/coops?after=%d", r.Host, after+2)}
				}
				writeJSON(w, body)
			},
			wantRequests: 3,
		},
		{
			name: "next link, relative", path: "/api/coops",
			pagination: APIPagination{Kind: PaginateNext, NextPath: "next"},
			handler: func(w http.ResponseWriter, r *http.Request) {
				after := intParam(r, "after", 0)
				body := map[string]any{"results": window(after, 2)}
				if after+2 < 5 {
					body["next"] = fmt.Sprintf("coops?after=%d", after+2)
				}
				writeJSON(w, body)
			},
			recordsPath:  "results",
			wantRequests: 3,
		},
		{
			name: "next cursor token", path: "/coops",
			pagination:  APIPagination{Kind: PaginateNext, NextPath: "next_cursor", CursorParam: "cursor", SizeParam: "limit", Size: 2},
			recordsPath: "items",
			handler: func(w http.ResponseWriter, r *http.Request) {
				from := 0
				if c := r.URL.Query().Get("cursor"); c != "" {
					from, _ = strconv.Atoi(strings.TrimPrefix(c, "c"))
				}
				n := intParam(r, "limit", -1)
				body := map[string]any{"items": window(from, n), "next_cursor": ""}
				if from+n < 5 {
					body["next_cursor"] = fmt.Sprintf("c%d", from+n)
				}
				writeJSON(w, body)
			},
			wantRequests: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newAPIServer(t, tt.handler)
			cfg := testAPIConfig(srv.URL + tt.path)
			cfg.Pagination = tt.pagination
			cfg.RecordsPath = tt.recordsPath
			info, recs, err := pullAPI(t, t.Context(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "names", names(t, recs), allTestNames)
			assertEqual(t, "requests", srv.requests(), tt.wantRequests)
			if info.Source != "hx-api" || info.Entity != Cooperatives || !strings.HasPrefix(info.Location, srv.URL+tt.path) {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestAPIPaginationStops(t *testing.T) {
	t.Parallel()
	t.Run("max_pages", func(t *testing.T) {
		t.Parallel()
		srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, window(0, 1)) })
		cfg := testAPIConfig(srv.URL)
		cfg.Pagination = APIPagination{Kind: PaginatePage}
		cfg.MaxPages = 3
		_, _, err := pullAPI(t, t.Context(), cfg, nil)
		assertErrorContains(t, err, "stopped after 3 pages (max_pages)")
		assertEqual(t, "requests", srv.requests(), 3)
	})
	t.Run("next link that loops", func(t *testing.T) {
		t.Parallel()
		srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"data": window(0, 1), "next": "/coops?page=2"})
		})
		cfg := testAPIConfig(srv.URL + "/coops")
		cfg.RecordsPath = "data"
		cfg.Pagination = APIPagination{Kind: PaginateNext, NextPath: "next"}
		_, _, err := pullAPI(t, t.Context(), cfg, nil)
		assertErrorContains(t, err, "the next page is one already read")
		assertEqual(t, "requests", srv.requests(), 2)
	})
	t.Run("next link to another host", func(t *testing.T) {
		t.Parallel()
		srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"data": window(0, 1), "next": "https://elsewhere.example/coops?page=2"})
		})
		cfg := testAPIConfig(srv.URL + "/coops")
		cfg.RecordsPath = "data"
		cfg.Pagination = APIPagination{Kind: PaginateNext, NextPath: "next"}
		_, _, err := pullAPI(t, t.Context(), cfg, nil)
		assertErrorContains(t, err, "leads to another host (https://elsewhere.example)")
	})
	t.Run("total_pages_path missing", func(t *testing.T) {
		t.Parallel()
		srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"data": window(0, 1)})
		})
		cfg := testAPIConfig(srv.URL)
		cfg.RecordsPath = "data"
		cfg.Pagination = APIPagination{Kind: PaginatePage, TotalPagesPath: "meta.pages"}
		_, _, err := pullAPI(t, t.Context(), cfg, nil)
		assertErrorContains(t, err, `total_pages_path "meta.pages" is not in the response`)
	})
}

func TestAPIRecordShape(t *testing.T) {
	t.Parallel()
	const page = `{"result": {"items": [
		{"code": "HTX-01", "name": "HTX Hòa An", "address": {"commune": {"name": "Hòa An", "code": 22015}},
		 "stats": {"members": 12, "revenue": 1.50e3}, "certified": true, "status": null,
		 "sectors": ["lúa", "rau"], "note": "a <b> & c"},
		{"name": "HTX Sông Cầu", "address": {"commune": {}}}
	]}}`
	srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	})
	cfg := testAPIConfig(srv.URL + "/v1/coops?district=dong-xuan")
	cfg.Query = map[string]string{"api_key": "k-123456"}
	cfg.RecordsPath = "result.items"
	cfg.Fields = map[string]string{
		"registration_code": "code",
		"commune":           "address.commune.name",
		"commune_code":      "address.commune.code",
		"members":           "stats.members",
		"revenue":           "stats.revenue",
		"rating":            "certified",
		"sector":            "sectors",
		"extra_note":        "note",
	}
	info, recs, err := pullAPI(t, t.Context(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := srv.URL + "/v1/coops?api_key=xxxxx&district=dong-xuan"
	cell := func(path, value string) Cell { return Cell{Column: path, Header: path, Value: value} }
	want := []Record{
		{
			Loc: Location{Source: "hx-api", File: file, Row: 1},
			Fields: map[string]Cell{
				"registration_code": cell("code", "HTX-01"),
				"name":              cell("name", "HTX Hòa An"),
				"commune":           cell("address.commune.name", "Hòa An"),
				"commune_code":      cell("address.commune.code", "22015"),
				"members":           cell("stats.members", "12"),
				"revenue":           cell("stats.revenue", "1.50e3"),
				"rating":            cell("certified", "true"),
				"status":            cell("status", ""),
				"sector":            cell("sectors", `["lúa","rau"]`),
				"extra_note":        cell("note", "a <b> & c"),
			},
			Raw: []string{`{"address":{"commune":{"code":22015,"name":"Hòa An"}},"certified":true,"code":"HTX-01","name":"HTX Hòa An","note":"a <b> & c","sectors":["lúa","rau"],"stats":{"members":12,"revenue":1.50e3},"status":null}`},
		},
		{
			Loc:    Location{Source: "hx-api", File: file, Row: 2},
			Fields: map[string]Cell{"name": cell("name", "HTX Sông Cầu")},
			Raw:    []string{`{"address":{"commune":{}},"name":"HTX Sông Cầu"}`},
		},
	}
	assertEqual(t, "records", recs, want)
	assertEqual(t, "location", info.Location, file)
	assertEqual(t, "header of commune", info.Headers["commune"], "address.commune.name")
	sum := sha256.Sum256([]byte("[" + want[0].Raw[0] + "," + want[1].Raw[0] + "]"))
	assertEqual(t, "content hash", info.ContentHash, hex.EncodeToString(sum[:]))
	if got := srv.query(0).Get("api_key"); got != "k-123456" {
		t.Errorf("server saw api_key %q", got)
	}
}

func TestAPIAuth(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		AuthBearer: "Bearer tok-good",
		AuthBasic:  "Basic " + base64.StdEncoding.EncodeToString([]byte("hx:pw-good")),
	}
	tests := []struct {
		name    string
		auth    APIAuth
		wantErr string // "" for success
	}{
		{"bearer", APIAuth{Kind: AuthBearer, Token: "tok-good"}, ""},
		{"bearer, wrong token", APIAuth{Kind: AuthBearer, Token: "tok-bad"}, "401 Unauthorized: check the token (auth.token / token_file)"},
		{"basic", APIAuth{Kind: AuthBasic, Username: "hx", Password: "pw-good"}, ""},
		{"basic, wrong password", APIAuth{Kind: AuthBasic, Username: "hx", Password: "pw-bad"}, "401 Unauthorized: check the username and password (auth.username / auth.password)"},
		{"named header", APIAuth{Kind: AuthHeader, Header: "X-API-Key", Value: "key-good"}, ""},
		{"named header, wrong value", APIAuth{Kind: AuthHeader, Header: "X-API-Key", Value: "key-bad"}, "401 Unauthorized: check the X-API-Key header value (auth.value)"},
		{"no auth", APIAuth{}, "401 Unauthorized: the API wants credentials; configure auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
				ok := r.Header.Get("Authorization") == good[tt.auth.Kind] && r.Header.Get("Authorization") != ""
				if tt.auth.Kind == AuthHeader {
					ok = r.Header.Get("X-API-Key") == "key-good"
				}
				if !ok {
					http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
					return
				}
				writeJSON(w, testCoops())
			})
			cfg := testAPIConfig(srv.URL + "/coops")
			cfg.Auth = tt.auth
			_, recs, err := pullAPI(t, t.Context(), cfg, nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				assertEqual(t, "names", names(t, recs), allTestNames)
				return
			}
			assertErrorContains(t, err, fmt.Sprintf(`api source "hx-api": %s/coops: %s`, srv.URL, tt.wantErr))
			assertEqual(t, "requests", srv.requests(), 1)
		})
	}
}

func TestAPIRetries(t *testing.T) {
	t.Parallel()
	// failFirst answers the first n requests with status (and header, if any), then the records.
	failFirst := func(n, status int, header ...string) http.HandlerFunc {
		var mu sync.Mutex
		seen := 0
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen++
			fail := seen <= n
			mu.Unlock()
			if fail {
				for i := 0; i+1 < len(header); i += 2 {
					w.Header().Set(header[i], header[i+1])
				}
				http.Error(w, "busy, try later", status)
				return
			}
			writeJSON(w, testCoops())
		}
	}
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		change       func(*APIConfig)
		wantErr      []string
		wantRequests int
		minElapsed   time.Duration
	}{
		{name: "transient 503", handler: failFirst(1, http.StatusServiceUnavailable), wantRequests: 2},
		{name: "three 502s", handler: failFirst(3, http.StatusBadGateway), wantRequests: 4},
		{
			name:    "429 with Retry-After in seconds",
			handler: failFirst(1, http.StatusTooManyRequests, "Retry-After", "1"),
			change: func(c *APIConfig) {
				c.BackoffBase, c.BackoffMax = 0, 0 // defaults: the cap must not cut the 1s
			},
			wantRequests: 2,
			minElapsed:   950 * time.Millisecond,
		},
		{
			name:         "Retry-After capped at backoff_max",
			handler:      failFirst(2, http.StatusTooManyRequests, "Retry-After", "3600"),
			wantRequests: 3,
		},
		{
			name:         "Retry-After as an HTTP date",
			handler:      failFirst(1, http.StatusServiceUnavailable, "Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)),
			wantRequests: 2,
		},
		{
			name:         "permanent 500",
			handler:      failFirst(1000, http.StatusInternalServerError),
			change:       func(c *APIConfig) { c.MaxRetries = 3 },
			wantErr:      []string{"500 Internal Server Error: busy, try later (after 4 attempts)"},
			wantRequests: 4,
		},
		{
			name:         "404 fails at once with an excerpt",
			handler:      failFirst(1000, http.StatusNotFound),
			wantErr:      []string{"404 Not Found: busy, try later"},
			wantRequests: 1,
		},
		{
			name:         "403 fails at once",
			handler:      failFirst(1000, http.StatusForbidden),
			change:       func(c *APIConfig) { c.Auth = APIAuth{Kind: AuthBearer, Token: "t0ken"} },
			wantErr:      []string{"403 Forbidden: check that the token (auth.token / token_file) may read this resource"},
			wantRequests: 1,
		},
		{
			name: "timeouts are retried",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(2 * time.Second):
				}
			},
			change:       func(c *APIConfig) { c.Timeout, c.MaxRetries = 50*time.Millisecond, 1 },
			wantErr:      []string{"no complete response within 50ms (timeout) (after 2 attempts)"},
			wantRequests: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newAPIServer(t, tt.handler)
			cfg := testAPIConfig(srv.URL + "/coops")
			if tt.change != nil {
				tt.change(&cfg)
			}
			start := time.Now()
			_, recs, err := pullAPI(t, t.Context(), cfg, nil)
			elapsed := time.Since(start)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				assertEqual(t, "names", names(t, recs), allTestNames)
			} else {
				assertErrorContains(t, err, tt.wantErr...)
			}
			assertEqual(t, "requests", srv.requests(), tt.wantRequests)
			if elapsed < tt.minElapsed {
				t.Errorf("pull took %s, want at least %s", elapsed, tt.minElapsed)
			}
		})
	}
}

func TestAPIWaitChecksContext(t *testing.T) {
	t.Parallel()
	srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	cfg := testAPIConfig(srv.URL)
	cfg.BackoffMax = time.Hour
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, _, err := pullAPI(t, ctx, cfg, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	assertEqual(t, "requests", srv.requests(), 1)
}

// fixedCursor is a CursorReader that always returns its value.
type fixedCursor string

func (c fixedCursor) SourceCursor(_ context.Context, source string) (string, error) {
	if source != "hx-api" {
		return "", fmt.Errorf("asked for the cursor of %q", source)
	}
	return string(c), nil
}

func TestAPIIncremental(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		stored     string
		updated    []string // updated_at of the records served
		wantSent   string   // "" means the param is not sent
		wantCursor string
	}{
		{
			name:       "stored cursor sent, max updated_at returned",
			stored:     "2026-03-01T00:00:00Z",
			updated:    []string{"2026-03-02T08:00:00Z", "2026-03-05T04:00:00Z", "2026-03-05T10:00:00+07:00", "2026-03-03T00:00:00Z"},
			wantSent:   "2026-03-01T00:00:00Z",
			wantCursor: "2026-03-05T04:00:00Z", // later than 10:00+07:00, which sorts later as a string
		},
		{
			name:       "no stored cursor: full pull",
			updated:    []string{"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
			wantCursor: "2026-02-01T00:00:00Z",
		},
		{
			name:       "no records keep the stored cursor",
			stored:     "2026-03-01T00:00:00Z",
			wantSent:   "2026-03-01T00:00:00Z",
			wantCursor: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
				recs := []map[string]any{}
				for i, u := range tt.updated {
					recs = append(recs, map[string]any{"id": i, "meta": map[string]any{"updated_at": u}})
				}
				writeJSON(w, map[string]any{"data": recs})
			})
			cfg := testAPIConfig(srv.URL)
			cfg.RecordsPath = "data"
			cfg.Incremental = APIIncremental{Param: "updated_since", Field: "meta.updated_at"}
			info, recs, err := pullAPI(t, t.Context(), cfg, fixedCursor(tt.stored))
			if err != nil {
				t.Fatal(err)
			}
			q := srv.query(0)
			assertEqual(t, "param sent", q.Has("updated_since"), tt.wantSent != "")
			assertEqual(t, "updated_since", q.Get("updated_since"), tt.wantSent)
			assertEqual(t, "cursor", info.Cursor, tt.wantCursor)
			assertEqual(t, "records", len(recs), len(tt.updated))
		})
	}
}

func TestLaterCursor(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b, want string }{
		{"", "x", "x"},
		{"x", "", "x"},
		{"2026-03-05T10:00:00+07:00", "2026-03-05T04:00:00Z", "2026-03-05T04:00:00Z"},
		{"2026-03-05T04:00:00.5Z", "2026-03-05T04:00:00Z", "2026-03-05T04:00:00.5Z"},
		{"2026-03-05T04:00:00Z", "2026-03-05T11:00:00+07:00", "2026-03-05T04:00:00Z"}, // tie keeps the first
		{"1709251200", "1709337600", "1709337600"},
		{"2026-03-05", "2026-03-06", "2026-03-06"},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			t.Parallel()
			assertEqual(t, "later", laterCursor(tt.a, tt.b), tt.want)
		})
	}
}

func TestAPIContentHash(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"a":          `[{"id":1,"name":"HTX Hòa An"},{"id":2,"name":"HTX Sông Cầu"}]`,
		"a reformat": "[ {\"name\": \"HTX Hòa An\",\n \"id\": 1},\n {\"name\":\"HTX Sông Cầu\",\"id\":2} ]",
		"b":          `[{"id":1,"name":"HTX Hòa An"},{"id":2,"name":"HTX Sông Cầu (giải thể)"}]`,
		"reordered":  `[{"id":2,"name":"HTX Sông Cầu"},{"id":1,"name":"HTX Hòa An"}]`,
	}
	srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(bodies[r.URL.Query().Get("v")]))
	})
	hash := func(v string) string {
		t.Helper()
		info, _, err := pullAPI(t, t.Context(), testAPIConfig(srv.URL+"?v="+url.QueryEscape(v)), nil)
		if err != nil {
			t.Fatal(err)
		}
		return info.ContentHash
	}
	first := hash("a")
	assertEqual(t, "second identical pull", hash("a"), first)
	assertEqual(t, "same records, other spacing and key order", hash("a reformat"), first)
	if hash("b") == first {
		t.Error("a changed record gives the same hash")
	}
	if hash("reordered") == first {
		t.Error("reordered records give the same hash")
	}
}

func TestAPIBadResponses(t *testing.T) {
	t.Parallel()
	big := `[{"name":"` + strings.Repeat("x", 300) + `"}]`
	tests := []struct {
		name    string
		handler http.HandlerFunc
		change  func(*APIConfig)
		wantErr []string
	}{
		{
			name: "over max_bytes, length known",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				_, _ = w.Write([]byte(big))
			},
			change:  func(c *APIConfig) { c.MaxBytes = 100 },
			wantErr: []string{"/coops: the response is larger than the 100-byte cap (max_bytes)"},
		},
		{
			name: "over max_bytes, streamed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				for i := range 10 {
					_, _ = w.Write([]byte(big[i*30 : (i+1)*30]))
					w.(http.Flusher).Flush()
				}
			},
			change:  func(c *APIConfig) { c.MaxBytes = 100 },
			wantErr: []string{"/coops: the response is larger than the 100-byte cap (max_bytes)"},
		},
		{
			name: "not JSON",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write([]byte("<html>maintenance</html>"))
			},
			wantErr: []string{`/coops: the response is not JSON (content type "text/html; charset=utf-8")`},
		},
		{
			name:    "records path missing",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, map[string]any{"items": []any{}}) },
			change:  func(c *APIConfig) { c.RecordsPath = "data" },
			wantErr: []string{`records_path "data" is not in the response`},
		},
		{
			name:    "records path not an array",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, map[string]any{"data": map[string]any{}}) },
			change:  func(c *APIConfig) { c.RecordsPath = "data" },
			wantErr: []string{`records_path "data" is an object, not an array`},
		},
		{
			name:    "record not an object",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, []any{map[string]any{}, "x"}) },
			wantErr: []string{"record 2 of the page is a string, not an object"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newAPIServer(t, tt.handler)
			cfg := testAPIConfig(srv.URL + "/coops")
			if tt.change != nil {
				tt.change(&cfg)
			}
			_, _, err := pullAPI(t, t.Context(), cfg, nil)
			assertErrorContains(t, err, tt.wantErr...)
			assertEqual(t, "requests", srv.requests(), 1)
		})
	}
}

// TestAPISecretsNeverShown forces every error path with credentials that the server echoes
// back wherever it can, and checks that no error and no location shows them.
func TestAPISecretsNeverShown(t *testing.T) {
	t.Parallel()
	const secret = "S3KR1T-zq9"
	basic := base64.StdEncoding.EncodeToString([]byte("hx:" + secret))
	// echo writes everything the request carried into a body.
	echo := func(r *http.Request) string {
		return fmt.Sprintf("you sent %s %v %s", r.URL, r.Header, secret)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	paths := []struct {
		name    string
		handler http.HandlerFunc
		change  func(*APIConfig)
		url     string // instead of the test server's
	}{
		{name: "401", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, echo(r), http.StatusUnauthorized) }},
		{name: "403", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, echo(r), http.StatusForbidden) }},
		{name: "404 excerpt", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, echo(r), http.StatusNotFound) }},
		{name: "500 excerpt after retries", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, echo(r), http.StatusInternalServerError) }},
		{name: "429 after retries", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			http.Error(w, echo(r), http.StatusTooManyRequests)
		}},
		{name: "too big", handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(strings.Repeat(echo(r), 100))) },
			change: func(c *APIConfig) { c.MaxBytes = 200 }},
		{name: "not JSON", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; token="+secret)
			_, _ = w.Write([]byte(echo(r)))
		}},
		{name: "timeout", handler: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			change: func(c *APIConfig) { c.Timeout = 20 * time.Millisecond }},
		{name: "connection refused", url: closed.URL},
		{name: "redirect to another host", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://localhost:1/steal?token="+secret, http.StatusFound)
		}},
		{name: "next link to another host", handler: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"data": []any{}, "next": "http://" + secret + ".example/x?key=" + secret})
		}, change: func(c *APIConfig) {
			c.RecordsPath = "data"
			c.Pagination = APIPagination{Kind: PaginateNext, NextPath: "next"}
		}},
		{name: "records path missing", handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, map[string]any{"x": echo(r)}) },
			change: func(c *APIConfig) { c.RecordsPath = "data" }},
		{name: "bad total pages", handler: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"data": []any{map[string]any{}}, "pages": echo(r)})
		}, change: func(c *APIConfig) {
			c.RecordsPath = "data"
			c.Pagination = APIPagination{Kind: PaginatePage, TotalPagesPath: "pages"}
		}},
		{name: "success", handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, []any{map[string]any{"name": "ok"}}) }},
	}
	auths := []APIAuth{
		{Kind: AuthBearer, Token: secret},
		{Kind: AuthBasic, Username: "hx", Password: secret},
		{Kind: AuthHeader, Header: "X-Api-Key", Value: secret},
	}
	for _, p := range paths {
		for _, auth := range auths {
			t.Run(p.name+"/"+auth.Kind, func(t *testing.T) {
				t.Parallel()
				base := p.url
				if base == "" {
					base = newAPIServer(t, p.handler).URL
				}
				cfg := testAPIConfig(base + "/coops?access_token=" + secret)
				cfg.Auth = auth
				cfg.Query = map[string]string{"api_key": secret, "district": "dong-xuan"}
				cfg.Headers = map[string]string{"Authorization-Extra": secret}
				cfg.MaxRetries = 1
				if p.change != nil {
					p.change(&cfg)
				}
				info, recs, err := pullAPI(t, t.Context(), cfg, nil)
				shown := []string{info.Location}
				for _, r := range recs {
					shown = append(shown, r.Loc.File, r.Loc.String())
				}
				if p.name == "success" {
					if err != nil {
						t.Fatal(err)
					}
					if len(recs) != 1 {
						t.Fatalf("got %d records", len(recs))
					}
				} else {
					if err == nil {
						t.Fatal("got no error")
					}
					t.Log(err)
					shown = append(shown, err.Error())
				}
				for _, s := range shown {
					if strings.Contains(s, secret) || strings.Contains(s, basic) {
						t.Errorf("secret shown in %q", s)
					}
				}
			})
		}
	}

	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		cfg := APIConfig{Name: "x", URL: "ftp://hx:" + secret + "@example.org/?token=" + secret, Auth: APIAuth{Token: secret, Password: secret, Value: secret}}
		err := cfg.Validate()
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("Validate() = %v", err)
		}
	})
}

func TestAPIValidate(t *testing.T) {
	t.Parallel()
	valid := APIConfig{Name: "hx", Entity: Cooperatives, URL: "https://api.example.org/v1/coops"}
	tests := []struct {
		name   string
		change func(*APIConfig)
		want   []string // one entry per expected problem; nil: valid
	}{
		{"valid minimal", func(*APIConfig) {}, nil},
		{"valid full", func(c *APIConfig) {
			c.Auth = APIAuth{Kind: AuthHeader, Header: "X-API-Key", Value: "k"}
			c.Headers = map[string]string{"Accept-Language": "vi"}
			c.Query = map[string]string{"district": "dong-xuan"}
			c.RecordsPath = "result.items"
			c.Fields = map[string]string{"commune": "address.commune.name"}
			c.Pagination = APIPagination{Kind: PaginatePage, Size: 50, StartPage: 0, TotalPagesPath: "meta.total_pages"}
			c.Incremental = APIIncremental{Param: "updated_since", Field: "updated_at"}
			c.Timeout, c.MaxRetries, c.BackoffBase, c.BackoffMax = time.Second, 2, time.Millisecond, time.Second
		}, nil},
		{"valid next with cursor", func(c *APIConfig) {
			c.Pagination = APIPagination{Kind: PaginateNext, NextPath: "next_cursor", CursorParam: "cursor", SizeParam: "limit"}
		}, nil},
		{"missing name", func(c *APIConfig) { c.Name = "" }, []string{"name: is required"}},
		{"bad entity", func(c *APIConfig) { c.Entity = "farms" }, []string{`entity: "farms" is not one of`}},
		{"no url", func(c *APIConfig) { c.URL = "" }, []string{"url: is required"}},
		{"ftp url, token hidden", func(c *APIConfig) { c.URL = "ftp://example.org/x?token=s3cret&page=1" }, []string{`url: "ftp://example.org/x?page=1&token=xxxxx" is not an http(s) URL`}},
		{"bad auth kind", func(c *APIConfig) { c.Auth.Kind = "oauth" }, []string{`auth.kind: "oauth" is not one of "bearer", "basic", "header"`}},
		{"bearer without token", func(c *APIConfig) { c.Auth.Kind = AuthBearer }, []string{`auth.token: is required for auth kind "bearer"`}},
		{"basic without username", func(c *APIConfig) { c.Auth = APIAuth{Kind: AuthBasic, Password: "p"} }, []string{`auth.username: is required for auth kind "basic"`}},
		{"header without name or value", func(c *APIConfig) { c.Auth.Kind = AuthHeader }, []string{"auth.header: is required", "auth.value: is required"}},
		{"header with a bad name", func(c *APIConfig) { c.Auth = APIAuth{Kind: AuthHeader, Header: "X Key", Value: "v"} }, []string{`auth.header: "X Key" is not a valid header name`}},
		{"token without kind", func(c *APIConfig) { c.Auth.Token = "t" }, []string{`auth.token: does not apply to auth kind ""`}},
		{"password with bearer", func(c *APIConfig) { c.Auth = APIAuth{Kind: AuthBearer, Token: "t", Password: "p"} }, []string{`auth.password: does not apply to auth kind "bearer"`}},
		{"bad header", func(c *APIConfig) { c.Headers = map[string]string{"A:B": "v"} }, []string{`headers: "A:B" is not a valid header name`}},
		{"bad paths", func(c *APIConfig) {
			c.RecordsPath = "data..items"
			c.Fields = map[string]string{"commune": "address.", "name": ""}
		}, []string{`records_path: "data..items" has an empty segment`, `fields: field "commune": path "address." has an empty segment`, `fields: field "name" has no path`}},
		{"bad pagination kind", func(c *APIConfig) { c.Pagination.Kind = "cursor" }, []string{`pagination.kind: "cursor" is not one of`}},
		{"next without next_path", func(c *APIConfig) { c.Pagination.Kind = PaginateNext }, []string{`pagination.next_path: is required for pagination kind "next"`}},
		{"options of another kind", func(c *APIConfig) {
			c.Pagination = APIPagination{Kind: PaginateOffset, TotalPagesPath: "meta.pages", CursorParam: "c", StartPage: 2}
		}, []string{`pagination.total_pages_path: only applies to pagination kind "page"`, `pagination.cursor_param: only applies to pagination kind "next"`, `pagination.start_page: only applies to pagination kind "page"`}},
		{"query clashes with page param", func(c *APIConfig) {
			c.Pagination.Kind = PaginatePage
			c.Query = map[string]string{"page": "1"}
		}, []string{`query: "page" is also pagination.page_param`}},
		{"half incremental", func(c *APIConfig) { c.Incremental.Param = "since" }, []string{"incremental: give both param and field, or neither"}},
		{"negative numbers", func(c *APIConfig) {
			c.Timeout, c.MaxRetries, c.MaxBytes, c.MaxPages, c.Pagination.Size = -1, -1, -1, -1, -1
		}, []string{"pagination.size: must not be negative", "timeout: must not be negative", "max_retries: must not be negative", "max_bytes: must not be negative", "max_pages: must not be negative"}},
		{"backoff max below base", func(c *APIConfig) { c.BackoffBase, c.BackoffMax = time.Second, time.Millisecond }, []string{"backoff_max: 1ms is less than backoff_base 1s"}},
		{"everything wrong at once", func(c *APIConfig) { *c = APIConfig{Pagination: APIPagination{Kind: "x"}} }, []string{"name:", "entity:", "url:", "pagination.kind:"}},
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
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("api source %q: ", cfg.Name)) {
				t.Errorf("error %q does not start with the source", err)
			}
			if _, nerr := NewAPISource(cfg, nil); nerr == nil || nerr.Error() != err.Error() {
				t.Errorf("NewAPISource error = %v, want the Validate error", nerr)
			}
		})
	}
	t.Run("incremental needs a cursor store", func(t *testing.T) {
		t.Parallel()
		cfg := valid
		cfg.Incremental = APIIncremental{Param: "since", Field: "updated_at"}
		_, err := NewAPISource(cfg, nil)
		assertErrorContains(t, err, `api source "hx": incremental: needs a cursor store`)
	})
}

func TestJSONText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, json, want string }{
		{"string", `"Hòa An"`, "Hòa An"},
		{"integer", `22015`, "22015"},
		{"number literal kept", `1.50e3`, "1.50e3"},
		{"big integer", `12345678901234567890`, "12345678901234567890"},
		{"true", `true`, "true"},
		{"false", `false`, "false"},
		{"null", `null`, ""},
		{"array", `[1, "a", null]`, `[1,"a",null]`},
		{"object sorted", `{"b": 1, "a": {"d": "<x>", "c": []}}`, `{"a":{"c":[],"d":"<x>"},"b":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := decodeJSON([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "text", jsonText(v), tt.want)
		})
	}
}

func TestLookupPath(t *testing.T) {
	t.Parallel()
	doc, err := decodeJSON([]byte(`{"a": {"b": [{"c": 1}, {"c": null}]}, "x": "y"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		want   string
		wantOK bool
	}{
		{"x", "y", true},
		{"a.b.0.c", "1", true},
		{"a.b.1.c", "", true},
		{"a.b.2.c", "", false},
		{"a.b.first", "", false},
		{"x.y", "", false},
		{"missing", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			v, ok := lookupPath(doc, tt.path)
			assertEqual(t, "found", ok, tt.wantOK)
			assertEqual(t, "value", jsonText(v), tt.want)
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	base, limit := 100*time.Millisecond, time.Second
	for attempt, want := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		want *= time.Millisecond
		for range 20 {
			if d := backoff(base, limit, attempt); d < want/2 || d > want {
				t.Errorf("backoff(attempt %d) = %s, want within [%s, %s]", attempt, d, want/2, want)
			}
		}
	}
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{{"", 0}, {"2", 2 * time.Second}, {"-1", 0}, {"soon", 0}, {"Wed, 21 Oct 2015 07:28:00 GMT", 0}} {
		assertEqual(t, "retryAfter("+tt.header+")", retryAfter(tt.header), tt.want)
	}
}

func TestAPISameHostRedirectKeepsCredentials(t *testing.T) {
	t.Parallel()
	srv := newAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/old":
			http.Redirect(w, r, "/coops", http.StatusMovedPermanently)
		case r.Header.Get("X-API-Key") != "key-good":
			http.Error(w, "no key", http.StatusUnauthorized)
		default:
			writeJSON(w, testCoops())
		}
	})
	cfg := testAPIConfig(srv.URL + "/old")
	cfg.Auth = APIAuth{Kind: AuthHeader, Header: "X-API-Key", Value: "key-good"}
	_, recs, err := pullAPI(t, t.Context(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "names", names(t, recs), allTestNames)
	assertEqual(t, "requests", srv.requests(), 2)
}
