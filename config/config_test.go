package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const valid = `
province: Hậu Giang
sources:
  - name: htx
    kind: xlsx
    entity: cooperatives
    path: districts/*.xlsx
    sheet: HTX
`

func TestDefaults(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	cfg, err := Parse([]byte(valid), "/etc/coopwatch")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"timezone", cfg.TimeZone, "Asia/Ho_Chi_Minh"},
		{"language", cfg.Language, "vi"},
		{"database.url", cfg.Database.URL, DefaultDatabaseURL},
		{"gazetteer.edition", cfg.Gazetteer.Edition, "pre-reform"},
		{"plan.path", cfg.Plan.Path, "/etc/coopwatch/plans/default.yaml"},
		{"sources[0].path", cfg.Sources[0].Path, "/etc/coopwatch/districts/*.xlsx"},
		{"sources[0].money_unit", cfg.Sources[0].MoneyUnit, "trieu"},
		{"schedule.digest", cfg.Schedule.Digest, "30 7 * * MON"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if cfg.Location == nil || cfg.Location.String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("location = %v", cfg.Location)
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	t.Parallel()
	// Three mistakes: a misspelt key, an unknown time zone, a source without a kind.
	src := `province: Hậu Giang
timezone: Asia/Hanoi_City
sources:
  - name: htx
    entity: cooperatives
    path: a.xlsx
    sheeet: HTX
`
	_, err := Parse([]byte(src), ".")
	if err == nil {
		t.Fatal("a config with three mistakes parsed")
	}
	msg := err.Error()
	for _, want := range []string{
		"line 7: field sheeet not found",
		`line 2: timezone: unknown time zone "Asia/Hanoi_City"`,
		"line 4: sources[0].kind",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not report %q:\n%s", want, msg)
		}
	}
	if n := len(strings.Split(strings.TrimSpace(msg), "\n")); n != 3 {
		t.Errorf("got %d problems, want 3:\n%s", n, msg)
	}
}

func TestEnvExpansion(t *testing.T) {
	t.Setenv("CW_TEST_DB", "postgres://u@db:5432/cw?sslmode=disable")
	cfg, err := Parse([]byte(valid+"database:\n  url: ${CW_TEST_DB}\nstate_dir: ${CW_UNSET_DIR:-/var/lib/cw}\n"), ".")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.URL != "postgres://u@db:5432/cw?sslmode=disable" {
		t.Errorf("database.url = %q", cfg.Database.URL)
	}
	if cfg.StateDir != "/var/lib/cw" {
		t.Errorf("state_dir = %q, want the fallback", cfg.StateDir)
	}
	_, err = Parse([]byte(valid+"database:\n  url: ${CW_SURELY_UNSET}\n"), ".")
	if err == nil || !strings.Contains(err.Error(), "line 10: database.url: environment variable CW_SURELY_UNSET is not set") {
		t.Errorf("unset variable: err = %v", err)
	}
}

func TestSecretFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := "postgres://coop:s3cret@db:5432/coopwatch?sslmode=disable"
	if err := os.WriteFile(filepath.Join(dir, "db-url"), []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse([]byte(valid+"database:\n  url_file: db-url\n"), dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.URL != secret {
		t.Errorf("database.url from file = %q", cfg.Database.URL)
	}
	_, err = Parse([]byte(valid+"database:\n  url_file: missing\n"), dir)
	if err == nil || !strings.Contains(err.Error(), "database.url_file") {
		t.Errorf("missing secret file: err = %v", err)
	}
	_, err = Parse([]byte(valid+"database:\n  url: x\n  url_file: db-url\n"), dir)
	if err == nil || !strings.Contains(err.Error(), "give url or url_file, not both") {
		t.Errorf("both url and url_file: err = %v", err)
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coopwatch?sslmode=disable")
	data, err := os.ReadFile("../deploy/coopwatch.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The example reads its secrets from /etc/coopwatch: give it files of its own.
	dir := t.TempDir()
	for _, name := range []string{"registry-token", "slack-token", "smtp-password", "webhook-secret"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("secret-"+name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	data = []byte(strings.ReplaceAll(string(data), "/etc/coopwatch/", dir+"/"))
	cfg, err := Parse(data, "../deploy")
	if err != nil {
		t.Fatalf("the documented example config does not load: %v", err)
	}
	if len(cfg.Sources) != 4 || cfg.Sources[0].Columns["revenue"][1] != "Tổng doanh thu năm" {
		t.Errorf("example sources = %+v", cfg.Sources)
	}
	if got := cfg.Sources[3].API.Auth.Token; got != "secret-registry-token" {
		t.Errorf("api token from token_file = %q", got)
	}
	if len(cfg.Notify.Groups) != 2 || cfg.Notify.Channels[1].Password != "secret-smtp-password" {
		t.Errorf("notify = %+v", cfg.Notify)
	}
}
