package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeSlack speaks the parts of the Slack Web API the notifier uses, plus an incoming
// webhook under /hooks/. mode picks how chat.postMessage (or the upload) answers.
type fakeSlack struct {
	srv  *httptest.Server
	mode string

	mu        sync.Mutex
	posts     []url.Values
	uploads   [][]byte
	completes []url.Values
	hooks     [][]byte
	failed    bool // "upload_fails" fails the first upload only
}

func newFakeSlack(t *testing.T, mode string) *fakeSlack {
	t.Helper()
	fs := &fakeSlack{mode: mode}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /chat.postMessage", fs.postMessage)
	mux.HandleFunc("POST /files.getUploadURLExternal", fs.getUploadURL)
	mux.HandleFunc("POST /upload/F0TEST", fs.upload)
	mux.HandleFunc("POST /files.completeUploadExternal", fs.complete)
	mux.HandleFunc("POST /hooks/", fs.hook)
	fs.srv = httptest.NewServer(mux)
	t.Cleanup(fs.srv.Close)
	return fs
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (fs *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fs.mu.Lock()
	fs.posts = append(fs.posts, r.PostForm)
	fs.mu.Unlock()
	switch fs.mode {
	case "ratelimited":
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	case "invalid_auth", "channel_not_found":
		writeJSON(w, map[string]any{"ok": false, "error": fs.mode})
	case "server_error":
		http.Error(w, "<html>oops</html>", http.StatusInternalServerError)
	default:
		writeJSON(w, map[string]any{"ok": true, "channel": r.PostForm.Get("channel"), "ts": "1764230400.000100"})
	}
}

func (fs *fakeSlack) getUploadURL(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if r.PostForm.Get("filename") == "" || r.PostForm.Get("length") == "" {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	// The client only sends its token to an upload URL on the API's own host.
	writeJSON(w, map[string]any{"ok": true, "upload_url": fs.srv.URL + "/upload/F0TEST", "file_id": "F0TEST"})
}

func (fs *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	failNow := fs.mode == "upload_fails" && !fs.failed
	fs.failed = fs.failed || failNow
	fs.mu.Unlock()
	if failNow {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, _ := io.ReadAll(f)
	fs.mu.Lock()
	fs.uploads = append(fs.uploads, b)
	fs.mu.Unlock()
	io.WriteString(w, "OK")
}

func (fs *fakeSlack) complete(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	fs.mu.Lock()
	fs.completes = append(fs.completes, r.PostForm)
	fs.mu.Unlock()
	var files []map[string]string
	json.Unmarshal([]byte(r.PostForm.Get("files")), &files)
	writeJSON(w, map[string]any{"ok": true, "files": files})
}

func (fs *fakeSlack) hook(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	fs.mu.Lock()
	fs.hooks = append(fs.hooks, b)
	fs.mu.Unlock()
	if fs.mode == "server_error" {
		http.Error(w, "oops", http.StatusInternalServerError)
		return
	}
	io.WriteString(w, "ok")
}

// checkGolden compares got with testdata/name, or rewrites it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n%s", path, got)
	}
}

func indentJSON(t *testing.T, raw string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(raw), "", "  "); err != nil {
		t.Fatalf("indent %q: %v", raw, err)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func TestSlackNotify(t *testing.T) {
	t.Parallel()
	const token = "xoxb-test-token"
	m := sampleMessage(t)
	noChart := m
	noChart.Chart = nil

	tests := []struct {
		name      string
		mode      string
		webhook   bool
		msg       Message
		wantRetry bool
		wantErr   string
		wantAfter time.Duration
		posts     int
		uploads   int
		hooks     int
	}{
		{name: "digest with chart", mode: "ok", msg: m, posts: 1, uploads: 1},
		{name: "alert without chart", mode: "ok", msg: noChart, posts: 1},
		{name: "rate limited", mode: "ratelimited", msg: m, wantRetry: true, wantErr: "rate limit", wantAfter: 7 * time.Second, posts: 1},
		{name: "invalid auth", mode: "invalid_auth", msg: m, wantErr: "invalid_auth", posts: 1},
		{name: "channel not found", mode: "channel_not_found", msg: m, wantErr: "channel_not_found", posts: 1},
		{name: "server error", mode: "server_error", msg: m, wantRetry: true, wantErr: "500", posts: 1},
		{name: "webhook", mode: "ok", webhook: true, msg: m, hooks: 1},
		{name: "webhook server error", mode: "server_error", webhook: true, msg: m, wantRetry: true, wantErr: "500", hooks: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFakeSlack(t, tt.mode)
			cfg := SlackConfig{Token: token, Channel: "C0DIGEST", APIURL: fs.srv.URL + "/"}
			if tt.webhook {
				cfg = SlackConfig{WebhookURL: fs.srv.URL + "/hooks/T0/B0/xyz"}
			}
			s, err := NewSlack(cfg)
			if err != nil {
				t.Fatal(err)
			}
			retry, err := s.Notify(context.Background(), tt.msg)
			if retry != tt.wantRetry {
				t.Errorf("retryable = %v, want %v (err %v)", retry, tt.wantRetry, err)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Notify: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
			}
			var ra *RetryAfterError
			if got := errors.As(err, &ra); got != (tt.wantAfter > 0) || (got && ra.After != tt.wantAfter) {
				t.Errorf("RetryAfterError = %v (%v), want After %v", ra, got, tt.wantAfter)
			}

			fs.mu.Lock()
			defer fs.mu.Unlock()
			if len(fs.posts) != tt.posts || len(fs.uploads) != tt.uploads || len(fs.hooks) != tt.hooks {
				t.Fatalf("posts/uploads/hooks = %d/%d/%d, want %d/%d/%d",
					len(fs.posts), len(fs.uploads), len(fs.hooks), tt.posts, tt.uploads, tt.hooks)
			}
			for _, p := range fs.posts {
				if p.Get("token") != token || p.Get("channel") != "C0DIGEST" || p.Get("text") != tt.msg.Subject {
					t.Errorf("chat.postMessage token/channel/text = %q/%q/%q", p.Get("token"), p.Get("channel"), p.Get("text"))
				}
			}
			if tt.uploads > 0 {
				if !bytes.Equal(fs.uploads[0], tt.msg.Chart) {
					t.Errorf("uploaded %d bytes, want the %d chart bytes", len(fs.uploads[0]), len(tt.msg.Chart))
				}
				c := fs.completes[0]
				if c.Get("channel_id") != "C0DIGEST" || !strings.Contains(c.Get("files"), `"F0TEST"`) {
					t.Errorf("files.completeUploadExternal form = %v", c)
				}
			}
			if tt.name == "digest with chart" {
				checkGolden(t, "slack_digest.golden.json", indentJSON(t, fs.posts[0].Get("blocks")))
			}
			if tt.hooks > 0 {
				var got slack.WebhookMessage
				if err := json.Unmarshal(fs.hooks[0], &got); err != nil {
					t.Fatal(err)
				}
				want, _ := json.Marshal(SlackBlocks(tt.msg))
				gotBlocks, _ := json.Marshal(got.Blocks)
				if got.Text != tt.msg.Subject || !bytes.Equal(gotBlocks, want) {
					t.Errorf("webhook got text %q blocks %s, want %q %s", got.Text, gotBlocks, tt.msg.Subject, want)
				}
			}
		})
	}
}

// A chart upload that fails after the text went out is retried without posting the text again.
func TestSlackRetryUploadsOnlyTheChart(t *testing.T) {
	t.Parallel()
	fs := newFakeSlack(t, "upload_fails")
	s, err := NewSlack(SlackConfig{Token: "xoxb-t", Channel: "C1", APIURL: fs.srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	m := sampleMessage(t)
	if retry, err := s.Notify(context.Background(), m); err == nil || !retry {
		t.Fatalf("first Notify = %v, %v; want a retryable error", retry, err)
	}
	if retry, err := s.Notify(context.Background(), m); err != nil {
		t.Fatalf("second Notify = %v, %v", retry, err)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.posts) != 1 || len(fs.uploads) != 1 {
		t.Errorf("posts/uploads = %d/%d, want 1/1", len(fs.posts), len(fs.uploads))
	}
}

func TestSlackBlocks(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("Hợp tác xã ", 20) + "\n" // 221 runes
	tests := []struct {
		name       string
		m          Message
		wantBlocks int
		header     bool
	}{
		{"short", Message{Subject: "Tiêu đề", Text: "*đậm* một dòng"}, 2, true},
		{"no subject", Message{Text: "chỉ có nội dung"}, 1, false},
		{"blank text", Message{Subject: "Tiêu đề", Text: "\n\n  \n"}, 1, true},
		{"long subject", Message{Subject: strings.Repeat("Bản tin ", 40), Text: "x"}, 2, true},
		{"split at lines", Message{Subject: "S", Text: strings.Repeat(line, 30)}, 4, true},
		{"one endless line", Message{Subject: "S", Text: strings.Repeat("ư", 7000)}, 4, true},
		{"capped at 50 blocks", Message{Subject: "S", Text: strings.Repeat(line, 1000)}, 50, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			blocks := SlackBlocks(tt.m)
			if len(blocks) != tt.wantBlocks {
				t.Fatalf("%d blocks, want %d", len(blocks), tt.wantBlocks)
			}
			var text strings.Builder
			for i, b := range blocks {
				switch b := b.(type) {
				case *slack.HeaderBlock:
					if i != 0 || !tt.header {
						t.Errorf("header block at %d", i)
					}
					if n := utf8.RuneCountInString(b.Text.Text); n > slackHeaderMax {
						t.Errorf("header has %d characters, over %d", n, slackHeaderMax)
					}
					if b.Text.Type != slack.PlainTextType {
						t.Errorf("header text type %q", b.Text.Type)
					}
				case *slack.SectionBlock:
					n := utf8.RuneCountInString(b.Text.Text)
					if n >= slackSectionMax || strings.TrimSpace(b.Text.Text) == "" {
						t.Errorf("section %d has %d characters", i, n)
					}
					if b.Text.Type != slack.MarkdownType {
						t.Errorf("section text type %q", b.Text.Type)
					}
					text.WriteString(b.Text.Text)
				default:
					t.Errorf("unexpected block %T", b)
				}
			}
			// Nothing is lost or reordered unless the 50-block cap cut the text.
			if tt.wantBlocks < slackBlocksMax {
				squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
				if squash(text.String()) != squash(tt.m.Text) {
					t.Error("section texts do not add up to the message text")
				}
			}
		})
	}
}

func TestSlackConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     SlackConfig
		wantErr string
	}{
		{"token and channel", SlackConfig{Token: "xoxb-1", Channel: "C1"}, ""},
		{"webhook", SlackConfig{WebhookURL: "https://hooks.slack.com/services/T/B/X"}, ""},
		{"nothing", SlackConfig{}, "token and channel, or webhook_url"},
		{"token without channel", SlackConfig{Token: "xoxb-1"}, "channel is required"},
		{"webhook not a URL", SlackConfig{WebhookURL: "hooks.slack.com/x"}, "webhook_url"},
		{"api url without slash", SlackConfig{Token: "xoxb-1", Channel: "C1", APIURL: "http://127.0.0.1:1/api"}, "api_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
