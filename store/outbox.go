package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Notification is one message in the outbox.
type Notification struct {
	ID            int64        `db:"id"`
	Key           string       `db:"key"`
	Channel       string       `db:"channel"`
	Kind          string       `db:"kind"`
	Subject       string       `db:"subject"`
	Text          string       `db:"body_text"`
	HTML          string       `db:"body_html"`
	Chart         []byte       `db:"chart"`
	Attempts      int          `db:"attempts"`
	NextAttemptAt time.Time    `db:"next_attempt_at"`
	DeliveredAt   sql.NullTime `db:"delivered_at"`
	DeadAt        sql.NullTime `db:"dead_at"`
	LastError     string       `db:"last_error"`
	CreatedAt     time.Time    `db:"created_at"`
}

// enqueue adds messages to the outbox inside tx; a key already present is left alone, so
// deciding the same thing twice never sends it twice. It returns how many were new.
func enqueue(ctx context.Context, tx *sqlx.Tx, msgs []Notification) (int, error) {
	added := 0
	for _, m := range msgs {
		r, err := tx.ExecContext(ctx, `
			INSERT INTO notifications (key, channel, kind, subject, body_text, body_html, chart)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING`,
			m.Key, m.Channel, m.Kind, m.Subject, m.Text, m.HTML, m.Chart)
		if err != nil {
			return added, fmt.Errorf("store: unable to enqueue %s: %w", m.Key, err)
		}
		n, _ := r.RowsAffected()
		added += int(n)
	}
	return added, nil
}

// Enqueue adds messages to the outbox in a transaction of their own.
func (s *Store) Enqueue(ctx context.Context, msgs []Notification) (int, error) {
	var added int
	err := s.WithTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		added, err = enqueue(ctx, tx, msgs)
		return err
	})
	return added, err
}

// Delivery is what happened when a sender tried one message.
type Delivery struct {
	Err        error
	Retryable  bool
	RetryAfter time.Duration // the far side's word on when to come back; 0 if none
}

// RetryPolicy says how long to wait between attempts and when to give up.
type RetryPolicy struct {
	// Backoff returns the wait before attempt n+1 after n failed attempts.
	Backoff func(attempts int) time.Duration
	// MaxAge: a message still undelivered this long after it was queued is marked dead.
	MaxAge time.Duration
}

// DeliverNext claims the oldest due message that no other sender holds, calls send, and
// records the outcome, all in one transaction: the row stays locked (FOR UPDATE SKIP LOCKED)
// while send runs, so two senders never deliver the same message. It returns false when
// nothing was due.
func (s *Store) DeliverNext(ctx context.Context, policy RetryPolicy, send func(Notification) Delivery) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	found := false
	// The transaction must outlive a shutdown signal that arrives while send runs: if Slack
	// accepted the message, rolling back its "delivered" would send it again after restart.
	ctx = context.WithoutCancel(ctx)
	err := s.WithTx(ctx, func(tx *sqlx.Tx) error {
		var n Notification
		err := tx.GetContext(ctx, &n, `
			SELECT * FROM notifications
			WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= now()
			ORDER BY next_attempt_at, id
			LIMIT 1 FOR UPDATE SKIP LOCKED`)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: unable to claim a notification: %w", err)
		}
		found = true
		d := send(n)
		attempts := n.Attempts + 1
		switch {
		case d.Err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE notifications SET attempts = $2, delivered_at = now(), last_error = '' WHERE id = $1`,
				n.ID, attempts)
		case !d.Retryable || time.Since(n.CreatedAt) > policy.MaxAge:
			_, err = tx.ExecContext(ctx, `UPDATE notifications SET attempts = $2, dead_at = now(), last_error = $3 WHERE id = $1`,
				n.ID, attempts, d.Err.Error())
		default:
			wait := max(policy.Backoff(attempts), d.RetryAfter)
			_, err = tx.ExecContext(ctx, `UPDATE notifications SET attempts = $2, next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4 WHERE id = $1`,
				n.ID, attempts, wait.Milliseconds(), d.Err.Error())
		}
		if err != nil {
			return fmt.Errorf("store: unable to record delivery of %s: %w", n.Key, err)
		}
		return nil
	})
	return found, err
}

// OutboxCounts counts messages by state: pending, delivered, dead.
type OutboxCounts struct {
	Pending   int `db:"pending"`
	Delivered int `db:"delivered"`
	Dead      int `db:"dead"`
}

// Outbox counts the outbox's messages by state.
func (s *Store) Outbox(ctx context.Context) (OutboxCounts, error) {
	var c OutboxCounts
	err := s.db.GetContext(ctx, &c, `
		SELECT count(*) FILTER (WHERE delivered_at IS NULL AND dead_at IS NULL) AS pending,
			count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
			count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
		FROM notifications`)
	if err != nil {
		return c, fmt.Errorf("store: unable to count the outbox: %w", err)
	}
	return c, nil
}

// DeadNotifications lists messages that were given up on, newest first.
func (s *Store) DeadNotifications(ctx context.Context, limit int) ([]Notification, error) {
	var out []Notification
	err := s.db.SelectContext(ctx, &out, `
		SELECT id, key, channel, kind, subject, '' AS body_text, '' AS body_html, NULL::bytea AS chart, attempts,
			next_attempt_at, delivered_at, dead_at, last_error, created_at
		FROM notifications WHERE dead_at IS NOT NULL ORDER BY dead_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list dead notifications: %w", err)
	}
	return out, nil
}
