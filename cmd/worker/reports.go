package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coopwatch/coopwatch/config"
	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/store"
)

// attainmentRow is one snapshot as `attainment` prints it for machines.
type attainmentRow struct {
	AsOf       string   `json:"as_of"`
	Indicator  string   `json:"indicator"`
	Level      string   `json:"level"`
	UnitCode   string   `json:"unit_code"`
	Unit       string   `json:"unit"`
	Actual     *float64 `json:"actual"`
	Expected   *float64 `json:"expected"`
	Target     *float64 `json:"target"`
	Ratio      *float64 `json:"ratio"`
	Status     string   `json:"status"`
	Coverage   float64  `json:"coverage"`
	Projected  *float64 `json:"projected"`
	PaceNeeded *float64 `json:"pace_needed_per_week"`
	ETA        *string  `json:"eta"`
	PlanHash   string   `json:"plan_hash"`
}

func cmdAttainment(ctx context.Context, e *env, args []string) error {
	fs := e.flags("attainment", "")
	asOf := fs.String("as-of", "", "`date` of the snapshot (YYYY-MM-DD; default the latest computed)")
	level := fs.String("level", "province", "`level`: province, district, commune or all")
	indicator := fs.String("indicator", "", "only these target `codes` (comma separated)")
	status := fs.String("status", "", "only these `statuses` (comma separated: achieved, on_track, at_risk, behind, no_data, no_target)")
	format := fs.String("format", "table", "output `format`: table, json or csv")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := oneOf("level", *level, "province", "district", "commune", "all"); err != nil {
		return err
	}
	if err := oneOf("format", *format, "table", "json", "csv"); err != nil {
		return err
	}
	for _, s := range splitList(*status) {
		if err := oneOf("status", s, "achieved", "on_track", "at_risk", "behind", "no_data", "no_target"); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	date, err := a.snapshotDate(ctx, *asOf)
	if err != nil {
		return err
	}
	q := store.SnapshotQuery{AsOf: date, Indicators: splitList(*indicator), Statuses: splitList(*status),
		Under: a.gaz.Province.Code}
	if *level != "all" {
		q.Level = *level
	}
	snaps, err := a.store.Snapshots(ctx, q)
	if err != nil {
		return err
	}
	if len(snaps) == 0 {
		all, err := a.store.Snapshots(ctx, store.SnapshotQuery{AsOf: date, Under: a.gaz.Province.Code, Level: "province"})
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return fmt.Errorf("no attainment computed for %s: run 'worker once --as-of %s recompute'", date.Format(time.DateOnly), date.Format(time.DateOnly))
		}
	}
	rows := make([]attainmentRow, len(snaps))
	for i, s := range snaps {
		rows[i] = attainmentRow{AsOf: s.AsOf.Format(time.DateOnly), Indicator: s.Indicator, Level: s.Level,
			UnitCode: s.UnitCode, Unit: s.UnitName, Actual: store.FloatPtr(s.Actual),
			Expected: store.FloatPtr(s.Expected), Target: store.FloatPtr(s.Target),
			Ratio: store.FloatPtr(s.Ratio), Status: s.Status, Coverage: s.Coverage,
			Projected: store.FloatPtr(s.Projected), PaceNeeded: store.FloatPtr(s.PaceNeeded),
			PlanHash: s.PlanHash}
		if s.ETA.Valid {
			d := s.ETA.Time.Format(time.DateOnly)
			rows[i].ETA = &d
		}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		return writeAttainmentCSV(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INDICATOR\tUNIT\tACTUAL\tEXPECTED\tTARGET\tRATIO\tSTATUS\tCOVERAGE\tPROJECTED\tPACE/WEEK\tETA")
	for _, r := range rows {
		eta := "–"
		if r.ETA != nil {
			eta = *r.ETA
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Indicator, r.Unit,
			numEN(r.Actual, 1), numEN(r.Expected, 1), numEN(r.Target, 1), pctEN(r.Ratio), r.Status,
			notify.FormatPercent(r.Coverage, "en"), numEN(r.Projected, 1), numEN(r.PaceNeeded, 2), eta)
	}
	return tw.Flush()
}

func writeAttainmentCSV(w io.Writer, rows []attainmentRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"as_of", "indicator", "level", "unit_code", "unit", "actual", "expected", "target", "ratio",
		"status", "coverage", "projected", "pace_needed_per_week", "eta", "plan_hash"}) //nolint:errcheck // Flush reports
	for _, r := range rows {
		eta := ""
		if r.ETA != nil {
			eta = *r.ETA
		}
		cw.Write([]string{r.AsOf, r.Indicator, r.Level, r.UnitCode, r.Unit, raw(r.Actual), raw(r.Expected), //nolint:errcheck
			raw(r.Target), raw(r.Ratio), r.Status, strconv.FormatFloat(r.Coverage, 'f', -1, 64), raw(r.Projected),
			raw(r.PaceNeeded), eta, r.PlanHash})
	}
	cw.Flush()
	return cw.Error()
}

