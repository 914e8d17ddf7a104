package notify

import "testing"

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v        float64
		decimals int
		vi, en   string
	}{
		{1000, 0, "1.000", "1,000"},
		{50.5, 1, "50,5", "50.5"},
		{1234567.891, 2, "1.234.567,89", "1,234,567.89"},
		{968.6, 1, "968,6", "968.6"},
		{72.79, 1, "72,8", "72.8"},
		{80, 1, "80", "80"},
		{-12.5, 1, "-12,5", "-12.5"},
		{-0.01, 1, "0", "0"},
		{0, 0, "0", "0"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.v, tt.decimals, "vi"); got != tt.vi {
			t.Errorf("FormatNumber(%v, %d, vi) = %q, want %q", tt.v, tt.decimals, got, tt.vi)
		}
		if got := FormatNumber(tt.v, tt.decimals, "en"); got != tt.en {
			t.Errorf("FormatNumber(%v, %d, en) = %q, want %q", tt.v, tt.decimals, got, tt.en)
		}
	}
	if got := FormatPercent(0.873, "vi"); got != "87%" {
		t.Errorf("FormatPercent(0.873) = %q, want 87%%", got)
	}
}
