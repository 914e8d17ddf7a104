package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	smtpUser = "digest@coopwatch.test"
	smtpPass = "right-password"
)

// fakeSMTP is a real SMTP server in the test process that keeps what it receives.
// failCode, when set, is the reply to MAIL FROM.
type fakeSMTP struct {
	addr     string
	failCode int
	password string // the one AUTH accepts

	mu   sync.Mutex
	mail []receivedMail
}

type receivedMail struct {
	authUser, from string
	to             []string
	data           []byte
}

func newFakeSMTP(t *testing.T, failCode int) *fakeSMTP {
	t.Helper()
	fs := &fakeSMTP{failCode: failCode, password: smtpPass}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{fs: fs}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // plain text on loopback, for the test only
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return fs
}

// config points an EmailConfig at the server, with the right credentials.
func (fs *fakeSMTP) config() EmailConfig {
	host, port, _ := net.SplitHostPort(fs.addr)
	p, _ := strconv.Atoi(port)
	return EmailConfig{
		Host: host, Port: p, TLS: "none", Username: smtpUser, Password: smtpPass,
		From: "Coopwatch <digest@coopwatch.test>",
		To:   []string{"chu.tich@ubnd.test", "pho.chu.tich@ubnd.test", "so.nn@ubnd.test"},
	}
}

type smtpSession struct {
	fs  *fakeSMTP
	cur receivedMail
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != smtpUser || password != s.fs.password {
			return smtp.ErrAuthFailed
		}
		s.cur.authUser = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.authUser == "" {
		return smtp.ErrAuthRequired
	}
	if c := s.fs.failCode; c != 0 {
		return &smtp.SMTPError{Code: c, EnhancedCode: smtp.EnhancedCode{c / 100, 0, 0}, Message: "not now"}
	}
	s.cur.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.fs.mu.Lock()
	s.fs.mail = append(s.fs.mail, s.cur)
	s.fs.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset() { s.cur = receivedMail{authUser: s.cur.authUser} }

func (s *smtpSession) Logout() error { return nil }

// mimePart is one leaf of a parsed message.
type mimePart struct {
	contentType, parent, contentID string
	body                           []byte
}

// leaves walks a MIME entity down to its leaves, decoding base64 (multipart decodes
// quoted-printable by itself).
func leaves(t *testing.T, h textproto.MIMEHeader, body io.Reader, parent string) []mimePart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		var out []mimePart
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return out
			}
			if err != nil {
				t.Fatalf("next part of %s: %v", mt, err)
			}
			out = append(out, leaves(t, p.Header, p, mt)...)
		}
	}
	if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read %s part: %v", mt, err)
	}
	return []mimePart{{contentType: mt, parent: parent, contentID: h.Get("Content-Id"), body: b}}
}

func normalizeNL(b []byte) string {
	return strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
}

