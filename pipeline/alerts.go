package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/coopwatch/coopwatch/config"
	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
)

// Alert rules.
const (
	RuleIndicatorLagging = "indicator_lagging" // a target at_risk or behind in the province or a district
	RuleCommuneLagging   = "commune_lagging"   // a commune short of a per-commune target
	RuleSourceStale      = "source_stale"      // a district sent nothing for too long, or never
	RuleSourceFailing    = "source_failing"    // a source failed several runs in a row
	RuleRejectsHigh      = "rejects_high"      // too many rows of a file rejected
)

// Condition is an alert whose condition holds now.
type Condition struct {
	Rule, Subject, UnitCode, Indicator string
	District                           string // district code, for grouping and suppression
	Summary                            string // one line for people
	// HeldBack: the condition holds but its district is stale, so the stale alert speaks
	// for it; the alert is left as it is, neither advanced nor cleared.
	HeldBack bool
}

// Alerter evaluates the alert rules and turns their changes into messages.
type Alerter struct {
	Store        *store.Store
	Plan         *plan.Plan
	Province     string // province unit code
	ProvinceName string
	Rules        config.AlertRules
	Lang         string // language of alert summaries
	Groups       []config.Group
	GroupUnits   map[string]string // group name -> the unit it is scoped to; "" for the province
}

// Evaluate runs one evaluation: it gathers the conditions, advances every alert, and saves
// the new states together with the messages they call for, in one transaction (a crash
// loses neither and doubles neither). It returns how many messages were queued.
func (a *Alerter) Evaluate(ctx context.Context, asOf, now time.Time) (int, error) {
	// Postgres keeps microseconds and rounds the rest: a time that went through it must
	// compare equal to the one kept here, or "a week later" falls a few ns short.
	now = now.Truncate(time.Microsecond)
	conds, err := a.Conditions(ctx, asOf, now)
	if err != nil {
		return 0, err
	}
	units, err := a.Store.UnitsUnder(ctx, a.Province)
	if err != nil {
		return 0, err
	}
	parent := make(map[string]string, len(units))
	for _, u := range units {
		parent[u.Code] = u.ParentCode.String
	}
	under := func(unit, ancestor string) bool {
		for u := unit; u != ""; u = parent[u] {
			if u == ancestor {
				return true
			}
		}
		return false
	}
	return a.Store.EvaluateAlerts(ctx, now, func(states map[[2]string]store.AlertState, silences []store.Silence) ([]store.AlertState, []store.Notification, error) {
		save, tell := Advance(conds, states, silences, a.Rules, under, now)
		msgs, told := a.Messages(tell, under)
		for i := range save {
			if told[[2]string{save[i].Rule, save[i].Subject}] && save[i].State == "firing" {
				save[i].LastNotifiedAt = validTime(now)
			}
		}
		return save, msgs, nil
	})
}

