// Package storetest gives each test its own freshly migrated schema in a real Postgres, so
// tests run in parallel and never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/lib/pq"

	"github.com/coopwatch/coopwatch/store"
)

// DefaultURL is the test database when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/coopwatch_test?sslmode=disable"

var ensureOnce = sync.OnceValue(func() error {
	return store.EnsureDatabase(context.Background(), URL())
})

// URL is the test database's URL.
func URL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a Store on a new schema, migrated, dropped when the test ends. When no
// database answers the test fails, with a message saying how to start one; it never skips.
func New(t testing.TB) *store.Store {
	t.Helper()
	s, _ := NewWithURL(t)
	return s
}

// NewWithURL is New, also returning the URL that reaches the schema, for code under test
// that opens its own connections (the CLI, a second worker).
func NewWithURL(t testing.TB) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	if err := ensureOnce(); err != nil {
		t.Fatalf("test database: %v", err)
	}
	schema := "t_" + randomHex(6)
	admin, err := store.Open(ctx, URL())
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	if _, err := admin.DB().ExecContext(ctx, "CREATE SCHEMA "+pq.QuoteIdentifier(schema)); err != nil {
		admin.Close()
		t.Fatalf("test database: create schema: %v", err)
	}
	u, err := url.Parse(URL())
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema) // lib/pq passes unknown parameters to the server
	u.RawQuery = q.Encode()
	s, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		admin.DB().ExecContext(ctx, "DROP SCHEMA "+pq.QuoteIdentifier(schema)+" CASCADE") //nolint:errcheck // best effort
		admin.Close()
	})
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s, u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
