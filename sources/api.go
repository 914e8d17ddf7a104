package sources

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-resty/resty/v2"
)

// Defaults of APIConfig.
const (
	DefaultAPITimeout     = 30 * time.Second
	DefaultAPIMaxRetries  = 5
	DefaultAPIBackoffBase = 500 * time.Millisecond
	DefaultAPIBackoffMax  = 30 * time.Second
	DefaultAPIMaxBytes    = 32 << 20
	DefaultAPIMaxPages    = 10000
	DefaultAPIPageSize    = 100
)

// The auth kinds an APIAuth may name; "" sends no credentials.
const (
	AuthBearer = "bearer"
	AuthBasic  = "basic"
	AuthHeader = "header"
)

// The pagination kinds an APIPagination may name; "" is PaginateNone.
const (
	PaginateNone   = "none"
	PaginatePage   = "page"
	PaginateOffset = "offset"
	PaginateNext   = "next"
)

// APIConfig configures a source that pulls JSON records from a REST API, all pages in one
// batch.
type APIConfig struct {
	// Name identifies the source in lineage, logs, alerts and the stored cursor.
	Name string
	// Entity is what the records are: cooperatives, cooperative groups or activities.
	Entity Entity
	// URL is the http(s) address of the first page, fixed query parameters allowed.
	URL string
	// Auth is how requests prove who we are.
	Auth APIAuth
	// Headers are extra fixed request headers.
	Headers map[string]string
	// Query are extra fixed query parameters, added to every request.
	Query map[string]string
	// RecordsPath is the dotted path to the records array in each page, e.g. "data" or
	// "result.items"; "" when the body itself is the array.
	RecordsPath string
	// Fields maps target fields to dotted paths inside a record, e.g. "commune":
	// "address.commune.name". Each of the entity's fields not given here is read from the
	// path of its own name.
	Fields map[string]string
	// Pagination says how to walk the pages.
	Pagination APIPagination
	// Incremental, when set, asks only for records changed since the last committed pull.
	Incremental APIIncremental
	// Timeout bounds one request, body included; default 30s.
	Timeout time.Duration
	// MaxRetries is how often a failed request (network error, timeout, 429, 5xx) is
	// retried; default 5 (0 means the default).
	MaxRetries int
	// BackoffBase is the first wait between retries, doubled each retry; default 500ms.
	BackoffBase time.Duration
	// BackoffMax caps a wait between retries, Retry-After included; default 30s.
	BackoffMax time.Duration
	// MaxBytes caps one response body; default 32 MiB.
	MaxBytes int64
	// MaxPages stops a pull that pages on and on; reaching it fails the pull; default 10000.
	MaxPages int
}

// APIAuth is the credential an API source sends.
type APIAuth struct {
	// Kind is "" (none), "bearer", "basic" or "header".
	Kind string
	// Token is the bearer token.
	Token string
	// Username is the basic-auth user.
	Username string
	// Password is the basic-auth password.
	Password string
	// Header is the header name for kind "header", e.g. "X-API-Key".
	Header string
	// Value is the header value for kind "header".
	Value string
}

// APIPagination says how an API source walks the pages of a result.
type APIPagination struct {
	// Kind is "none" (one request; the default), "page" (page number and size), "offset"
	// (offset and limit) or "next" (each page names the next one).
	Kind string
	// PageParam is the page-number query parameter; default "page".
	PageParam string
	// SizeParam is the page-size query parameter; default "page_size". With kind "next" it
	// is sent only when set.
	SizeParam string
	// Size is the page size asked for (also the limit of kind "offset"); default 100.
	Size int
	// StartPage is the number of the first page; default 1.
	StartPage int
	// TotalPagesPath is the dotted path to the page count in each page, e.g.
	// "meta.total_pages": the pull stops after that page. Without it the pull stops at the
	// first empty page.
	TotalPagesPath string
	// OffsetParam is the offset query parameter of kind "offset"; default "offset".
	OffsetParam string
	// LimitParam is the limit query parameter of kind "offset"; default "limit".
	LimitParam string
	// NextPath is the dotted path to the next page's URL or cursor token, e.g. "links.next"
	// or "next_cursor"; missing, null or "" ends the pull.
	NextPath string
	// CursorParam, when NextPath yields a token rather than a URL, is the query parameter to
	// send it in.
	CursorParam string
}

