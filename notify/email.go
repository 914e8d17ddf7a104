package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"time"

	"github.com/wneessen/go-mail"
)

// EmailConfig says which SMTP server sends the mail and to whom.
type EmailConfig struct {
	// Host is the SMTP server.
	Host string
	// Port is the SMTP port; 587 for starttls, 465 for implicit, 25 for none by default.
	Port int
	// TLS is "starttls" (default), "implicit" or "none" (only for a server on localhost).
	TLS string
	// Username turns on SMTP AUTH PLAIN when set.
	Username string
	// Password goes with Username. It never appears in errors.
	Password string
	// From is the sender address, "Name <addr>" or "addr".
	From string
	// To lists every recipient; one message goes to all of them.
	To []string
	// Timeout bounds one Notify call; 30s by default.
	Timeout time.Duration
}

// Validate checks the settings, naming the field that is wrong.
func (c EmailConfig) Validate() error {
	if c.Host == "" {
		return errors.New("email: host is required")
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("email: port %d is out of range", c.Port)
	}
	switch c.TLS {
	case "", "starttls", "implicit":
	case "none":
		if !isLoopbackHost(c.Host) {
			return fmt.Errorf("email: tls \"none\" is only allowed for a server on localhost, not %q", c.Host)
		}
	default:
		return fmt.Errorf("email: tls %q is not one of starttls, implicit, none", c.TLS)
	}
	if c.Password != "" && c.Username == "" {
		return errors.New("email: password is set but username is empty")
	}
	if _, err := netmail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("email: from %q is not an address: %w", c.From, err)
	}
	if len(c.To) == 0 {
		return errors.New("email: to needs at least one recipient")
	}
	for _, to := range c.To {
		if _, err := netmail.ParseAddress(to); err != nil {
			return fmt.Errorf("email: to %q is not an address: %w", to, err)
		}
	}
	if c.Timeout < 0 {
		return fmt.Errorf("email: timeout %s is negative", c.Timeout)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Email sends messages through an SMTP server.
type Email struct {
	cfg    EmailConfig
	client *mail.Client
}

// NewEmail validates cfg, fills defaults and builds the notifier. It does not connect.
func NewEmail(cfg EmailConfig) (*Email, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.TLS = cmp.Or(cfg.TLS, "starttls")
	cfg.Timeout = cmp.Or(cfg.Timeout, defaultTimeout)
	cfg.To = slices.Clone(cfg.To)
	opts := []mail.Option{mail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case "starttls":
		cfg.Port = cmp.Or(cfg.Port, 587)
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "implicit":
		cfg.Port = cmp.Or(cfg.Port, 465)
		opts = append(opts, mail.WithSSL())
	case "none":
		cfg.Port = cmp.Or(cfg.Port, 25)
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	opts = append(opts, mail.WithPort(cfg.Port))
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain),
			mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	client, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("email: %s", Redact(err.Error(), cfg.Password))
	}
	return &Email{cfg: cfg, client: client}, nil
}

// Name implements Notifier.
func (e *Email) Name() string { return "email" }

// Notify sends m to every recipient as one message: text and HTML alternatives, with the
// chart inline as Content-ID <chart> when there is one.
func (e *Email) Notify(ctx context.Context, m Message) (bool, error) {
	msg, err := e.buildMsg(m)
	if err != nil {
		return false, fmt.Errorf("email: build message: %s", Redact(err.Error(), e.cfg.Password))
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	if err := e.client.DialAndSendWithContext(ctx, msg); err != nil {
		return smtpRetryable(err), scrubbed("email: send", err, e.cfg.Password)
	}
	return false, nil
}

func (e *Email) buildMsg(m Message) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(e.cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(e.cfg.To...); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.Key != "" {
		// A stable Message-ID lets mail clients fold a repeated delivery into one.
		sum := sha256.Sum256([]byte(m.Key))
		msg.SetMessageIDWithValue(hex.EncodeToString(sum[:16]) + "@coopwatch")
		msg.SetGenHeader(mail.Header("X-Coopwatch-Key"), m.Key)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	if len(m.Chart) > 0 {
		err := msg.EmbedReader(cmp.Or(m.ChartName, "chart.png"), bytes.NewReader(m.Chart),
			mail.WithFileContentID("<chart>"), mail.WithFileContentType(mail.ContentType("image/png")))
		if err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// smtpRetryable reads SMTP reply codes: 4xx is transient, 5xx permanent; a connection that
// failed or broke is worth another try.
func smtpRetryable(err error) bool {
	var se *mail.SendError
	if errors.As(err, &se) {
		switch code := se.ErrorCode(); {
		case code >= 400 && code < 500:
			return true
		case code >= 500:
			return false
		}
		// No reply code: the message could not be built (permanent) or the connection
		// failed mid-way (worth another try).
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			return false
		}
		return true
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500
	}
	return transient(err)
}