func TestEmailNotify(t *testing.T) {
	t.Parallel()
	m := sampleMessage(t)
	fs := newFakeSMTP(t, 0)
	cfg := fs.config()
	e, err := NewEmail(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if retry, err := e.Notify(context.Background(), m); err != nil {
		t.Fatalf("Notify = %v, %v", retry, err)
	}

	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.mail) != 1 {
		t.Fatalf("server received %d messages, want 1", len(fs.mail))
	}
	got := fs.mail[0]
	if got.authUser != smtpUser {
		t.Errorf("authenticated as %q, want %q", got.authUser, smtpUser)
	}
	if got.from != "digest@coopwatch.test" {
		t.Errorf("MAIL FROM %q", got.from)
	}
	if !slices.Equal(slices.Sorted(slices.Values(got.to)), slices.Sorted(slices.Values(cfg.To))) {
		t.Errorf("RCPT TO %v, want %v", got.to, cfg.To)
	}

	msg, err := mail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	rawSubject := msg.Header.Get("Subject")
	if !strings.HasPrefix(rawSubject, "=?") {
		t.Errorf("Subject %q is not RFC 2047 encoded", rawSubject)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(rawSubject)
	if err != nil || subject != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", subject, err, m.Subject)
	}
	if msg.Header.Get("X-Coopwatch-Key") != m.Key || msg.Header.Get("Message-Id") == "" {
		t.Errorf("X-Coopwatch-Key %q, Message-Id %q", msg.Header.Get("X-Coopwatch-Key"), msg.Header.Get("Message-Id"))
	}

	parts := leaves(t, textproto.MIMEHeader(msg.Header), msg.Body, "")
	byType := map[string]mimePart{}
	for _, p := range parts {
		byType[p.contentType] = p
	}
	if len(parts) != 3 || len(byType) != 3 {
		t.Fatalf("parts %v, want text/plain, text/html, image/png", parts)
	}
	for _, want := range []struct {
		ct, body string
	}{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		p := byType[want.ct]
		if p.parent != "multipart/alternative" {
			t.Errorf("%s sits in %q, want multipart/alternative", want.ct, p.parent)
		}
		if normalizeNL(p.body) != strings.TrimRight(want.body, "\n") {
			t.Errorf("%s body:\n%s\nwant:\n%s", want.ct, p.body, want.body)
		}
	}
	img := byType["image/png"]
	if img.contentID != "<chart>" {
		t.Errorf("image Content-ID %q, want <chart>", img.contentID)
	}
	if !bytes.Equal(img.body, m.Chart) {
		t.Errorf("image is %d bytes, want the %d chart bytes", len(img.body), len(m.Chart))
	}
}

func TestEmailNotifyFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failCode  int
		password  string
		wantRetry bool
		wantErr   string
	}{
		{"451 try later", 451, smtpPass, true, "451"},
		{"550 refused", 550, smtpPass, false, "550"},
		{"wrong password", 0, "pa55-wrong", false, "535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFakeSMTP(t, tt.failCode)
			cfg := fs.config()
			cfg.Password = tt.password
			e, err := NewEmail(cfg)
			if err != nil {
				t.Fatal(err)
			}
			retry, err := e.Notify(context.Background(), sampleMessage(t))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one mentioning %s", err, tt.wantErr)
			}
			if retry != tt.wantRetry {
				t.Errorf("retryable = %v, want %v (%v)", retry, tt.wantRetry, err)
			}
		})
	}

	t.Run("server unreachable", func(t *testing.T) {
		t.Parallel()
		host, port, _ := net.SplitHostPort(closedAddr(t))
		e, err := NewEmail(EmailConfig{Host: host, Port: atoi(t, port), TLS: "none",
			From: "a@coopwatch.test", To: []string{"b@coopwatch.test"}})
		if err != nil {
			t.Fatal(err)
		}
		if retry, err := e.Notify(context.Background(), sampleMessage(t)); err == nil || !retry {
			t.Errorf("Notify = %v, %v; want a retryable error", retry, err)
		}
	})
}

func TestEmailConfigValidate(t *testing.T) {
	t.Parallel()
	ok := EmailConfig{Host: "smtp.example.org", From: "a@example.org", To: []string{"b@example.org"}}
	with := func(f func(*EmailConfig)) EmailConfig {
		c := ok
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		cfg     EmailConfig
		wantErr string
	}{
		{"minimal", ok, ""},
		{"no host", with(func(c *EmailConfig) { c.Host = "" }), "host"},
		{"bad port", with(func(c *EmailConfig) { c.Port = 70000 }), "port"},
		{"bad tls", with(func(c *EmailConfig) { c.TLS = "ssl" }), "tls"},
		{"no tls off localhost", with(func(c *EmailConfig) { c.TLS = "none" }), "localhost"},
		{"no tls on loopback", with(func(c *EmailConfig) { c.TLS, c.Host = "none", "127.0.0.1" }), ""},
		{"password without user", with(func(c *EmailConfig) { c.Password = "x" }), "username"},
		{"bad from", with(func(c *EmailConfig) { c.From = "nobody" }), "from"},
		{"no recipients", with(func(c *EmailConfig) { c.To = nil }), "to"},
		{"bad recipient", with(func(c *EmailConfig) { c.To = []string{"b@example.org", "x"} }), `"x"`},
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

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
