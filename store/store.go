// Package store holds all of coopwatch's SQL: schema migrations, bulk loads, attainment
// snapshots and job runs, behind methods on one Store.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the worker's access to Postgres. It is safe for concurrent use.
type Store struct {
	db *sqlx.DB
}

// Open connects to the database at dbURL and checks that it answers.
func Open(ctx context.Context, dbURL string) (*Store, error) {
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", Redact(dbURL), err)
	}
	db.SetMaxOpenConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, unreachable(dbURL, err)
	}
	return &Store{db: db}, nil
}

// unreachable explains how to get a database when none answers.
func unreachable(dbURL string, err error) error {
	return fmt.Errorf("store: unable to reach Postgres at %s: %w\n"+
		"  start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"+
		"  or point DATABASE_URL (TEST_DATABASE_URL for tests) at a running server", Redact(dbURL), err)
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the pool for tests and health checks.
func (s *Store) DB() *sqlx.DB { return s.db }

// Ping checks that the database still answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// WithTx runs fn in a transaction, committing when fn returns nil and rolling back
// otherwise (a panic included).
func (s *Store) WithTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}

// EnsureDatabase creates the database named in dbURL if it does not exist, connecting to
// the server's postgres database to do so.
func EnsureDatabase(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("store: bad database URL %s: %w", Redact(dbURL), err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return nil
	}
	admin := *u
	admin.Path = "/postgres"
	db, err := sql.Open("postgres", admin.String())
	if err != nil {
		return fmt.Errorf("store: unable to open %s: %w", Redact(admin.String()), err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return unreachable(admin.String(), err)
	}
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("store: unable to look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: unable to create database %q: %w", name, err)
	}
	return nil
}

// Redact hides the password of a database URL for logs and errors.
func Redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, s.db.DB, sub, goose.WithSessionLocker(locker))
}

// SchemaVersions reports the version the database is at and the newest this binary knows.
func (s *Store) SchemaVersions(ctx context.Context) (current, known int64, err error) {
	p, err := s.provider()
	if err != nil {
		return 0, 0, fmt.Errorf("store: migrations: %w", err)
	}
	srcs := p.ListSources()
	known = srcs[len(srcs)-1].Version
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT to_regclass('goose_db_version') IS NOT NULL`); err != nil {
		return 0, known, fmt.Errorf("store: unable to read schema version: %w", err)
	}
	if !exists {
		return 0, known, nil
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, known, fmt.Errorf("store: unable to read schema version: %w", err)
	}
	return current, known, nil
}

// ErrSchemaTooNew means the database was migrated by a newer coopwatch.
var ErrSchemaTooNew = errors.New("store: database schema is newer than this worker knows; upgrade the worker")

// Migrate applies the pending migrations and returns the versions it applied. It refuses
// to touch a database whose schema is newer than this binary.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	if err := s.CheckSchema(ctx, false); err != nil {
		return nil, err
	}
	p, err := s.provider()
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to migrate: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// CheckSchema returns ErrSchemaTooNew for a schema newer than known, and with
// requireCurrent an error for one that still needs migrating.
func (s *Store) CheckSchema(ctx context.Context, requireCurrent bool) error {
	current, known, err := s.SchemaVersions(ctx)
	if err != nil {
		return err
	}
	if current > known {
		return fmt.Errorf("%w (database at version %d, worker knows up to %d)", ErrSchemaTooNew, current, known)
	}
	if requireCurrent && current < known {
		return fmt.Errorf("store: database schema is at version %d, this worker needs %d: run 'worker migrate'", current, known)
	}
	return nil
}
