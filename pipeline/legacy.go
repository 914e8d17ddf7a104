package pipeline

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Legacy names a pre-Unicode Vietnamese encoding that text arrived in.
type Legacy string

// Legacy encodings DetectLegacy reports.
const (
	LegacyNone  Legacy = "none"
	LegacyTCVN3 Legacy = "tcvn3"
	LegacyVNI   Legacy = "vni"
)

// Old office files were typed with TCVN3 (ABC) or VNI fonts: the bytes were Vietnamese
// glyphs in the font but Latin-1 / Windows-1252 letters to everyone else, and that is how
// they reach us inside Unicode files: "Hîp t¸c x·" or "Hôïp taùc xaõ" for "Hợp tác xã".

// tcvn3Pairs lists TCVN3 bytes (as the Latin-1 characters they arrive as) each followed by
// the Vietnamese letter it stands for. The ABC table has single bytes for the seven
// upper-case base letters only; upper case with a tone mark needed a separate font using
// the lower-case bytes, so those come out lower case (FromTCVN3 restores all-caps words).
const tcvn3Pairs = "" +
	"¡Ă¢Â£Ê¤Ô¥Ơ¦Ư§Đ¨ă©âªê«ô¬ơ\u00adư®đ" +
	"µà¶ả·ã¸á¹ạ»ằ¼ẳ½ẵ¾ắÆặÇầÈẩÉẫÊấËậ" +
	"ÌèÎẻÏẽÐéÑẹÒềÓểÔễÕếÖệ" +
	"×ìØỉÜĩÝíÞị" +
	"ßòáỏâõãóäọåồæổçỗèốéộêờëởìỡíớîợ" +
	"ïùñủòũóúôụõừöử÷ữøứùự" +
	"úỳûỷüỹýýþỵ"

var tcvn3Table = func() map[rune]rune {
	m := map[rune]rune{}
	rs := []rune(tcvn3Pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
}()

// FromTCVN3 converts text typed in TCVN3 (ABC) back to Unicode. Words written all in capitals
// come out all in capitals.
func FromTCVN3(s string) string {
	var b strings.Builder
	for _, r := range s {
		if u, ok := tcvn3Table[r]; ok {
			r = u
		}
		b.WriteRune(r)
	}
	out := norm.NFC.String(b.String())
	if upper, lower := asciiCase(s); upper >= 2 && lower == 0 {
		return strings.ToUpper(out)
	}
	words := strings.Split(out, " ")
	orig := strings.Split(norm.NFC.String(s), " ")
	if len(words) != len(orig) {
		return out
	}
	for i, w := range orig {
		if upper, lower := asciiCase(w); upper >= 2 && lower == 0 {
			words[i] = strings.ToUpper(words[i])
		}
	}
	return strings.Join(words, " ")
}

func asciiCase(s string) (upper, lower int) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		}
	}
	return upper, lower
}

// VNI writes a vowel as its base letter followed by one byte carrying its marks.
const (
	markGrave, markAcute, markTilde, markHook, markDot = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
	markCircumflex, markBreve                          = "\u0302", "\u0306"
)

// vniMarks maps the lower-case mark bytes (upper-case ones are their capitals) to the
// combining marks they add to the letter before them.
var vniMarks = map[rune]string{
	'ù': markAcute, 'ø': markGrave, 'û': markHook, 'õ': markTilde, 'ï': markDot,
	'â': markCircumflex, 'á': markCircumflex + markAcute, 'à': markCircumflex + markGrave,
	'å': markCircumflex + markHook, 'ã': markCircumflex + markTilde, 'ä': markCircumflex + markDot,
	'ê': markBreve, 'é': markBreve + markAcute, 'è': markBreve + markGrave,
	'ú': markBreve + markHook, 'ü': markBreve + markTilde, 'ë': markBreve + markDot,
}