func cmdDigest(ctx context.Context, e *env, args []string) error {
	fs := e.flags("digest", "")
	preview := fs.Bool("preview", false, "render the digest to stdout without sending it")
	asOf := fs.String("as-of", "", "`date` of the snapshot (YYYY-MM-DD; default the latest computed)")
	format := fs.String("format", "text", "output `format`: text, html, slack-json (the Block Kit blocks posted) or eml (the email sent)")
	lang := fs.String("lang", "", "`language`: vi or en (default from the config or the group)")
	group := fs.String("group", "", "render the digest of this notify `group` (its unit and language)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*preview {
		return fmt.Errorf("%w: sending digests is not built yet; use --preview", errUsage)
	}
	if err := oneOf("format", *format, "text", "html", "slack-json", "eml"); err != nil {
		return err
	}
	if *lang != "" {
		if err := oneOf("lang", *lang, "vi", "en"); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if *format == "slack-json" || *format == "eml" {
		return a.previewMessage(ctx, e.stdout, *format, *group, *lang, *asOf)
	}
	date, err := a.snapshotDate(ctx, *asOf)
	if err != nil {
		return err
	}
	unit, language := a.gaz.Province.Code, a.cfg.Language
	if *group != "" {
		g, err := a.group(*group)
		if err != nil {
			return err
		}
		units, err := a.groupUnits()
		if err != nil {
			return err
		}
		unit, language = a.scope(units[g.Name]), g.Language
	}
	d, err := pipeline.BuildDigestWith(ctx, a.store, a.plan, unit, date, cmp.Or(*lang, language), a.digestOptions())
	if err != nil {
		return err
	}
	if *format == "html" {
		return notify.RenderHTML(e.stdout, d)
	}
	return notify.RenderText(e.stdout, d)
}

// previewMessage writes the digest message a group's Slack or email channel would get:
// the same rendering and message building as the digest job, through the channel's own
// formatting, but nothing is queued or sent.
func (a *app) previewMessage(ctx context.Context, w io.Writer, format, groupName, lang, asOfFlag string) error {
	kind := "slack"
	if format == "eml" {
		kind = "email"
	}
	g, ch, err := a.previewChannel(groupName, kind)
	if err != nil {
		return err
	}
	asOf, err := a.snapshotDate(ctx, asOfFlag)
	if err != nil {
		return err
	}
	g.Language = cmp.Or(lang, g.Language)
	units, err := a.groupUnits()
	if err != nil {
		return err
	}
	r, err := pipeline.RenderDigest(ctx, a.store, a.plan, a.scope(units[g.Name]), asOf, g.Language, "cid:chart", a.digestOptions())
	if err != nil {
		return err
	}
	m := pipeline.DigestMessage(r, g, ch.Name)
	if kind == "slack" {
		raw, err := json.Marshal(notify.SlackBlocks(m))
		if err != nil {
			return fmt.Errorf("digest: slack blocks: %w", err)
		}
		var b bytes.Buffer
		if err := json.Indent(&b, raw, "", "  "); err != nil {
			return fmt.Errorf("digest: slack blocks: %w", err)
		}
		b.WriteByte('\n')
		_, err = b.WriteTo(w)
		return err
	}
	n, err := ch.Notifier()
	if err != nil {
		return fmt.Errorf("notify channel %s: %w", ch.Name, err)
	}
	email, ok := n.(*notify.Email)
	if !ok {
		return fmt.Errorf("notify channel %s: not an email channel", ch.Name)
	}
	return email.WriteMessage(w, m)
}

// previewChannel finds the group to preview (the named one, or the only group with a
// channel of kind) and its first channel of that kind.
func (a *app) previewChannel(groupName, kind string) (config.Group, config.Channel, error) {
	channels := map[string]config.Channel{}
	for _, ch := range a.cfg.Notify.Channels {
		channels[ch.Name] = ch
	}
	first := func(g config.Group) (config.Channel, bool) {
		for _, name := range g.Channels {
			if ch, ok := channels[name]; ok && ch.Kind == kind {
				return ch, true
			}
		}
		return config.Channel{}, false
	}
	if groupName != "" {
		g, err := a.group(groupName)
		if err != nil {
			return g, config.Channel{}, err
		}
		ch, ok := first(g)
		if !ok {
			return g, ch, fmt.Errorf("%w: notify group %s has no %s channel", errUsage, g.Name, kind)
		}
		return g, ch, nil
	}
	var names []string
	var found config.Group
	var foundCh config.Channel
	for _, g := range a.cfg.Notify.Groups {
		if ch, ok := first(g); ok {
			names = append(names, g.Name)
			found, foundCh = g, ch
		}
	}
	switch len(names) {
	case 0:
		return found, foundCh, fmt.Errorf("%w: no notify group has a %s channel", errUsage, kind)
	case 1:
		return found, foundCh, nil
	}
	return found, foundCh, fmt.Errorf("%w: several notify groups have a %s channel (%s): name one with --group",
		errUsage, kind, strings.Join(names, ", "))
}

func cmdRejects(ctx context.Context, e *env, args []string) error {
	fs := e.flags("rejects", "")
	source := fs.String("source", "", "only this source `name`")
	format := fs.String("format", "table", "output `format`: table, json or csv")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := oneOf("format", *format, "table", "json", "csv"); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	rows, err := a.store.RejectedRows(ctx, a.gaz.Province.Code, *source)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []store.RejectedRow{}
		}
		return enc.Encode(rows)
	case "csv":
		cw := csv.NewWriter(e.stdout)
		cw.Write([]string{"source", "file", "sheet", "row", "column", "header", "value", "reason", "suggestions"}) //nolint:errcheck
		for _, r := range rows {
			cw.Write([]string{r.Source, r.Location, r.Sheet, strconv.Itoa(r.Row), r.Column, r.Header, r.Value, //nolint:errcheck
				r.Reason, strings.Join(r.Suggestions, "; ")})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tSHEET\tROW\tCOLUMN\tVALUE\tREASON")
	for _, r := range rows {
		reason := r.Reason
		if len(r.Suggestions) > 0 {
			reason += " (suggestions: " + strings.Join(r.Suggestions, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", r.Location, r.Sheet, r.Row, r.Column, r.Value, reason)
	}
	fmt.Fprintf(tw, "%d rejected rows\n", len(rows))
	return tw.Flush()
}

// snapshotDate parses --as-of, defaulting to the newest date with snapshots.
func (a *app) snapshotDate(ctx context.Context, s string) (time.Time, error) {
	if s != "" {
		return a.asOfDate(s)
	}
	d, ok, err := a.store.LatestSnapshotDate(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, fmt.Errorf("no attainment has been computed yet: run 'worker once all'")
	}
	return d, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func numEN(v *float64, decimals int) string {
	if v == nil {
		return "–"
	}
	return notify.FormatNumber(*v, decimals, "en")
}

func pctEN(v *float64) string {
	if v == nil {
		return "–"
	}
	return notify.FormatPercent(*v, "en")
}

func raw(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
