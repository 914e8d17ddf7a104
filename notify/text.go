package notify

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// RenderText writes the digest as plain text, for terminals and the text part of emails.
func RenderText(w io.Writer, d Digest) error {
	l := labelsFor(d.Lang)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", l.Title, d.PlanName)
	fmt.Fprintf(&b, "%s · %s %s · %s %s · %s %d %s\n\n", d.Province, l.DataAsOf, formatDate(d.AsOf, d.Lang),
		l.PeriodPassed, FormatPercent(d.PeriodShare, d.Lang), l.DaysLeft, d.DaysLeft, l.DaysWord)

	parts := make([]string, 0, len(StatusOrder))
	for _, s := range StatusOrder {
		parts = append(parts, fmt.Sprintf("%d %s", d.Headline[s], l.Statuses[s]))
	}
	fmt.Fprintf(&b, "%s: %s\n\n", l.Headline, strings.Join(parts, " · "))

	// The actual stays in the second column: tests and readers find it there.
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Code, l.Actual, l.Change, l.ExpectedNow, l.Target,
		l.OfExpected, l.Projected, l.Pace, l.Status)
	for _, t := range d.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", t.Code, num(t.Actual, t.Decimals, d.Lang),
			signed(t.Change(), t.Decimals, d.Lang), num(t.Expected, t.Decimals, d.Lang), num(t.Target, t.Decimals, d.Lang),
			pct(t.Ratio, d.Lang), num(t.Projected, t.Decimals, d.Lang), num(t.PaceNeeded, 1, d.Lang), l.Statuses[t.Status])
	}
	tw.Flush()
	b.WriteString("\n")
	for _, t := range d.Targets {
		fmt.Fprintf(&b, "  %s  %s (%s)\n", t.Code, t.Name, t.Unit)
	}

	b.WriteString("\n")
	writeChanges(&b, d, l)

	if len(d.Districts) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", l.DistrictTable)
		for _, dl := range d.Districts {
			parts := parts[:0]
			for _, s := range StatusOrder {
				if n := dl.Statuses[s]; n > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n, l.Statuses[s]))
				}
			}
			line := fmt.Sprintf("  %s: %s", dl.Name, strings.Join(parts, ", "))
			if len(dl.Lagging) > 0 {
				line += " [" + strings.Join(dl.Lagging, ", ") + "]"
			}
			b.WriteString(line + "\n")
		}
	}

	for _, g := range d.Gaps {
		fmt.Fprintf(&b, "\n%s %s (%s, %s %d %s):\n", l.CoverageGap, g.Code, g.Name, l.DaysLeft, g.DaysLeft, l.DaysWord)
		for _, dc := range g.ByDistrict {
			b.WriteString("  " + districtCommunes(dc) + "\n")
		}
		fmt.Fprintf(&b, "  %s: %d %s %d %s\n", l.Total, g.Communes, l.CommunesIn, len(g.ByDistrict), l.DistrictsWord)
	}

	b.WriteString("\n")
	if len(d.Freshness) > 0 {
		fmt.Fprintf(&b, "%s:\n", l.Freshness)
		for _, f := range d.Freshness {
			fmt.Fprintf(&b, "  %s: %s\n", f.District, lastFile(f, d.Lang))
		}
	}
	if len(d.NotReporting) == 0 {
		b.WriteString(l.AllReporting + "\n")
	} else {
		fmt.Fprintf(&b, "%s: %s\n", l.NotReporting, strings.Join(d.NotReporting, ", "))
	}

	if len(d.Rejects) == 0 {
		fmt.Fprintf(&b, "%s\n", l.RejectsNone)
	} else {
		total := 0
		for _, r := range d.Rejects {
			total += r.Rejected
		}
		fmt.Fprintf(&b, "%s: %d %s, %d %s\n", l.Rejects, total, l.RowsWord, len(d.Rejects), l.FilesWord)
		for _, r := range d.Rejects {
			fmt.Fprintf(&b, "  %s (%s): %d/%d %s\n", r.File, r.Source, r.Rejected, r.Read, l.RowsWord)
			for _, reason := range r.TopReasons {
				fmt.Fprintf(&b, "    - %s\n", reason)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeChanges writes what changed since the earlier snapshot.
func writeChanges(b *strings.Builder, d Digest, l labels) {
	c := d.Changes
	switch {
	case c == nil:
		fmt.Fprintf(b, "%s: %s.\n", l.ChangesTitle, l.NoEarlier)
		return
	case c.Empty():
		fmt.Fprintf(b, "%s %s %s: %s.\n", l.ChangesTitle, l.ChangesSince, formatDate(c.Since, d.Lang), l.NothingChanged)
		return
	}
	fmt.Fprintf(b, "%s %s %s:\n", l.ChangesTitle, l.ChangesSince, formatDate(c.Since, d.Lang))
	for _, group := range []struct {
		title   string
		changes []StatusChange
	}{{l.NewlyLagging, c.Lagging}, {l.Recovered, c.Recovered}} {
		if len(group.changes) == 0 {
			continue
		}
		fmt.Fprintf(b, "  %s:\n", group.title)
		for _, sc := range group.changes {
			fmt.Fprintf(b, "    %s %s: %s → %s\n", sc.Code, sc.Unit, l.Statuses[sc.From], l.Statuses[sc.To])
		}
	}
	for _, cc := range c.Communes {
		for _, part := range []struct {
			n     int
			words string
			in    []DistrictCommunes
		}{{cc.Met, l.NewlyMet, cc.MetIn}, {cc.Short, l.NewlyShort, cc.ShortIn}} {
			if part.n == 0 {
				continue
			}
			fmt.Fprintf(b, "  %s (%s): %d %s\n", cc.Code, cc.Name, part.n, part.words)
			for _, dc := range part.in {
				b.WriteString("    " + districtCommunes(dc) + "\n")
			}
		}
	}
}

// districtCommunes writes "District (12): A, B, … J (+2)".
func districtCommunes(dc DistrictCommunes) string {
	s := fmt.Sprintf("%s (%d): %s", dc.District, dc.Count(), strings.Join(dc.Communes, ", "))
	if dc.More > 0 {
		s += fmt.Sprintf(" (+%d)", dc.More)
	}
	return s
}

func lastFile(f Freshness, lang string) string {
	if f.LastFile == nil {
		return labelsFor(lang).Never
	}
	return formatDate(*f.LastFile, lang)
}

func num(v *float64, decimals int, lang string) string {
	if v == nil {
		return "–"
	}
	return FormatNumber(*v, decimals, lang)
}

// signed writes a change with its sign: "+3", "-1,5", "0"; "–" when unknown.
func signed(v *float64, decimals int, lang string) string {
	if v == nil {
		return "–"
	}
	s := FormatNumber(*v, decimals, lang)
	if *v > 0 && strings.Trim(s, "0.,") != "" {
		s = "+" + s
	}
	return s
}

func pct(v *float64, lang string) string {
	if v == nil {
		return "–"
	}
	return FormatPercent(*v, lang)
}