// APIIncremental asks an API only for records updated since the last committed pull.
type APIIncremental struct {
	// Param is the query parameter that carries the stored cursor, e.g. "updated_since".
	Param string
	// Field is the dotted path of a record's update time, e.g. "updated_at"; the largest
	// value seen becomes the next cursor.
	Field string
}

// Validate returns every problem of c, each naming its field, joined with errors.Join.
// Secrets never appear in the messages.
func (c APIConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("api source %q: %s: %s", c.Name, field, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Name) == "" {
		bad("name", "is required")
	}
	if _, ok := defaultColumns[c.Entity]; !ok {
		bad("entity", "%q is not one of %s, %s, %s", c.Entity, Cooperatives, CooperativeGroups, Activities)
	}
	if c.URL == "" {
		bad("url", "is required")
	} else if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("url", "%q is not an http(s) URL", redactAPIURL(c.URL))
	}

	a := c.Auth
	unused := func(kind string, fields map[string]string) {
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if fields[name] != "" {
				bad("auth."+name, "does not apply to auth kind %q", kind)
			}
		}
	}
	switch a.Kind {
	case "":
		unused("", map[string]string{"token": a.Token, "username": a.Username, "password": a.Password, "header": a.Header, "value": a.Value})
	case AuthBearer:
		if a.Token == "" {
			bad("auth.token", "is required for auth kind %q", a.Kind)
		}
		unused(a.Kind, map[string]string{"username": a.Username, "password": a.Password, "header": a.Header, "value": a.Value})
	case AuthBasic:
		if a.Username == "" {
			bad("auth.username", "is required for auth kind %q", a.Kind)
		}
		unused(a.Kind, map[string]string{"token": a.Token, "header": a.Header, "value": a.Value})
	case AuthHeader:
		if a.Header == "" {
			bad("auth.header", "is required for auth kind %q", a.Kind)
		} else if !validHeaderName(a.Header) {
			bad("auth.header", "%q is not a valid header name", a.Header)
		}
		if a.Value == "" {
			bad("auth.value", "is required for auth kind %q", a.Kind)
		} else if strings.ContainsAny(a.Value, "\r\n") {
			bad("auth.value", "must not contain a line break")
		}
		unused(a.Kind, map[string]string{"token": a.Token, "username": a.Username, "password": a.Password})
	default:
		bad("auth.kind", "%q is not one of %q, %q, %q (or empty for none)", a.Kind, AuthBearer, AuthBasic, AuthHeader)
	}
	if strings.ContainsAny(a.Token+a.Username+a.Password, "\r\n") {
		bad("auth", "credentials must not contain line breaks")
	}

	for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
		if !validHeaderName(name) {
			bad("headers", "%q is not a valid header name", name)
		}
		if strings.ContainsAny(c.Headers[name], "\r\n") {
			bad("headers", "the value of %q must not contain a line break", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Query)) {
		if strings.TrimSpace(name) == "" {
			bad("query", "a parameter name is empty")
		}
	}
	if err := checkPath(c.RecordsPath); err != nil {
		bad("records_path", "%q %v", c.RecordsPath, err)
	}
	for _, field := range slices.Sorted(maps.Keys(c.Fields)) {
		path := c.Fields[field]
		switch {
		case strings.TrimSpace(field) == "":
			bad("fields", "a field name is empty")
		case path == "":
			bad("fields", "field %q has no path", field)
		default:
			if err := checkPath(path); err != nil {
				bad("fields", "field %q: path %q %v", field, path, err)
			}
		}
	}

	p := c.Pagination
	onlyFor := func(field, value, kind string) {
		if value != "" && cmp.Or(p.Kind, PaginateNone) != kind {
			bad("pagination."+field, "only applies to pagination kind %q", kind)
		}
	}
	switch p.Kind {
	case "", PaginateNone, PaginatePage, PaginateOffset:
	case PaginateNext:
		if p.NextPath == "" {
			bad("pagination.next_path", "is required for pagination kind %q", p.Kind)
		}
	default:
		bad("pagination.kind", "%q is not one of %q, %q, %q, %q", p.Kind, PaginateNone, PaginatePage, PaginateOffset, PaginateNext)
	}
	onlyFor("page_param", p.PageParam, PaginatePage)
	onlyFor("total_pages_path", p.TotalPagesPath, PaginatePage)
	onlyFor("offset_param", p.OffsetParam, PaginateOffset)
	onlyFor("limit_param", p.LimitParam, PaginateOffset)
	onlyFor("next_path", p.NextPath, PaginateNext)
	onlyFor("cursor_param", p.CursorParam, PaginateNext)
	if p.StartPage != 0 {
		onlyFor("start_page", strconv.Itoa(p.StartPage), PaginatePage)
	}
	if p.SizeParam != "" && p.Kind != PaginatePage && p.Kind != PaginateNext {
		bad("pagination.size_param", "only applies to pagination kinds %q and %q", PaginatePage, PaginateNext)
	}
	if p.Size < 0 {
		bad("pagination.size", "must not be negative")
	}
	if p.StartPage < 0 {
		bad("pagination.start_page", "must not be negative")
	}
	if err := checkPath(p.TotalPagesPath); err != nil {
		bad("pagination.total_pages_path", "%q %v", p.TotalPagesPath, err)
	}
	if err := checkPath(p.NextPath); err != nil {
		bad("pagination.next_path", "%q %v", p.NextPath, err)
	}

	inc := c.Incremental
	if (inc.Param == "") != (inc.Field == "") {
		bad("incremental", "give both param and field, or neither")
	}
	if err := checkPath(inc.Field); err != nil {
		bad("incremental.field", "%q %v", inc.Field, err)
	}

	// A parameter the source sets itself must not also be a fixed one: one would silently win.
	own := map[string]string{}
	switch p.Kind {
	case PaginatePage:
		own["pagination.page_param"] = cmp.Or(p.PageParam, "page")
		own["pagination.size_param"] = cmp.Or(p.SizeParam, "page_size")
	case PaginateOffset:
		own["pagination.offset_param"] = cmp.Or(p.OffsetParam, "offset")
		own["pagination.limit_param"] = cmp.Or(p.LimitParam, "limit")
	case PaginateNext:
		own["pagination.size_param"] = p.SizeParam
		own["pagination.cursor_param"] = p.CursorParam
	}
	own["incremental.param"] = inc.Param
	for _, field := range slices.Sorted(maps.Keys(own)) {
		if name := own[field]; name != "" {
			if _, clash := c.Query[name]; clash {
				bad("query", "%q is also %s; leave it out of query", name, field)
			}
		}
	}

	for _, d := range []struct {
		field string
		value time.Duration
	}{{"timeout", c.Timeout}, {"backoff_base", c.BackoffBase}, {"backoff_max", c.BackoffMax}} {
		if d.value < 0 {
			bad(d.field, "must not be negative")
		}
	}
	if c.BackoffBase > 0 && c.BackoffMax > 0 && c.BackoffMax < c.BackoffBase {
		bad("backoff_max", "%s is less than backoff_base %s", c.BackoffMax, c.BackoffBase)
	}
	if c.MaxRetries < 0 {
		bad("max_retries", "must not be negative")
	}
	if c.MaxBytes < 0 {
		bad("max_bytes", "must not be negative")
	}
	if c.MaxPages < 0 {
		bad("max_pages", "must not be negative")
	}
	return errors.Join(errs...)
}

