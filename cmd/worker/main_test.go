package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// demoConfig writes a config for the bundled demo data into a temporary folder, pointed
// at a schema of its own.
func demoConfig(t *testing.T) (path string, st *store.Store) {
	t.Helper()
	st, dbURL := storetest.NewWithURL(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`province: Hậu Giang
state_dir: %[1]s/state
database:
  url: %[2]q
plan:
  path: %[3]s/plans/default.yaml
sources:
  - {name: district-cooperatives, kind: xlsx, entity: cooperatives, path: %[3]s/testdata/demo/districts/*.xlsx, sheet: HTX}
  - {name: district-groups, kind: xlsx, entity: cooperative_groups, path: %[3]s/testdata/demo/districts/*.xlsx, sheet: THT}
  - {name: alliance-activities, kind: csv, entity: activities, path: %[3]s/testdata/demo/activities.csv}
`, dir, dbURL, root)
	path = filepath.Join(dir, "coopwatch.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, st
}

// worker runs the CLI in process and returns its exit code, stdout and stderr.
func worker(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := worker(t, args...)
	if code != 0 {
		t.Fatalf("worker %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestDemoEndToEnd(t *testing.T) {
	t.Parallel()
	cfg, st := demoConfig(t)
	mustRun(t, "--config", cfg, "once", "--as-of", "2026-11-28", "all")

	// The counts the generator wrote down in testdata/demo/EXPECTED.md.
	for _, c := range []struct {
		query string
		want  int
	}{
		{`SELECT count(*) FROM cooperatives`, 85},
		{`SELECT count(*) FROM cooperatives WHERE founded_on >= '2026-01-01'`, 15},
		{`SELECT coalesce(sum(members), 0) FROM cooperatives WHERE founded_on >= '2026-01-01'`, 412},
		{`SELECT count(*) FROM cooperative_groups`, 100},
		{`SELECT count(*) FROM cooperative_groups WHERE founded_on >= '2026-01-01'`, 65},
		{`SELECT count(*) FROM activities`, 84},
		{`SELECT count(*) FROM rejected_rows`, 8},
	} {
		var got int
		if err := st.DB().Get(&got, c.query); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s = %d, want %d", c.query, got, c.want)
		}
	}

	// Every deliberately bad row of EXPECTED.md is rejected where it stands; the exact
	// duplicate is counted once and kept as a reject pointing at its first copy.
	rejects := mustRun(t, "--config", cfg, "rejects", "--format", "json")
	var rows []store.RejectedRow
	if err := json.Unmarshal([]byte(rejects), &rows); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range rows {
		got[fmt.Sprintf("%s %s %d %s", filepath.Base(r.Location), r.Sheet, r.Row, r.Column)] = true
	}
	for _, want := range []string{
		"huyen-chau-thanh-a.xlsx THT 15 D", // unknown commune
		"huyen-chau-thanh.xlsx HTX 17 L",   // rating "Xuất sắc"
		"huyen-phung-hiep.xlsx HTX 16 F",   // founded after today
		"huyen-phung-hiep.xlsx THT 19 F",   // negative members
		"huyen-vi-thuy.xlsx HTX 15 F",      // 31/02/2026
		"huyen-long-my.xlsx THT 19 E",      // founded after today
		"thi-xa-long-my.xlsx HTX 9 D",      // unknown commune
		"tp-vi-thanh.xlsx HTX 16 ",         // same as row 15
	} {
		if !got[want] {
			t.Errorf("no reject at %s; rejects: %v", want, got)
		}
	}

	// The digest and `attainment --format json` print the same numbers.
	var att []attainmentRow
	if err := json.Unmarshal([]byte(mustRun(t, "--config", cfg, "attainment", "--format", "json")), &att); err != nil {
		t.Fatal(err)
	}
	if len(att) != 13 {
		t.Fatalf("attainment lists %d province rows, want 13", len(att))
	}
	digest := mustRun(t, "--config", cfg, "digest", "--preview", "--lang", "en")
	for _, r := range att {
		line := findLine(digest, "  "+r.Indicator+" ")
		if line == "" {
			t.Errorf("digest has no line for %s", r.Indicator)
			continue
		}
		decimals := 1
		if r.Indicator == "T01" || r.Indicator == "T02" || r.Indicator == "T13" {
			decimals = 0
		}
		want := notify.FormatNumber(*r.Actual, decimals, "en")
		if fields := strings.Fields(line); fields[1] != want {
			t.Errorf("%s: digest says %s, attainment says %s (%v)", r.Indicator, fields[1], want, *r.Actual)
		}
	}
	for _, want := range []string{"T01", "Districts not reporting: Thành phố Ngã Bảy", "Phường Thuận An"} {
		if !strings.Contains(digest, want) {
			t.Errorf("digest does not mention %q:\n%s", want, digest)
		}
	}
	if att[0].Indicator != "T01" || *att[0].Actual != 65 || *att[0].Target != 80 {
		t.Errorf("T01 = %+v, want 65 new groups of 80", att[0])
	}

	// Backfill: weekly snapshots from 1 October, the last one on 28 November: 9 dates.
	if out := mustRun(t, "--config", cfg, "backfill", "--from", "2026-10-01", "--to", "2026-11-28"); !strings.HasPrefix(out, "10 snapshot dates") {
		t.Errorf("backfill: %s", out)
	}
	var dates int
	if err := st.DB().Get(&dates, `SELECT count(DISTINCT as_of) FROM attainment_snapshots`); err != nil {
		t.Fatal(err)
	}
	// 1, 8, 15, 22, 29 October, 5, 12, 19, 26 November, and 28 November.
	if dates != 10 {
		t.Errorf("snapshot dates after backfill = %d, want 10", dates)
	}

	// Input that could only do nothing is refused, saying why.
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"silence", "add", "--indicator", "T99", "--reason", "x"}, 2, `--indicator "T99" is not a target`},
		{[]string{"silence", "add", "--unit", "Xã Không Có", "--reason", "x"}, 2, "--unit"},
		{[]string{"silence", "add", "--rule", "everything", "--reason", "x"}, 2, `--rule "everything"`},
		{[]string{"attainment", "--as-of", "2020-01-01"}, 1, "no attainment computed for 2020-01-01"},
		{[]string{"attainment", "--status", "late"}, 2, "--status must be one of"},
	} {
		code, _, errOut := worker(t, append([]string{"--config", cfg}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("worker %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errOut, c.code, c.want)
		}
	}
	if out := mustRun(t, "--config", cfg, "silence", "add", "--unit", "Phụng Hiệp", "--indicator", "T01", "--reason", "lũ"); !strings.Contains(out, "added") {
		t.Errorf("silence add for a district: %s", out)
	}

	// A second run finds every file unchanged and changes nothing.
	_, _, log := worker(t, "--config", cfg, "once", "--as-of", "2026-11-28", "all")
	if n := strings.Count(log, "file unchanged, skipped"); n != 15 {
		t.Errorf("second run skipped %d files, want 15:\n%s", n, log)
	}
	// --force reads unchanged files again: same numbers, rejects of the new versions.
	_, _, log = worker(t, "--config", cfg, "import", "--source", "district-groups", "--force")
	if n := strings.Count(log, "file applied"); n != 7 {
		t.Errorf("import --force applied %d files, want 7:\n%s", n, log)
	}
	var groups int
	if err := st.DB().Get(&groups, `SELECT count(*) FROM cooperative_groups`); err != nil || groups != 100 {
		t.Errorf("groups after --force = %d, %v; want 100", groups, err)
	}
	var again []attainmentRow
	if err := json.Unmarshal([]byte(mustRun(t, "--config", cfg, "attainment", "--format", "json")), &again); err != nil {
		t.Fatal(err)
	}
	for i := range att {
		if *att[i].Actual != *again[i].Actual || att[i].Status != again[i].Status {
			t.Errorf("%s changed on a second run: %v -> %v", att[i].Indicator, *att[i].Actual, *again[i].Actual)
		}
	}
}

func findLine(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " "), strings.TrimLeft(prefix, " ")) && strings.Contains(l, "%") {
			return l
		}
	}
	return ""
}

