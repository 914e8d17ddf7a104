package textnorm

import "testing"

func TestKeys(t *testing.T) {
	t.Parallel()
	nfd := "Ho\u0300a Tu\u0301" // "Hòa Tú" typed with combining marks
	tests := []struct {
		name, in, nfc, fold, stripped string
	}{
		{"nfd becomes nfc", nfd, "Hòa Tú", "hòa tú", "hoa tu"},
		{"line break in header cell", " Số thành\nviên  ", "Số thành viên", "số thành viên", "so thanh vien"},
		{"d with stroke", "Đồng Xuân", "Đồng Xuân", "đồng xuân", "dong xuan"},
		{"empty", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := NFC(tt.in); got != tt.nfc {
				t.Errorf("NFC(%q) = %q, want %q", tt.in, got, tt.nfc)
			}
			if got := Fold(tt.in); got != tt.fold {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.fold)
			}
			if got := StripMarks(tt.in); got != tt.stripped {
				t.Errorf("StripMarks(%q) = %q, want %q", tt.in, got, tt.stripped)
			}
		})
	}
}
