// Package textnorm folds Vietnamese text into comparable keys: one Unicode form, one case,
// one kind of space, and optionally no diacritics.
package textnorm

import (
	"strings"
	"unicode"

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
// (Đông Xuân, Đồng Xuân), so callers must check that a match on it is unique. It runs per
// cell on large files, so it is one pass over the decomposed runes, no transformer chain.
func StripMarks(s string) string {
	folded := norm.NFD.String(Fold(s))
	var b strings.Builder
	b.Grow(len(folded))
	for _, r := range folded {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}