func TestCheckListsEveryProblem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	// Three mistakes: unknown language, a misspelt key, a plan file that does not exist.
	os.WriteFile(cfg, []byte("province: Hậu Giang\nlanguage: fr\nschedul: {}\nplan: {path: nowhere.yaml}\n"), 0o600)
	code, out, _ := worker(t, "--config", cfg, "check")
	if code != 1 {
		t.Fatalf("check exit = %d, want 1", code)
	}
	for _, want := range []string{"language: must be vi or en", "field schedul not found", "nowhere.yaml: no such file"} {
		if !strings.Contains(out, want) {
			t.Errorf("check does not report %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "problem: "); n != 3 {
		t.Errorf("check reported %d problems, want 3:\n%s", n, out)
	}
	// Problems outside the config file: plan, gazetteer and database.
	os.WriteFile(cfg, []byte("province: Hậu Giang\nplan: {path: nowhere.yaml}\ngazetteer: {edition: post-reform}\ndatabase: {url: \"postgres://postgres@127.0.0.1:1/none?sslmode=disable\"}\n"), 0o600)
	code, out, _ = worker(t, "--config", cfg, "check")
	if code != 1 || strings.Count(out, "problem: ") != 3 {
		t.Errorf("check exit %d, want 1 with 3 problems (plan, gazetteer, database):\n%s", code, out)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"attainment", "--format", "xml"},
		{"once"},
		{"once", "everything"},
		{"attainment", "--no-such-flag"},
	} {
		if code, _, _ := worker(t, args...); code != 2 {
			t.Errorf("worker %v: exit %d, want 2", args, code)
		}
	}
	for _, args := range [][]string{{"--help"}, {"once", "--help"}, {"version"}} {
		if code, _, _ := worker(t, args...); code != 0 {
			t.Errorf("worker %v: exit %d, want 0", args, code)
		}
	}
}
