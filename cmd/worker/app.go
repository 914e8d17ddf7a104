package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/coopwatch/coopwatch/config"
	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/sources"
	"github.com/coopwatch/coopwatch/store"
)

// app is everything a job needs, built once from the config and passed by hand.
type app struct {
	progress func(location string, rows int, done bool) // nil unless on a terminal
	force    bool                                       // import: apply unchanged files again
	cfg      *config.Config
	log      *slog.Logger
	plan     *plan.Plan
	gaz      *gazetteer.Gazetteer
	match    *gazetteer.Matcher
	store    *store.Store
}

// openApp loads config, plan and gazetteer, creates and migrates the database if needed,
// and saves the province's units (idempotent).
func openApp(ctx context.Context, e *env) (*app, error) {
	cfg, err := config.Load(e.configPath)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		progress: progressBars(e.stderr)}
	if a.plan, err = plan.Load(cfg.Plan.Path); err != nil {
		return nil, err
	}
	if a.gaz, err = loadGazetteer(cfg); err != nil {
		return nil, err
	}
	a.match = gazetteer.NewMatcher(a.gaz, cfg.Gazetteer.Aliases)
	if err := store.EnsureDatabase(ctx, cfg.Database.URL); err != nil {
		return nil, err
	}
	if a.store, err = store.Open(ctx, cfg.Database.URL); err != nil {
		return nil, err
	}
	if applied, err := a.store.Migrate(ctx); err != nil {
		a.store.Close()
		return nil, err
	} else if len(applied) > 0 {
		a.log.Info("schema migrated", "versions", applied)
	}
	if err := a.store.SaveUnits(ctx, a.gaz.Units()); err != nil {
		a.store.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) Close() { a.store.Close() }

// progressBars returns a Progress function that draws a row counter per file on w when w
// is a terminal, and nil otherwise (logs and systemd get no escape codes).
func progressBars(w io.Writer) func(location string, rows int, done bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	bars := map[string]*progressbar.ProgressBar{}
	return func(location string, rows int, done bool) {
		bar, ok := bars[location]
		if !ok {
			bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
				progressbar.OptionSetDescription(filepath.Base(location)), progressbar.OptionSetItsString("rows"),
				progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
			bars[location] = bar
		}
		bar.Set(rows) //nolint:errcheck // drawing only
		if done {
			bar.Finish() //nolint:errcheck
			delete(bars, location)
		}
	}
}

func loadGazetteer(cfg *config.Config) (*gazetteer.Gazetteer, error) {
	edition := gazetteer.Edition(cfg.Gazetteer.Edition)
	if cfg.Gazetteer.Path == "" {
		return gazetteer.Load(edition, cfg.Province)
	}
	f, err := os.Open(cfg.Gazetteer.Path)
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	defer f.Close()
	return gazetteer.LoadReader(f, edition, cfg.Province)
}

// today is the current date in the configured time zone, as a UTC midnight date.
func (a *app) today() time.Time {
	now := time.Now().In(a.cfg.Location)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// importSources runs every configured source (or only the named one); one failing
// source never stops the others. It returns how many sources or files failed.
func (a *app) importSources(ctx context.Context, only string, files []string) (int, error) {
	in := &pipeline.Ingester{Store: a.store, Matcher: a.match, Province: a.gaz.Province, Log: a.log, Today: a.today(),
		Progress: a.progress, Force: a.force}
	failed, found := 0, false
	for _, sc := range a.cfg.Sources {
		if only != "" && sc.Name != only {
			continue
		}
		found = true
		fc := sc.FileConfig()
		if len(files) > 0 {
			fc.Path, fc.URL = "", ""
		}
		res := a.runSource(ctx, in, sc, fc, files)
		failed += res.Failed()
		if res.Err != nil {
			a.log.Error("source failed", "source", sc.Name, "error", res.Err)
		}
	}
	if only != "" && !found {
		return 0, fmt.Errorf("%w: no source named %q in %s", errUsage, only, a.cfg.Dir)
	}
	return failed, nil
}

func (a *app) runSource(ctx context.Context, in *pipeline.Ingester, sc config.Source, fc sources.FileConfig, files []string) pipeline.SourceResult {
	kinds := map[string]pipeline.ActivityKind{}
	for written, kind := range sc.ActivityKinds {
		kinds[written] = pipeline.ActivityKind(kind)
	}
	opts := pipeline.SourceOptions{MoneyFactor: moneyFactor(sc.MoneyUnit), ActivityKinds: kinds,
		ScoreBands: pipeline.ScoreBands{Good: sc.ScoreBands.Good, Fair: sc.ScoreBands.Fair, Average: sc.ScoreBands.Average}}
	jobID, err := a.store.StartJob(ctx, "import", sc.Name)
	if err != nil {
		return pipeline.SourceResult{Source: sc.Name, Err: err}
	}
	var res pipeline.SourceResult
	if len(files) == 0 {
		src, err := a.newSource(sc, fc)
		if err != nil {
			res = pipeline.SourceResult{Source: sc.Name, Err: err}
		} else {
			res = in.Ingest(ctx, src, opts)
		}
	} else {
		res = pipeline.SourceResult{Source: sc.Name}
		for _, f := range files {
			fc.Path = f
			src, err := sources.NewFileSource(fc)
			if err != nil {
				a.log.Error("file not applied", "source", sc.Name, "file", f, "error", err)
				res.Files = append(res.Files, pipeline.FileResult{Location: f, Err: err})
				continue
			}
			r := in.Ingest(ctx, src, opts)
			res.Files = append(res.Files, r.Files...)
			if r.Err != nil {
				a.log.Error("file not applied", "source", sc.Name, "file", f, "error", r.Err)
				res.Files = append(res.Files, pipeline.FileResult{Location: f, Err: r.Err})
			}
		}
	}
	outcome, errText := "ok", ""
	var errs []error
	if res.Err != nil {
		errs = append(errs, res.Err)
	}
	accepted, rejected := 0, 0
	for _, f := range res.Files {
		accepted += f.Accepted
		rejected += f.Rejected
		if f.Err != nil {
			errs = append(errs, f.Err)
		}
	}
	if len(errs) > 0 {
		outcome, errText = "failed", errors.Join(errs...).Error()
	}
	counts := fmt.Sprintf(`{"files": %d, "accepted": %d, "rejected": %d}`, len(res.Files), accepted, rejected)
	if err := a.store.FinishJob(context.WithoutCancel(ctx), jobID, outcome, []byte(counts), errText); err != nil {
		a.log.Error("unable to record job run", "error", err)
	}
	return res
}

// newSource builds the source a config entry describes.
func (a *app) newSource(sc config.Source, fc sources.FileConfig) (sources.Source, error) {
	if sc.Kind == "api" {
		return sources.NewAPISource(sc.APIConfig(), a.store)
	}
	return sources.NewFileSource(fc)
}

func moneyFactor(unit string) float64 {
	switch unit {
	case "dong":
		return 1e-6
	case "ty":
		return 1000
	default:
		return 1
	}
}
