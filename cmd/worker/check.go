package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/coopwatch/coopwatch/config"
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
	var problems []error
	cfg, err := config.Load(e.configPath)
	if err != nil {
		problems = append(problems, err)
	}
	if cfg == nil {
		fmt.Fprint(e.stdout, report(problems))
		return fmt.Errorf("%d problem(s) found", countProblems(problems))
	}
	if _, err := plan.Load(cfg.Plan.Path); err != nil {
		problems = append(problems, err)
	}
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
		return fmt.Errorf("%d problem(s) found", countProblems(problems))
	}
	fmt.Fprintf(e.stdout, "ok: config %s, plan %s (%d targets), %d sources, database reachable\n",
		e.configPath, cfg.Plan.Path, countTargets(cfg.Plan.Path), len(cfg.Sources))
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

// flatten splits joined errors so each problem gets its own line.
func flatten(errs []error) []error {
	var out []error
	for _, err := range errs {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			out = append(out, flatten(j.Unwrap())...)
			continue
		}
		var inner interface{ Unwrap() []error }
		if errors.As(err, &inner) {
			out = append(out, flattenWithPrefix(err, inner)...)
			continue
		}
		out = append(out, err)
	}
	return out
}

// flattenWithPrefix splits "config x.yaml: <joined>" into one line per joined problem,
// each keeping the prefix.
func flattenWithPrefix(outer error, inner interface{ Unwrap() []error }) []error {
	prefix := outer.Error()
	if e, ok := inner.(error); ok {
		if i := len(prefix) - len(e.Error()); i > 0 {
			prefix = prefix[:i]
		} else {
			prefix = ""
		}
	}
	var out []error
	for _, p := range flatten(inner.Unwrap()) {
		out = append(out, fmt.Errorf("%s%w", prefix, p))
	}
	return out
}

func countProblems(errs []error) int { return len(flatten(errs)) }

func report(errs []error) string {
	s := ""
	for _, p := range flatten(errs) {
		s += "problem: " + p.Error() + "\n"
	}
	return s
}

func countTargets(path string) int {
	p, err := plan.Load(path)
	if err != nil {
		return 0
	}
	return len(p.Targets)
}
