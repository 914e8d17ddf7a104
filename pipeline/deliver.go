package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coopwatch/coopwatch/config"
	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
)

// RenderedDigest is a digest in every form a channel needs.
type RenderedDigest struct {
	Digest notify.Digest
	Text   string
	HTML   string
	Chart  []byte
}

// RenderDigest builds and renders the digest of one unit for asOf; chartSrc is where the
// HTML version finds the chart ("cid:chart" for email).
func RenderDigest(ctx context.Context, st *store.Store, p *plan.Plan, unit string, asOf time.Time, lang string,
	chartSrc template.URL, opts DigestOptions) (RenderedDigest, error) {
	d, err := BuildDigestWith(ctx, st, p, unit, asOf, lang, opts)
	if err != nil {
		return RenderedDigest{}, err
	}
	d.ChartSrc = chartSrc
	var text, html bytes.Buffer
	if err := notify.RenderText(&text, d); err != nil {
		return RenderedDigest{}, err
	}
	if err := notify.RenderHTML(&html, d); err != nil {
		return RenderedDigest{}, err
	}
	chart, err := notify.RenderChart(d)
	if err != nil {
		return RenderedDigest{}, fmt.Errorf("digest chart: %w", err)
	}
	return RenderedDigest{Digest: d, Text: text.String(), HTML: html.String(), Chart: chart}, nil
}

// QueueDigest renders a group's digest, archives it (database and state directory) and
// queues it for each of the group's channels. The key names the group, the ISO week and
// the channel: a week's digest is queued once, however often this runs.
func QueueDigest(ctx context.Context, st *store.Store, p *plan.Plan, g config.Group, unit string, asOf time.Time,
	stateDir string, opts DigestOptions) (int, error) {
	r, err := RenderDigest(ctx, st, p, unit, asOf, g.Language, "cid:chart", opts)
	if err != nil {
		return 0, err
	}
	if err := st.SaveDigest(ctx, g.Name, asOf, g.Language, r.Text, r.HTML); err != nil {
		return 0, err
	}
	dir := filepath.Join(stateDir, "digests")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("digest archive: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("%s-%s", g.Name, asOf.Format(time.DateOnly)))
	archived := strings.Replace(r.HTML, "cid:chart", filepath.Base(base)+".png", 1)
	for ext, body := range map[string][]byte{".html": []byte(archived), ".txt": []byte(r.Text), ".png": r.Chart} {
		if err := os.WriteFile(base+ext, body, 0o640); err != nil {
			return 0, fmt.Errorf("digest archive: %w", err)
		}
	}
	msgs := make([]store.Notification, 0, len(g.Channels))
	for _, ch := range g.Channels {
		m := DigestMessage(r, g, ch)
		msgs = append(msgs, store.Notification{Key: m.Key, Channel: ch, Kind: m.Kind, Subject: m.Subject,
			Text: m.Text, HTML: m.HTML, Chart: m.Chart})
	}
	return st.Enqueue(ctx, msgs)
}

// DigestChartName is the file name a digest's chart goes out under; Sender names queued
// charts so too.
const DigestChartName = "coopwatch-chart.png"

// DigestMessage is the message a group's digest goes out as on one of its channels:
// QueueDigest queues it and `worker digest --preview` shows it, so the two cannot differ.
// The key names the group, the ISO week and the channel.
func DigestMessage(r RenderedDigest, g config.Group, channel string) notify.Message {
	asOf := r.Digest.AsOf
	year, week := asOf.ISOWeek()
	return notify.Message{
		Key:     fmt.Sprintf("digest:%s:%d-W%02d:%s", g.Name, year, week, channel),
		Kind:    "digest",
		Subject: fmt.Sprintf("[coopwatch] %s: %s %s", r.Digest.Province, digestWord(g.Language), asOf.Format("02/01/2006")),
		Text:    r.Text, HTML: r.HTML, Chart: r.Chart, ChartName: DigestChartName,
	}
}

func digestWord(lang string) string {
	if lang == "en" {
		return "weekly digest"
	}
	return "bản tin tuần"
}
