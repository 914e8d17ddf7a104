package plan

import (
	"errors"
	"fmt"
	"slices"
)

// Measure kinds.
const (
	Count         = "count"          // rows matching Filter
	Sum           = "sum"            // sum of Field
	Mean          = "mean"           // mean of Field over rows that have it
	WeightedMean  = "weighted_mean"  // sum(Field*Weight) / sum(Weight)
	Ratio         = "ratio"          // sum(Numerator) / sum(Denominator)
	Share         = "share"          // rows matching Match among rows matching Filter
	DistinctCount = "distinct_count" // distinct values of Field (a cooperative counted once)
)

// Entities a measure can range over, as stored.
const (
	Cooperatives      = "cooperatives"
	CooperativeGroups = "cooperative_groups"
	Activities        = "activities"
)

// Fields names, per entity, the stored columns a measure may use. Money is in million VND.
var Fields = map[string][]string{
	Cooperatives: {"members", "workers", "revenue_mvnd", "avg_income_mvnd", "score",
		"key_officers", "officers_trained", "officers_refreshed", "registration_code"},
	CooperativeGroups: {"members", "certificate_no"},
	Activities:        {"quantity", "participants", "cooperative_code"},
}

// Measure defines how an indicator is computed over stored entities.
type Measure struct {
	Kind   string `yaml:"kind"`
	Entity string `yaml:"entity"`
	// Field for sum, mean, weighted_mean and distinct_count.
	Field string `yaml:"field"`
	// Weight for weighted_mean.
	Weight string `yaml:"weight"`
	// Numerator and Denominator for ratio.
	Numerator   string `yaml:"numerator"`
	Denominator string `yaml:"denominator"`
	// Filter selects the rows measured (for share: the base).
	Filter Filter `yaml:"filter"`
	// Match selects, for share, the rows counted among the base.
	Match Filter `yaml:"match"`
	// Scale multiplies the result: 100 turns a ratio or share into a percentage.
	Scale float64 `yaml:"scale"`
}

// Filter selects entities. Empty lists select everything.
type Filter struct {
	// InPeriod keeps entities dated (founded, held) from the period start up to the as-of date.
	InPeriod bool `yaml:"in_period"`
	// DissolvedInPeriod keeps cooperatives dissolved from the period start up to the as-of date.
	DissolvedInPeriod bool `yaml:"dissolved_in_period"`
	// Active keeps cooperatives and groups that exist and operate at the as-of date:
	// founded by then, not dissolved by then, status active.
	Active bool     `yaml:"active"`
	Status []string `yaml:"status"`
	Rating []string `yaml:"rating"`
	Kind   []string `yaml:"kind"`
	Sector []string `yaml:"sector"`
}

// IsZero reports whether the filter selects everything.
func (f Filter) IsZero() bool {
	return !f.InPeriod && !f.DissolvedInPeriod && !f.Active && len(f.Status) == 0 && len(f.Rating) == 0 && len(f.Kind) == 0 && len(f.Sector) == 0
}

// Value words a filter may use.
var (
	Statuses      = []string{"active", "suspended", "dissolved"}
	Ratings       = []string{"tot", "kha", "trung_binh", "yeu", "chua_xep_loai"}
	ActivityKinds = []string{"outreach_class", "vocational_class", "handbook_print", "workshop", "trade_promotion"}
)

func (m Measure) validate() error {
	var errs []error
	fields, ok := Fields[m.Entity]
	if !ok {
		return fmt.Errorf("entity %q is not one of cooperatives, cooperative_groups, activities", m.Entity)
	}
	need := func(name, value string) {
		if value == "" {
			errs = append(errs, fmt.Errorf("%s: is required for kind %s", name, m.Kind))
		} else if !slices.Contains(fields, value) {
			errs = append(errs, fmt.Errorf("%s: %q is not a field of %s (one of %v)", name, value, m.Entity, fields))
		}
	}
	switch m.Kind {
	case Count:
	case Sum, Mean, DistinctCount:
		need("field", m.Field)
	case WeightedMean:
		need("field", m.Field)
		need("weight", m.Weight)
	case Ratio:
		need("numerator", m.Numerator)
		need("denominator", m.Denominator)
	case Share:
		if m.Match.IsZero() {
			errs = append(errs, errors.New("match: share needs a match filter"))
		}
	default:
		errs = append(errs, fmt.Errorf("kind %q is not one of count, sum, mean, weighted_mean, ratio, share, distinct_count", m.Kind))
	}
	for _, f := range []Filter{m.Filter, m.Match} {
		errs = append(errs, f.validate(m.Entity)...)
	}
	if m.Scale < 0 {
		errs = append(errs, fmt.Errorf("scale: %v is negative", m.Scale))
	}
	return errors.Join(errs...)
}

func (f Filter) validate(entity string) []error {
	var errs []error
	check := func(name string, values, allowed []string) {
		for _, v := range values {
			if !slices.Contains(allowed, v) {
				errs = append(errs, fmt.Errorf("filter %s: %q is not one of %v", name, v, allowed))
			}
		}
	}
	check("status", f.Status, Statuses)
	check("rating", f.Rating, Ratings)
	check("kind", f.Kind, ActivityKinds)
	if len(f.Rating) > 0 && entity != Cooperatives {
		errs = append(errs, errors.New("filter rating: only cooperatives are rated"))
	}
	if len(f.Kind) > 0 && entity != Activities {
		errs = append(errs, errors.New("filter kind: only activities have a kind"))
	}
	if f.DissolvedInPeriod && entity != Cooperatives {
		errs = append(errs, errors.New("filter dissolved_in_period: only cooperatives record a dissolution date"))
	}
	if (f.Active || len(f.Status) > 0) && entity == Activities {
		errs = append(errs, errors.New("filter active/status: activities have no status"))
	}
	return errs
}

// Additive reports whether the measure's value is the sum of its parts, so that a
// province's value equals the sum of its communes'.
func (m Measure) Additive() bool {
	return m.Kind == Count || m.Kind == Sum
}

// ScaleOr1 returns Scale, or 1 when unset.
func (m Measure) ScaleOr1() float64 {
	if m.Scale == 0 {
		return 1
	}
	return m.Scale
}
