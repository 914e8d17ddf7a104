package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	testSlackToken = "xoxb-test"
	testSMTPUser   = "digest@coopwatch.test"
	testSMTPPass   = "smtp-pa55word-never-logged"
)

// slackServer fakes the parts of Slack's Web API the notifier uses, the external upload
// included (its URL on the server's own host, where the client sends its token).
type slackServer struct {
	srv *httptest.Server

	mu          sync.Mutex
	posts       []url.Values
	uploads     int
	failUploads int // how many uploads to refuse with 503 first
}

func newSlackServer(t *testing.T) *slackServer {
	t.Helper()
	s := &slackServer{}
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v) //nolint:errcheck // test server
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm() //nolint:errcheck // an empty form fails the assertions
		if r.PostForm.Get("token") != testSlackToken {
			reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		s.mu.Lock()
		s.posts = append(s.posts, r.PostForm)
		s.mu.Unlock()
		reply(w, map[string]any{"ok": true, "channel": r.PostForm.Get("channel"), "ts": "1764230400.000100"})
	})
	mux.HandleFunc("POST /files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/F0TEST", "file_id": "F0TEST"})
	})
	mux.HandleFunc("POST /upload/F0TEST", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		refuse := s.failUploads > 0
		s.failUploads--
		s.mu.Unlock()
		if refuse {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(f)
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			http.Error(w, "not a PNG", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.uploads++
		s.mu.Unlock()
		io.WriteString(w, "OK") //nolint:errcheck
	})
	mux.HandleFunc("POST /files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm() //nolint:errcheck
		var files []map[string]string
		json.Unmarshal([]byte(r.PostForm.Get("files")), &files) //nolint:errcheck
		reply(w, map[string]any{"ok": true, "files": files})
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *slackServer) counts() (posts []url.Values, uploads int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.posts...), s.uploads
}

// smtpServer is a real SMTP server (go-smtp) in the test process, on 127.0.0.1, requiring
// AUTH PLAIN.
type smtpServer struct {
	port int

	mu   sync.Mutex
	mail [][]byte
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // loopback, test only
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.mail...)
}

type smtpSession struct {
	srv    *smtpServer
	authed bool
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != testSMTPUser || pass != testSMTPPass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.mail = append(s.srv.mail, b)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

// mailPart is one leaf of a MIME message.
type mailPart struct {
	contentType, contentID string
	body                   []byte
}

func mailParts(t *testing.T, h textproto.MIMEHeader, body io.Reader) []mailPart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		var out []mailPart
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return out
			}
			if err != nil {
				t.Fatalf("part of %s: %v", mt, err)
			}
			out = append(out, mailParts(t, p.Header, p)...)
		}
	}
	if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return []mailPart{{contentType: mt, contentID: h.Get("Content-Id"), body: b}}
}

