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

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Code, l.Actual, l.ExpectedNow, l.Target,
		l.OfExpected, l.Projected, l.Pace, l.Status)
	for _, t := range d.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", t.Code, num(t.Actual, t.Decimals, d.Lang),
			num(t.Expected, t.Decimals, d.Lang), num(t.Target, t.Decimals, d.Lang), pct(t.Ratio, d.Lang),
			num(t.Projected, t.Decimals, d.Lang), num(t.PaceNeeded, 1, d.Lang), l.Statuses[t.Status])
	}
	tw.Flush()
	b.WriteString("\n")
	for _, t := range d.Targets {
		fmt.Fprintf(&b, "  %s  %s (%s)\n", t.Code, t.Name, t.Unit)
	}

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
		fmt.Fprintf(&b, "\n%s %s (%s, %s %d %s): %d %s %d %s\n", l.CoverageGap, g.Code, g.Name, l.DaysLeft,
			g.DaysLeft, l.DaysWord, g.Communes, l.CommunesIn, len(g.ByDistrict), l.DistrictsWord)
		for _, dc := range g.ByDistrict {
			fmt.Fprintf(&b, "  %s (%d): %s\n", dc.District, len(dc.Communes), strings.Join(dc.Communes, ", "))
		}
	}

	b.WriteString("\n")
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

func num(v *float64, decimals int, lang string) string {
	if v == nil {
		return "–"
	}
	return FormatNumber(*v, decimals, lang)
}

func pct(v *float64, lang string) string {
	if v == nil {
		return "–"
	}
	return FormatPercent(*v, lang)
}
