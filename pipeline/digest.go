package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
)

// DefaultCommunesPerDistrict is how many lagging communes of one district a digest names.
const DefaultCommunesPerDistrict = 10

// DigestOptions tune what a digest shows.
type DigestOptions struct {
	// CommunesPerDistrict: lagging communes named per district, the rest counted; 10 by default.
	CommunesPerDistrict int
	// Location is where the times files were applied are shown; as the database returns
	// them when nil.
	Location *time.Location
	// StaleAfter, when set, also lists as not reporting a district whose last file is older
	// than this at Now: the same test as the stale-source alert.
	StaleAfter time.Duration
	Now        time.Time
}

// BuildDigest assembles the digest of asOf from the snapshots saved for that day, so that
// the digest and `worker attainment` can never disagree. scope is the unit the digest is
// about: the province, or a district (its targets, its communes, its freshness).
func BuildDigest(ctx context.Context, st *store.Store, p *plan.Plan, scope string, asOf time.Time, lang string) (notify.Digest, error) {
	return BuildDigestWith(ctx, st, p, scope, asOf, lang, DigestOptions{})
}

// BuildDigestWith is BuildDigest with options.
func BuildDigestWith(ctx context.Context, st *store.Store, p *plan.Plan, scope string, asOf time.Time, lang string, opts DigestOptions) (notify.Digest, error) {
	limit := cmp.Or(opts.CommunesPerDistrict, DefaultCommunesPerDistrict)
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
	prev, since, err := previousSnapshots(ctx, st, scope, asOf)
	if err != nil {
		return d, err
	}
	byTarget := map[string][]store.Snapshot{}
	districts := map[string]*notify.DistrictLine{}
	districtNames := map[string]string{}
	var districtOrder []string
	for _, s := range snaps {
		byTarget[s.Indicator] = append(byTarget[s.Indicator], s)
		if s.UnitCode == scope {
			d.Province = s.UnitName // the district's name in a district's digest
		}
		if s.Level == "district" {
			districtNames[s.UnitCode] = s.UnitName
		}
		if s.Level == "district" && s.Status != plan.StatusNoTarget {
			dl, ok := districts[s.UnitCode]
			if !ok {
				dl = &notify.DistrictLine{Name: s.UnitName, Statuses: map[string]int{}}
				districts[s.UnitCode] = dl
				districtOrder = append(districtOrder, s.UnitCode)
			}
			dl.Statuses[s.Status]++
			if lagging(s.Status) {
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
			line := targetLine(t, s, lang)
			if was, ok := prev[unitKey{t.Code, s.UnitCode}]; ok {
				line.Previous = store.FloatPtr(was.Actual)
			}
			d.Targets = append(d.Targets, line)
		}
		if t.Allocation.PerCommune > 0 {
			d.Gaps = append(d.Gaps, coverageGap(t, byTarget[t.Code], districtNames, d.DaysLeft, lang, limit))
		}
	}
	if prev != nil {
		d.Changes = changes(p, byTarget, prev, since, districtNames, lang, limit)
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
		if parent != scope && f.Code != scope {
			continue
		}
		line := notify.Freshness{District: f.Name}
		if f.LastReport.Valid {
			at := inLocation(f.LastReport.Time, opts.Location)
			line.LastFile = &at
		}
		d.Freshness = append(d.Freshness, line)
		stale := opts.StaleAfter > 0 && f.LastReport.Valid && opts.Now.Sub(f.LastReport.Time) > opts.StaleAfter
		if f.Files == 0 || stale {
			d.NotReporting = append(d.NotReporting, f.Name)
		}
	}
	district := ""
	if scope != parent {
		district = scope
	}
	files, err := st.FileSummaries(ctx, parent, district)
	if err != nil {
		return d, err
	}
	for _, f := range files {
		name := fileName(f.Location, f.Sheet)
		d.Sources = append(d.Sources, fmt.Sprintf("%s: %s, %d/%d (%s)", f.Source, name, f.Accepted, f.Read,
			inLocation(f.IngestedAt, opts.Location).Format("2006-01-02 15:04")))
		if f.Rejected > 0 {
			d.Rejects = append(d.Rejects, notify.RejectLine{Source: f.Source, File: name, Read: f.Read,
				Rejected: f.Rejected, TopReasons: f.TopReasons})
		}
	}
	entityFiles, err := st.EntityFiles(ctx, parent, district)
	if err != nil {
		return d, err
	}
	if parent != scope { // a district's figures come from its own files and provincial ones
		entityFiles = slices.DeleteFunc(entityFiles, func(f store.EntityFile) bool {
			return f.DistrictCode != "" && f.DistrictCode != scope
		})
	}
	d.Trace = trace(p, d.Targets, entityFiles)
	return d, nil
}

type unitKey struct{ target, unit string }

// previousSnapshots reads the snapshots the digest compares with: the newest at least 7
// days before asOf, by target and unit. It returns nil when there is none.
func previousSnapshots(ctx context.Context, st *store.Store, scope string, asOf time.Time) (map[unitKey]store.Snapshot, time.Time, error) {
	since, ok, err := st.SnapshotDateOnOrBefore(ctx, asOf.AddDate(0, 0, -7))
	if err != nil || !ok {
		return nil, time.Time{}, err
	}
	snaps, err := st.Snapshots(ctx, store.SnapshotQuery{AsOf: since, Under: scope})
	if err != nil {
		return nil, time.Time{}, err
	}
	out := make(map[unitKey]store.Snapshot, len(snaps))
	for _, s := range snaps {
		out[unitKey{s.Indicator, s.UnitCode}] = s
	}
	return out, since, nil
}

func lagging(status string) bool {
	return status == plan.StatusAtRisk || status == plan.StatusBehind
}

func onCourse(status string) bool {
	return status == plan.StatusOnTrack || status == plan.StatusAchieved
}

// changes lists the province's and districts' targets whose status moved between the
// earlier snapshot and now, and the communes that newly met or fell short of a
// per-commune target. A unit without an earlier snapshot of a target (a target added to
// the plan since) has not changed.
func changes(p *plan.Plan, byTarget map[string][]store.Snapshot, prev map[unitKey]store.Snapshot, since time.Time,
	districtNames map[string]string, lang string, limit int) *notify.Changes {
	c := &notify.Changes{Since: since}
	for _, t := range p.Targets {
		var met, short []store.Snapshot
		for _, s := range byTarget[t.Code] {
			was, ok := prev[unitKey{t.Code, s.UnitCode}]
			if !ok {
				continue
			}
			switch s.Level {
			case "province", "district":
				change := notify.StatusChange{Code: t.Code, Unit: s.UnitName, From: was.Status, To: s.Status}
				switch {
				case lagging(s.Status) && (onCourse(was.Status) || was.Status == plan.StatusNoData):
					c.Lagging = append(c.Lagging, change)
				case onCourse(s.Status) && lagging(was.Status):
					c.Recovered = append(c.Recovered, change)
				}
			case "commune":
				if t.Allocation.PerCommune <= 0 {
					continue
				}
				nowMet, nowKnown := communeMet(t, s)
				wasMet, wasKnown := communeMet(t, was)
				switch {
				case nowMet && !wasMet:
					met = append(met, s)
				case nowKnown && !nowMet && wasKnown && wasMet:
					short = append(short, s)
				}
			}
		}
		if len(met) > 0 || len(short) > 0 {
			cc := notify.CommuneChange{Code: t.Code, Name: targetName(t, lang), Met: len(met), Short: len(short)}
			cc.MetIn = byDistrict(met, districtNames, limit)
			cc.ShortIn = byDistrict(short, districtNames, limit)
			c.Communes = append(c.Communes, cc)
		}
	}
	return c
}

// communeMet says whether a commune meets a per-commune target, and whether that is known:
// a commune of a district that sent nothing is no_data, neither met nor short.
func communeMet(t plan.Target, s store.Snapshot) (met, known bool) {
	if s.Status == plan.StatusNoData {
		return false, false
	}
	return s.Status == plan.StatusAchieved || (s.Actual.Valid && s.Actual.Float64 >= t.Allocation.PerCommune), true
}

func targetLine(t plan.Target, s store.Snapshot, lang string) notify.TargetLine {
	decimals := 1
	if t.Cumulative && (t.Measure.Kind == plan.Count || t.Measure.Kind == plan.DistinctCount) {
		decimals = 0
	}
	line := notify.TargetLine{Code: t.Code, Name: targetName(t, lang), Unit: t.Unit, Status: s.Status, Decimals: decimals,
		Actual: store.FloatPtr(s.Actual), Expected: store.FloatPtr(s.Expected),
		Target: store.FloatPtr(s.Target), Ratio: store.FloatPtr(s.Ratio),
		Projected: store.FloatPtr(s.Projected), PaceNeeded: store.FloatPtr(s.PaceNeeded)}
	if s.ETA.Valid {
		line.ETA = &s.ETA.Time
	}
	return line
}

// coverageGap lists the communes below a per-commune target, by district. Communes of
// districts that have not reported are no_data, not short, and are left out.
func coverageGap(t plan.Target, snaps []store.Snapshot, districtNames map[string]string, daysLeft int, lang string, limit int) notify.CoverageGap {
	g := notify.CoverageGap{Code: t.Code, Name: targetName(t, lang), PerCommune: t.Allocation.PerCommune, DaysLeft: daysLeft}
	var short []store.Snapshot
	for _, s := range snaps {
		if s.Level != "commune" {
			continue
		}
		if met, known := communeMet(t, s); known && !met {
			short = append(short, s)
		}
	}
	g.Communes = len(short)
	g.ByDistrict = byDistrict(short, districtNames, limit)
	return g
}

// byDistrict groups communes by district, in the order they come, naming at most limit
// of each district and counting the rest.
func byDistrict(communes []store.Snapshot, districtNames map[string]string, limit int) []notify.DistrictCommunes {
	var out []notify.DistrictCommunes
	index := map[string]int{}
	for _, s := range communes {
		i, ok := index[s.DistrictCode]
		if !ok {
			i = len(out)
			index[s.DistrictCode] = i
			out = append(out, notify.DistrictCommunes{District: districtNames[s.DistrictCode]})
		}
		if len(out[i].Communes) < limit {
			out[i].Communes = append(out[i].Communes, s.UnitName)
		} else {
			out[i].More++
		}
	}
	return out
}

// trace groups the digest's targets by the entity they are measured on, with the files of
// that entity by source.
func trace(p *plan.Plan, lines []notify.TargetLine, files []store.EntityFile) []notify.TraceLine {
	var out []notify.TraceLine
	index := map[string]int{}
	for _, line := range lines {
		t, ok := p.Target(line.Code)
		if !ok {
			continue
		}
		entity := t.Measure.Entity
		i, ok := index[entity]
		if !ok {
			i = len(out)
			index[entity] = i
			tl := notify.TraceLine{Entity: entity}
			for _, f := range files {
				if f.Entity != entity {
					continue
				}
				if n := len(tl.Sources); n == 0 || tl.Sources[n-1].Source != f.Source {
					tl.Sources = append(tl.Sources, notify.TraceSource{Source: f.Source})
				}
				src := &tl.Sources[len(tl.Sources)-1]
				src.Files = append(src.Files, notify.TraceFile{Name: fileName(f.Location, f.Sheet), Accepted: f.Accepted})
			}
			out = append(out, tl)
		}
		out[i].Targets = append(out[i].Targets, line.Code)
	}
	return out
}

func inLocation(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		return t
	}
	return t.In(loc)
}

// fileName is a file's base name, with the sheet read from it.
func fileName(location, sheet string) string {
	name := filepath.Base(location)
	if sheet != "" {
		name += " [" + sheet + "]"
	}
	return name
}
