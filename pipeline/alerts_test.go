package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/config"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// alertParents is a small province for alert tests: 99 > districts 901, 902, 903 >
// communes c<district>-<n>.
var alertParents = map[string]string{"901": "99", "902": "99", "903": "99"}

func init() {
	for _, d := range []string{"901", "902", "903"} {
		for i := 1; i <= 6; i++ {
			alertParents[fmt.Sprintf("c%s-%d", d, i)] = d
		}
	}
}

// alertUnder is the under(unit, ancestor) that Evaluate builds from the units table.
func alertUnder(unit, ancestor string) bool {
	for u := unit; u != ""; u = alertParents[u] {
		if u == ancestor {
			return true
		}
	}
	return false
}

// alertBook runs Advance evaluation after evaluation the way Evaluate does: the saved
// states are what the next evaluation reads, and a firing alert that was told gets its
// last_notified_at set to that evaluation's now.
type alertBook struct {
	rules    config.AlertRules
	silences []store.Silence
	states   map[[2]string]store.AlertState
}

func newAlertBook(rules config.AlertRules) *alertBook {
	return &alertBook{rules: rules, states: map[[2]string]store.AlertState{}}
}

func (b *alertBook) eval(now time.Time, conds ...pipeline.Condition) []pipeline.Transition {
	save, tell := pipeline.Advance(conds, b.states, b.silences, b.rules, alertUnder, now)
	told := map[[2]string]bool{}
	for _, t := range tell {
		told[[2]string{t.Alert.Rule, t.Alert.Subject}] = true
	}
	for _, a := range save {
		k := [2]string{a.Rule, a.Subject}
		if told[k] && a.State == "firing" {
			a.LastNotifiedAt = validNullTime(now)
		}
		b.states[k] = a
	}
	return tell
}

func (b *alertBook) state(c pipeline.Condition) string {
	return b.states[[2]string{c.Rule, c.Subject}].State
}

func validNullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }

func kinds(tell []pipeline.Transition) string {
	var k []string
	for _, t := range tell {
		k = append(k, t.Kind)
	}
	return strings.Join(k, ",")
}

func communeLagging(commune string) pipeline.Condition {
	return pipeline.Condition{Rule: pipeline.RuleCommuneLagging, Subject: commune + "/T01", UnitCode: commune,
		Indicator: "T01", District: alertParents[commune], Summary: "Xã " + commune + " (Huyện " + alertParents[commune] + ")"}
}

var alertT0 = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)

func hours(h float64) time.Time { return alertT0.Add(time.Duration(h * float64(time.Hour))) }

