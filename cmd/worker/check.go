package main

import (
	"context"
	"fmt"
	"os"

	"github.com/coopwatch/coopwatch/config"
	"github.com/coopwatch/coopwatch/internal/errlist"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
)

// cmdCheck validates everything a run needs and lists every problem found, not only the
// first: config keys, the plan file, the gazetteer, source paths and the database.
func cmdCheck(ctx context.Context, e *env, args []string) error {
	fs := e.flags("check", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(e.configPath)
	problems := errlist.Split(err)
	if cfg == nil {
		fmt.Fprint(e.stdout, report(problems))
		return fmt.Errorf("%d problem(s) found", len(problems))
	}
	p, err := plan.Load(cfg.Plan.Path)
	problems = append(problems, errlist.Split(err)...)
	// Without a province the config already said so; the gazetteer would only repeat it.
	if _, err := loadGazetteer(cfg); err != nil && cfg.Province != "" {
		problems = append(problems, err)
	}
	for _, s := range cfg.Sources {
		if s.Path == "" {
			continue
		}
		if _, err := os.Stat(s.Path); err != nil && !hasGlob(s.Path) {
			problems = append(problems, fmt.Errorf("source %s: %w", s.Name, err))
		}
	}
	if st, err := store.Open(ctx, cfg.Database.URL); err != nil {
		problems = append(problems, err)
	} else {
		if err := st.CheckSchema(ctx, false); err != nil {
			problems = append(problems, err)
		}
		st.Close()
	}
	if len(problems) > 0 {
		fmt.Fprint(e.stdout, report(problems))
		return fmt.Errorf("%d problem(s) found", len(problems))
	}
	fmt.Fprintf(e.stdout, "ok: config %s, plan %s (%d targets), %d sources, database reachable\n",
		e.configPath, cfg.Plan.Path, len(p.Targets), len(cfg.Sources))
	return nil
}

func hasGlob(p string) bool {
	for _, c := range p {
		if c == '*' || c == '?' || c == '[' {
			return true
		}
	}
	return false
}

// report lists every problem on a line of its own.
func report(problems []error) string {
	s := ""
	for _, p := range problems {
		s += "problem: " + p.Error() + "\n"
	}
	return s
}