// vniSingles are the letters VNI writes in one byte: ơ, ư, đ and the toned i and ỵ.
var vniSingles = map[rune]rune{
	'ô': 'ơ', 'Ô': 'Ơ', 'ö': 'ư', 'Ö': 'Ư', 'ñ': 'đ', 'Ñ': 'Đ',
	'æ': 'ỉ', 'Æ': 'Ỉ', 'ó': 'ĩ', 'Ó': 'Ĩ', 'ò': 'ị', 'Ò': 'Ị', 'î': 'ỵ', 'Î': 'Ỵ',
}

// vniBase returns the letter a VNI mark byte may follow.
func vniBase(r rune) (rune, bool) {
	switch unicode.ToLower(r) {
	case 'a', 'e', 'o', 'u', 'y':
		return r, true
	case 'ô', 'ö':
		return vniSingles[r], true
	}
	return 0, false
}

// vniCombines reports whether marks make a Vietnamese letter on base: the circumflex goes
// on a, e and o, the breve on a only, tone marks on any vowel.
func vniCombines(base rune, marks string) bool {
	l := unicode.ToLower(base)
	switch {
	case strings.HasPrefix(marks, markCircumflex):
		return l == 'a' || l == 'e' || l == 'o'
	case strings.HasPrefix(marks, markBreve):
		return l == 'a'
	}
	return true
}

// FromVNI converts text typed in VNI back to Unicode.
func FromVNI(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if base, ok := vniBase(r); ok && i+1 < len(rs) {
			if marks, ok := vniMarks[unicode.ToLower(rs[i+1])]; ok && vniCombines(base, marks) {
				b.WriteString(norm.NFC.String(string(base) + marks))
				i++
				continue
			}
		}
		if u, ok := vniSingles[r]; ok {
			r = u
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// DetectLegacy reports whether s holds TCVN3 or VNI text, and is LegacyNone unless sure:
// the text must use no character beyond Windows-1252, and its accented words must be
// nonsense as they stand but become Vietnamese syllables once converted (two such words,
// or one with a character that ordinary text never puts there). Plain ASCII, French and
// correct Vietnamese stay LegacyNone.
func DetectLegacy(s string) Legacy {
	s = norm.NFC.String(s)
	high := false
	for _, r := range s {
		if r > 0xff && !strings.ContainsRune(cp1252Extras, r) {
			return LegacyNone
		}
		high = high || r >= 0x80
	}
	if !high {
		return LegacyNone
	}
	words := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (r < 0x80 && !isASCIILetter(r))
	})
	tcvn3 := scoreLegacy(words, FromTCVN3, tcvn3Telltale)
	vni := scoreLegacy(words, FromVNI, vniTelltale)
	switch {
	case tcvn3 > vni:
		return LegacyTCVN3
	case vni > tcvn3:
		return LegacyVNI
	}
	return LegacyNone
}

// cp1252Extras are the characters Windows-1252 has in 0x80..0x9F.
const cp1252Extras = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// scoreLegacy returns how many words decode turns from nonsense into Vietnamese, or 0
// when that is not convincing.
func scoreLegacy(words []string, decode func(string) string, telltale func(string) bool) int {
	good, bad, told := 0, 0, false
	for _, w := range words {
		d := decode(w)
		if d == w || !hasHighRune(w) {
			continue
		}
		if vietSyllable(w) { // already Vietnamese (or too short to tell): no evidence
			continue
		}
		if !vietSyllable(d) {
			bad++
			continue
		}
		good++
		told = told || telltale(w)
	}
	if good >= 2 && bad*3 <= good {
		return good
	}
	if good == 1 && bad == 0 && told {
		return 1
	}
	return 0
}

func hasHighRune(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			return true
		}
	}
	return false
}

// tcvn3Telltale reports a TCVN3 byte that is a symbol in Latin-1 (¸ · µ § ...) or an
// upper-case accented letter after a lower-case one ("ViÖt").
func tcvn3Telltale(w string) bool {
	prev := rune(0)
	for _, r := range w {
		switch {
		case r >= 0xa1 && r <= 0xae, r >= 0xb5 && r <= 0xb9, r >= 0xbb && r <= 0xbe, r == 0xd7, r == 0xf7:
			return true
		case r >= 0xc0 && unicode.IsUpper(r) && unicode.IsLower(prev):
			return true
		}
		prev = r
	}
	return false
}

