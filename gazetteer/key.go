package gazetteer

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

// keyWords splits a name into the words its keys are built from: folded case and form,
// apostrophes dropped (Ea H'leo, Ea Hleo), the punctuation writers vary (- . _ , ( ) /) as
// spaces, numbers without leading zeros (05 is 5).
func keyWords(s string) []string {
	f := strings.Map(func(r rune) rune {
		switch r {
		case '\'', '’', '‘', '`', 'ʼ', '´':
			return -1
		case '-', '–', '—', '.', '_', ',', '(', ')', '/', ';', ':', '"', '“', '”':
			return ' '
		}
		return r
	}, textnorm.Fold(s))
	words := strings.Fields(f)
	for i, w := range words {
		if isDigits(w) {
			words[i] = trimZeros(w)
		}
	}
	return words
}

// exactKey joins words keeping their letters and marks, with the tone mark moved out of the
// way so that old and new placement give one key.
func exactKey(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = foldTone(w)
	}
	return strings.Join(out, " ")
}

// looseKey joins words without diacritics. Different names share loose keys (Đông Xuân,
// Đồng Xuân), so a match on it counts only when it is unique.
func looseKey(words []string) string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if s := textnorm.StripMarks(w); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// isTone reports whether r is one of the five Vietnamese tone marks as a combining character.
func isTone(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
		return true
	}
	return false
}

// foldTone gives one spelling for the two tone-mark placements in oa, oe and uy ("hoà" and
// "hòa", "thuỷ" and "thủy", "khoẻ" and "khỏe", "uỷ" and "ủy"): it decomposes the word and
// moves its tone marks to the end. A syllable carries one tone, so nothing else merges. The
// result is only a key, in NFD, never shown.
func foldTone(word string) string {
	d := norm.NFD.String(word)
	var base, tones strings.Builder
	for _, r := range d {
		if isTone(r) {
			tones.WriteRune(r)
			continue
		}
		base.WriteRune(r)
	}
	return base.String() + tones.String()
}

// romans holds I to XX, the numerals that occur in unit names (Phường VII, Hòa Tú II).
var romans = func() map[string]string {
	ones := []string{"", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"}
	m := make(map[string]string, 20)
	for n := 1; n <= 20; n++ {
		m[strings.Repeat("x", n/10)+ones[n%10]] = strconv.Itoa(n)
	}
	return m
}()

// unitWords returns the key words of a name from the data. A last word written as an upper
// case Roman numeral becomes a number ("Phường VII" is "Phường 7"); "Pả Vi" stays a name.
func unitWords(name string) []string {
	words := keyWords(name)
	fields := strings.Fields(name)
	if len(words) == 0 || len(fields) == 0 {
		return words
	}
	last := fields[len(fields)-1]
	if n, ok := romans[strings.ToLower(last)]; ok && strings.ToUpper(last) == last {
		words[len(words)-1] = n
	}
	return words
}

// writtenVariants returns the word lists a written name may stand for: with a Roman last
// word as a number first (any case, "Hòa Tú ii"), then as written, for names like "Pả Vi"
// typed in capitals.
func writtenVariants(words []string) [][]string {
	if len(words) == 0 {
		return nil
	}
	n, ok := romans[words[len(words)-1]]
	if !ok {
		return [][]string{words}
	}
	conv := append([]string(nil), words...)
	conv[len(conv)-1] = n
	return [][]string{conv, words}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// trimZeros drops leading zeros of a number, keeping one zero for zero.
func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// padCode writes a numeric code with the width the statistics office uses; ok is false
// when s is no number or is too long.
func padCode(s string, width int) (string, bool) {
	s = strings.TrimSpace(s)
	if !isDigits(s) {
		return "", false
	}
	t := strings.TrimLeft(s, "0")
	if len(t) > width {
		return "", false
	}
	return strings.Repeat("0", width-len(t)) + t, true
}

// distance is the Levenshtein distance between a and b, counted in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closeEnough is how far a suggestion may be from what was written: two edits, or a third
// of the length for long names.
func closeEnough(key string, d int) bool {
	return d <= max(2, len([]rune(key))/3)
}

// textWords splits free text (a file name, a title row) into words without diacritics:
// anything but letters and digits separates words, apostrophes vanish.
func textWords(text string) []string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ':
			return -1
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			return r
		}
		return ' '
	}, text)
	words := strings.Fields(textnorm.StripMarks(s))
	for i, w := range words {
		if isDigits(w) {
			words[i] = trimZeros(w)
		}
	}
	return words
}