func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// secretParam reports whether a query parameter name looks like it carries a credential.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"token", "key", "secret", "pass", "pwd", "auth", "sig", "credential", "session"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// secretHeader reports whether a header name looks like it carries a credential.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	return secretParam(n) || n == "cookie"
}

// redactAPIURL hides the password and the values of credential-like query parameters of
// u; paging parameters stay readable.
func redactAPIURL(u string) string { return redact(u, secretParam) }

// apiSource is the Source of an APIConfig.
type apiSource struct {
	cfg     APIConfig // defaults filled
	cursors CursorReader
	client  *resty.Client
	base    *url.URL
	fields  []fieldPath // sorted by field
	secrets []string    // every credential, to scrub from error text
}

// fieldPath is one target field and the path it is read from.
type fieldPath struct{ field, path string }

// NewAPISource validates cfg, fills its defaults and returns the source. cursors is needed
// only when cfg.Incremental is set.
func NewAPISource(cfg APIConfig, cursors CursorReader) (Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Incremental.Param != "" && cursors == nil {
		return nil, fmt.Errorf("api source %q: incremental: needs a cursor store", cfg.Name)
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultAPITimeout)
	cfg.MaxRetries = cmp.Or(cfg.MaxRetries, DefaultAPIMaxRetries)
	cfg.BackoffBase = cmp.Or(cfg.BackoffBase, DefaultAPIBackoffBase)
	cfg.BackoffMax = cmp.Or(cfg.BackoffMax, max(DefaultAPIBackoffMax, cfg.BackoffBase))
	cfg.MaxBytes = cmp.Or(cfg.MaxBytes, DefaultAPIMaxBytes)
	cfg.MaxPages = cmp.Or(cfg.MaxPages, DefaultAPIMaxPages)
	p := &cfg.Pagination
	p.Kind = cmp.Or(p.Kind, PaginateNone)
	p.Size = cmp.Or(p.Size, DefaultAPIPageSize)
	if p.Kind == PaginatePage {
		p.PageParam = cmp.Or(p.PageParam, "page")
		p.SizeParam = cmp.Or(p.SizeParam, "page_size")
		p.StartPage = cmp.Or(p.StartPage, 1)
	}
	p.OffsetParam = cmp.Or(p.OffsetParam, "offset")
	p.LimitParam = cmp.Or(p.LimitParam, "limit")

	s := &apiSource{cfg: cfg, cursors: cursors}
	s.base, _ = url.Parse(cfg.URL) // checked by Validate

	fields := map[string]string{}
	for field := range defaultColumns[cfg.Entity] {
		fields[field] = field
	}
	maps.Copy(fields, cfg.Fields)
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		s.fields = append(s.fields, fieldPath{f, fields[f]})
	}

	a := cfg.Auth
	s.secrets = append(s.secrets, a.Token, a.Password, a.Value)
	if a.Kind == AuthBasic {
		s.secrets = append(s.secrets, base64.StdEncoding.EncodeToString([]byte(a.Username+":"+a.Password)))
	}
	if pw, ok := s.base.User.Password(); ok {
		s.secrets = append(s.secrets, pw, url.QueryEscape(pw))
	}
	for k, vs := range s.base.Query() {
		if secretParam(k) {
			for _, v := range vs {
				s.secrets = append(s.secrets, v, url.QueryEscape(v))
			}
		}
	}
	for k, v := range cfg.Query {
		if secretParam(k) {
			s.secrets = append(s.secrets, v, url.QueryEscape(v))
		}
	}
	for k, v := range cfg.Headers {
		if secretHeader(k) {
			s.secrets = append(s.secrets, v)
		}
	}
	// Shorter values are no real credential, and hiding them would garble every message.
	s.secrets = slices.DeleteFunc(s.secrets, func(v string) bool { return len(v) < 4 })
	// Longest first, so a secret that contains another is hidden whole.
	slices.SortFunc(s.secrets, func(x, y string) int { return cmp.Or(cmp.Compare(len(y), len(x)), strings.Compare(x, y)) })
	s.secrets = slices.Compact(s.secrets)

	s.client = resty.New().
		SetDisableWarn(true). // resty's own logger would bypass slog
		SetRedirectPolicy(resty.RedirectPolicyFunc(sameHostRedirects)).
		SetHeader("Accept", "application/json").
		SetHeaders(cfg.Headers)
	switch a.Kind {
	case AuthBearer:
		s.client.SetAuthToken(a.Token)
	case AuthBasic:
		s.client.SetBasicAuth(a.Username, a.Password)
	case AuthHeader:
		s.client.SetHeader(a.Header, a.Value)
	}
	return s, nil
}

