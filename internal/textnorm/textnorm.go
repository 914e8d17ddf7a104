// Package textnorm folds Vietnamese text into comparable keys: one Unicode form, one case,
// one kind of space, and optionally no diacritics.
package textnorm

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normalization form C, trimmed, with every run of white space
// (line breaks inside spreadsheet cells included) collapsed to one space.
func NFC(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// Fold returns NFC(s) in lower case: the key for comparisons that keep diacritics.
func Fold(s string) string {
	return strings.ToLower(NFC(s))
}

// StripMarks returns Fold(s) without diacritics, with đ as d: the key for comparisons that
// must survive text typed without Vietnamese marks. Different names can share this key
// (Đông Xuân, Đồng Xuân), so callers must check that a match on it is unique.
func StripMarks(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, Fold(s))
	if err != nil {
		return Fold(s)
	}
	return strings.NewReplacer("đ", "d", "Đ", "d").Replace(out)
}
