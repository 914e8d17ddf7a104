// Package plan reads the provincial plan file: its period, its targets, how each indicator
// is measured, and the bands that turn a measurement into a status.
package plan

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/coopwatch/coopwatch/internal/errlist"
)

// Plan is one version of a provincial plan.
type Plan struct {
	// Name of the plan as the province calls it.
	Name string `yaml:"name"`
	// EffectiveFrom is the date this version of the plan took effect.
	EffectiveFrom Date `yaml:"effective_from"`
	// Period the targets are to be met in.
	Period Period `yaml:"period"`
	// Status holds the thresholds that turn attainment into a status.
	Status Bands `yaml:"status"`
	// Targets of the plan, in the order reports list them.
	Targets []Target `yaml:"targets"`

	// Hash is the hex SHA-256 of the file's bytes: the plan version snapshots record.
	Hash string `yaml:"-"`
	// Source is the file's text, kept with the version in the database.
	Source string `yaml:"-"`
}

// Period is the plan's time span, both days included.
type Period struct {
	Start Date `yaml:"start"`
	End   Date `yaml:"end"`
}

// Bands are the status thresholds.
type Bands struct {
	// OnTrack: actual/expected at or above this is on_track. Default 0.95.
	OnTrack float64 `yaml:"on_track"`
	// AtRisk: at or above this (and below OnTrack) is at_risk; below is behind. Default 0.8.
	AtRisk float64 `yaml:"at_risk"`
	// MinCoverage: below this share of reporting districts a unit's status is no_data.
	// Default 0.5.
	MinCoverage float64 `yaml:"min_coverage"`
	// AboutTolerance: "about V" is achieved from V*(1-AboutTolerance). Default 0.05.
	AboutTolerance float64 `yaml:"about_tolerance"`
	// PaceWindowWeeks: projections use the pace over this many weeks of snapshots, falling
	// back to the pace since the period start. Default 8.
	PaceWindowWeeks int `yaml:"pace_window_weeks"`
}

// Comparators a target may use.
const (
	AtLeast  = ">="
	MoreThan = ">"
	AtMost   = "<="
	About    = "about"
)

// Target is one measurable commitment of the plan.
type Target struct {
	Code   string `yaml:"code"`
	NameVI string `yaml:"name_vi"`
	NameEN string `yaml:"name_en"`
	// Unit of the value as reports print it: "tổ hợp tác", "%", "triệu đồng".
	Unit string `yaml:"unit"`
	// Measure says how the indicator is computed from stored data.
	Measure Measure `yaml:"measure"`
	// Cumulative targets accumulate over the period (new groups founded, classes held) and
	// are expected to grow along a trajectory; the others are levels (averages, shares).
	Cumulative bool `yaml:"cumulative"`
	// Comparator: >=, >, <= or about.
	Comparator string `yaml:"comparator"`
	// Value is the province's target.
	Value float64 `yaml:"value"`
	// Allocation splits a cumulative province total over districts and communes. Without
	// it, districts and communes are measured but have no target of their own.
	Allocation Allocation `yaml:"allocation"`
	// Baseline of a level indicator at the period start: with it, the expected value glides
	// from the baseline to the target; without it, the target applies from the start.
	Baseline *float64 `yaml:"baseline"`
	// Milestones are cumulative checkpoints; without them the trajectory is linear.
	Milestones []Milestone `yaml:"milestones"`
}

// Allocation of a province total to smaller units.
type Allocation struct {
	// PerCommune is the least every commune must reach ("bình quân 01 Tổ hợp tác/xã");
	// a district's target is then PerCommune times its communes, unless a quota says more.
	PerCommune float64 `yaml:"per_commune"`
	// Quotas by district code.
	Quotas map[string]float64 `yaml:"quotas"`
}

// Milestone is a cumulative checkpoint of the province total.
type Milestone struct {
	Date  Date    `yaml:"date"`
	Value float64 `yaml:"value"`
}

// Load reads and validates a plan file.
func Load(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, errlist.Prefix("plan "+path+": ", err)
	}
	return p, nil
}