var errRedirect = errors.New("redirect refused")

// sameHostRedirects follows at most 10 redirects, none to another host (our credential
// headers would go along) and none from https down to http.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	from, to := via[0].URL, req.URL
	switch {
	case len(via) >= 10:
		return fmt.Errorf("%w: more than 10 redirects", errRedirect)
	case !strings.EqualFold(to.Hostname(), from.Hostname()):
		return fmt.Errorf("%w: it leads to another host (%s://%s)", errRedirect, to.Scheme, to.Host)
	case from.Scheme == "https" && to.Scheme != "https":
		return fmt.Errorf("%w: it leads from https to %s", errRedirect, to.Scheme)
	}
	return nil
}

func (s *apiSource) Name() string   { return s.cfg.Name }
func (s *apiSource) Entity() Entity { return s.cfg.Entity }

// Batches pulls every page now and returns them as one batch, so that its content hash is
// known before loading and the whole pull loads in one transaction.
func (s *apiSource) Batches(ctx context.Context) ([]Batch, error) {
	since := ""
	if s.cfg.Incremental.Param != "" {
		var err error
		if since, err = s.cursors.SourceCursor(ctx, s.cfg.Name); err != nil {
			return nil, fmt.Errorf("api source %q: read the stored cursor: %w", s.cfg.Name, err)
		}
	}
	b, err := s.pull(ctx, since)
	if err != nil {
		return nil, err
	}
	return []Batch{b}, nil
}

