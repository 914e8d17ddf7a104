package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SourceCursor returns the cursor the source's last committed pull stored, or "".
func (s *Store) SourceCursor(ctx context.Context, source string) (string, error) {
	var c string
	err := s.db.GetContext(ctx, &c, `SELECT cursor FROM source_cursors WHERE source = $1`, source)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: unable to read cursor of %s: %w", source, err)
	}
	return c, nil
}

// SetCursor stores the source's cursor when the load commits; an empty cursor is ignored.
func (l *Load) SetCursor(cursor string) {
	l.cursor = cursor
}

func (l *Load) saveCursor() error {
	if l.cursor == "" {
		return nil
	}
	var old string
	err := l.tx.GetContext(l.ctx, &old, `SELECT cursor FROM source_cursors WHERE source = $1 FOR UPDATE`, l.meta.Source)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if old != "" && !cursorAfter(l.cursor, old) {
		return nil // a cursor never moves back, whatever a pull delivered
	}
	_, err = l.tx.ExecContext(l.ctx, `
		INSERT INTO source_cursors (source, cursor) VALUES ($1, $2)
		ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`, l.meta.Source, l.cursor)
	return err
}

// cursorAfter compares cursors as times when both are RFC 3339 (zones differ: "01:00Z"
// is after "07:30+07:00"), else as text.
func cursorAfter(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		return ta.After(tb)
	}
	return a > b
}