// notifyConfig is demoConfig with a notify section: the committee gets digests and alerts
// on Slack and by email, and an alert fires on its first evaluation.
func notifyConfig(t *testing.T, slackURL string, smtpPort int) string {
	t.Helper()
	path, _ := demoConfig(t)
	section := fmt.Sprintf(`notify:
  channels:
    - {name: slack, kind: slack, token: %q, channel: C123, api_url: %q}
    - name: email
      kind: email
      host: 127.0.0.1
      port: %d
      tls: none
      username: %q
      password: %q
      from: "Coopwatch <digest@coopwatch.test>"
      to: [chu.tich@ubnd.test, so.nn@ubnd.test]
  groups:
    - {name: committee, channels: [slack, email]}
  alerts:
    for_evaluations: 1
`, testSlackToken, slackURL+"/", smtpPort, testSMTPUser, testSMTPPass)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(section); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNotifyEndToEnd runs the worker over the demo province with Slack and email fakes:
// one digest per channel, one grouped alert message, nothing again on a second run.
func TestNotifyEndToEnd(t *testing.T) {
	t.Parallel()
	slackSrv := newSlackServer(t)
	smtpSrv := newSMTPServer(t)
	cfg := notifyConfig(t, slackSrv.srv.URL, smtpSrv.port)

	var output strings.Builder // everything the worker printed, checked for secrets at the end
	runOK := func(args ...string) string {
		t.Helper()
		code, out, errOut := worker(t, append([]string{"--config", cfg}, args...)...)
		output.WriteString(out + errOut)
		if code != 0 {
			t.Fatalf("worker %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	runOK("once", "--as-of", "2026-11-28", "all")

	// Slack: one digest post with its chart, and at most one alert post.
	posts, uploads := slackSrv.counts()
	var digestPosts, alertPosts []url.Values
	for _, p := range posts {
		if p.Get("channel") != "C123" {
			t.Errorf("posted to channel %q", p.Get("channel"))
		}
		switch text := p.Get("text"); {
		case strings.Contains(text, "bản tin tuần"):
			digestPosts = append(digestPosts, p)
		default:
			alertPosts = append(alertPosts, p)
		}
	}
	if len(digestPosts) != 1 || uploads != 1 {
		t.Errorf("slack got %d digest posts and %d chart uploads, want 1 and 1", len(digestPosts), uploads)
	}
	if len(alertPosts) > 1 {
		t.Errorf("slack got %d alert posts, want at most 1 (alerts are grouped)", len(alertPosts))
	}

	// Email: exactly one digest, with the chart inline; the alert text from the alert email.
	var digests int
	var alertText string
	for _, raw := range smtpSrv.received() {
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("parse mail: %v", err)
		}
		parts := mailParts(t, textproto.MIMEHeader(msg.Header), msg.Body)
		key := msg.Header.Get("X-Coopwatch-Key")
		switch {
		case strings.HasPrefix(key, "digest:committee:2026-W48:"):
			digests++
			var html string
			var png bool
			for _, p := range parts {
				switch p.contentType {
				case "text/html":
					html = string(p.body)
				case "image/png":
					png = bytes.HasPrefix(p.body, []byte("\x89PNG")) && strings.Contains(p.contentID, "chart")
				}
			}
			if !strings.Contains(html, `src="cid:chart"`) {
				t.Errorf("digest HTML does not show cid:chart")
			}
			if !png {
				t.Errorf("digest email has no image/png part with Content-ID chart")
			}
		case strings.HasPrefix(key, "alert:committee:email:"):
			if alertText != "" {
				t.Errorf("more than one alert email")
			}
			for _, p := range parts {
				if p.contentType == "text/plain" {
					alertText = string(p.body)
				}
			}
		default:
			t.Errorf("unexpected email with key %q", key)
		}
	}
	if digests != 1 {
		t.Errorf("smtp server got %d digest emails, want 1", digests)
	}
	if alertText == "" {
		t.Fatal("no alert email")
	}
	alertText = strings.ReplaceAll(alertText, "\r\n", "\n")

	// The lagging communes are grouped: 14 communes in 7 districts lack a new cooperative
	// group (testdata/demo/EXPECTED.md lists 20, of which Ngã Bảy's 6 are held back since
	// Ngã Bảy sent no file: its stale alert speaks for them).
	count := regexp.MustCompile(`T01 [^:\n]*: (\d+) xã ở (\d+) huyện`).FindAllStringSubmatch(alertText, -1)
	if len(count) != 1 || count[0][1] != "14" || count[0][2] != "7" {
		t.Errorf("alert does not say 14 communes in 7 districts (%q):\n%s", count, alertText)
	}
	for _, c := range []string{"Phường IV", "Xã Trường Long Tây", "Thị trấn Búng Tàu", "Phường Thuận An"} {
		if !strings.Contains(alertText, c) {
			t.Errorf("alert does not list %s:\n%s", c, alertText)
		}
	}
	for _, c := range []string{"Phường Ngã Bảy", "Phường Lái Hiếu", "Phường Hiệp Thành", "Phường Hiệp Lợi", "Xã Đại Thành", "Xã Tân Thành"} {
		if strings.Contains(alertText, c) {
			t.Errorf("alert lists %s of Ngã Bảy, which sent no file:\n%s", c, alertText)
		}
	}
	var ngaBay []string
	for _, line := range strings.Split(alertText, "\n") {
		if strings.Contains(line, "Ngã Bảy") {
			ngaBay = append(ngaBay, strings.TrimSpace(line))
		}
	}
	if len(ngaBay) != 1 || !strings.Contains(ngaBay[0], "Thành phố Ngã Bảy: chưa gửi số liệu") {
		t.Errorf("Ngã Bảy appears on %q, want only its stale alert", ngaBay)
	}
	if len(alertPosts) == 1 && !strings.Contains(alertPosts[0].Get("blocks"), "14 xã ở 7 huyện") {
		t.Errorf("slack alert post does not carry the grouped count: %s", alertPosts[0].Get("blocks"))
	}

	// A second run in the same ISO week sends nothing: the digest key is per week and the
	// alerts were told.
	mails := len(smtpSrv.received())
	runOK("once", "--as-of", "2026-11-28", "all")
	if posts2, uploads2 := slackSrv.counts(); len(posts2) != len(posts) || uploads2 != uploads {
		t.Errorf("second run: slack posts %d -> %d, uploads %d -> %d; want no change", len(posts), len(posts2), uploads, uploads2)
	}
	if got := len(smtpSrv.received()); got != mails {
		t.Errorf("second run: emails %d -> %d; want no change", mails, got)
	}

	// Silences and status.
	if out := runOK("silence", "add", "--rule", "commune_lagging", "--reason", "test"); !strings.Contains(out, "silence 1 added") {
		t.Errorf("silence add: %s", out)
	}
	list := runOK("silence", "list")
	if !regexp.MustCompile(`(?m)^1\s+commune_lagging\s+\*\s+\*\s+.*\stest$`).MatchString(list) {
		t.Errorf("silence list does not show the silence:\n%s", list)
	}
	status := runOK("status")
	firing := regexp.MustCompile(`firing alerts: (\d+)`).FindStringSubmatch(status)
	if firing == nil || firing[1] == "0" {
		t.Errorf("status shows no firing alerts:\n%s", status)
	}
	for _, want := range []string{"commune_lagging 31324/T01: Phường IV", "source_stale 931: Thành phố Ngã Bảy", "outbox: 0 pending"} {
		if !strings.Contains(status, want) {
			t.Errorf("status does not show %q:\n%s", want, status)
		}
	}

	// Secrets never reach the worker's output.
	for _, secret := range []string{testSlackToken, testSMTPPass} {
		if strings.Contains(output.String(), secret) {
			t.Errorf("worker output contains the secret %q", secret)
		}
	}
}

// TestDaemonRetriesOnlyTheChart: when Slack took a digest's text but not its chart, the
// daemon's retry uploads the chart without posting the digest a second time.
func TestDaemonRetriesOnlyTheChart(t *testing.T) {
	t.Parallel()
	slackSrv := newSlackServer(t)
	slackSrv.failUploads = 1
	path, _ := demoConfig(t)
	section := fmt.Sprintf(`http: {listen: "off"}
notify:
  channels:
    - {name: slack, kind: slack, token: %q, channel: C123, api_url: %q}
  groups:
    - {name: committee, channels: [slack], digest: "@every 1s"}
  delivery: {backoff_base: 400ms, backoff_max: 400ms}
`, testSlackToken, slackSrv.srv.URL+"/")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, section...), 0o600); err != nil {
		t.Fatal(err)
	}
	// The retry waits 200-400ms: longer than one pass of the sender, shorter than the
	// digest job's next tick, which sends again.
	mustRun(t, "--config", path, "once", "--as-of", "2026-11-28", "import")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	var stderr syncBuffer
	go func() { done <- run(ctx, []string{"--config", path, "run"}, io.Discard, &stderr) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, uploads := slackSrv.counts(); uploads == 1 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the chart was never uploaded; stderr:\n%s", stderr.String())
		}
	}
	// Give a further tick the chance to post again, were it going to.
	time.Sleep(1500 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("daemon exit %d", code)
	}
	posts, uploads := slackSrv.counts()
	if len(posts) != 1 || uploads != 1 {
		t.Errorf("slack got %d posts and %d uploads, want the digest posted once and its chart uploaded once; stderr:\n%s",
			len(posts), uploads, stderr.String())
	}
	if !strings.Contains(stderr.String(), "delivery failed") {
		t.Errorf("the failed upload was not logged:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), testSlackToken) {
		t.Errorf("daemon log contains the Slack token")
	}
}

// syncBuffer is a bytes.Buffer safe for the daemon's goroutines to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestAlertResolvesWhenDataArrives: a commune lagging on T01 gets its first new group in
// a file sent later; after the condition is clear for resolve_after (2) evaluations the
// committee is told, once, that it recovered.
func TestAlertResolvesWhenDataArrives(t *testing.T) {
	t.Parallel()
	slackSrv := newSlackServer(t)
	smtpSrv := newSMTPServer(t)
	cfg := notifyConfig(t, slackSrv.srv.URL, smtpSrv.port)
	late := filepath.Join(t.TempDir(), "nhom-moi.csv")
	header := "Tên tổ hợp tác,Xã phường,Ngày thành lập,Số tổ viên\n"
	if err := os.WriteFile(late, []byte(header), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	source := fmt.Sprintf("sources:\n  - {name: late-groups, kind: csv, entity: cooperative_groups, path: %s, district: Thành phố Vị Thanh}\n", late)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "sources:\n", source, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func() {
		t.Helper()
		if code, _, errOut := worker(t, "--config", cfg, "once", "--as-of", "2026-11-28", "all"); code != 0 {
			t.Fatalf("once all: exit %d\n%s", code, errOut)
		}
	}
	resolved := func() (n int, text string) {
		posts, _ := slackSrv.counts()
		for _, p := range posts {
			if strings.Contains(p.Get("text"), "1 đã khắc phục") {
				n++
				text = p.Get("blocks")
			}
		}
		return n, text
	}

	run() // Xã Vị Tân has no new group: its alert fires
	if err := os.WriteFile(late, []byte(header+"THT lúa Vị Tân,Xã Vị Tân,01/10/2026,11\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run() // the new group arrives: the condition is clear once
	if n, _ := resolved(); n != 0 {
		t.Fatalf("resolved after one clear evaluation; resolve_after is 2")
	}
	run() // clear twice: resolved, and said so
	n, text := resolved()
	if n != 1 || !strings.Contains(text, "Đã khắc phục") || !strings.Contains(text, "Xã Vị Tân") {
		t.Fatalf("%d resolved messages, want 1 naming Xã Vị Tân; blocks: %s", n, text)
	}
	run() // nothing new: not said again
	if n, _ := resolved(); n != 1 {
		t.Errorf("the recovery was announced %d times, want once", n)
	}
}