// pull walks the pages from the first URL on.
func (s *apiSource) pull(ctx context.Context, since string) (*apiBatch, error) {
	p := s.cfg.Pagination
	fixed := map[string]string{}
	maps.Copy(fixed, s.cfg.Query)
	if since != "" {
		fixed[s.cfg.Incremental.Param] = since
	}
	if p.Kind == PaginatePage || (p.Kind == PaginateNext && p.SizeParam != "") {
		fixed[p.SizeParam] = strconv.Itoa(p.Size)
	}
	if p.Kind == PaginateOffset {
		fixed[p.LimitParam] = strconv.Itoa(p.Size)
	}

	b := &apiBatch{info: BatchInfo{
		Source:   s.cfg.Name,
		Entity:   s.cfg.Entity,
		Location: redactAPIURL(s.withParams(s.base, fixed).String()),
		Headers:  make(map[string]string, len(s.fields)),
		Complete: s.cfg.Incremental.Param == "",
	}, fields: s.fields}
	for _, f := range s.fields {
		b.info.Headers[f.field] = f.path
	}

	hash := sha256.New()
	hash.Write([]byte("["))
	pageNo, offset := p.StartPage, 0
	pageURL := s.pageURL(fixed, pageNo, offset, "")
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		if pages > s.cfg.MaxPages {
			return nil, fmt.Errorf("api source %q: %s: stopped after %d pages (max_pages); raise max_pages if the API really has more",
				s.cfg.Name, redactAPIURL(pageURL), s.cfg.MaxPages)
		}
		seen[pageURL] = true
		shown := redactAPIURL(pageURL)
		fail := func(format string, args ...any) (*apiBatch, error) {
			return nil, fmt.Errorf("api source %q: %s: %s", s.cfg.Name, shown, s.scrub(fmt.Sprintf(format, args...)))
		}
		doc, err := s.getJSON(ctx, pageURL, shown)
		if err != nil {
			return nil, err
		}
		items, ok := lookupPath(doc, s.cfg.RecordsPath)
		if !ok {
			return fail("records_path %q is not in the response", s.cfg.RecordsPath)
		}
		records, ok := items.([]any)
		if !ok && items != nil { // null: no records
			return fail("records_path %q is %s, not an array", s.cfg.RecordsPath, jsonKind(items))
		}
		b.pages = append(b.pages, shown)
		for i, rec := range records {
			if _, ok := rec.(map[string]any); !ok {
				return fail("record %d of the page is %s, not an object", i+1, jsonKind(rec))
			}
			raw, err := canonicalJSON(rec)
			if err != nil {
				return fail("record %d of the page: %v", i+1, err)
			}
			if len(b.records) > 0 {
				hash.Write([]byte(","))
			}
			hash.Write(raw)
			b.records = append(b.records, raw)
			b.pageOf = append(b.pageOf, len(b.pages)-1)
			if f := s.cfg.Incremental.Field; f != "" {
				if v, ok := lookupPath(rec, f); ok {
					b.info.Cursor = laterCursor(b.info.Cursor, jsonText(v))
				}
			}
		}

		// Where next?
		next := ""
		switch p.Kind {
		case PaginatePage:
			if len(records) == 0 {
				break
			}
			if p.TotalPagesPath != "" {
				total, err := pageCount(doc, p.TotalPagesPath)
				if err != nil {
					return fail("%v", err)
				}
				if pageNo >= total {
					break
				}
			}
			pageNo++
			next = s.pageURL(fixed, pageNo, 0, "")
		case PaginateOffset:
			if len(records) == 0 {
				break
			}
			offset += len(records)
			next = s.pageURL(fixed, 0, offset, "")
		case PaginateNext:
			v, _ := lookupPath(doc, p.NextPath) // missing: the last page
			switch v.(type) {
			case map[string]any, []any:
				return fail("next_path %q is %s, not a URL or token", p.NextPath, jsonKind(v))
			}
			token := jsonText(v)
			if token == "" {
				break
			}
			if p.CursorParam != "" {
				next = s.pageURL(fixed, 0, 0, token)
				break
			}
			if next, err = s.nextLink(pageURL, token, fixed); err != nil {
				return fail("next_path %q: %v", p.NextPath, err)
			}
		}
		if next == "" {
			break
		}
		if seen[next] {
			return fail("the next page is one already read (%s); the pagination settings do not fit this API", redactAPIURL(next))
		}
		pageURL = next
	}
	hash.Write([]byte("]"))
	b.info.ContentHash = hex.EncodeToString(hash.Sum(nil))
	return b, nil
}

