package main

import (
	"context"
	"fmt"
	"time"

	"github.com/coopwatch/coopwatch/config"
	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/store"
)

// groupUnits resolves each group's unit (a district's name or code) to a unit code; ""
// means the province.
func (a *app) groupUnits() (map[string]string, error) {
	out := map[string]string{}
	for _, g := range a.cfg.Notify.Groups {
		if g.Unit == "" {
			out[g.Name] = ""
			continue
		}
		u, err := a.match.District(g.Unit)
		if err != nil {
			return nil, fmt.Errorf("notify group %s: unit: %w", g.Name, err)
		}
		out[g.Name] = u.Code
	}
	return out, nil
}

func (a *app) alerter() (*pipeline.Alerter, error) {
	units, err := a.groupUnits()
	if err != nil {
		return nil, err
	}
	return &pipeline.Alerter{Store: a.store, Plan: a.plan, Province: a.gaz.Province.Code,
		ProvinceName: a.gaz.Province.FullName, Rules: a.cfg.Notify.Alerts, Lang: a.cfg.Language,
		Groups: a.cfg.Notify.Groups, GroupUnits: units}, nil
}

// evaluateAlerts runs one alert evaluation on the snapshots of asOf.
func (a *app) evaluateAlerts(ctx context.Context, asOf time.Time) error {
	al, err := a.alerter()
	if err != nil {
		return err
	}
	n, err := al.Evaluate(ctx, asOf, time.Now())
	if err != nil {
		return err
	}
	a.log.Info("alerts evaluated", "as_of", asOf.Format(time.DateOnly), "messages_queued", n)
	return nil
}

func (a *app) sender() (*pipeline.Sender, error) {
	notifiers := map[string]notify.Notifier{}
	for _, ch := range a.cfg.Notify.Channels {
		n, err := ch.Notifier()
		if err != nil {
			return nil, fmt.Errorf("notify channel %s: %w", ch.Name, err)
		}
		notifiers[ch.Name] = n
	}
	d := a.cfg.Notify.Delivery
	return &pipeline.Sender{Store: a.store, Notifiers: notifiers, Log: a.log,
		Policy: store.RetryPolicy{Backoff: pipeline.Backoff(d.BackoffBase, d.BackoffMax), MaxAge: d.MaxAge}}, nil
}

// send delivers every due message through s. A long-running worker keeps one sender: a
// Slack notifier remembers a post whose chart upload failed, so that the retry uploads
// only the chart instead of posting the whole digest again.
func (a *app) send(ctx context.Context, s *pipeline.Sender) error {
	delivered, failed, err := s.SendDue(ctx)
	if delivered+failed > 0 {
		a.log.Info("outbox sent", "delivered", delivered, "failed_attempts", failed)
	}
	return err
}

// queueDigests queues this week's digest of every group (or only the named one).
func (a *app) queueDigests(ctx context.Context, asOf time.Time, only string) error {
	units, err := a.groupUnits()
	if err != nil {
		return err
	}
	for _, g := range a.cfg.Notify.Groups {
		if (only != "" && g.Name != only) || (only == "" && g.Digest == "off") {
			continue
		}
		n, err := pipeline.QueueDigest(ctx, a.store, a.plan, g, a.scope(units[g.Name]), asOf, a.cfg.StateDir, a.digestOptions())
		if err != nil {
			return fmt.Errorf("digest for %s: %w", g.Name, err)
		}
		a.log.Info("digest queued", "group", g.Name, "messages", n)
	}
	return nil
}

// digestOptions are the config's settings for digests: its time zone, and the stale
// threshold of the alerts, so that the digest's "not reporting" agrees with them.
func (a *app) digestOptions() pipeline.DigestOptions {
	return pipeline.DigestOptions{Location: a.cfg.Location, StaleAfter: a.cfg.Notify.Alerts.StaleAfter, Now: time.Now()}
}

// scope is the unit a digest covers: the group's unit or the province.
func (a *app) scope(unit string) string {
	if unit == "" {
		return a.gaz.Province.Code
	}
	return unit
}

func (a *app) group(name string) (config.Group, error) {
	for _, g := range a.cfg.Notify.Groups {
		if g.Name == name {
			return g, nil
		}
	}
	return config.Group{}, fmt.Errorf("%w: no notify group named %q", errUsage, name)
}
