package errlist

import (
	"errors"
	"testing"
)

func TestPrefixAndSplit(t *testing.T) {
	t.Parallel()
	joined := errors.Join(errors.New("line 2: a"), errors.Join(errors.New("line 3: b"), errors.New("line 9: c")))
	got := Split(Prefix("config x.yaml: ", joined))
	want := []string{"config x.yaml: line 2: a", "config x.yaml: line 3: b", "config x.yaml: line 9: c"}
	if len(got) != len(want) {
		t.Fatalf("Split = %v, want %d problems", got, len(want))
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("problem %d = %q, want %q", i, got[i], want[i])
		}
	}
	if Prefix("p: ", nil) != nil || Split(nil) != nil {
		t.Error("nil must stay nil")
	}
	if one := Split(Prefix("p: ", errors.New("x"))); len(one) != 1 || one[0].Error() != "p: x" {
		t.Errorf("a plain error = %v", one)
	}
}