// pageURL is the URL of a page: the base URL with the fixed parameters and those of the
// pagination kind.
func (s *apiSource) pageURL(fixed map[string]string, pageNo, offset int, token string) string {
	p := s.cfg.Pagination
	params := maps.Clone(fixed)
	switch p.Kind {
	case PaginatePage:
		params[p.PageParam] = strconv.Itoa(pageNo)
	case PaginateOffset:
		params[p.OffsetParam] = strconv.Itoa(offset)
	case PaginateNext:
		if token != "" {
			params[p.CursorParam] = token
		}
	}
	return s.withParams(s.base, params).String()
}

// withParams is u with params set in its query.
func (s *apiSource) withParams(u *url.URL, params map[string]string) *url.URL {
	out := *u
	q := out.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	out.RawQuery = q.Encode()
	out.Fragment, out.RawFragment = "", ""
	return &out
}

// nextLink resolves a next-page link against the page that gave it. It must stay on the
// API's host, since our credentials go with it; fixed parameters it lacks are added.
func (s *apiSource) nextLink(current, link string, fixed map[string]string) (string, error) {
	cur, err := url.Parse(current)
	if err != nil {
		return "", err
	}
	ref, err := url.Parse(link)
	if err != nil {
		return "", errors.New("the next link is not a URL; set pagination.cursor_param if it is a cursor token")
	}
	u := cur.ResolveReference(ref)
	if u.Scheme != s.base.Scheme || u.Host != s.base.Host {
		return "", fmt.Errorf("the next link leads to another host (%s://%s); refused, our credentials would go along", u.Scheme, u.Host)
	}
	q := u.Query()
	missing := map[string]string{}
	for k, v := range fixed {
		if !q.Has(k) {
			missing[k] = v
		}
	}
	if len(missing) == 0 {
		u.Fragment, u.RawFragment = "", ""
		return u.String(), nil
	}
	return s.withParams(u, missing).String(), nil
}