// TestAdvanceLifecycle walks single alerts through a timeline of evaluations: at each step
// the condition holds or not, and the step says what people must be told and which state
// the alert is left in.
func TestAdvanceLifecycle(t *testing.T) {
	t.Parallel()
	type step struct {
		at    float64 // hours after alertT0
		holds bool
		tell  string // kinds told, comma separated
		state string
	}
	rules := config.AlertRules{ForEvaluations: 3, ResolveAfter: 2, RepeatInterval: 24 * time.Hour}
	tests := []struct {
		name  string
		rules config.AlertRules
		steps []step
	}{
		{name: "fires only after ForEvaluations in a row", rules: rules, steps: []step{
			{0, true, "", "pending"},
			{1, true, "", "pending"},
			{2, true, "firing", "firing"},
			{3, true, "", "firing"},
		}},
		{name: "a break in the run starts the count again", rules: rules, steps: []step{
			{0, true, "", "pending"},
			{1, true, "", "pending"},
			{2, false, "", "inactive"},
			{3, true, "", "pending"},
			{4, true, "", "pending"},
			{5, true, "firing", "firing"},
		}},
		{name: "flapping never fires", rules: config.AlertRules{ForEvaluations: 2, ResolveAfter: 2, RepeatInterval: time.Hour}, steps: []step{
			{0, true, "", "pending"}, {1, false, "", "inactive"},
			{2, true, "", "pending"}, {3, false, "", "inactive"},
			{4, true, "", "pending"}, {5, false, "", "inactive"},
			{6, true, "", "pending"}, {7, false, "", "inactive"},
			{8, true, "", "pending"}, {9, false, "", "inactive"},
		}},
		{name: "told once then reminded only after RepeatInterval", rules: config.AlertRules{ForEvaluations: 1, ResolveAfter: 2, RepeatInterval: 24 * time.Hour}, steps: []step{
			{0, true, "firing", "firing"},
			{1, true, "", "firing"},
			{12, true, "", "firing"},
			{23.99, true, "", "firing"},
			{24, true, "reminder", "firing"},
			{25, true, "", "firing"},
			{47.5, true, "", "firing"},
			{48, true, "reminder", "firing"},
		}},
		{name: "resolves only after ResolveAfter clear evaluations", rules: config.AlertRules{ForEvaluations: 1, ResolveAfter: 3, RepeatInterval: 24 * time.Hour}, steps: []step{
			{0, true, "firing", "firing"},
			{1, false, "", "firing"},
			{2, false, "", "firing"},
			{3, true, "", "firing"}, // clear twice, then back: the count starts again
			{4, false, "", "firing"},
			{5, false, "", "firing"},
			{6, false, "resolved", "inactive"},
			{7, false, "", "inactive"},
			{8, true, "firing", "firing"}, // a new episode is told again
		}},
		{name: "a pending alert that clears goes quietly", rules: rules, steps: []step{
			{0, true, "", "pending"},
			{1, false, "", "inactive"},
			{2, false, "", "inactive"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newAlertBook(tt.rules)
			c := communeLagging("c901-1")
			for _, s := range tt.steps {
				var conds []pipeline.Condition
				if s.holds {
					conds = append(conds, c)
				}
				tell := b.eval(hours(s.at), conds...)
				if got := kinds(tell); got != s.tell {
					t.Errorf("at +%vh (holds %v): told %q, want %q", s.at, s.holds, got, s.tell)
				}
				if got := b.state(c); got != s.state {
					t.Errorf("at +%vh (holds %v): state %q, want %q", s.at, s.holds, got, s.state)
				}
			}
		})
	}
}

// A resolved transition goes only to people who were told the alert fired.
func TestAdvanceResolvesSilentlyWhenNeverTold(t *testing.T) {
	t.Parallel()
	b := newAlertBook(config.AlertRules{ForEvaluations: 1, ResolveAfter: 1, RepeatInterval: time.Hour})
	c := communeLagging("c902-1")
	b.silences = []store.Silence{{Rule: pipeline.RuleCommuneLagging, ExpiresAt: hours(1.5)}}
	if got := kinds(b.eval(hours(0), c)); got != "" {
		t.Fatalf("silenced alert told %q", got)
	}
	if b.state(c) != "firing" {
		t.Fatalf("state %q, want firing", b.state(c))
	}
	// The silence has expired when it resolves, but nobody heard it fire.
	if got := kinds(b.eval(hours(2))); got != "" {
		t.Errorf("resolution of an alert never told: told %q", got)
	}
	if b.state(c) != "inactive" {
		t.Errorf("state %q, want inactive", b.state(c))
	}
}

// TestAdvanceSilences: a silence matching by rule, indicator or unit (a district covers its
// communes) suppresses telling while the state still advances; once it expires an alert
// still firing is told.
func TestAdvanceSilences(t *testing.T) {
	t.Parallel()
	const expires = 10.0 // hours after alertT0
	tests := []struct {
		name     string
		silence  store.Silence
		cond     pipeline.Condition
		silenced bool
	}{
		{"by rule", store.Silence{Rule: pipeline.RuleCommuneLagging}, communeLagging("c901-2"), true},
		{"by indicator", store.Silence{Indicator: "T01"}, communeLagging("c901-2"), true},
		{"by district covering the commune", store.Silence{UnitCode: "901"}, communeLagging("c901-2"), true},
		{"by the commune itself", store.Silence{UnitCode: "c901-2"}, communeLagging("c901-2"), true},
		{"by the province", store.Silence{UnitCode: "99"}, communeLagging("c901-2"), true},
		{"rule, indicator and district together", store.Silence{Rule: pipeline.RuleCommuneLagging, Indicator: "T01", UnitCode: "901"}, communeLagging("c901-2"), true},
		{"another rule", store.Silence{Rule: pipeline.RuleSourceStale}, communeLagging("c901-2"), false},
		{"another indicator", store.Silence{Indicator: "T02"}, communeLagging("c901-2"), false},
		{"another district", store.Silence{UnitCode: "902"}, communeLagging("c901-2"), false},
		{"a unit silence does not cover an alert without a unit", store.Silence{UnitCode: "901"},
			pipeline.Condition{Rule: pipeline.RuleSourceFailing, Subject: "district-groups", Summary: "district-groups: 3"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newAlertBook(config.AlertRules{ForEvaluations: 2, ResolveAfter: 2, RepeatInterval: 168 * time.Hour})
			s := tt.silence
			s.ExpiresAt = hours(expires)
			b.silences = []store.Silence{s}

			wantFirst := "firing"
			if tt.silenced {
				wantFirst = ""
			}
			if got := kinds(b.eval(hours(0), tt.cond)); got != "" {
				t.Errorf("first evaluation told %q", got)
			}
			if got := kinds(b.eval(hours(1), tt.cond)); got != wantFirst {
				t.Errorf("second evaluation told %q, want %q", got, wantFirst)
			}
			// Silenced or not, the alert has fired.
			if got := b.state(tt.cond); got != "firing" {
				t.Fatalf("state %q, want firing", got)
			}
			if got := kinds(b.eval(hours(5), tt.cond)); got != "" {
				t.Errorf("evaluation within the silence told %q", got)
			}
			// After expiry: a silenced alert still firing is told now, the other is not told again.
			wantAfter := ""
			if tt.silenced {
				wantAfter = "firing"
			}
			if got := kinds(b.eval(hours(expires), tt.cond)); got != wantAfter {
				t.Errorf("evaluation at expiry told %q, want %q", got, wantAfter)
			}
			if got := kinds(b.eval(hours(expires+1), tt.cond)); got != "" {
				t.Errorf("evaluation after that told %q", got)
			}
		})
	}
}

// Several conditions at once: each alert keeps its own count, a silence on one district
// does not hide the others, and a duplicate condition counts once.
func TestAdvanceManyAlerts(t *testing.T) {
	t.Parallel()
	b := newAlertBook(config.AlertRules{ForEvaluations: 2, ResolveAfter: 2, RepeatInterval: 168 * time.Hour})
	b.silences = []store.Silence{{UnitCode: "902", ExpiresAt: hours(100)}}
	a1, a2, d1 := communeLagging("c901-1"), communeLagging("c901-2"), communeLagging("c902-1")
	b.eval(hours(0), a1, a1, d1) // a1 listed twice must not count as two evaluations
	if got := b.states[[2]string{a1.Rule, a1.Subject}].Held; got != 1 {
		t.Errorf("a duplicate condition counted %d times", got)
	}
	tell := b.eval(hours(1), a1, a2, d1)
	var told []string
	for _, tr := range tell {
		told = append(told, tr.Alert.UnitCode+":"+tr.Kind)
	}
	if got := strings.Join(told, " "); got != "c901-1:firing" {
		t.Errorf("told %q, want only c901-1 firing (c901-2 is new, c902-1 silenced)", got)
	}
	for c, want := range map[pipeline.Condition]string{a1: "firing", a2: "pending", d1: "firing"} {
		if got := b.state(c); got != want {
			t.Errorf("%s: state %q, want %q", c.Subject, got, want)
		}
	}
}

// alertPlan loads the default plan for target names.
func alertPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := plan.Load("../plans/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func lagging(kind string, communes ...string) []pipeline.Transition {
	var out []pipeline.Transition
	for _, c := range communes {
		cond := communeLagging(c)
		out = append(out, pipeline.Transition{Kind: kind, Alert: store.AlertState{Rule: cond.Rule, Subject: cond.Subject,
			UnitCode: cond.UnitCode, Indicator: cond.Indicator, Summary: cond.Summary, State: "firing",
			FiredAt: validNullTime(alertT0)}})
	}
	return out
}

var twelveCommunes = []string{
	"c901-1", "c901-2", "c901-3", "c901-4", "c901-5", // 5 in 901
	"c902-1", "c902-2", "c902-3", "c902-4", // 4 in 902
	"c903-1", "c903-2", "c903-3", // 3 in 903
}

func TestMessagesGroupCommunes(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	a := &pipeline.Alerter{Plan: alertPlan(t), ProvinceName: "Tỉnh Thử", Groups: []config.Group{
		{Name: "committee", Channels: []string{"slack", "email"}, Language: "vi"},
		{Name: "d901", Channels: []string{"email"}, Unit: "Huyện 901", Language: "en", Alerts: &yes},
		{Name: "press", Channels: []string{"email"}, Language: "vi", Alerts: &no},
	}, GroupUnits: map[string]string{"committee": "", "d901": "901", "press": ""}}
	tell := lagging("firing", twelveCommunes...)
	msgs, told := a.Messages(tell, alertUnder)

	if len(msgs) != 3 {
		for _, m := range msgs {
			t.Logf("%s\n%s", m.Key, m.Text)
		}
		t.Fatalf("%d messages, want 3 (committee on slack and email, d901 on email)", len(msgs))
	}
	byKey := map[string]store.Notification{}
	for _, m := range msgs {
		byKey[m.Key] = m
		if m.Kind != "alert" {
			t.Errorf("%s: kind %q", m.Key, m.Kind)
		}
	}
	if len(byKey) != 3 {
		t.Errorf("keys are not unique: %v", byKey)
	}
	if len(told) != 12 {
		t.Errorf("told %d alerts, want 12", len(told))
	}
	count := regexp.MustCompile(`T01 [^:\n]*: (\d+) (?:xã ở|communes in) (\d+) `)
	for _, m := range msgs {
		group, channel, _ := strings.Cut(strings.TrimPrefix(m.Key, "alert:"), ":")
		channel, _, _ = strings.Cut(channel, ":")
		if channel != m.Channel {
			t.Errorf("key %s names channel %q, message goes to %q", m.Key, channel, m.Channel)
		}
		got := count.FindAllStringSubmatch(m.Text, -1)
		if len(got) != 1 {
			t.Errorf("%s: want one T01 count line, got %q in\n%s", m.Key, got, m.Text)
			continue
		}
		switch group {
		case "committee":
			if got[0][1] != "12" || got[0][2] != "3" {
				t.Errorf("committee message says %s communes in %s districts, want 12 in 3:\n%s", got[0][1], got[0][2], m.Text)
			}
			for _, c := range twelveCommunes {
				if strings.Count(m.Text, "Xã "+c+",")+strings.Count(m.Text, "Xã "+c+"\n") != 1 {
					t.Errorf("committee message does not list %s exactly once:\n%s", c, m.Text)
				}
			}
			// One line per district, communes on it.
			if !strings.Contains(m.Text, "   Huyện 902: Xã c902-1, Xã c902-2, Xã c902-3, Xã c902-4\n") {
				t.Errorf("communes of 902 not listed on their district's line:\n%s", m.Text)
			}
		case "d901":
			if got[0][1] != "5" || got[0][2] != "1" {
				t.Errorf("d901 message says %s communes in %s districts, want 5 in 1:\n%s", got[0][1], got[0][2], m.Text)
			}
			if strings.Contains(m.Text, "c902") || strings.Contains(m.Text, "c903") {
				t.Errorf("d901 message mentions another district's communes:\n%s", m.Text)
			}
			if !strings.Contains(m.Text, "communes in") {
				t.Errorf("d901 message is not in English:\n%s", m.Text)
			}
		default:
			t.Errorf("message for group %q", group)
		}
	}

	// A district group with nothing of its own gets nothing.
	msgs, _ = a.Messages(lagging("firing", "c902-1", "c903-1"), alertUnder)
	for _, m := range msgs {
		if strings.HasPrefix(m.Key, "alert:d901:") {
			t.Errorf("d901 got a message about other districts: %s", m.Text)
		}
	}
}

// Many communes in one district are listed up to ten, with the rest counted.
func TestMessagesCapsCommunesPerDistrict(t *testing.T) {
	t.Parallel()
	a := &pipeline.Alerter{Plan: alertPlan(t), ProvinceName: "Tỉnh Thử",
		Groups:     []config.Group{{Name: "committee", Channels: []string{"slack"}, Language: "vi"}},
		GroupUnits: map[string]string{"committee": ""}}
	tell := lagging("firing", twelveCommunes...)
	for i := range tell {
		tell[i].Alert.Summary = fmt.Sprintf("Xã %02d (Huyện Lớn)", i+1)
	}
	msgs, _ := a.Messages(tell, alertUnder)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	text := msgs[0].Text
	if !strings.Contains(text, ": 12 xã ở 1 huyện") || !strings.Contains(text, "Xã 10 (+2)\n") || strings.Contains(text, "Xã 11") {
		t.Errorf("text does not list ten communes and count the other two:\n%s", text)
	}
}

func TestMessagesKey(t *testing.T) {
	t.Parallel()
	a := &pipeline.Alerter{Plan: alertPlan(t), ProvinceName: "Tỉnh Thử",
		Groups:     []config.Group{{Name: "committee", Channels: []string{"slack", "email"}, Language: "vi"}},
		GroupUnits: map[string]string{"committee": ""}}
	keys := func(tell []pipeline.Transition) string {
		msgs, _ := a.Messages(tell, alertUnder)
		var k []string
		for _, m := range msgs {
			k = append(k, m.Key)
		}
		return strings.Join(k, " ")
	}
	base := keys(lagging("firing", twelveCommunes...))
	if base == "" {
		t.Fatal("no messages")
	}

	reminder := func(lastNotified time.Time) []pipeline.Transition {
		tell := lagging("reminder", twelveCommunes...)
		for i := range tell {
			tell[i].Alert.LastNotifiedAt = validNullTime(lastNotified)
		}
		return tell
	}
	refired := lagging("firing", twelveCommunes...)
	refired[0].Alert.FiredAt = validNullTime(alertT0.Add(30 * 24 * time.Hour))

	tests := []struct {
		name string
		tell []pipeline.Transition
		same bool
	}{
		{"the same transitions again", lagging("firing", twelveCommunes...), true},
		{"one commune fewer", lagging("firing", twelveCommunes[1:]...), false},
		{"another commune", lagging("firing", append([]string{"c903-4"}, twelveCommunes[1:]...)...), false},
		{"resolved instead of firing", lagging("resolved", twelveCommunes...), false},
		{"reminder", reminder(alertT0), false},
		{"a new episode of one alert", refired, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := keys(tt.tell)
			if (got == base) != tt.same {
				t.Errorf("keys %s\nbase %s\nsame = %v, want %v", got, base, got == base, tt.same)
			}
		})
	}

	// Weekly reminders of the same alerts are different messages: the second must not be
	// swallowed by the outbox as a repeat of the first.
	t.Run("successive reminders", func(t *testing.T) {
		t.Parallel()
		week1 := keys(reminder(alertT0.Add(7 * 24 * time.Hour)))
		week2 := keys(reminder(alertT0.Add(14 * 24 * time.Hour)))
		if week1 == week2 {
			t.Errorf("two reminders a week apart share keys %s", week1)
		}
		if again := keys(reminder(alertT0.Add(7 * 24 * time.Hour))); again != week1 {
			t.Errorf("the same reminder decided twice has keys %s and %s", week1, again)
		}
	})
}

