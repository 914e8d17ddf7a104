package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/store"
)

// Sender delivers the outbox's due messages through the configured channels.
type Sender struct {
	Store     *store.Store
	Notifiers map[string]notify.Notifier // channel name -> notifier
	Policy    store.RetryPolicy
	Log       *slog.Logger
}

// Backoff is capped exponential backoff with full jitter in its upper half.
func Backoff(base, maxWait time.Duration) func(attempts int) time.Duration {
	return func(attempts int) time.Duration {
		d := base << min(attempts-1, 20)
		if d <= 0 || d > maxWait {
			d = maxWait
		}
		return d/2 + rand.N(d/2+1)
	}
}

// SendDue delivers messages until none is due, and returns how many were delivered and how
// many attempts failed.
func (s *Sender) SendDue(ctx context.Context) (delivered, failed int, err error) {
	for ctx.Err() == nil {
		found, err := s.Store.DeliverNext(ctx, s.Policy, func(n store.Notification) store.Delivery {
			// A delivery under way finishes (bounded by the channel's timeout) even when a
			// shutdown begins: abandoning it halfway could not be told from a failure.
			d := s.deliver(context.WithoutCancel(ctx), n)
			if d.Err != nil {
				failed++
				s.Log.Warn("delivery failed", "key", n.Key, "channel", n.Channel, "attempt", n.Attempts+1,
					"retryable", d.Retryable, "error", d.Err)
			} else {
				delivered++
				s.Log.Info("delivered", "key", n.Key, "channel", n.Channel)
			}
			return d
		})
		if err != nil || !found {
			return delivered, failed, err
		}
	}
	return delivered, failed, ctx.Err()
}

func (s *Sender) deliver(ctx context.Context, n store.Notification) store.Delivery {
	nt, ok := s.Notifiers[n.Channel]
	if !ok {
		// The channel was removed from the config: retrying cannot help.
		return store.Delivery{Err: fmt.Errorf("no channel named %q is configured", n.Channel)}
	}
	retryable, err := nt.Notify(ctx, notify.Message{Key: n.Key, Kind: n.Kind, Subject: n.Subject, Text: n.Text,
		HTML: n.HTML, Chart: n.Chart, ChartName: DigestChartName})
	d := store.Delivery{Err: err, Retryable: retryable}
	var ra *notify.RetryAfterError
	if errors.As(err, &ra) {
		d.Retryable, d.RetryAfter = true, ra.After
	}
	return d
}