// pageCount reads the page count at path in a page.
func pageCount(doc any, path string) (int, error) {
	v, ok := lookupPath(doc, path)
	if !ok {
		return 0, fmt.Errorf("total_pages_path %q is not in the response", path)
	}
	n, err := strconv.ParseFloat(jsonText(v), 64)
	if err != nil || n < 0 || n != float64(int(n)) {
		return 0, fmt.Errorf("total_pages_path %q is %q, not a page count", path, jsonText(v))
	}
	return int(n), nil
}

// laterCursor returns the later of two update times: compared as times when both are
// RFC 3339, else as strings. On a tie it keeps a.
func laterCursor(a, b string) string {
	if b == "" {
		return a
	}
	if a == "" {
		return b
	}
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		if tb.After(ta) {
			return b
		}
		return a
	}
	if b > a {
		return b
	}
	return a
}

// getJSON fetches one page and decodes it.
func (s *apiSource) getJSON(ctx context.Context, rawURL, shown string) (any, error) {
	body, contentType, err := s.get(ctx, rawURL, shown)
	if err != nil {
		return nil, err
	}
	doc, err := decodeJSON(body)
	if err != nil {
		return nil, fmt.Errorf("api source %q: %s: the response is not JSON (content type %q): %s",
			s.cfg.Name, shown, s.scrub(contentType), s.scrub(err.Error()))
	}
	return doc, nil
}

// attemptError is why one request failed.
type attemptError struct {
	msg        string
	retry      bool          // worth another attempt
	retryAfter time.Duration // the server's Retry-After; 0 when absent
}

// get fetches rawURL, retrying network errors, timeouts, 429 and 5xx with capped
// exponential backoff and jitter, or as long as the server's Retry-After says.
func (s *apiSource) get(ctx context.Context, rawURL, shown string) (body []byte, contentType string, err error) {
	for attempt := 0; ; attempt++ {
		body, contentType, aerr := s.attempt(ctx, rawURL)
		if aerr == nil {
			return body, contentType, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, "", fmt.Errorf("api source %q: %s: %w", s.cfg.Name, shown, err)
		}
		if !aerr.retry || attempt >= s.cfg.MaxRetries {
			msg := aerr.msg
			if aerr.retry {
				msg = fmt.Sprintf("%s (after %d attempts)", msg, attempt+1)
			}
			return nil, "", fmt.Errorf("api source %q: %s: %s", s.cfg.Name, shown, s.scrub(msg))
		}
		wait := aerr.retryAfter
		if wait == 0 {
			wait = backoff(s.cfg.BackoffBase, s.cfg.BackoffMax, attempt)
		}
		wait = min(wait, s.cfg.BackoffMax)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, "", fmt.Errorf("api source %q: %s: %w", s.cfg.Name, shown, ctx.Err())
		case <-t.C:
		}
	}
}

// backoff is the wait before retry number attempt+1: base doubled per attempt, capped at
// limit, the upper half jittered so that many workers do not retry in step.
func backoff(base, limit time.Duration, attempt int) time.Duration {
	d := base
	for range attempt {
		if d >= limit/2 {
			d = limit
			break
		}
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	return half + rand.N(d-half+1)
}

// attempt makes one request with its own timeout and reads the whole body.
func (s *apiSource) attempt(ctx context.Context, rawURL string) ([]byte, string, *attemptError) {
	actx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	resp, err := s.client.R().SetContext(actx).SetDoNotParseResponse(true).Get(rawURL)
	if err != nil {
		return nil, "", s.transportError(actx, err)
	}
	body := resp.RawBody()
	defer body.Close()
	contentType := resp.Header().Get("Content-Type")
	code := resp.StatusCode()
	status := fmt.Sprintf("%d %s", code, http.StatusText(code))

	if code >= 200 && code < 300 {
		tooBig := &attemptError{msg: fmt.Sprintf("the response is larger than the %d-byte cap (max_bytes)", s.cfg.MaxBytes)}
		if resp.RawResponse.ContentLength > s.cfg.MaxBytes {
			return nil, "", tooBig
		}
		data, err := io.ReadAll(io.LimitReader(body, s.cfg.MaxBytes+1))
		if err != nil {
			return nil, "", s.transportError(actx, err)
		}
		if int64(len(data)) > s.cfg.MaxBytes {
			return nil, "", tooBig
		}
		return data, contentType, nil
	}

	excerpt := bodyExcerpt(body)
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, "", &attemptError{msg: status + ": " + s.authHint(code)}
	case code == http.StatusTooManyRequests || code >= 500:
		return nil, "", &attemptError{msg: joinExcerpt(status, excerpt), retry: true, retryAfter: retryAfter(resp.Header().Get("Retry-After"))}
	default:
		return nil, "", &attemptError{msg: joinExcerpt(status, excerpt)}
	}
}

