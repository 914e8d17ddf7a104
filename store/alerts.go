package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// AlertState is an alert's remembered state.
type AlertState struct {
	Rule           string       `db:"rule"`
	Subject        string       `db:"subject"`
	UnitCode       string       `db:"unit_code"`
	Indicator      string       `db:"indicator"`
	State          string       `db:"state"`   // pending, firing, inactive
	Held           int          `db:"held"`    // evaluations in a row the condition held
	Cleared        int          `db:"cleared"` // evaluations in a row it did not
	Summary        string       `db:"summary"`
	FirstSeenAt    time.Time    `db:"first_seen_at"`
	FiredAt        sql.NullTime `db:"fired_at"`
	LastNotifiedAt sql.NullTime `db:"last_notified_at"`
	ResolvedAt     sql.NullTime `db:"resolved_at"`
}

// Silence mutes alerts matching its rule, indicator and unit until it expires.
type Silence struct {
	ID        int64     `db:"id"`
	Rule      string    `db:"rule"`
	Indicator string    `db:"indicator"`
	UnitCode  string    `db:"unit_code"`
	Reason    string    `db:"reason"`
	CreatedBy string    `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
	ExpiresAt time.Time `db:"expires_at"`
}

// alertLock serializes evaluations across workers: two evaluating at once would both see
// an alert pending and both fire it.
const alertLock = 7_041_993

// EvaluateAlerts runs decide inside one transaction that holds the alert lock: decide gets
// the remembered states and the silences in force and returns the states to save and the
// messages to enqueue, which are committed together or not at all.
func (s *Store) EvaluateAlerts(ctx context.Context, now time.Time,
	decide func(states map[[2]string]AlertState, silences []Silence) ([]AlertState, []Notification, error)) (int, error) {
	enqueued := 0
	err := s.WithTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, alertLock); err != nil {
			return fmt.Errorf("store: unable to take the alert lock: %w", err)
		}
		var rows []AlertState
		if err := tx.SelectContext(ctx, &rows, `
			SELECT rule, subject, unit_code, indicator, state, held, cleared, summary, first_seen_at, fired_at,
				last_notified_at, resolved_at
			FROM alert_states`); err != nil {
			return fmt.Errorf("store: unable to read alert states: %w", err)
		}
		states := make(map[[2]string]AlertState, len(rows))
		for _, r := range rows {
			states[[2]string{r.Rule, r.Subject}] = r
		}
		var silences []Silence
		if err := tx.SelectContext(ctx, &silences, `SELECT * FROM silences WHERE expires_at > $1`, now); err != nil {
			return fmt.Errorf("store: unable to read silences: %w", err)
		}
		save, msgs, err := decide(states, silences)
		if err != nil {
			return err
		}
		for _, a := range save {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO alert_states (rule, subject, unit_code, indicator, state, held, cleared, summary,
					first_seen_at, fired_at, last_notified_at, resolved_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
				ON CONFLICT (rule, subject) DO UPDATE SET state = excluded.state, held = excluded.held,
					cleared = excluded.cleared, summary = excluded.summary, first_seen_at = excluded.first_seen_at,
					fired_at = excluded.fired_at,
					last_notified_at = excluded.last_notified_at, resolved_at = excluded.resolved_at,
					updated_at = excluded.updated_at`,
				a.Rule, a.Subject, a.UnitCode, a.Indicator, a.State, a.Held, a.Cleared, a.Summary,
				a.FirstSeenAt, a.FiredAt, a.LastNotifiedAt, a.ResolvedAt, now)
			if err != nil {
				return fmt.Errorf("store: unable to save alert %s %s: %w", a.Rule, a.Subject, err)
			}
		}
		enqueued, err = enqueue(ctx, tx, msgs)
		return err
	})
	return enqueued, err
}

// AddSilence stores a silence and returns its id.
func (s *Store) AddSilence(ctx context.Context, si Silence) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `
		INSERT INTO silences (rule, indicator, unit_code, reason, created_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, si.Rule, si.Indicator, si.UnitCode, si.Reason, si.CreatedBy, si.ExpiresAt)
	if err != nil {
		return 0, fmt.Errorf("store: unable to add silence: %w", err)
	}
	return id, nil
}

// Silences lists silences, the expired ones too when all is set.
func (s *Store) Silences(ctx context.Context, now time.Time, all bool) ([]Silence, error) {
	var out []Silence
	err := s.db.SelectContext(ctx, &out, `SELECT * FROM silences WHERE $2 OR expires_at > $1 ORDER BY id`, now, all)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list silences: %w", err)
	}
	return out, nil
}

// ExpireSilence ends a silence now; it reports false when no silence has that id.
func (s *Store) ExpireSilence(ctx context.Context, id int64, now time.Time) (bool, error) {
	r, err := s.db.ExecContext(ctx, `UPDATE silences SET expires_at = $2 WHERE id = $1 AND expires_at > $2`, id, now)
	if err != nil {
		return false, fmt.Errorf("store: unable to expire silence %d: %w", id, err)
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// FiringAlerts lists the alerts that fire now.
func (s *Store) FiringAlerts(ctx context.Context) ([]AlertState, error) {
	var out []AlertState
	err := s.db.SelectContext(ctx, &out, `
		SELECT rule, subject, unit_code, indicator, state, held, cleared, summary, first_seen_at, fired_at,
			last_notified_at, resolved_at
		FROM alert_states WHERE state = 'firing' ORDER BY rule, subject`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list firing alerts: %w", err)
	}
	return out, nil
}

// SaveDigest archives a rendered digest (replacing one of the same group and date).
func (s *Store) SaveDigest(ctx context.Context, group string, asOf time.Time, lang, text, html string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO digests (group_name, as_of, lang, body_text, body_html) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (group_name, as_of) DO UPDATE SET lang = excluded.lang, body_text = excluded.body_text,
			body_html = excluded.body_html, created_at = now()`, group, asOf, lang, text, html)
	if err != nil {
		return fmt.Errorf("store: unable to archive digest: %w", err)
	}
	return nil
}
