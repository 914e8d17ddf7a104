package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/pipeline"
)

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := e.flags("migrate", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	current, known, err := a.store.SchemaVersions(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema at version %d (this worker knows up to %d)\n", current, known)
	return nil
}

func cmdOnce(ctx context.Context, e *env, args []string) error {
	fs := e.flags("once", "JOB")
	asOf := fs.String("as-of", "", "recompute, alert and digest as of this `date` (YYYY-MM-DD; default today)")
	if err := parse(fs, args); err != nil {
		return err
	}
	jobs := []string{"all", "import", "recompute", "alerts", "digest", "send"}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name one job: all, import, recompute, alerts, digest or send (flags go before it: once --as-of D JOB)", errUsage)
	}
	job := fs.Arg(0)
	if err := oneOf("job", job, jobs...); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	date, err := a.asOfDate(*asOf)
	if err != nil {
		return err
	}
	failed := 0
	step := func(name string, run func() error) error {
		if job != "all" && job != name {
			return nil
		}
		return run()
	}
	if err := step("import", func() error { failed, err = a.importSources(ctx, "", nil); return err }); err != nil {
		return err
	}
	if err := step("recompute", func() error { return a.recompute(ctx, date) }); err != nil {
		return err
	}
	if err := step("alerts", func() error { return a.evaluateAlerts(ctx, date) }); err != nil {
		return err
	}
	if err := step("digest", func() error {
		path, err := a.saveDigest(ctx, date)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "digest for %s saved to %s\n", date.Format(time.DateOnly), path)
		return a.queueDigests(ctx, date, "")
	}); err != nil {
		return err
	}
	if err := step("send", func() error {
		s, err := a.sender()
		if err != nil {
			return err
		}
		return a.send(ctx, s)
	}); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d source file(s) failed; the others were applied (see the log above and 'worker rejects')", failed)
	}
	return nil
}

func (a *app) recompute(ctx context.Context, asOf time.Time) error {
	start := time.Now()
	rows, err := pipeline.Recompute(ctx, a.store, a.plan, a.gaz.Province.Code, asOf)
	if err != nil {
		return err
	}
	a.log.Info("attainment recomputed", "as_of", asOf.Format(time.DateOnly), "snapshots", len(rows),
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// saveDigest renders the digest of asOf as HTML into the state directory.
func (a *app) saveDigest(ctx context.Context, asOf time.Time) (string, error) {
	d, err := pipeline.BuildDigestWith(ctx, a.store, a.plan, a.gaz.Province.Code, asOf, a.cfg.Language, a.digestOptions())
	if err != nil {
		return "", err
	}
	dir := filepath.Join(a.cfg.StateDir, "digests")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("digest: %w", err)
	}
	path := filepath.Join(dir, "digest-"+asOf.Format(time.DateOnly)+".html")
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("digest: %w", err)
	}
	if err := notify.RenderHTML(f, d); err != nil {
		f.Close()
		return "", fmt.Errorf("digest: %w", err)
	}
	return path, f.Close()
}

// asOfDate parses a --as-of flag, defaulting to today.
func (a *app) asOfDate(s string) (time.Time, error) {
	if s == "" {
		return a.today(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --as-of %q is not a date (YYYY-MM-DD)", errUsage, s)
	}
	return t, nil
}

func cmdImport(ctx context.Context, e *env, args []string) error {
	fs := e.flags("import", "[FILE...]")
	source := fs.String("source", "", "the configured source `name` to import (required)")
	force := fs.Bool("force", false, "apply files even if unchanged since they were last applied (after an upgrade that reads them better)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *source == "" {
		return fmt.Errorf("%w: --source is required", errUsage)
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	a.force = *force
	failed, err := a.importSources(ctx, *source, fs.Args())
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d file(s) failed", failed)
	}
	return nil
}

// cmdBackfill recomputes a snapshot every 7 days from --from to --to (and on --to itself),
// oldest first, so that trends and recent paces exist from the first day.
func cmdBackfill(ctx context.Context, e *env, args []string) error {
	fs := e.flags("backfill", "")
	from := fs.String("from", "", "first `date` (YYYY-MM-DD, required)")
	to := fs.String("to", "", "last `date` (YYYY-MM-DD; default today)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return fmt.Errorf("%w: --from is required", errUsage)
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	start, err := a.asOfDate(*from)
	if err != nil {
		return err
	}
	end, err := a.asOfDate(*to)
	if err != nil {
		return err
	}
	if end.Before(start) {
		return fmt.Errorf("%w: --to %s is before --from %s", errUsage, end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	var dates []time.Time
	for d := start; !d.After(end); d = d.AddDate(0, 0, 7) {
		dates = append(dates, d)
	}
	if !dates[len(dates)-1].Equal(end) {
		dates = append(dates, end)
	}
	for _, d := range dates {
		if err := a.recompute(ctx, d); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "%d snapshot dates computed from %s to %s\n", len(dates), start.Format(time.DateOnly), end.Format(time.DateOnly))
	return nil
}
