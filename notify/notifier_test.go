package notify

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// tinyPNG is a small real PNG, so tests can check bytes end to end.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{R: 0xd3, A: 0xff})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sampleMessage is a weekly digest as the pipeline hands it to the notifiers.
func sampleMessage(t *testing.T) Message {
	t.Helper()
	return Message{
		Key:     "digest:2026-W48:committee",
		Kind:    "digest",
		Subject: "Bản tin tiến độ kế hoạch HTX — Tỉnh Quảng Trị, tuần 48/2026",
		Text: "*BẢN TIN TIẾN ĐỘ KẾ HOẠCH*: Kế hoạch phát triển kinh tế tập thể 2026–2030\n" +
			"Tỉnh Quảng Trị · số liệu đến ngày 27/11/2026 · đã qua 18% · còn 1.495 ngày\n\n" +
			"*Tổng quan*: 3 đã đạt · 3 đúng tiến độ · 2 có nguy cơ chậm · 3 chậm tiến độ · 2 chưa có số liệu\n\n" +
			"T01  Số hợp tác xã thành lập mới: 112% so với cần đạt\n" +
			"T04  Số thành viên hợp tác xã: 42% so với cần đạt <chậm tiến độ> & cần 35 thành viên/tuần\n",
		HTML:      `<!DOCTYPE html><html lang="vi"><body><h1>Bản tin tiến độ</h1><p>Đã đạt: 3</p><img src="cid:chart" alt="biểu đồ"></body></html>`,
		Chart:     tinyPNG(t),
		ChartName: "tien-do-2026-W48.png",
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code int
		want bool
	}{
		{200, false}, {400, false}, {401, false}, {403, false}, {404, false}, {410, false},
		{429, true}, {500, true}, {502, true}, {503, true}, {599, true}, {600, false},
	}
	for _, tt := range tests {
		if got := Retryable(tt.code); got != tt.want {
			t.Errorf("Retryable(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"one secret twice", "token abc and abc", []string{"abc"}, "token <redacted> and <redacted>"},
		{"empty secret ignored", "nothing to hide", []string{""}, "nothing to hide"},
		{"several", "u=alice p=pw", []string{"alice", "pw"}, "u=<redacted> p=<redacted>"},
		{"no secrets", "plain", nil, "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Redact(tt.in, tt.secrets...); got != tt.want {
				t.Errorf("Redact = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRetryAfterError(t *testing.T) {
	t.Parallel()
	inner := errors.New("rate limited")
	var err error = &RetryAfterError{After: 7 * time.Second, Err: inner}
	if !errors.Is(err, inner) {
		t.Error("RetryAfterError does not unwrap to its cause")
	}
	if got := err.Error(); !strings.Contains(got, "rate limited") || !strings.Contains(got, "7s") {
		t.Errorf("Error() = %q, want the cause and the delay", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"Sat, 28 Nov 2026 08:00:30 GMT", 30 * time.Second, true},
		{"Sat, 28 Nov 2026 07:00:00 GMT", 0, true},
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

// closedAddr is a 127.0.0.1 address nobody listens on any more.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestErrorsHoldNoSecrets drives every channel into its error paths with recognizable
// secrets and checks that no error, nor anything it wraps, repeats them.
func TestErrorsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	const (
		token    = "xoxb-SECRET-TOKEN"
		password = "pa55-SECRET"
		hmacKey  = "hmac-SECRET-key"
		hookPath = "/hooks/T0000/B0000/SECRET-hook-path"
	)
	secrets := []string{token, password, hmacKey, "SECRET"}
	m := sampleMessage(t)
	ctx := context.Background()

	// echo answers with everything it was sent, the way a careless server might.
	echo := func(status int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(status)
			io.WriteString(w, r.URL.String()+" "+r.Header.Get("Authorization")+" "+string(body))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	slackWith := func(t *testing.T, mode string) *Slack {
		fs := newFakeSlack(t, mode)
		s, err := NewSlack(SlackConfig{Token: token, Channel: "C0123", APIURL: fs.srv.URL + "/"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	notify := func(n Notifier, err error) error {
		if err != nil {
			return err
		}
		_, err = n.Notify(ctx, m)
		return err
	}

	tests := []struct {
		name string
		run  func(t *testing.T) error
	}{
		{"slack invalid_auth", func(t *testing.T) error { return notify(slackWith(t, "invalid_auth"), nil) }},
		{"slack rate limited", func(t *testing.T) error { return notify(slackWith(t, "ratelimited"), nil) }},
		{"slack 500", func(t *testing.T) error { return notify(slackWith(t, "server_error"), nil) }},
		{"slack upload fails", func(t *testing.T) error { return notify(slackWith(t, "upload_fails"), nil) }},
		{"slack api unreachable", func(t *testing.T) error {
			return notify(NewSlack(SlackConfig{Token: token, Channel: "C1", APIURL: "http://" + closedAddr(t) + "/"}))
		}},
		{"slack webhook 500", func(t *testing.T) error {
			return notify(NewSlack(SlackConfig{WebhookURL: echo(500).URL + hookPath}))
		}},
		{"slack webhook 404", func(t *testing.T) error {
			return notify(NewSlack(SlackConfig{WebhookURL: echo(404).URL + hookPath}))
		}},
		{"slack webhook unreachable", func(t *testing.T) error {
			return notify(NewSlack(SlackConfig{WebhookURL: "http://" + closedAddr(t) + hookPath}))
		}},
		{"slack webhook not a URL", func(t *testing.T) error {
			return notify(NewSlack(SlackConfig{WebhookURL: "hooks.example/SECRET"}))
		}},
		{"email wrong password", func(t *testing.T) error {
			fs := newFakeSMTP(t, 0)
			cfg := fs.config()
			cfg.Password = password
			return notify(NewEmail(cfg))
		}},
		{"email 451", func(t *testing.T) error {
			fs := newFakeSMTP(t, 451)
			fs.password = password
			cfg := fs.config()
			cfg.Password = password
			return notify(NewEmail(cfg))
		}},
		{"email 550", func(t *testing.T) error {
			fs := newFakeSMTP(t, 550)
			fs.password = password
			cfg := fs.config()
			cfg.Password = password
			return notify(NewEmail(cfg))
		}},
		{"email unreachable", func(t *testing.T) error {
			host, port, _ := net.SplitHostPort(closedAddr(t))
			cfg := EmailConfig{Host: host, TLS: "none", Username: "u", Password: password,
				From: "a@example.org", To: []string{"b@example.org"}}
			cfg.Port = atoi(t, port)
			return notify(NewEmail(cfg))
		}},
		{"email starttls refused", func(t *testing.T) error {
			cfg := newFakeSMTP(t, 0).config()
			cfg.TLS, cfg.Password = "starttls", password
			return notify(NewEmail(cfg))
		}},
		{"webhook 400 echoing", func(t *testing.T) error {
			return notify(NewWebhook(WebhookConfig{URL: echo(400).URL + hookPath, Secret: hmacKey}))
		}},
		{"webhook 500 echoing", func(t *testing.T) error {
			return notify(NewWebhook(WebhookConfig{URL: echo(500).URL + hookPath, Secret: hmacKey}))
		}},
		{"webhook 429", func(t *testing.T) error {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(429)
				io.WriteString(w, r.URL.Path)
			}))
			t.Cleanup(srv.Close)
			return notify(NewWebhook(WebhookConfig{URL: srv.URL + hookPath + "?token=SECRET", Secret: hmacKey}))
		}},
		{"webhook unreachable", func(t *testing.T) error {
			return notify(NewWebhook(WebhookConfig{URL: "http://" + closedAddr(t) + hookPath, Secret: hmacKey}))
		}},
		{"webhook not a URL", func(t *testing.T) error {
			return notify(NewWebhook(WebhookConfig{URL: "ftp://SECRET@x", Secret: hmacKey}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.run(t)
			if err == nil {
				t.Fatal("want an error")
			}
			t.Logf("error: %v", err)
			for e := err; e != nil; e = errors.Unwrap(e) {
				for _, s := range secrets {
					if strings.Contains(e.Error(), s) {
						t.Errorf("error %q holds the secret %q", e.Error(), s)
					}
				}
			}
		})
	}
}