// transportError describes a failed request or body read; all are worth a retry but a
// refused redirect.
func (s *apiSource) transportError(actx context.Context, err error) *attemptError {
	if errors.Is(err, errRedirect) {
		var ue *url.Error
		if errors.As(err, &ue) { // its message repeats the full URL
			err = ue.Err
		}
		return &attemptError{msg: err.Error()}
	}
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return &attemptError{msg: fmt.Sprintf("no complete response within %s (timeout)", s.cfg.Timeout), retry: true}
	}
	var ue *url.Error
	if errors.As(err, &ue) { // its message repeats the full URL
		err = ue.Err
	}
	return &attemptError{msg: err.Error(), retry: true}
}

// authHint tells the officer which setting to check when the API refuses us.
func (s *apiSource) authHint(code int) string {
	var what string
	switch s.cfg.Auth.Kind {
	case AuthBearer:
		what = "the token (auth.token / token_file)"
	case AuthBasic:
		what = "the username and password (auth.username / auth.password)"
	case AuthHeader:
		what = fmt.Sprintf("the %s header value (auth.value)", s.cfg.Auth.Header)
	default:
		return "the API wants credentials; configure auth"
	}
	if code == http.StatusForbidden {
		return "check that " + what + " may read this resource"
	}
	return "check " + what
}

// bodyExcerpt is the start of an error response, on one line.
func bodyExcerpt(r io.Reader) string {
	const limit = 200
	b, _ := io.ReadAll(io.LimitReader(r, 4*limit))
	text := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "?")), " ")
	if utf8.RuneCountInString(text) > limit {
		text = string([]rune(text)[:limit]) + "…"
	}
	return text
}

func joinExcerpt(status, excerpt string) string {
	if excerpt == "" {
		return status
	}
	return status + ": " + excerpt
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; 0 when absent or past.
func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 1<<20)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// scrub replaces every configured credential (of 4 bytes or more) in text: a server may
// echo them in its error body.
func (s *apiSource) scrub(text string) string {
	for _, secret := range s.secrets {
		text = strings.ReplaceAll(text, secret, "xxxxx")
	}
	return text
}

// apiBatch is one API pull, held in memory in canonical JSON.
type apiBatch struct {
	info    BatchInfo
	fields  []fieldPath
	records [][]byte // canonical JSON of each record, in order
	pageOf  []int    // index into pages of each record
	pages   []string // redacted URL of each page read
}

func (b *apiBatch) Info() BatchInfo {
	info := b.info
	info.Headers = maps.Clone(b.info.Headers)
	return info
}

func (b *apiBatch) Each(ctx context.Context, fn func(Record) error) error {
	for i, raw := range b.records {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		loc := Location{Source: b.info.Source, File: b.pages[b.pageOf[i]], Row: i + 1}
		v, err := decodeJSON(raw)
		if err != nil { // cannot happen: we encoded it
			return fmt.Errorf("api source %q: %s: %w", b.info.Source, loc, err)
		}
		rec := Record{Loc: loc, Fields: make(map[string]Cell, len(b.fields)), Raw: []string{string(raw)}}
		for _, f := range b.fields {
			if val, ok := lookupPath(v, f.path); ok {
				rec.Fields[f.field] = Cell{Column: f.path, Header: f.path, Value: jsonText(val)}
			}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}