// vniTelltale reports a vowel followed by a VNI mark byte that no Western language puts
// after a vowel (ø õ â ä ...), or a word starting with ñ (VNI đ).
func vniTelltale(w string) bool {
	rs := []rune(w)
	if len(rs) > 1 && (rs[0] == 'ñ' || rs[0] == 'Ñ') {
		return true
	}
	for i := 1; i < len(rs); i++ {
		if _, ok := vniBase(rs[i-1]); ok && strings.ContainsRune("øõäåãâáàØÕÄÅÃÂÁÀ", rs[i]) {
			return true
		}
	}
	return false
}

// Vietnamese syllable structure: initial consonant, vowel cluster, final consonant.
var (
	vietLetters = func() map[rune]bool {
		m := map[rune]bool{}
		for _, r := range "bcdđghklmnpqrstvx" {
			m[r] = true
		}
		for _, v := range "aăâeêioôơuưy" {
			for _, tone := range []string{"", markGrave, markAcute, markTilde, markHook, markDot} {
				for _, r := range norm.NFC.String(string(v) + tone) {
					m[r] = true
				}
			}
		}
		return m
	}()
	// kr, dr, pl and bl begin Central Highlands names: Krông, M'Drắk, Pleiku, Blao.
	vietInitials = []string{"ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu", "kr", "dr", "pl", "bl",
		"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""}
	vietFinals = []string{"ng", "nh", "ch", "c", "m", "n", "p", "t", ""}
	// vietNuclei: 0 takes a final consonant or not, 1 never does, 2 always does.
	vietNuclei = map[string]int{
		"a": 0, "e": 0, "ê": 0, "i": 0, "o": 0, "ô": 0, "ơ": 0, "u": 0, "ư": 0, "y": 0,
		"oa": 0, "oe": 0, "uê": 0, "uy": 0,
		"ă": 2, "â": 2, "oă": 2, "uâ": 2, "iê": 2, "yê": 2, "uô": 2, "ươ": 2, "uyê": 2, "oo": 2,
		"ai": 1, "ao": 1, "au": 1, "ay": 1, "âu": 1, "ây": 1, "eo": 1, "êu": 1, "ia": 1, "iu": 1,
		"oi": 1, "ôi": 1, "ơi": 1, "ua": 1, "ui": 1, "ưa": 1, "ưi": 1, "ưu": 1, "iêu": 1, "yêu": 1,
		"oai": 1, "oay": 1, "oao": 1, "oeo": 1, "uây": 1, "uôi": 1, "ươi": 1, "ươu": 1, "uya": 1,
		"uyu": 1, "uơ": 1,
	}
)

// vietSyllable reports whether w is one well-formed Vietnamese syllable.
func vietSyllable(w string) bool {
	w = strings.ToLower(norm.NFC.String(w))
	for _, r := range w {
		if !vietLetters[r] {
			return false
		}
	}
	var base []rune
	tones := 0
	for _, r := range norm.NFD.String(w) {
		switch string(r) {
		case markGrave, markAcute, markTilde, markHook, markDot:
			tones++
		default:
			base = append(base, r)
		}
	}
	if tones > 1 {
		return false
	}
	b := norm.NFC.String(string(base))
	for _, ini := range vietInitials {
		rest, ok := strings.CutPrefix(b, ini)
		if !ok {
			continue
		}
		for _, fin := range vietFinals {
			nucleus, ok := strings.CutSuffix(rest, fin)
			if !ok {
				continue
			}
			kind, ok := vietNuclei[nucleus]
			if ok && !(kind == 1 && fin != "") && !(kind == 2 && fin == "") {
				return true
			}
		}
	}
	return false
}
