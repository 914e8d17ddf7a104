package plan

import (
	"os"
	"strings"
	"testing"
)

func TestDefaultPlanLoads(t *testing.T) {
	t.Parallel()
	p, err := Load("../plans/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Targets) != 13 {
		t.Fatalf("default plan has %d targets, the seed has 13", len(p.Targets))
	}
	t01, ok := p.Target("T01")
	if !ok || t01.Value != 80 || t01.Allocation.PerCommune != 1 || t01.Comparator != AtLeast {
		t.Errorf("T01 = %+v, want 80 groups and at least 1 per commune", t01)
	}
	if p.Status.OnTrack != 0.95 || p.Status.PaceWindowWeeks != 8 {
		t.Errorf("status bands = %+v", p.Status)
	}
	if len(p.Hash) != 64 {
		t.Errorf("hash %q is not a hex SHA-256", p.Hash)
	}
}

func TestPlanProblemsAreAllReported(t *testing.T) {
	t.Parallel()
	src := `
name: broken
period: {start: 2026-01-01, end: 2026-12-31}
targets:
  - code: A
    name_vi: a
    name_en: a
    comparator: "=="
    value: 1
    measure: {kind: sum, entity: cooperatives, field: income}
  - code: A
    name_vi: b
    name_en: b
    comparator: ">="
    value: 1
    measure: {kind: count, entity: activities, filter: {rating: [tot]}}
`
	_, err := Parse([]byte(src))
	if err == nil {
		t.Fatal("broken plan parsed without error")
	}
	for _, want := range []string{
		`targets[0] (A).comparator: "=="`,
		`field: "income" is not a field of cooperatives`,
		`targets[1] (A).code: "A" is used twice`,
		`only cooperatives are rated`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestPlanEditChangesHash(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../plans/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]byte(strings.Replace(string(data), "value: 80", "value: 85", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash == b.Hash {
		t.Error("an edited plan kept the same version hash")
	}
}
