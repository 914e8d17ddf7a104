package notify

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's limits for Block Kit messages.
const (
	slackHeaderMax  = 150  // characters of a header block's text
	slackSectionMax = 3000 // characters of a section block's text (chunks stay under it)
	slackBlocksMax  = 50   // blocks in one message
)

// SlackConfig says where Slack messages go: a bot token and a channel (Web API, with the
// chart uploaded), or an incoming webhook URL (text only).
type SlackConfig struct {
	// Token is a bot token (xoxb-...) with chat:write and files:write.
	Token string
	// Channel is the channel ID the bot posts to.
	Channel string
	// WebhookURL is an incoming webhook, used when there is no token.
	WebhookURL string
	// APIURL is the Web API base; Slack's by default. It must end in "/".
	APIURL string
	// Timeout bounds one Notify call; 30s by default.
	Timeout time.Duration
}

// Validate checks that one way of posting is fully configured.
func (c SlackConfig) Validate() error {
	switch {
	case c.Token != "" && c.Channel == "":
		return errors.New("slack: channel is required with a token")
	case c.Token == "" && c.WebhookURL == "":
		return errors.New("slack: either token and channel, or webhook_url, is required")
	case c.Token == "" && !isHTTPURL(c.WebhookURL):
		// The URL itself is the secret: never quote it.
		return errors.New("slack: webhook_url is not an http(s) URL")
	case c.APIURL != "" && (!isHTTPURL(c.APIURL) || !strings.HasSuffix(c.APIURL, "/")):
		return fmt.Errorf("slack: api_url %q must be an http(s) URL ending in \"/\"", c.APIURL)
	case c.Timeout < 0:
		return fmt.Errorf("slack: timeout %s is negative", c.Timeout)
	}
	return nil
}

// Slack posts messages to a Slack channel.
type Slack struct {
	cfg SlackConfig
	api *slack.Client // nil in webhook mode

	// posted remembers keys whose text went out but whose chart upload failed, so a
	// retry from the same process uploads the chart without repeating the message.
	mu     sync.Mutex
	posted map[string]bool
}

// NewSlack validates cfg and builds the notifier.
func NewSlack(cfg SlackConfig) (*Slack, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, defaultTimeout)
	s := &Slack{cfg: cfg, posted: map[string]bool{}}
	if cfg.Token != "" {
		opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: cfg.Timeout})}
		if cfg.APIURL != "" {
			opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
		}
		s.api = slack.New(cfg.Token, opts...)
	}
	return s, nil
}

// Name implements Notifier.
func (s *Slack) Name() string { return "slack" }

// Notify posts m as Block Kit blocks, then uploads the chart when there is one (Web API only).
func (s *Slack) Notify(ctx context.Context, m Message) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	blocks := SlackBlocks(m)

	if s.api == nil {
		err := slack.PostWebhookContext(ctx, s.cfg.WebhookURL, &slack.WebhookMessage{
			Text:   m.Subject,
			Blocks: &slack.Blocks{BlockSet: blocks},
		})
		if err != nil {
			return s.fail("slack: post to webhook", err)
		}
		return false, nil
	}

	if !s.wasPosted(m.Key) {
		_, _, err := s.api.PostMessageContext(ctx, s.cfg.Channel,
			slack.MsgOptionText(m.Subject, false),
			slack.MsgOptionBlocks(blocks...),
		)
		if err != nil {
			return s.fail("slack: post message", err)
		}
	}
	if len(m.Chart) == 0 {
		return false, nil
	}
	_, err := s.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:   bytes.NewReader(m.Chart),
		FileSize: len(m.Chart),
		Filename: cmp.Or(m.ChartName, "chart.png"),
		Title:    m.Subject,
		Channel:  s.cfg.Channel,
	})
	if err != nil {
		s.setPosted(m.Key, true)
		return s.fail("slack: upload chart", err)
	}
	s.setPosted(m.Key, false)
	return false, nil
}