// Conditions gathers every condition that holds as of asOf (snapshots) and now (freshness).
// While a district is stale, its communes' lagging conditions are held back: the stale
// alert speaks for them.
func (a *Alerter) Conditions(ctx context.Context, asOf, now time.Time) ([]Condition, error) {
	l := alertWords(a.Lang)
	snaps, err := a.Store.Snapshots(ctx, store.SnapshotQuery{AsOf: asOf, Under: a.Province})
	if err != nil {
		return nil, err
	}
	if len(snaps) == 0 {
		// Evaluating nothing would clear every alert and announce them all resolved.
		return nil, fmt.Errorf("alerts: no attainment computed for %s: recompute first", asOf.Format(time.DateOnly))
	}
	names := map[string]string{}
	for _, s := range snaps {
		names[s.UnitCode] = s.UnitName
	}
	var conds []Condition
	share := a.Plan.Fraction(plan.Target{Cumulative: true, Value: 1}, asOf)
	for _, s := range snaps {
		t, ok := a.Plan.Target(s.Indicator)
		if !ok {
			continue
		}
		switch {
		case s.Level != "commune" && (s.Status == plan.StatusAtRisk || s.Status == plan.StatusBehind):
			conds = append(conds, Condition{Rule: RuleIndicatorLagging, Subject: s.UnitCode + "/" + s.Indicator,
				UnitCode: s.UnitCode, Indicator: s.Indicator, District: s.DistrictCode,
				Summary: fmt.Sprintf("%s %s: %s %s (%s / %s %s)", s.Indicator, targetName(t, a.Lang), s.UnitName,
					l.status[s.Status], num(s.Actual.Float64, s.Actual.Valid, a.Lang), l.expected,
					num(s.Expected.Float64, s.Expected.Valid, a.Lang))})
		case s.Level == "commune" && t.Allocation.PerCommune > 0 && share >= a.Rules.CommuneLaggingAfter &&
			s.Status != plan.StatusNoData && s.Actual.Valid && s.Actual.Float64 < t.Allocation.PerCommune:
			conds = append(conds, Condition{Rule: RuleCommuneLagging, Subject: s.UnitCode + "/" + s.Indicator,
				UnitCode: s.UnitCode, Indicator: s.Indicator, District: s.DistrictCode,
				Summary: s.UnitName + " (" + names[s.DistrictCode] + ")"})
		}
	}

	fresh, err := a.Store.Freshness(ctx, a.Province)
	if err != nil {
		return nil, err
	}
	stale := map[string]bool{}
	for _, f := range fresh {
		switch {
		case !f.LastReport.Valid:
			stale[f.Code] = true
			conds = append(conds, Condition{Rule: RuleSourceStale, Subject: f.Code, UnitCode: f.Code, District: f.Code,
				Summary: fmt.Sprintf("%s: %s", f.Name, l.neverReported)})
		case now.Sub(f.LastReport.Time) > a.Rules.StaleAfter:
			stale[f.Code] = true
			conds = append(conds, Condition{Rule: RuleSourceStale, Subject: f.Code, UnitCode: f.Code, District: f.Code,
				Summary: fmt.Sprintf("%s: %s %s", f.Name, l.lastReport, f.LastReport.Time.In(time.UTC).Format("02/01/2006"))})
		}
	}
	for i, c := range conds {
		conds[i].HeldBack = c.Rule == RuleCommuneLagging && stale[c.District]
	}

	runs, err := a.Store.RecentOutcomes(ctx, "import", a.Rules.FailingRuns)
	if err != nil {
		return nil, err
	}
	for src, outcomes := range runs {
		if len(outcomes) == a.Rules.FailingRuns && !slices.Contains(outcomes, "ok") {
			conds = append(conds, Condition{Rule: RuleSourceFailing, Subject: src,
				Summary: fmt.Sprintf("%s: %d %s", src, len(outcomes), l.failedRuns)})
		}
	}
	files, err := a.Store.FileSummaries(ctx, a.Province, "")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Read > 0 && float64(f.Rejected)/float64(f.Read) > a.Rules.RejectShare {
			name := fileName(f.Location, f.Sheet)
			conds = append(conds, Condition{Rule: RuleRejectsHigh, Subject: f.Source + ":" + f.Location + "#" + f.Sheet,
				Summary: fmt.Sprintf("%s (%s): %d/%d %s", name, f.Source, f.Rejected, f.Read, l.rowsRejected)})
		}
	}
	return conds, nil
}

// Transition is an alert people must be told about.
type Transition struct {
	Alert store.AlertState
	Kind  string // firing (first time), reminder, resolved
}

