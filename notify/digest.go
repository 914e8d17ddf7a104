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

	Headline     map[string]int // status -> number of targets
	Targets      []TargetLine   // province level, in plan order
	Districts    []DistrictLine
	Gaps         []CoverageGap // per-commune targets not yet reached, by district
	NotReporting []string      // full names of districts without any file
	Rejects      []RejectLine
	Sources      []string // files behind the figures
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
	Communes   int // communes short
	DaysLeft   int
	ByDistrict []DistrictCommunes
}

// DistrictCommunes names communes of one district.
type DistrictCommunes struct {
	District string
	Communes []string
}

// RejectLine summarizes one file's rejected rows.
type RejectLine struct {
	Source, File string
	Read         int
	Rejected     int
	TopReasons   []string
}

// StatusOrder is the order statuses are listed in.
var StatusOrder = []string{"achieved", "on_track", "at_risk", "behind", "no_data"}
