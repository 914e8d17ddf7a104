// Package notify renders digests and alerts (text, HTML) and delivers them to people.
package notify

import (
	"math"
	"strconv"
	"strings"
)

// FormatNumber writes v with at most decimals digits after the point, trailing zeros
// dropped: in Vietnamese "1.234,5", in English "1,234.5".
func FormatNumber(v float64, decimals int, lang string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	thousands, point := ".", ","
	if lang == "en" {
		thousands, point = ",", "."
	}
	var b strings.Builder
	if v < 0 && (strings.Trim(intPart, "0") != "" || frac != "") {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// FormatPercent writes a ratio (0.873) as a percentage ("87%").
func FormatPercent(ratio float64, lang string) string {
	return FormatNumber(ratio*100, 0, lang) + "%"
}
