package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// WebhookConfig says where the JSON webhook goes and how it is signed.
type WebhookConfig struct {
	// URL receives the POST. It may hold a secret; it never appears in errors.
	URL string
	// Secret keys the HMAC-SHA256 signature in X-Coopwatch-Signature.
	Secret string
	// Timeout bounds one Notify call; 30s by default.
	Timeout time.Duration
}

// Validate checks the settings, naming the field that is wrong.
func (c WebhookConfig) Validate() error {
	switch {
	case c.URL == "":
		return errors.New("webhook: url is required")
	case !isHTTPURL(c.URL):
		return errors.New("webhook: url is not an http(s) URL")
	case c.Secret == "":
		return errors.New("webhook: secret is required, receivers verify the signature with it")
	case c.Timeout < 0:
		return fmt.Errorf("webhook: timeout %s is negative", c.Timeout)
	}
	return nil
}

// Webhook posts messages as signed JSON.
type Webhook struct {
	cfg    WebhookConfig
	client *http.Client
}

// NewWebhook validates cfg and builds the notifier.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, defaultTimeout)
	return &Webhook{cfg: cfg, client: &http.Client{Timeout: cfg.Timeout}}, nil
}

// Name implements Notifier.
func (w *Webhook) Name() string { return "webhook" }

// webhookBody is the JSON the receiver gets; field order is the output order.
type webhookBody struct {
	Key      string `json:"key"`
	Kind     string `json:"kind"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	ChartPNG []byte `json:"chart_png_base64,omitempty"` // encoding/json writes standard base64
}

// WebhookBody builds the request body for m; the same message gives the same bytes.
func WebhookBody(m Message) ([]byte, error) {
	return json.Marshal(webhookBody{Key: m.Key, Kind: m.Kind, Subject: m.Subject, Text: m.Text, ChartPNG: m.Chart})
}

// Sign returns the X-Coopwatch-Signature value for body: "sha256=" and the hex HMAC.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Notify posts m. 2xx is delivered; 429 and 5xx may be retried; other answers are final.
func (w *Webhook) Notify(ctx context.Context, m Message) (bool, error) {
	body, err := WebhookBody(m)
	if err != nil {
		return false, fmt.Errorf("webhook: encode body: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, w.scrub("webhook: build request", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "coopwatch")
	req.Header.Set("X-Coopwatch-Signature", Sign(w.cfg.Secret, body))
	if m.Key != "" {
		req.Header.Set("X-Coopwatch-Key", m.Key)
		req.Header.Set("Idempotency-Key", m.Key)
	}

	resp, err := w.client.Do(req)
	if err != nil {
		return transient(err), w.scrub("webhook: post", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return false, nil
	}

	// Redact the whole answer before shortening it, so no secret is left cut in half.
	snippet := truncateRunes(strings.Join(strings.Fields(w.redact(string(answer))), " "), 200)
	err = fmt.Errorf("webhook: receiver answered %s: %s", resp.Status, snippet)
	retry := Retryable(resp.StatusCode)
	if retry && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if after, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return true, &RetryAfterError{After: after, Err: err}
		}
	}
	return retry, err
}

func (w *Webhook) secrets() []string { return append(urlSecrets(w.cfg.URL), w.cfg.Secret) }

func (w *Webhook) redact(s string) string { return Redact(s, w.secrets()...) }

func (w *Webhook) scrub(doing string, err error) error { return scrubbed(doing, err, w.secrets()...) }
