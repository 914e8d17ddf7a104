package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coopwatch/coopwatch/pipeline"

	"github.com/coopwatch/coopwatch/store"
)

// cmdSilence adds, lists and expires silences.
func cmdSilence(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "expire") {
		return fmt.Errorf("%w: silence add|list|expire", errUsage)
	}
	sub, args := args[0], args[1:]
	fs := e.flags("silence", sub)
	rule := fs.String("rule", "", "add: only this `rule` (indicator_lagging, commune_lagging, source_stale, source_failing, rejects_high)")
	indicator := fs.String("indicator", "", "add: only this target `code`")
	unit := fs.String("unit", "", "add: only this unit and the units below it (`code or district name`)")
	duration := fs.Duration("for", 7*24*time.Hour, "add: how long the silence lasts")
	reason := fs.String("reason", "", "add: why (required)")
	by := fs.String("by", "", "add: who sets it (default the login name)")
	all := fs.Bool("all", false, "list: include expired silences")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	now := time.Now()
	switch sub {
	case "add":
		if *reason == "" {
			return fmt.Errorf("%w: --reason is required", errUsage)
		}
		if *duration <= 0 {
			return fmt.Errorf("%w: --for must be positive", errUsage)
		}
		rules := []string{pipeline.RuleIndicatorLagging, pipeline.RuleCommuneLagging, pipeline.RuleSourceStale,
			pipeline.RuleSourceFailing, pipeline.RuleRejectsHigh}
		if *rule != "" && !slices.Contains(rules, *rule) {
			return fmt.Errorf("%w: --rule %q is not one of %s", errUsage, *rule, strings.Join(rules, ", "))
		}
		if _, ok := a.plan.Target(*indicator); *indicator != "" && !ok {
			return fmt.Errorf("%w: --indicator %q is not a target of the plan", errUsage, *indicator)
		}
		code, err := a.silenceUnit(*unit)
		if err != nil {
			return fmt.Errorf("%w: --unit: %v", errUsage, err)
		}
		who := *by
		if who == "" {
			who = loginName()
		}
		id, err := a.store.AddSilence(ctx, store.Silence{Rule: *rule, Indicator: *indicator, UnitCode: code,
			Reason: *reason, CreatedBy: who, ExpiresAt: now.Add(*duration)})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "silence %d added until %s\n", id, now.Add(*duration).In(a.cfg.Location).Format("2006-01-02 15:04"))
	case "list":
		list, err := a.store.Silences(ctx, now, *all)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRULE\tINDICATOR\tUNIT\tEXPIRES\tBY\tREASON")
		for _, s := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, orAny(s.Rule), orAny(s.Indicator), orAny(s.UnitCode),
				s.ExpiresAt.In(a.cfg.Location).Format("2006-01-02 15:04"), s.CreatedBy, s.Reason)
		}
		return tw.Flush()
	case "expire":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: silence expire ID", errUsage)
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %q is not a silence id", errUsage, fs.Arg(0))
		}
		ok, err := a.store.ExpireSilence(ctx, id, now)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no active silence %d", id)
		}
		fmt.Fprintf(e.stdout, "silence %d expired\n", id)
	}
	return nil
}

// silenceUnit resolves --unit: the province, a district or a commune, by code or name.
func (a *app) silenceUnit(written string) (string, error) {
	if written == "" || written == a.gaz.Province.Code {
		return written, nil
	}
	if d, err := a.match.District(written); err == nil {
		return d.Code, nil
	}
	c, err := a.match.Commune(written, "")
	if err != nil {
		return "", err
	}
	return c.Code, nil
}

func orAny(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

func loginName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

// cmdStatus shows what an operator asks first: did the sources run, what fires, and is
// anything stuck in the outbox.
func cmdStatus(ctx context.Context, e *env, args []string) error {
	fs := e.flags("status", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.printSources(ctx, e); err != nil {
		return err
	}
	firing, err := a.store.FiringAlerts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nfiring alerts: %d\n", len(firing))
	for _, f := range firing {
		fmt.Fprintf(e.stdout, "  %s %s: %s\n", f.Rule, f.Subject, f.Summary)
	}
	counts, err := a.store.Outbox(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\noutbox: %d pending, %d delivered, %d dead\n", counts.Pending, counts.Delivered, counts.Dead)
	dead, err := a.store.DeadNotifications(ctx, 10)
	if err != nil {
		return err
	}
	for _, d := range dead {
		fmt.Fprintf(e.stdout, "  dead: %s (%s) after %d attempts: %s\n", d.Key, d.Channel, d.Attempts, d.LastError)
	}
	return nil
}

// cmdSources lists each source's last run.
func cmdSources(ctx context.Context, e *env, args []string) error {
	fs := e.flags("sources", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.printSources(ctx, e)
}

func (a *app) printSources(ctx context.Context, e *env) error {
	runs, err := a.store.LastJobs(ctx)
	if err != nil {
		return err
	}
	last := map[string]store.JobRun{}
	for _, r := range runs {
		if r.Job == "import" {
			last[r.Source] = r
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tLAST RUN\tOUTCOME\tCOUNTS\tCURSOR\tERROR")
	for _, s := range a.cfg.Sources {
		r, ok := last[s.Name]
		when, outcome, counts := "never", "", ""
		if ok {
			when = r.StartedAt.In(a.cfg.Location).Format("2006-01-02 15:04")
			outcome, counts = r.Outcome, string(r.Counts)
		}
		cursor, err := a.store.SourceCursor(ctx, s.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, when, outcome, counts, cursor, firstLine(r.Error))
	}
	return tw.Flush()
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i] + " …"
		}
	}
	return s
}