// Advance moves every alert one evaluation on: a condition must hold ForEvaluations times
// in a row to fire and be clear ResolveAfter times in a row to resolve, so flapping data
// does not flap messages; a firing alert is repeated only after RepeatInterval. Silenced
// alerts change state but are not told. under(unit, ancestor) says whether a unit lies
// below another (or is it).
func Advance(conds []Condition, states map[[2]string]store.AlertState, silences []store.Silence,
	rules config.AlertRules, under func(unit, ancestor string) bool, now time.Time) ([]store.AlertState, []Transition) {
	var save []store.AlertState
	var tell []Transition
	silenced := func(a store.AlertState) bool {
		for _, s := range silences {
			if (s.Rule == "" || s.Rule == a.Rule) && (s.Indicator == "" || s.Indicator == a.Indicator) &&
				(s.UnitCode == "" || (a.UnitCode != "" && under(a.UnitCode, s.UnitCode))) && s.ExpiresAt.After(now) {
				return true
			}
		}
		return false
	}
	holding := map[[2]string]bool{}
	for _, c := range conds {
		key := [2]string{c.Rule, c.Subject}
		if holding[key] {
			continue
		}
		holding[key] = true
		if c.HeldBack {
			continue // neither held nor cleared: no "resolved" for a district that went quiet
		}
		a, ok := states[key]
		if !ok || a.State == "inactive" {
			a = store.AlertState{Rule: c.Rule, Subject: c.Subject, State: "pending", FirstSeenAt: now}
		}
		a.UnitCode, a.Indicator, a.Summary = c.UnitCode, c.Indicator, c.Summary
		a.Held++
		a.Cleared = 0
		if a.State == "pending" && a.Held >= rules.ForEvaluations {
			a.State = "firing"
			a.FiredAt = validTime(now)
		}
		if a.State == "firing" && !silenced(a) {
			switch {
			case !a.LastNotifiedAt.Valid:
				tell = append(tell, Transition{a, "firing"})
			case now.Sub(a.LastNotifiedAt.Time) >= rules.RepeatInterval:
				tell = append(tell, Transition{a, "reminder"})
			}
		}
		save = append(save, a)
	}
	for key, a := range states {
		if holding[key] || a.State == "inactive" {
			continue
		}
		a.Held = 0
		a.Cleared++
		switch {
		case a.State == "pending":
			a.State = "inactive"
		case a.Cleared >= rules.ResolveAfter:
			a.State = "inactive"
			a.ResolvedAt = validTime(now)
			if a.LastNotifiedAt.Valid && !silenced(a) {
				tell = append(tell, Transition{a, "resolved"})
			}
		}
		save = append(save, a)
	}
	sort.Slice(save, func(i, j int) bool {
		return save[i].Rule+save[i].Subject < save[j].Rule+save[j].Subject
	})
	sort.Slice(tell, func(i, j int) bool {
		return tell[i].Alert.Rule+tell[i].Alert.Subject < tell[j].Alert.Rule+tell[j].Alert.Subject
	})
	return save, tell
}

// Messages groups the transitions into one message per recipient group and channel:
// "12 communes in 4 districts have no new cooperative group", never one per commune. A
// group scoped to a district gets only that district's alerts. The key is derived from the
// transitions, so deciding the same thing twice enqueues nothing new.
func (a *Alerter) Messages(tell []Transition, under func(unit, ancestor string) bool) ([]store.Notification, map[[2]string]bool) {
	var out []store.Notification
	told := map[[2]string]bool{}
	for _, g := range a.Groups {
		if !g.WantsAlerts() {
			continue
		}
		unit := a.GroupUnits[g.Name]
		var mine []Transition
		for _, t := range tell {
			if unit == "" || (t.Alert.UnitCode != "" && under(t.Alert.UnitCode, unit)) {
				mine = append(mine, t)
			}
		}
		if len(mine) == 0 {
			continue
		}
		for _, t := range mine {
			told[[2]string{t.Alert.Rule, t.Alert.Subject}] = true
		}
		subject, text := a.alertText(mine, g.Language, a.ProvinceName)
		h := sha256.New()
		for _, t := range mine {
			// The last notification tells one reminder from the next: without it every
			// reminder of an episode had the first one's key and the outbox dropped it.
			fmt.Fprintf(h, "%s|%s|%s|%s|%s\n", t.Alert.Rule, t.Alert.Subject, t.Kind,
				t.Alert.FiredAt.Time.UTC().Format(time.RFC3339Nano), t.Alert.LastNotifiedAt.Time.UTC().Format(time.RFC3339Nano))
		}
		sum := hex.EncodeToString(h.Sum(nil))[:20]
		for _, ch := range g.Channels {
			out = append(out, store.Notification{Key: "alert:" + g.Name + ":" + ch + ":" + sum, Channel: ch, Kind: "alert",
				Subject: subject, Text: text, HTML: "<!DOCTYPE html><meta charset=\"utf-8\"><pre>" + htmlEscape(text) + "</pre>"})
		}
	}
	return out, told
}

