package main

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/mail"
	"net/textproto"
	"os"
	"strings"
	"testing"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/store"
)

// TestDigestPreviewIsWhatIsQueued: `digest --preview --format slack-json|eml` shows what
// the digest job queues for the Slack and email channels. Nothing is sent: the channels
// point nowhere.
func TestDigestPreviewIsWhatIsQueued(t *testing.T) {
	t.Parallel()
	cfg, st := demoConfig(t)
	section := `notify:
  channels:
    - {name: slack, kind: slack, token: xoxb-preview, channel: C123, api_url: "http://127.0.0.1:9/"}
    - {name: email, kind: email, host: 127.0.0.1, port: 2525, tls: none, from: "Coopwatch <digest@coopwatch.test>", to: [chu.tich@ubnd.test]}
  groups:
    - {name: committee, channels: [slack, email]}
`
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(section); err != nil {
		t.Fatal(err)
	}
	f.Close()
	mustRun(t, "--config", cfg, "once", "--as-of", "2026-11-21", "import")
	mustRun(t, "--config", cfg, "once", "--as-of", "2026-11-21", "recompute")
	mustRun(t, "--config", cfg, "once", "--as-of", "2026-11-28", "recompute")
	mustRun(t, "--config", cfg, "once", "--as-of", "2026-11-28", "digest")

	var queued []store.Notification
	if err := st.DB().Select(&queued, `SELECT key, channel, kind, subject, body_text, body_html, chart
		FROM notifications WHERE kind = 'digest' ORDER BY channel`); err != nil {
		t.Fatal(err)
	}
	if len(queued) != 2 || queued[0].Channel != "email" || queued[1].Channel != "slack" {
		t.Fatalf("queued %d digests, want one for email and one for slack", len(queued))
	}
	emailRow, slackRow := queued[0], queued[1]
	if !strings.Contains(slackRow.Text, "Thay đổi từ ngày 21/11/2026") {
		t.Errorf("the digest does not compare with 21 November:\n%s", slackRow.Text)
	}

	t.Run("slack-json", func(t *testing.T) {
		t.Parallel()
		got := mustRun(t, "--config", cfg, "digest", "--preview", "--format", "slack-json")
		// What Sender hands the Slack notifier for the queued row.
		m := notify.Message{Key: slackRow.Key, Kind: slackRow.Kind, Subject: slackRow.Subject, Text: slackRow.Text,
			HTML: slackRow.HTML, Chart: slackRow.Chart, ChartName: "coopwatch-chart.png"}
		raw, err := json.Marshal(notify.SlackBlocks(m))
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, raw, "", "  "); err != nil {
			t.Fatal(err)
		}
		want.WriteByte('\n')
		if got != want.String() {
			t.Errorf("slack-json preview differs from the queued message's blocks:\n%s\nwant:\n%s", got, want.String())
		}
	})

	t.Run("eml", func(t *testing.T) {
		t.Parallel()
		got := mustRun(t, "--config", cfg, "digest", "--preview", "--format", "eml", "--group", "committee")
		msg, err := mail.ReadMessage(strings.NewReader(got))
		if err != nil {
			t.Fatalf("the preview is not an RFC 5322 message: %v\n%s", err, got)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != emailRow.Subject || msg.Header.Get("X-Coopwatch-Key") != emailRow.Key {
			t.Errorf("subject %q, key %q; want %q, %q", subject, msg.Header.Get("X-Coopwatch-Key"), emailRow.Subject, emailRow.Key)
		}
		bodies := map[string][]byte{}
		for _, p := range mailParts(t, textproto.MIMEHeader(msg.Header), msg.Body) {
			bodies[p.contentType] = p.body
		}
		norm := func(b []byte) string { return strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") }
		if norm(bodies["text/plain"]) != norm([]byte(emailRow.Text)) {
			t.Errorf("text part differs from the queued text:\n%s", bodies["text/plain"])
		}
		if norm(bodies["text/html"]) != norm([]byte(emailRow.HTML)) || !strings.Contains(emailRow.HTML, `src="cid:chart"`) {
			t.Errorf("HTML part differs from the queued HTML, or shows no cid:chart")
		}
		if !bytes.Equal(bodies["image/png"], emailRow.Chart) {
			t.Errorf("image part is %d bytes, want the queued chart's %d", len(bodies["image/png"]), len(emailRow.Chart))
		}
	})
}

func TestDigestPreviewNeedsAChannel(t *testing.T) {
	t.Parallel()
	cfg, _ := demoConfig(t)
	for _, format := range []string{"slack-json", "eml"} {
		code, _, errOut := worker(t, "--config", cfg, "digest", "--preview", "--format", format)
		if code != 2 || !strings.Contains(errOut, "no notify group has a") {
			t.Errorf("--format %s without a channel: exit %d, %s; want 2 and a word on the missing channel", format, code, errOut)
		}
	}
	if code, _, _ := worker(t, "--config", cfg, "digest", "--preview", "--format", "pdf"); code != 2 {
		t.Errorf("--format pdf: exit %d, want 2", code)
	}
}
