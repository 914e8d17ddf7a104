package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	_, err := l.tx.ExecContext(l.ctx, `
		INSERT INTO source_cursors (source, cursor) VALUES ($1, $2)
		ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`, l.meta.Source, l.cursor)
	return err
}
