package config

import (
	"cmp"
	"fmt"
	"time"

	"github.com/coopwatch/coopwatch/notify"
)

// Notify says who is told what, through which channels.
type Notify struct {
	Channels []Channel   `yaml:"channels"`
	Groups   []Group     `yaml:"groups"`
	Alerts   AlertRules  `yaml:"alerts"`
	Delivery DeliveryCfg `yaml:"delivery"`
}

// Channel is one way to reach people: kind slack, email or webhook, with its settings.
type Channel struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// slack: token (token_file) and channel for chat.postMessage with the chart uploaded,
	// or webhook_url (webhook_url_file) for an incoming webhook (no chart).
	Token      string `yaml:"token"`
	Channel    string `yaml:"channel"`
	WebhookURL string `yaml:"webhook_url"`
	APIURL     string `yaml:"api_url"` // Slack API base; tests only
	// email: SMTP host and port, tls starttls (default) or implicit, username, password
	// (password_file), from, to.
	Host     string   `yaml:"host"`
	Port     int      `yaml:"port"`
	TLS      string   `yaml:"tls"`
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	From     string   `yaml:"from"`
	To       []string `yaml:"to"`
	// webhook: url (url_file) and secret (secret_file) for the X-Coopwatch-Signature HMAC.
	URL    string `yaml:"url"`
	Secret string `yaml:"secret"`
	// Timeout of one delivery attempt. Default 30s.
	Timeout time.Duration `yaml:"timeout"`
}

// Group is a set of recipients: which channels reach them, which unit they care about,
// when they get the digest, and whether they get alerts.
type Group struct {
	Name     string   `yaml:"name"`
	Channels []string `yaml:"channels"`
	// Unit scopes the group to a district (code or name): its digest covers that district
	// and its communes, and it gets only that district's alerts. Default: the province.
	Unit string `yaml:"unit"`
	// Digest is the cron schedule of the group's weekly digest; default "30 7 * * MON";
	// "off" sends none.
	Digest string `yaml:"digest"`
	// Alerts: whether the group gets alerts. Default true.
	Alerts *bool `yaml:"alerts"`
	// Language of the group's messages: vi or en; default the config's language.
	Language string `yaml:"language"`
}

// WantsAlerts reports whether the group gets alerts.
func (g Group) WantsAlerts() bool { return g.Alerts == nil || *g.Alerts }

// AlertRules are the alert thresholds.
type AlertRules struct {
	// ForEvaluations: a condition must hold this many evaluations in a row to fire. Default 2.
	ForEvaluations int `yaml:"for_evaluations"`
	// ResolveAfter: it must be clear this many evaluations in a row to resolve. Default 2.
	ResolveAfter int `yaml:"resolve_after"`
	// RepeatInterval: a firing alert is repeated after this long. Default 168h (a week).
	RepeatInterval time.Duration `yaml:"repeat_interval"`
	// CommuneLaggingAfter: share of the plan period that must have passed before communes
	// short of a per-commune target alert. Default 0.5.
	CommuneLaggingAfter float64 `yaml:"commune_lagging_after"`
	// StaleAfter: a district that sent nothing for this long is stale. Default 720h (30 days).
	StaleAfter time.Duration `yaml:"stale_after"`
	// FailingRuns: a source failing this many runs in a row alerts. Default 3.
	FailingRuns int `yaml:"failing_runs"`
	// RejectShare: a file with more than this share of rows rejected alerts. Default 0.1.
	RejectShare float64 `yaml:"reject_share"`
}

// DeliveryCfg is the outbox's retry policy.
type DeliveryCfg struct {
	// BackoffBase and BackoffMax bound the exponential backoff between attempts
	// (defaults 30s and 1h); a Retry-After from the far side wins when longer.
	BackoffBase time.Duration `yaml:"backoff_base"`
	BackoffMax  time.Duration `yaml:"backoff_max"`
	// MaxAge: a message still undelivered this long after it was queued is marked dead
	// (`worker status` lists it). Default 24h.
	MaxAge time.Duration `yaml:"max_age"`
}

func (n *Notify) fillDefaults(language string) {
	r := &n.Alerts
	r.ForEvaluations = cmp.Or(r.ForEvaluations, 2)
	r.ResolveAfter = cmp.Or(r.ResolveAfter, 2)
	r.RepeatInterval = cmp.Or(r.RepeatInterval, 7*24*time.Hour)
	r.CommuneLaggingAfter = cmp.Or(r.CommuneLaggingAfter, 0.5)
	r.StaleAfter = cmp.Or(r.StaleAfter, 30*24*time.Hour)
	r.FailingRuns = cmp.Or(r.FailingRuns, 3)
	r.RejectShare = cmp.Or(r.RejectShare, 0.1)
	d := &n.Delivery
	d.BackoffBase = cmp.Or(d.BackoffBase, 30*time.Second)
	d.BackoffMax = cmp.Or(d.BackoffMax, time.Hour)
	d.MaxAge = cmp.Or(d.MaxAge, 24*time.Hour)
	for i := range n.Groups {
		g := &n.Groups[i]
		g.Digest = cmp.Or(g.Digest, "30 7 * * MON")
		g.Language = cmp.Or(g.Language, language)
	}
}

func (n *Notify) validate(bad func(key, format string, args ...any)) {
	names := map[string]bool{}
	for i, ch := range n.Channels {
		key := fmt.Sprintf("notify.channels[%d]", i)
		if ch.Name == "" || names[ch.Name] {
			bad(key+".name", "is required and must be unique")
		}
		names[ch.Name] = true
		if _, err := ch.Notifier(); err != nil {
			bad(key, "%v", err)
		}
	}
	groups := map[string]bool{}
	for i, g := range n.Groups {
		key := fmt.Sprintf("notify.groups[%d]", i)
		if g.Name == "" || groups[g.Name] {
			bad(key+".name", "is required and must be unique")
		}
		groups[g.Name] = true
		if len(g.Channels) == 0 {
			bad(key+".channels", "name at least one channel")
		}
		for _, c := range g.Channels {
			if !names[c] {
				bad(key+".channels", "no channel named %q", c)
			}
		}
		if g.Digest != "off" {
			if _, err := cronSpec.Parse(g.Digest); err != nil {
				bad(key+".digest", "%q is not a cron expression: %v", g.Digest, err)
			}
		}
		if g.Language != "vi" && g.Language != "en" {
			bad(key+".language", "must be vi or en, not %q", g.Language)
		}
	}
	if n.Alerts.CommuneLaggingAfter < 0 || n.Alerts.CommuneLaggingAfter > 1 {
		bad("notify.alerts.commune_lagging_after", "%v is not between 0 and 1", n.Alerts.CommuneLaggingAfter)
	}
}

// Notifier builds the channel's notifier; its error says what is missing.
func (c Channel) Notifier() (notify.Notifier, error) {
	switch c.Kind {
	case "slack":
		return notify.NewSlack(notify.SlackConfig{Token: c.Token, Channel: c.Channel, WebhookURL: c.WebhookURL,
			APIURL: c.APIURL, Timeout: c.Timeout})
	case "email":
		return notify.NewEmail(notify.EmailConfig{Host: c.Host, Port: c.Port, TLS: c.TLS, Username: c.Username,
			Password: c.Password, From: c.From, To: c.To, Timeout: c.Timeout})
	case "webhook":
		return notify.NewWebhook(notify.WebhookConfig{URL: c.URL, Secret: c.Secret, Timeout: c.Timeout})
	}
	return nil, fmt.Errorf("kind %q is not one of slack, email, webhook", c.Kind)
}