// Parse decodes and validates plan YAML.
func Parse(data []byte) (*Plan, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	p.Status.OnTrack = cmp.Or(p.Status.OnTrack, 0.95)
	p.Status.AtRisk = cmp.Or(p.Status.AtRisk, 0.8)
	p.Status.MinCoverage = cmp.Or(p.Status.MinCoverage, 0.5)
	p.Status.AboutTolerance = cmp.Or(p.Status.AboutTolerance, 0.05)
	p.Status.PaceWindowWeeks = cmp.Or(p.Status.PaceWindowWeeks, 8)
	if p.EffectiveFrom.IsZero() {
		p.EffectiveFrom = p.Period.Start
	}
	sum := sha256.Sum256(data)
	p.Hash = hex.EncodeToString(sum[:])
	p.Source = string(data)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate returns every problem of the plan, each naming the target and field.
func (p *Plan) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Name == "" {
		bad("name: is required")
	}
	if p.Period.Start.IsZero() || p.Period.End.IsZero() {
		bad("period: start and end are required (YYYY-MM-DD)")
	} else if !p.Period.End.After(p.Period.Start.Time) {
		bad("period: end %s is not after start %s", p.Period.End, p.Period.Start)
	}
	if !(0 < p.Status.AtRisk && p.Status.AtRisk < p.Status.OnTrack && p.Status.OnTrack <= 1) {
		bad("status: need 0 < at_risk (%v) < on_track (%v) <= 1", p.Status.AtRisk, p.Status.OnTrack)
	}
	if p.Status.MinCoverage < 0 || p.Status.MinCoverage > 1 {
		bad("status.min_coverage: %v is not between 0 and 1", p.Status.MinCoverage)
	}
	if len(p.Targets) == 0 {
		bad("targets: the plan has none")
	}
	seen := map[string]bool{}
	for i, t := range p.Targets {
		where := fmt.Sprintf("targets[%d]", i)
		if t.Code != "" {
			where = fmt.Sprintf("targets[%d] (%s)", i, t.Code)
		}
		if t.Code == "" {
			bad("%s.code: is required", where)
		} else if seen[t.Code] {
			bad("%s.code: %q is used twice", where, t.Code)
		}
		seen[t.Code] = true
		if t.NameVI == "" || t.NameEN == "" {
			bad("%s: name_vi and name_en are both required", where)
		}
		if !slices.Contains([]string{AtLeast, MoreThan, AtMost, About}, t.Comparator) {
			bad("%s.comparator: %q is not one of >=, >, <=, about", where, t.Comparator)
		}
		if t.Value < 0 {
			bad("%s.value: %v is negative", where, t.Value)
		}
		if err := t.Measure.validate(); err != nil {
			bad("%s.measure: %v", where, err)
		}
		if !t.Cumulative && (t.Allocation.PerCommune != 0 || len(t.Allocation.Quotas) > 0) {
			bad("%s.allocation: only cumulative targets are split over units", where)
		}
		if t.Cumulative && t.Baseline != nil {
			bad("%s.baseline: only level targets glide from a baseline", where)
		}
		for j, m := range t.Milestones {
			if m.Date.Before(p.Period.Start.Time) || m.Date.After(p.Period.End.Time) {
				bad("%s.milestones[%d]: %s is outside the period", where, j, m.Date)
			}
			if j > 0 && !m.Date.After(t.Milestones[j-1].Date.Time) {
				bad("%s.milestones[%d]: dates must increase", where, j)
			}
		}
		if len(t.Milestones) > 0 && !t.Cumulative {
			bad("%s.milestones: only cumulative targets have milestones", where)
		}
	}
	return errors.Join(errs...)
}

// Target returns the target with the given code.
func (p *Plan) Target(code string) (Target, bool) {
	for _, t := range p.Targets {
		if t.Code == code {
			return t, true
		}
	}
	return Target{}, false
}

// Date is a calendar date in YAML as YYYY-MM-DD.
type Date struct{ time.Time }

// UnmarshalYAML reads YYYY-MM-DD.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a date (YYYY-MM-DD)", n.Line, n.Value)
	}
	d.Time = t
	return nil
}

func (d Date) String() string { return d.Format(time.DateOnly) }

// NewDate returns the date of t, as a Date.
func NewDate(y int, m time.Month, day int) Date {
	return Date{time.Date(y, m, day, 0, 0, 0, 0, time.UTC)}
}