func (s *Slack) wasPosted(key string) bool {
	if key == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posted[key]
}

func (s *Slack) setPosted(key string, posted bool) {
	if key == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if posted {
		s.posted[key] = true
	} else {
		delete(s.posted, key)
	}
}

// slackTransientErrors are Web API error codes that may pass on their own.
var slackTransientErrors = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true,
}

// fail decides retry versus permanent and takes the secrets out of the error.
func (s *Slack) fail(doing string, err error) (bool, error) {
	secrets := append([]string{s.cfg.Token}, urlSecrets(s.cfg.WebhookURL)...)
	clean := scrubbed(doing, err, secrets...)

	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var api slack.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		return true, &RetryAfterError{After: rl.RetryAfter, Err: errors.New(doing + ": rate limited")}
	case errors.As(err, &sc):
		return Retryable(sc.Code), clean
	case errors.As(err, &api):
		return slackTransientErrors[api.Err], clean
	case transient(err):
		return true, clean
	}
	// Unknown failures (a garbled answer, an upload that went astray) may well pass.
	return true, clean
}

// SlackBlocks lays m out as Block Kit blocks: a header with the subject, then the text in
// mrkdwn sections split at line ends, at most 50 blocks in all.
func SlackBlocks(m Message) []slack.Block {
	var blocks []slack.Block
	if subject := strings.TrimSpace(m.Subject); subject != "" {
		blocks = append(blocks, slack.NewHeaderBlock(
			slack.NewTextBlockObject(slack.PlainTextType, truncateRunes(subject, slackHeaderMax), true, false)))
	}
	// A digest is a table: in a code block Slack keeps its columns aligned. Each section
	// is fenced on its own, so splitting never leaves a fence open.
	fence := ""
	if m.Kind == "digest" {
		fence = "```"
	}
	chunks := splitLines(escapeMrkdwn(m.Text), slackSectionMax-1-2*len(fence)-2)
	room := slackBlocksMax - len(blocks)
	if len(chunks) > room {
		chunks = chunks[:room]
		last := chunks[room-1]
		chunks[room-1] = truncateRunes(last, slackSectionMax-1-2*len(fence)-2-2) + "\n…"
	}
	for i, c := range chunks {
		if fence != "" {
			chunks[i] = fence + "\n" + c + "\n" + fence
		}
	}
	for _, c := range chunks {
		blocks = append(blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, c, false, false), nil, nil))
	}
	return blocks
}

// escapeMrkdwn escapes the three characters Slack reserves for links and mentions.
func escapeMrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// splitLines cuts s into chunks of at most limit runes, at line ends when it can; blank
// chunks are dropped since Slack refuses empty sections.
func splitLines(s string, limit int) []string {
	var chunks []string
	var b strings.Builder
	n := 0
	flush := func() {
		if c := strings.TrimRight(b.String(), "\n"); strings.TrimSpace(c) != "" {
			chunks = append(chunks, c)
		}
		b.Reset()
		n = 0
	}
	for line := range strings.Lines(s) {
		ln := utf8.RuneCountInString(line)
		if n > 0 && n+ln > limit {
			flush()
		}
		for ln > limit { // a single line longer than a section
			head := truncateRunesExact(line, limit)
			b.WriteString(head)
			flush()
			line = line[len(head):]
			ln = utf8.RuneCountInString(line)
		}
		b.WriteString(line)
		n += ln
	}
	flush()
	return chunks
}

// truncateRunes shortens s to at most limit runes, ending with "…" when cut.
func truncateRunes(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return strings.TrimRight(truncateRunesExact(s, limit-1), " ") + "…"
}

// truncateRunesExact returns the first limit runes of s.
func truncateRunesExact(s string, limit int) string {
	i := 0
	for pos := range s {
		if i == limit {
			return s[:pos]
		}
		i++
	}
	return s
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
