package notify

import (
	"html/template"
	"time"
)

// Digest is everything the weekly digest says, assembled from stored snapshots. Renderers
// only format it; they compute nothing.
type Digest struct {
	Lang        string
	Province    string // full name
	PlanName    string
	PlanHash    string
	AsOf        time.Time
	PeriodShare float64 // share of the plan period elapsed at AsOf
	DaysLeft    int

	Headline  map[string]int // status -> number of targets
	Targets   []TargetLine   // province level, in plan order
	Districts []DistrictLine
	// Changes compares with the newest snapshot at least a week before AsOf; nil when
	// there is none.
	Changes      *Changes
	Gaps         []CoverageGap // per-commune targets not yet reached, by district
	Freshness    []Freshness   // every district of the scope, with its last file
	NotReporting []string      // full names of districts without any file
	Rejects      []RejectLine
	Sources      []string    // files behind the figures
	Trace        []TraceLine // which files feed which targets, for the HTML version
	// ChartSrc, when set, shows the chart in the HTML version: "cid:chart" in email, the
	// PNG's file name in the archive.
	ChartSrc template.URL
}

// TargetLine is one target at one unit.
type TargetLine struct {
	Code, Name, Unit string
	Actual           *float64
	Expected         *float64
	Target           *float64
	Ratio            *float64
	Status           string
	Projected        *float64
	PaceNeeded       *float64
	ETA              *time.Time
	Decimals         int
	// Previous is the actual of the snapshot Changes compares with; nil when there is none.
	Previous *float64
}

// Change is Actual minus Previous, or nil when either is unknown.
func (t TargetLine) Change() *float64 {
	if t.Actual == nil || t.Previous == nil {
		return nil
	}
	v := *t.Actual - *t.Previous
	return &v
}

// Changes is what moved between an earlier snapshot and the digest's date.
type Changes struct {
	Since     time.Time       // date of the earlier snapshot
	Lagging   []StatusChange  // newly at_risk or behind (from on_track, achieved or no_data)
	Recovered []StatusChange  // back to on_track or achieved (from at_risk or behind)
	Communes  []CommuneChange // per-commune targets, where communes newly met or fell short
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Lagging) == 0 && len(c.Recovered) == 0 && len(c.Communes) == 0
}

// StatusChange is a target whose status changed in the province or a district.
type StatusChange struct {
	Code     string // target
	Unit     string // full name of the unit
	From, To string // statuses
}

// CommuneChange lists the communes that newly met, or newly fell short of, one
// per-commune target, by district.
type CommuneChange struct {
	Code, Name string
	Met        int // communes newly meeting the target
	MetIn      []DistrictCommunes
	Short      int // communes that met it before and no longer do
	ShortIn    []DistrictCommunes
}

// Freshness is when a district's last file was applied.
type Freshness struct {
	District string
	LastFile *time.Time // nil: never
}

// TraceLine names the files behind the targets measured on one entity.
type TraceLine struct {
	Targets []string // codes, in plan order
	Entity  string   // cooperatives, cooperative_groups, activities
	Sources []TraceSource
}

// TraceSource is one configured source and its files.
type TraceSource struct {
	Source string
	Files  []TraceFile
}

// TraceFile is one file (and sheet) with the rows taken from it.
type TraceFile struct {
	Name     string // base name, with " [sheet]" when the source reads a sheet
	Accepted int
}

// DistrictLine counts a district's targets by status.
type DistrictLine struct {
	Name     string
	Statuses map[string]int
	Lagging  []string // codes of targets at_risk or behind
}

// CoverageGap lists the communes still short of a per-commune target.
type CoverageGap struct {
	Code, Name string
	PerCommune float64
	Communes   int // communes short, named or not
	DaysLeft   int
	ByDistrict []DistrictCommunes
}

// DistrictCommunes names communes of one district: at most a few, and how many more.
type DistrictCommunes struct {
	District string
	Communes []string
	More     int // communes not named
}

// Count is the number of communes, named or not.
func (dc DistrictCommunes) Count() int { return len(dc.Communes) + dc.More }

// RejectLine summarizes one file's rejected rows.
type RejectLine struct {
	Source, File string
	Read         int
	Rejected     int
	TopReasons   []string
}

// StatusOrder is the order statuses are listed in.
var StatusOrder = []string{"achieved", "on_track", "at_risk", "behind", "no_data"}
