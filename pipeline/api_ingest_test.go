package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/sources"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

const (
	hgToken  = "hg-secret-token-4f1c9a"
	hgSource = "hg-api"
)

// hgAPI is a fake provincial cooperative registry: bearer auth, page numbers with
// meta.total_pages, records under "data", and failures on demand. Handler goroutines never
// call t: what they find wrong goes to problems, which the test checks.
type hgAPI struct {
	*httptest.Server
	mu        sync.Mutex
	records   []map[string]any // what the registry holds
	replay    []map[string]any // when set, served as is whatever updated_since says
	allAlways bool             // ignore updated_since: serve every record
	wantSince string           // the updated_since the next pull must send; "" for none
	flaky     map[int]bool     // page -> answer 503 once
	broken    int              // page that answers 500 forever; 0 for none
	requests  []hgRequest
	problems  []string
}

type hgRequest struct {
	page  int
	since string
	code  int
}

func newHGAPI(t *testing.T) *hgAPI {
	t.Helper()
	a := &hgAPI{flaky: map[int]bool{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *hgAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("page_size"))
	since := q.Get("updated_since")
	reply := func(code int, body any) {
		a.requests = append(a.requests, hgRequest{page: page, since: since, code: code})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(body)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+hgToken {
		a.problems = append(a.problems, fmt.Sprintf("page %d: Authorization %q", page, got))
		reply(http.StatusUnauthorized, map[string]any{"error": "unauthorized"})
		return
	}
	if since != a.wantSince {
		a.problems = append(a.problems, fmt.Sprintf("page %d: updated_since %q, want %q", page, since, a.wantSince))
	}
	if page < 1 || size < 1 {
		a.problems = append(a.problems, fmt.Sprintf("bad paging: page %q, page_size %q", q.Get("page"), q.Get("page_size")))
		reply(http.StatusBadRequest, map[string]any{"error": "bad paging"})
		return
	}
	if page == a.broken {
		// A careless server echoes the credential: the error we report must not.
		reply(http.StatusInternalServerError, map[string]any{"error": "database down", "auth": r.Header.Get("Authorization")})
		return
	}
	if a.flaky[page] {
		delete(a.flaky, page)
		reply(http.StatusServiceUnavailable, map[string]any{"error": "try again"})
		return
	}

	served := a.replay
	if served == nil {
		cutoff, err := time.Parse(time.RFC3339, since)
		if since != "" && err != nil {
			a.problems = append(a.problems, fmt.Sprintf("updated_since %q is not RFC 3339", since))
		}
		for _, rec := range a.records {
			if since == "" || a.allAlways || updatedAt(rec).After(cutoff) {
				served = append(served, rec)
			}
		}
	}
	total := max(1, (len(served)+size-1)/size)
	from := min((page-1)*size, len(served))
	reply(http.StatusOK, map[string]any{
		"data": served[from:min(from+size, len(served))],
		"meta": map[string]any{"page": page, "page_size": size, "total_pages": total, "total": len(served)},
	})
}

func updatedAt(rec map[string]any) time.Time {
	t, err := time.Parse(time.RFC3339, rec["updated_at"].(string))
	if err != nil {
		panic(err)
	}
	return t
}

// set changes the fake's state between pulls and forgets the requests seen so far.
func (a *hgAPI) set(fn func(a *hgAPI)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn(a)
	a.requests, a.problems = nil, nil
}

// seen returns the requests and problems of the pulls since the last set.
func (a *hgAPI) seen() ([]hgRequest, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests), slices.Clone(a.problems)
}

// hgCoop is one registry record; the commune is written as an officer typed it.
func hgCoop(code, commune, district string, members int, founded, updated string) map[string]any {
	addr := map[string]any{"commune": map[string]any{"name": commune}}
	if district != "" {
		addr["district"] = map[string]any{"name": district}
	}
	return map[string]any{
		"id":           strings.ToLower(code),
		"name":         "HTX " + code,
		"registration": map[string]any{"code": code, "date": founded},
		"address":      addr,
		"stats":        map[string]any{"members": members, "workers": members / 2},
		"updated_at":   updated,
	}
}

func hgConfig(url string) sources.APIConfig {
	return sources.APIConfig{
		Name:        hgSource,
		Entity:      sources.Cooperatives,
		URL:         url + "/v2/cooperatives",
		Auth:        sources.APIAuth{Kind: sources.AuthBearer, Token: hgToken},
		RecordsPath: "data",
		Fields: map[string]string{
			"registration_code": "registration.code",
			"founded_on":        "registration.date",
			"commune":           "address.commune.name",
			"district":          "address.district.name",
			"members":           "stats.members",
			"workers":           "stats.workers",
		},
		Pagination:  sources.APIPagination{Kind: sources.PaginatePage, Size: 3, TotalPagesPath: "meta.total_pages"},
		Incremental: sources.APIIncremental{Param: "updated_since", Field: "updated_at"},
		MaxRetries:  2,
		BackoffBase: 2 * time.Millisecond,
		BackoffMax:  10 * time.Millisecond,
	}
}

type hgCounts struct{ coops, files, rejects int }

func hgCount(t *testing.T, ctx context.Context, st *store.Store) hgCounts {
	t.Helper()
	var c hgCounts
	err := st.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM cooperatives), (SELECT count(*) FROM source_files),
		(SELECT count(*) FROM rejected_rows)`).Scan(&c.coops, &c.files, &c.rejects)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type hgRow struct {
	commune string
	members int
}

func hgRows(t *testing.T, ctx context.Context, st *store.Store) map[string]hgRow {
	t.Helper()
	rows, err := st.DB().QueryContext(ctx, `SELECT registration_code, commune_code, coalesce(members, -1) FROM cooperatives`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]hgRow{}
	for rows.Next() {
		var code string
		var r hgRow
		if err := rows.Scan(&code, &r.commune, &r.members); err != nil {
			t.Fatal(err)
		}
		out[code] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func hgCursor(t *testing.T, ctx context.Context, st *store.Store) string {
	t.Helper()
	c, err := st.SourceCursor(ctx, hgSource)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pages lists the page numbers requested, in order.
func pages(reqs []hgRequest) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = r.page
	}
	return out
}

// TestAPIIngestEndToEnd pulls a fake registry of Hậu Giang cooperatives through the real
// API source, Ingester and Postgres: a full first pull, an incremental one, one that fails
// half-way, a recovery, and replays that must change nothing. The steps build on each other.
func TestAPIIngestEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	gaz, err := gazetteer.Load(gazetteer.PreReform, "93")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveUnits(ctx, gaz.Units()); err != nil {
		t.Fatal(err)
	}
	in := &pipeline.Ingester{Store: st, Matcher: gazetteer.NewMatcher(gaz, nil), Province: gaz.Province,
		Log: slog.New(slog.DiscardHandler), Today: day(2026, 7, 2)}
	opts := pipeline.SourceOptions{MoneyFactor: 1, ScoreBands: pipeline.DefaultScoreBands}
	api := newHGAPI(t)
	src, err := sources.NewAPISource(hgConfig(api.URL), st)
	if err != nil {
		t.Fatal(err)
	}
	pull := func(t *testing.T) pipeline.SourceResult {
		t.Helper()
		res := in.Ingest(ctx, src, opts)
		_, problems := api.seen()
		for _, p := range problems {
			t.Errorf("server: %s", p)
		}
		return res
	}
	applied := func(t *testing.T, res pipeline.SourceResult) pipeline.FileResult {
		t.Helper()
		if res.Err != nil || len(res.Files) != 1 || res.Files[0].Err != nil {
			t.Fatalf("pull: source error %v, files %+v; want one applied file", res.Err, res.Files)
		}
		return res.Files[0]
	}

	// Seven records over three pages of three. The latest update (HG-006, 01:00Z) is not
	// the largest string: HG-004's "07:30+07:00" is earlier in time.
	first := []map[string]any{
		hgCoop("HG-001", "Xã Hòa An", "", 20, "2026-02-10", "2026-03-01T08:00:00Z"),
		hgCoop("HG-002", "phuong binh", "", 15, "15/03/2026", "2026-03-02T08:00:00Z"),
		hgCoop("HG-003", "TT Nàng Mau", "", 30, "2019-05-01", "2026-03-03T08:00:00Z"),
		hgCoop("HG-004", "Xã Tân Hòa", "", 12, "2026-04-01", "2026-03-10T07:30:00+07:00"), // the data writes "Tân Hoà"
		hgCoop("HG-005", "Xã Không Tồn Tại", "", 9, "2026-01-20", "2026-03-05T08:00:00Z"),
		hgCoop("HG-006", "Vĩnh Tường", "Huyện Vị Thủy", 25, "2026-05-05", "2026-03-10T01:00:00Z"), // a Phường Vĩnh Tường is in TX Long Mỹ
		hgCoop("HG-007", "P. Ngã Bảy", "", 18, "2020-06-01", "2026-03-04T08:00:00Z"),
	}
	firstCursor := "2026-03-10T01:00:00Z"
	wantCommunes := map[string]string{"HG-001": "31423", "HG-002": "31426", "HG-003": "31441", "HG-004": "31345",
		"HG-006": "31459", "HG-007": "31340"}

	t.Run("first pull loads every page, rejects the unknown commune, stores the cursor", func(t *testing.T) {
		api.set(func(a *hgAPI) { a.records, a.wantSince, a.flaky[2] = slices.Clone(first), "", true })
		fr := applied(t, pull(t))
		if fr.Skipped || fr.Read != 7 || fr.Accepted != 6 || fr.Rejected != 1 || fr.Changed != 6 {
			t.Errorf("result %+v; want read 7, accepted 6, rejected 1, changed 6", fr.LoadResult)
		}
		reqs, _ := api.seen()
		if got, want := pages(reqs), []int{1, 2, 2, 3}; !slices.Equal(got, want) {
			t.Errorf("pages requested %v, want %v (page 2 retried after its 503)", got, want)
		}
		got := hgRows(t, ctx, st)
		if len(got) != 6 {
			t.Errorf("stored %d cooperatives, want 6", len(got))
		}
		for code, commune := range wantCommunes {
			if got[code].commune != commune {
				t.Errorf("%s: commune %q, want %q", code, got[code].commune, commune)
			}
		}
		if c := hgCursor(t, ctx, st); c != firstCursor {
			t.Errorf("stored cursor %q, want %q", c, firstCursor)
		}

		rejects, err := st.RejectedRows(ctx, "93", hgSource)
		if err != nil {
			t.Fatal(err)
		}
		if len(rejects) != 1 {
			t.Fatalf("rejected rows %+v, want 1", rejects)
		}
		r := rejects[0]
		t.Logf("reject: %s, record %d, %s = %q: %s", r.Location, r.Row, r.Column, r.Value, r.Reason)
		if r.Row != 5 || r.Column != "address.commune.name" || r.Value != "Xã Không Tồn Tại" ||
			!strings.Contains(r.Reason, "address.commune.name") || !strings.Contains(r.Reason, "not found") {
			t.Errorf("reject at record %d, field %q, value %q, reason %q; want record 5, address.commune.name, "+
				"the written name and a reason saying it was not found", r.Row, r.Column, r.Value, r.Reason)
		}
		if !strings.HasPrefix(r.Location, api.URL+"/v2/cooperatives") || strings.Contains(r.Location, hgToken) {
			t.Errorf("reject location %q: want the API URL, without the token", r.Location)
		}
		if len(r.Raw) != 1 || !strings.Contains(r.Raw[0], `"HG-005"`) {
			t.Errorf("reject raw %q: want the record as received", r.Raw)
		}
	})

	// HG-003 grew; HG-008 is new. The registry answers only what changed after the cursor.
	secondCursor := "2026-03-12T08:00:00Z"
	t.Run("second pull asks since the cursor and merges only newer records", func(t *testing.T) {
		api.set(func(a *hgAPI) {
			a.records[2] = hgCoop("HG-003", "TT Nàng Mau", "", 40, "2019-05-01", "2026-03-11T08:00:00Z")
			a.records = append(a.records, hgCoop("HG-008", "Long Trị A", "", 11, "2026-06-01", secondCursor))
			a.wantSince = firstCursor
		})
		fr := applied(t, pull(t))
		if fr.Skipped || fr.Read != 2 || fr.Accepted != 2 || fr.Rejected != 0 || fr.Changed != 2 {
			t.Errorf("result %+v; want read 2, accepted 2, rejected 0, changed 2", fr.LoadResult)
		}
		reqs, _ := api.seen()
		if len(reqs) != 1 || reqs[0].since != firstCursor {
			t.Errorf("requests %+v; want one page with updated_since=%s", reqs, firstCursor)
		}
		got := hgRows(t, ctx, st)
		if len(got) != 7 || got["HG-003"].members != 40 || got["HG-008"].commune != "31478" || got["HG-001"].members != 20 {
			t.Errorf("stored %+v; want 7 cooperatives, HG-003 with 40 members, HG-008 in 31478", got)
		}
		if c := hgCursor(t, ctx, st); c != secondCursor {
			t.Errorf("stored cursor %q, want %q", c, secondCursor)
		}
	})

	// Four more records, two pages: the second never answers.
	more := []map[string]any{
		hgCoop("HG-009", "Xã Vị Trung", "", 10, "2026-06-10", "2026-03-13T08:00:00Z"),
		hgCoop("HG-010", "Xã Long Bình", "", 10, "2026-06-11", "2026-03-14T08:00:00Z"),
		hgCoop("HG-011", "Xã Tân Long", "", 10, "2026-06-12", "2026-03-15T08:00:00Z"),
		hgCoop("HG-012", "Xã Hiệp Hưng", "", 10, "2026-06-13", "2026-03-16T08:00:00Z"),
	}
	t.Run("a pull that fails half-way applies nothing and keeps the cursor", func(t *testing.T) {
		before := hgCount(t, ctx, st)
		api.set(func(a *hgAPI) { a.records, a.wantSince, a.broken = append(a.records, more...), secondCursor, 2 })
		res := pull(t)
		if res.Err == nil || len(res.Files) != 0 {
			t.Fatalf("source error %v, files %+v; want the pull to fail before any file", res.Err, res.Files)
		}
		t.Logf("failed pull: %v", res.Err)
		for _, want := range []string{"500", "after 3 attempts", "page=2"} {
			if !strings.Contains(res.Err.Error(), want) {
				t.Errorf("error %q does not say %q", res.Err, want)
			}
		}
		if strings.Contains(res.Err.Error(), hgToken) {
			t.Errorf("error %q shows the token", res.Err)
		}
		reqs, _ := api.seen()
		if got, want := pages(reqs), []int{1, 2, 2, 2}; !slices.Equal(got, want) {
			t.Errorf("pages requested %v, want %v (max_retries 2)", got, want)
		}
		if after := hgCount(t, ctx, st); after != before {
			t.Errorf("counts went from %+v to %+v; want no change", before, after)
		}
		if _, ok := hgRows(t, ctx, st)["HG-009"]; ok {
			t.Error("HG-009, from the failed pull's first page, was stored")
		}
		if c := hgCursor(t, ctx, st); c != secondCursor {
			t.Errorf("stored cursor %q, want it left at %q", c, secondCursor)
		}
	})

	lastCursor := "2026-03-16T08:00:00Z"
	t.Run("once the server recovers the same records load", func(t *testing.T) {
		api.set(func(a *hgAPI) { a.broken = 0 })
		fr := applied(t, pull(t))
		if fr.Read != 4 || fr.Accepted != 4 || fr.Changed != 4 {
			t.Errorf("result %+v; want read, accepted and changed 4", fr.LoadResult)
		}
		if n := len(hgRows(t, ctx, st)); n != 11 {
			t.Errorf("stored %d cooperatives, want 11", n)
		}
		if c := hgCursor(t, ctx, st); c != lastCursor {
			t.Errorf("stored cursor %q, want %q", c, lastCursor)
		}
	})

	t.Run("pulling the same data again changes nothing", func(t *testing.T) {
		wantRows := hgRows(t, ctx, st)

		// The server ignores updated_since and sends everything: a new pull, no new rows.
		api.set(func(a *hgAPI) { a.allAlways, a.wantSince = true, lastCursor })
		before := hgCount(t, ctx, st)
		fr := applied(t, pull(t))
		if fr.Skipped || fr.Read != 12 || fr.Accepted != 11 || fr.Rejected != 1 || fr.Changed != 0 {
			t.Errorf("everything again: %+v, skipped %v; want read 12, accepted 11, rejected 1, changed 0", fr.LoadResult, fr.Skipped)
		}
		if after := hgCount(t, ctx, st); after.coops != before.coops {
			t.Errorf("cooperatives went from %d to %d", before.coops, after.coops)
		}

		// The very same pages once more, and a replay of the first pull's stale pages: both
		// are known by their content hash and skipped before anything is written.
		for _, step := range []struct {
			name   string
			replay []map[string]any
		}{{"everything, twice", nil}, {"the first pull's pages", first}} {
			api.set(func(a *hgAPI) { a.replay = step.replay })
			before := hgCount(t, ctx, st)
			fr := applied(t, pull(t))
			if !fr.Skipped || fr.Changed != 0 {
				t.Errorf("%s: skipped %v, %+v; want skipped by content hash", step.name, fr.Skipped, fr.LoadResult)
			}
			if after := hgCount(t, ctx, st); after != before {
				t.Errorf("%s: counts went from %+v to %+v; want no change", step.name, before, after)
			}
		}
		if got := hgRows(t, ctx, st); !maps.Equal(got, wantRows) {
			t.Errorf("rows changed:\n got %+v\nwant %+v", got, wantRows)
		}
		if c := hgCursor(t, ctx, st); c != lastCursor {
			t.Errorf("stored cursor %q, want %q", c, lastCursor)
		}
	})
}
