package pipeline

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
)

// BuildDigest assembles the digest of asOf from the snapshots saved for that day, so that
// the digest and `worker attainment` can never disagree. scope is the unit the digest is
// about: the province, or a district (its targets, its communes, its freshness).
func BuildDigest(ctx context.Context, st *store.Store, p *plan.Plan, scope string, asOf time.Time, lang string) (notify.Digest, error) {
	province := scope
	snaps, err := st.Snapshots(ctx, store.SnapshotQuery{AsOf: asOf, Under: scope})
	if err != nil {
		return notify.Digest{}, err
	}
	if len(snaps) == 0 {
		return notify.Digest{}, fmt.Errorf("digest: no attainment computed for %s: run 'worker once recompute' first", asOf.Format(time.DateOnly))
	}
	d := notify.Digest{
		Lang: lang, PlanName: p.Name, PlanHash: p.Hash, AsOf: asOf,
		PeriodShare: p.Fraction(plan.Target{Cumulative: true, Value: 1}, asOf),
		DaysLeft:    max(0, int(math.Round(p.Period.End.Sub(asOf).Hours()/24))),
		Headline:    map[string]int{},
	}
	byTarget := map[string][]store.Snapshot{}
	districts := map[string]*notify.DistrictLine{}
	var districtOrder []string
	for _, s := range snaps {
		byTarget[s.Indicator] = append(byTarget[s.Indicator], s)
		if s.Level == "province" && s.UnitCode == province {
			d.Province = s.UnitName
		}
		if s.Level == "district" && s.Status != plan.StatusNoTarget {
			dl, ok := districts[s.UnitCode]
			if !ok {
				dl = &notify.DistrictLine{Name: s.UnitName, Statuses: map[string]int{}}
				districts[s.UnitCode] = dl
				districtOrder = append(districtOrder, s.UnitCode)
			}
			dl.Statuses[s.Status]++
			if s.Status == plan.StatusBehind || s.Status == plan.StatusAtRisk {
				dl.Lagging = append(dl.Lagging, s.Indicator)
			}
		}
	}
	for _, code := range districtOrder {
		d.Districts = append(d.Districts, *districts[code])
	}
	for _, t := range p.Targets {
		for _, s := range byTarget[t.Code] {
			if s.UnitCode != province {
				continue
			}
			d.Headline[s.Status]++
			d.Targets = append(d.Targets, targetLine(t, s, lang))
		}
		if t.Allocation.PerCommune > 0 {
			d.Gaps = append(d.Gaps, coverageGap(t, byTarget[t.Code], d.DaysLeft, lang))
		}
	}
	parent := province
	for _, s := range snaps {
		if s.UnitCode == scope && s.ParentCode != "" {
			parent = s.ParentCode // a district's digest reports on that district alone
		}
	}
	fresh, err := st.Freshness(ctx, parent)
	if err != nil {
		return d, err
	}
	for _, f := range fresh {
		if f.Files == 0 && (parent == scope || f.Code == scope) {
			d.NotReporting = append(d.NotReporting, f.Name)
		}
	}
	files, err := st.FileSummaries(ctx)
	if err != nil {
		return d, err
	}
	for _, f := range files {
		name := filepath.Base(f.Location)
		if f.Sheet != "" {
			name += " [" + f.Sheet + "]"
		}
		d.Sources = append(d.Sources, fmt.Sprintf("%s: %s, %d/%d (%s)", f.Source, name, f.Accepted, f.Read,
			f.IngestedAt.Format("2006-01-02 15:04")))
		if f.Rejected > 0 {
			d.Rejects = append(d.Rejects, notify.RejectLine{Source: f.Source, File: name, Read: f.Read,
				Rejected: f.Rejected, TopReasons: f.TopReasons})
		}
	}
	return d, nil
}

func targetLine(t plan.Target, s store.Snapshot, lang string) notify.TargetLine {
	name := t.NameVI
	if lang == "en" {
		name = t.NameEN
	}
	decimals := 1
	if t.Cumulative && (t.Measure.Kind == plan.Count || t.Measure.Kind == plan.DistinctCount) {
		decimals = 0
	}
	line := notify.TargetLine{Code: t.Code, Name: name, Unit: t.Unit, Status: s.Status, Decimals: decimals,
		Actual: fp(s.Actual.Float64, s.Actual.Valid), Expected: fp(s.Expected.Float64, s.Expected.Valid),
		Target: fp(s.Target.Float64, s.Target.Valid), Ratio: fp(s.Ratio.Float64, s.Ratio.Valid),
		Projected: fp(s.Projected.Float64, s.Projected.Valid), PaceNeeded: fp(s.PaceNeeded.Float64, s.PaceNeeded.Valid)}
	if s.ETA.Valid {
		line.ETA = &s.ETA.Time
	}
	return line
}

// coverageGap lists the communes below a per-commune target, by district. Communes of
// districts that have not reported are no_data, not short, and are left out.
func coverageGap(t plan.Target, snaps []store.Snapshot, daysLeft int, lang string) notify.CoverageGap {
	g := notify.CoverageGap{Code: t.Code, Name: t.NameVI, PerCommune: t.Allocation.PerCommune, DaysLeft: daysLeft}
	if lang == "en" {
		g.Name = t.NameEN
	}
	districtName := map[string]string{}
	for _, s := range snaps {
		if s.Level == "district" {
			districtName[s.UnitCode] = s.UnitName
		}
	}
	index := map[string]int{}
	for _, s := range snaps {
		if s.Level != "commune" || s.Status == plan.StatusNoData || s.Status == plan.StatusAchieved {
			continue
		}
		if s.Actual.Valid && s.Actual.Float64 >= t.Allocation.PerCommune {
			continue
		}
		key := s.DistrictCode
		i, ok := index[key]
		if !ok {
			i = len(g.ByDistrict)
			index[key] = i
			g.ByDistrict = append(g.ByDistrict, notify.DistrictCommunes{District: districtName[key]})
		}
		g.ByDistrict[i].Communes = append(g.ByDistrict[i].Communes, s.UnitName)
		g.Communes++
	}
	return g
}

func fp(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &v
}
