package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Message is one notification, rendered once and handed to every channel.
type Message struct {
	Key       string // idempotency key, e.g. "digest:2026-W48:committee"
	Kind      string // "digest" or "alert"
	Subject   string
	Text      string // plain text, may hold simple *bold*
	HTML      string // full HTML document, for email; may refer to the chart as cid:chart
	Chart     []byte // PNG, optional
	ChartName string // file name of the chart, "chart.png" when empty
}

// Notifier delivers a Message over one channel. retryable tells the caller whether the same
// message may succeed later (network trouble, 5xx, rate limits) or never will (bad
// credentials, unknown channel, rejected recipient).
type Notifier interface {
	Name() string
	Notify(ctx context.Context, m Message) (retryable bool, err error)
}

// RetryAfterError says the far side named when to come back (Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// Retryable reports whether an HTTP status is worth retrying: 5xx and 429 are, every other
// 4xx is permanent.
func Retryable(statusCode int) bool {
	return statusCode == 429 || (statusCode >= 500 && statusCode <= 599)
}

// Redact replaces every non-empty secret in s with "<redacted>".
func Redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "<redacted>")
		}
	}
	return s
}

const defaultTimeout = 30 * time.Second

// scrubbed builds a new error from err's text with the secrets taken out. It keeps no link
// to err on purpose: unwrapping must not lead back to a message that holds a secret.
// Errors from net/http carry the request URL; only their cause is kept.
func scrubbed(prefix string, err error, secrets ...string) error {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	return errors.New(Redact(prefix+": "+msg, secrets...))
}

// urlSecrets lists the forms a secret URL can take in an error message.
func urlSecrets(raw string) []string {
	s := []string{raw}
	if u, err := url.Parse(raw); err == nil {
		s = append(s, u.String(), u.Redacted(), u.RawQuery)
		if len(u.Path) > 1 {
			s = append(s, u.Path, u.EscapedPath())
		}
	}
	return s
}

// transient reports whether err is a network failure or timeout that may pass.
func transient(err error) bool {
	var ne net.Error
	switch {
	case errors.As(err, &ne),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

var (
	_ Notifier = (*Slack)(nil)
	_ Notifier = (*Email)(nil)
	_ Notifier = (*Webhook)(nil)
)