// alertText writes one message: new, repeated and resolved alerts, communes grouped by
// target and district.
func (a *Alerter) alertText(tell []Transition, lang, provinceName string) (subject, text string) {
	l := alertWords(lang)
	count := map[string]int{}
	for _, t := range tell {
		count[t.Kind]++
	}
	subject = fmt.Sprintf("[coopwatch] %s: %d %s, %d %s, %d %s", provinceName, count["firing"], l.firing,
		count["reminder"], l.reminder, count["resolved"], l.resolved)
	var b strings.Builder
	b.WriteString(subject + "\n")
	for _, kind := range []string{"firing", "reminder", "resolved"} {
		var these []Transition
		for _, t := range tell {
			if t.Kind == kind {
				these = append(these, t)
			}
		}
		if len(these) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n*%s*\n", l.heading[kind])
		communes := map[string][]Transition{} // indicator -> commune alerts
		for _, t := range these {
			if t.Alert.Rule == RuleCommuneLagging {
				communes[t.Alert.Indicator] = append(communes[t.Alert.Indicator], t)
				continue
			}
			fmt.Fprintf(&b, "• %s\n", t.Alert.Summary)
		}
		for _, code := range sortedKeys(communes) {
			list := communes[code]
			byDistrict := map[string][]string{}
			for _, t := range list {
				name, district, _ := strings.Cut(strings.TrimSuffix(t.Alert.Summary, ")"), " (")
				byDistrict[district] = append(byDistrict[district], name)
			}
			name := code
			if t, ok := a.Plan.Target(code); ok {
				name = code + " " + targetName(t, lang)
			}
			fmt.Fprintf(&b, "• %s: %d %s %d %s\n", name, len(list), l.communesIn, len(byDistrict), l.districts)
			for _, d := range sortedKeys(byDistrict) {
				names := byDistrict[d]
				shown := names
				if len(shown) > 10 {
					shown = shown[:10]
				}
				line := fmt.Sprintf("   %s: %s", d, strings.Join(shown, ", "))
				if rest := len(names) - len(shown); rest > 0 {
					line += fmt.Sprintf(" (+%d)", rest)
				}
				b.WriteString(line + "\n")
			}
		}
	}
	return subject, b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func targetName(t plan.Target, lang string) string {
	if lang == "en" {
		return t.NameEN
	}
	return t.NameVI
}

func num(v float64, ok bool, lang string) string {
	if !ok {
		return "–"
	}
	return notify.FormatNumber(v, 1, lang)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

type alertLabels struct {
	status                                                          map[string]string
	heading                                                         map[string]string
	expected, neverReported, lastReport, failedRuns                 string
	rowsRejected, firing, reminder, resolved, communesIn, districts string
}

func alertWords(lang string) alertLabels {
	if lang == "en" {
		return alertLabels{
			status:   map[string]string{"at_risk": "at risk", "behind": "behind"},
			heading:  map[string]string{"firing": "New", "reminder": "Still lagging", "resolved": "Resolved"},
			expected: "expected", neverReported: "has never sent data", lastReport: "last data on",
			failedRuns: "failed runs in a row", rowsRejected: "rows rejected", firing: "new", reminder: "still lagging",
			resolved: "resolved", communesIn: "communes in", districts: "districts short of the target",
		}
	}
	return alertLabels{
		status:   map[string]string{"at_risk": "có nguy cơ chậm", "behind": "chậm tiến độ"},
		heading:  map[string]string{"firing": "Cảnh báo mới", "reminder": "Vẫn chậm", "resolved": "Đã khắc phục"},
		expected: "cần đạt", neverReported: "chưa gửi số liệu lần nào", lastReport: "số liệu gần nhất ngày",
		failedRuns: "lần chạy lỗi liên tiếp", rowsRejected: "dòng bị từ chối", firing: "cảnh báo mới", reminder: "nhắc lại",
		resolved: "đã khắc phục", communesIn: "xã ở", districts: "huyện chưa đạt chỉ tiêu",
	}
}

func validTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }
