package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWebhookBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{
			"alert without chart",
			Message{Key: "alert:T04:behind", Kind: "alert", Subject: "Chỉ tiêu T04 chậm", Text: "*T04* <42%> & chậm"},
			`{"key":"alert:T04:behind","kind":"alert","subject":"Chỉ tiêu T04 chậm","text":"*T04* \u003c42%\u003e \u0026 chậm"}`,
		},
		{
			"digest with chart",
			Message{Key: "k", Kind: "digest", Subject: "s", Text: "t", HTML: "<p>not sent</p>", Chart: []byte{0x89, 'P', 'N', 'G'}},
			`{"key":"k","kind":"digest","subject":"s","text":"t","chart_png_base64":"iVBORw=="}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := WebhookBody(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("WebhookBody =\n%s\nwant\n%s", got, tt.want)
			}
			again, _ := WebhookBody(tt.m)
			if !bytes.Equal(got, again) {
				t.Error("WebhookBody is not deterministic")
			}
		})
	}
}

// fakeReceiver checks each request the way a receiver should: the signature over the
// exact bytes received, then answers with status (and Retry-After when set).
type fakeReceiver struct {
	secret     string
	status     int
	retryAfter string

	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	badSigns int
}

func (f *fakeReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(f.secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.headers = append(f.headers, r.Header.Clone())
	if !hmac.Equal([]byte(r.Header.Get("X-Coopwatch-Signature")), []byte(want)) {
		f.badSigns++
	}
	f.mu.Unlock()
	if f.retryAfter != "" {
		w.Header().Set("Retry-After", f.retryAfter)
	}
	w.WriteHeader(f.status)
	io.WriteString(w, http.StatusText(f.status))
}

func TestWebhookNotify(t *testing.T) {
	t.Parallel()
	const secret = "receiver-shared-secret"
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantRetry  bool
		wantErr    bool
		wantAfter  time.Duration
	}{
		{name: "200 delivered", status: 200},
		{name: "204 delivered", status: 204},
		{name: "500 retry", status: 500, wantRetry: true, wantErr: true},
		{name: "502 retry", status: 502, wantRetry: true, wantErr: true},
		{name: "400 permanent", status: 400, wantErr: true},
		{name: "404 permanent", status: 404, wantErr: true},
		{name: "429 with Retry-After", status: 429, retryAfter: "7", wantRetry: true, wantErr: true, wantAfter: 7 * time.Second},
		{name: "503 with Retry-After", status: 503, retryAfter: "120", wantRetry: true, wantErr: true, wantAfter: 2 * time.Minute},
		{name: "429 without Retry-After", status: 429, wantRetry: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			recv := &fakeReceiver{secret: secret, status: tt.status, retryAfter: tt.retryAfter}
			srv := httptest.NewServer(recv)
			t.Cleanup(srv.Close)
			w, err := NewWebhook(WebhookConfig{URL: srv.URL + "/coopwatch", Secret: secret})
			if err != nil {
				t.Fatal(err)
			}
			m := sampleMessage(t)
			retry, err := w.Notify(context.Background(), m)
			if (err != nil) != tt.wantErr || retry != tt.wantRetry {
				t.Fatalf("Notify = %v, %v; want retryable %v, error %v", retry, err, tt.wantRetry, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), strconv.Itoa(tt.status)) {
				t.Errorf("error %q does not name the status", err)
			}
			var ra *RetryAfterError
			if got := errors.As(err, &ra); got != (tt.wantAfter > 0) || (got && ra.After != tt.wantAfter) {
				t.Errorf("RetryAfterError = %v (%v), want After %v", ra, got, tt.wantAfter)
			}

			recv.mu.Lock()
			defer recv.mu.Unlock()
			if len(recv.bodies) != 1 {
				t.Fatalf("receiver got %d requests", len(recv.bodies))
			}
			if recv.badSigns != 0 {
				t.Error("signature does not match the body received")
			}
			h := recv.headers[0]
			if h.Get("Idempotency-Key") != m.Key || h.Get("X-Coopwatch-Key") != m.Key {
				t.Errorf("Idempotency-Key %q, X-Coopwatch-Key %q, want %q", h.Get("Idempotency-Key"), h.Get("X-Coopwatch-Key"), m.Key)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			want, _ := WebhookBody(m)
			if !bytes.Equal(recv.bodies[0], want) {
				t.Errorf("body %s, want WebhookBody's %s", recv.bodies[0], want)
			}
		})
	}
}

func TestWebhookConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     WebhookConfig
		wantErr string
	}{
		{"ok", WebhookConfig{URL: "https://example.org/hook", Secret: "s"}, ""},
		{"no url", WebhookConfig{Secret: "s"}, "url is required"},
		{"not http", WebhookConfig{URL: "mailto:x@example.org", Secret: "s"}, "http(s)"},
		{"no secret", WebhookConfig{URL: "https://example.org/hook"}, "secret"},
		{"negative timeout", WebhookConfig{URL: "https://example.org/hook", Secret: "s", Timeout: -time.Second}, "timeout"},
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