func evalAlerter(st *store.Store, p *plan.Plan) *pipeline.Alerter {
	return &pipeline.Alerter{Store: st, Plan: p, Province: "99", ProvinceName: "Tỉnh Thử", Lang: "vi",
		Rules: config.AlertRules{ForEvaluations: 1, ResolveAfter: 2, RepeatInterval: 7 * 24 * time.Hour,
			CommuneLaggingAfter: 0.5, StaleAfter: 30 * 24 * time.Hour, FailingRuns: 3, RejectShare: 0.1},
		Groups:     []config.Group{{Name: "committee", Channels: []string{"slack"}, Language: "vi"}},
		GroupUnits: map[string]string{"committee": ""}}
}

// TestEvaluate runs evaluations against the store, week after week: the first tells, the
// ones within the repeat interval enqueue nothing, and every weekly reminder is a message
// of its own.
func TestEvaluate(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	recompute(t, ctx, st, p, july2)
	al := evalAlerter(st, p)
	now := time.Now()
	week := 7 * 24 * time.Hour
	for _, s := range []struct {
		name  string
		at    time.Duration
		queue bool
	}{
		{"first evaluation tells", 0, true},
		{"an hour later: nothing", time.Hour, false},
		{"six days later: nothing", 6 * 24 * time.Hour, false},
		{"a week later: reminder", week, true},
		{"again at once: nothing", week + time.Minute, false},
		{"two weeks later: another reminder", 2 * week, true},
		{"three weeks later: another reminder", 3 * week, true},
	} {
		n, err := al.Evaluate(ctx, july2, now.Add(s.at))
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if (n > 0) != s.queue {
			t.Errorf("%s: %d messages queued", s.name, n)
		}
	}
	var texts []string
	if err := st.DB().Select(&texts, `SELECT body_text FROM notifications ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(texts) != 4 {
		t.Fatalf("%d messages in the outbox, want 4 (one firing, three reminders)", len(texts))
	}
	first := texts[0]
	// 903 sent nothing: its stale alert speaks for its commune, which is not listed.
	if !strings.Contains(first, "Huyện Ba: chưa gửi số liệu") || strings.Contains(first, "Xã G") {
		t.Errorf("first message:\n%s", first)
	}
	if !strings.Contains(first, "Xã B") || !strings.Contains(first, "Xã E") {
		t.Errorf("first message does not list the communes without a new group:\n%s", first)
	}
	for _, text := range texts[1:] {
		if !strings.Contains(text, "*Vẫn chậm*") {
			t.Errorf("reminder is not headed as one:\n%s", text)
		}
	}
}

// Two workers evaluating at the same moment tell each alert once.
func TestEvaluateConcurrently(t *testing.T) {
	t.Parallel()
	st, ctx, p := setup(t)
	recompute(t, ctx, st, p, july2)
	now := time.Now()
	var wg sync.WaitGroup
	queued := make([]int, 4)
	errs := make([]error, 4)
	for i := range queued {
		wg.Go(func() { queued[i], errs[i] = evalAlerter(st, p).Evaluate(ctx, july2, now) })
	}
	wg.Wait()
	total := 0
	for i := range queued {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		total += queued[i]
	}
	if total != 1 {
		t.Errorf("four concurrent evaluations queued %v messages, want 1 in all", queued)
	}
}

// TestAlertEpisodes: states saved through the store carry one episode's times; an alert
// that resolved and comes back starts a new episode, first seen when it came back.
func TestAlertEpisodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	rules := config.AlertRules{ForEvaluations: 1, ResolveAfter: 1, RepeatInterval: time.Hour}
	c := communeLagging("c901-1")
	eval := func(now time.Time, conds ...pipeline.Condition) {
		t.Helper()
		_, err := st.EvaluateAlerts(ctx, now, func(states map[[2]string]store.AlertState, silences []store.Silence) ([]store.AlertState, []store.Notification, error) {
			save, _ := pipeline.Advance(conds, states, silences, rules, alertUnder, now)
			return save, nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func() store.AlertState {
		t.Helper()
		var a store.AlertState
		if err := st.DB().Get(&a, `SELECT rule, subject, unit_code, indicator, state, held, cleared, summary,
			first_seen_at, fired_at, last_notified_at, resolved_at FROM alert_states`); err != nil {
			t.Fatal(err)
		}
		return a
	}
	eval(hours(0), c)
	eval(hours(1))
	if a := read(); a.State != "inactive" || !a.ResolvedAt.Valid {
		t.Fatalf("after clearing: %+v", a)
	}
	eval(hours(2), c)
	a := read()
	if a.State != "firing" || a.Held != 1 || a.ResolvedAt.Valid {
		t.Errorf("back again: %+v", a)
	}
	if !a.FirstSeenAt.Equal(hours(2)) || !a.FiredAt.Time.Equal(hours(2)) {
		t.Errorf("second episode first seen %s, fired %s; want both %s", a.FirstSeenAt, a.FiredAt.Time, hours(2))
	}
}

// TestHeldBackAlertsStayAsTheyAre: while a district is stale its communes' conditions are
// held back; a firing commune alert is then neither reminded nor announced as resolved.
func TestHeldBackAlertsStayAsTheyAre(t *testing.T) {
	t.Parallel()
	rules := config.AlertRules{ForEvaluations: 1, ResolveAfter: 2, RepeatInterval: 7 * 24 * time.Hour}
	cond := pipeline.Condition{Rule: pipeline.RuleCommuneLagging, Subject: "00001/T01", UnitCode: "00001",
		Indicator: "T01", District: "901", Summary: "Xã A (Huyện Một)"}
	now := time.Date(2026, 7, 2, 8, 0, 0, 0, time.UTC)
	states := map[[2]string]store.AlertState{}
	save, tell := pipeline.Advance([]pipeline.Condition{cond}, states, nil, rules, alertUnder, now)
	if len(tell) != 1 || tell[0].Kind != "firing" {
		t.Fatalf("first evaluation told %+v, want one firing", tell)
	}
	fired := save[0]
	fired.LastNotifiedAt = sql.NullTime{Time: now, Valid: true}
	states[[2]string{fired.Rule, fired.Subject}] = fired
	held := cond
	held.HeldBack = true
	for i := 1; i <= 3; i++ {
		later := now.Add(time.Duration(i) * 8 * 24 * time.Hour) // past the repeat interval each time
		save, tell = pipeline.Advance([]pipeline.Condition{held}, states, nil, rules, alertUnder, later)
		if len(tell) != 0 {
			t.Errorf("evaluation %d while held back told %+v, want nothing", i, tell)
		}
		if len(save) != 0 {
			t.Errorf("evaluation %d changed the held-back alert: %+v", i, save)
		}
	}
	if got := states[[2]string{fired.Rule, fired.Subject}]; got.State != "firing" {
		t.Errorf("held-back alert state = %s, want still firing", got.State)
	}
}
