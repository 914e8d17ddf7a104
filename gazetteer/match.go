package gazetteer

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

// ErrNoDistricts is returned when a district is asked of a post-reform province.
var ErrNoDistricts = errors.New("post-reform provinces have no districts")

// NotFoundError says that no unit fits a written name.
type NotFoundError struct {
	Level       Level  // what was looked for: district or commune
	Written     string // the value as written
	Scope       string // full name of where it was looked for: "Huyện Mỹ Xuyên"
	Suggestions []Unit // up to three close names, those inside Scope first

	labels []string // how to show each suggestion, with its district when outside Scope
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("%s %q not found in %s", levelWord(e.Level), e.Written, e.Scope)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean " + strings.Join(showUnits(e.Suggestions, e.labels), ", ") + "?"
	}
	return msg
}

// AmbiguousError says that a written name fits more than one unit, such as "Long Phú" for
// both Thị trấn Long Phú and Xã Long Phú. The matcher never picks one.
type AmbiguousError struct {
	Level      Level  // what was looked for: district or commune
	Written    string // the value as written
	Scope      string // full name of where it was looked for
	Candidates []Unit // every unit it fits

	labels []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s %q is ambiguous in %s: it fits %s; write it with its type or its code",
		levelWord(e.Level), e.Written, e.Scope, strings.Join(showUnits(e.Candidates, e.labels), ", "))
}

func levelWord(l Level) string {
	if l == "" {
		return "unit"
	}
	return string(l)
}

func showUnits(units []Unit, labels []string) []string {
	if len(labels) == len(units) {
		return labels
	}
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.FullName
	}
	return out
}

// Matcher finds the units of one gazetteer from the names people write. It is safe for
// concurrent use.
type Matcher struct {
	g             *Gazetteer
	communes      index
	districts     index
	badAliases    map[string]string // alias key -> a code that is no unit here
	districtText  map[string][]int  // district name without diacritics -> districts
	maxTextWords  int
	districtNames map[string]string // district code -> full name, for messages
}

// index holds the keys of one level, computed once so that a match is a few map reads.
type index struct {
	level    Level
	units    []Unit
	width    int // digits of a code
	byCode   map[string]int
	exact    map[scoped][]int
	loose    map[scoped][]int
	looseOf  []string // each unit's key without diacritics, for suggestions
	aliases  map[string]int
	prefixes []prefix
	attached string // the abbreviation that may touch a number: "p" in P5, "q" in Q1
}

// scoped is a key inside a district, or inside the whole province when scope is "".
type scoped struct{ scope, key string }

// prefix is a type word as it may be written in front of a name, folded.
type prefix struct {
	words []string
	typ   string
}

var communePrefixes = []prefix{
	{[]string{"thị", "trấn"}, "Thị trấn"},
	{[]string{"đặc", "khu"}, "Đặc khu"},
	{[]string{"xã"}, "Xã"},
	{[]string{"x"}, "Xã"},
	{[]string{"phường"}, "Phường"},
	{[]string{"p"}, "Phường"},
	{[]string{"tt"}, "Thị trấn"},
}

var districtPrefixes = []prefix{
	{[]string{"thị", "xã"}, "Thị xã"},
	{[]string{"thành", "phố"}, "Thành phố"},
	{[]string{"huyện"}, "Huyện"},
	{[]string{"h"}, "Huyện"},
	{[]string{"tx"}, "Thị xã"},
	{[]string{"tp"}, "Thành phố"},
	{[]string{"quận"}, "Quận"},
	{[]string{"q"}, "Quận"},
}

// NewMatcher indexes g. aliases map a written name to a unit code (commune or district) and
// win over every other rule; an alias whose code is no unit of g makes its lookups fail.
func NewMatcher(g *Gazetteer, aliases map[string]string) *Matcher {
	m := &Matcher{
		g:             g,
		communes:      newIndex(Commune, g.Communes, 5, communePrefixes, "p"),
		districts:     newIndex(District, g.Districts, 3, districtPrefixes, "q"),
		badAliases:    make(map[string]string),
		districtText:  make(map[string][]int),
		districtNames: make(map[string]string, len(g.Districts)),
	}
	for i, d := range g.Districts {
		m.districtNames[d.Code] = d.FullName
		words := strings.Fields(looseKey(keyWords(d.Name)))
		k := strings.Join(words, " ")
		m.districtText[k] = append(m.districtText[k], i)
		m.maxTextWords = max(m.maxTextWords, len(words))
	}
	for written, code := range aliases {
		k := exactKey(keyWords(written))
		code = strings.TrimSpace(code)
		switch {
		case m.communes.addAlias(k, code, len(code) == 5):
		case m.districts.addAlias(k, code, len(code) == 3):
		case m.communes.addAlias(k, code, true):
		case m.districts.addAlias(k, code, true):
		default:
			m.badAliases[k] = code
		}
	}
	return m
}

func newIndex(level Level, units []Unit, width int, prefixes []prefix, attached string) index {
	ix := index{
		level:    level,
		units:    units,
		width:    width,
		byCode:   make(map[string]int, len(units)),
		exact:    make(map[scoped][]int, 2*len(units)),
		loose:    make(map[scoped][]int, 2*len(units)),
		looseOf:  make([]string, len(units)),
		aliases:  make(map[string]int),
		prefixes: prefixes,
		attached: attached,
	}
	for i, u := range units {
		ix.byCode[u.Code] = i
		words := unitWords(u.Name)
		exact, loose := exactKey(words), looseKey(words)
		ix.looseOf[i] = loose
		scopes := []string{""}
		if u.DistrictCode != "" {
			scopes = append(scopes, u.DistrictCode)
		}
		for _, s := range scopes {
			ix.exact[scoped{s, exact}] = append(ix.exact[scoped{s, exact}], i)
			ix.loose[scoped{s, loose}] = append(ix.loose[scoped{s, loose}], i)
		}
	}
	return ix
}

// addAlias records an alias if code is a unit of this level; when pad is false the code
// must be written in full.
func (ix *index) addAlias(key, code string, pad bool) bool {
	if pad {
		c, ok := padCode(code, ix.width)
		if !ok {
			return false
		}
		code = c
	}
	i, ok := ix.byCode[code]
	if ok {
		ix.aliases[key] = i
	}
	return ok
}

// Commune returns the commune written as a code or a name, looked for in the district
// districtCode, or in the whole province when districtCode is "". It returns a
// *NotFoundError or an *AmbiguousError when the name fits no unit or more than one.
func (m *Matcher) Commune(written, districtCode string) (Unit, error) {
	scope, scopeName := "", m.g.Province.FullName
	if strings.TrimSpace(districtCode) != "" {
		if len(m.g.Districts) == 0 {
			return Unit{}, fmt.Errorf("gazetteer: commune %q: district %q given, but %w",
				written, districtCode, ErrNoDistricts)
		}
		c, ok := padCode(districtCode, 3)
		i, found := m.districts.byCode[c]
		if !ok || !found {
			return Unit{}, fmt.Errorf("gazetteer: commune %q: district code %q is not in %s",
				written, districtCode, m.g.Province.FullName)
		}
		scope, scopeName = c, m.districts.units[i].FullName
	}
	return m.resolve(&m.communes, written, scope, scopeName)
}

// District returns the district written as a code or a name. Post-reform gazetteers have
// no districts: the error wraps ErrNoDistricts.
func (m *Matcher) District(written string) (Unit, error) {
	if len(m.g.Districts) == 0 {
		return Unit{}, fmt.Errorf("gazetteer: district %q in %s: %w",
			written, m.g.Province.FullName, ErrNoDistricts)
	}
	return m.resolve(&m.districts, written, "", m.g.Province.FullName)
}

// parse is one reading of a written name: its type when a prefix gave one, and the words
// of the name itself.
type parse struct {
	typ   string
	words []string
}

// parses returns the readings of words to try, in order. A prefix written with its marks
// ("Xã", "TT") is read as a type first; one that only matches without marks ("Xa") may be
// the start of a name (Xà Phiên), so the whole name comes first.
func (ix *index) parses(words []string) []parse {
	if len(words) > 0 && ix.attached != "" {
		w := words[0]
		if rest, ok := strings.CutPrefix(w, ix.attached); ok && isDigits(rest) {
			words = append([]string{ix.attached, trimZeros(rest)}, words[1:]...)
		}
	}
	whole := parse{words: words}
	for _, p := range ix.prefixes {
		if n := len(p.words); len(words) > n && slices.Equal(words[:n], p.words) {
			return []parse{{p.typ, words[n:]}, whole}
		}
	}
	for _, p := range ix.prefixes {
		if n := len(p.words); len(words) > n && looseKey(words[:n]) == looseKey(p.words) {
			return []parse{whole, {p.typ, words[n:]}}
		}
	}
	return []parse{whole}
}

func (m *Matcher) resolve(ix *index, written, scope, scopeName string) (Unit, error) {
	w := textnorm.NFC(written)
	words := keyWords(w)
	akey := exactKey(words)
	if i, ok := ix.aliases[akey]; ok {
		return ix.units[i], nil
	}
	if code, ok := m.badAliases[akey]; ok {
		return Unit{}, fmt.Errorf("gazetteer: alias %q points to code %q, which is no unit of %s",
			written, code, m.g.Province.FullName)
	}

	if isDigits(w) {
		if c, ok := padCode(w, ix.width); ok {
			if i, ok := ix.byCode[c]; ok {
				if inScope(ix.units[i], scope) {
					return ix.units[i], nil
				}
				return Unit{}, m.notFound(ix, written, scope, scopeName, []int{i})
			}
		}
		if len(w) >= ix.width {
			return Unit{}, m.notFound(ix, written, scope, scopeName, nil)
		}
	}

	ps := ix.parses(words)
	for pass := range 2 {
		keys, key := ix.exact, exactKey
		if pass == 1 {
			keys, key = ix.loose, looseKey
		}
		for _, p := range ps {
			for _, v := range writtenVariants(p.words) {
				ids := ofType(ix.units, keys[scoped{scope, key(v)}], p.typ)
				switch len(ids) {
				case 0:
					continue
				case 1:
					return ix.units[ids[0]], nil
				}
				units, labels := m.show(ix, ids, scope)
				return Unit{}, &AmbiguousError{Level: ix.level, Written: written, Scope: scopeName,
					Candidates: units, labels: labels}
			}
		}
	}

	name := ps[0]
	for _, p := range ps {
		if p.typ != "" {
			name = p
		}
	}
	return Unit{}, m.notFound(ix, written, scope, scopeName, ix.suggest(looseKey(name.words), scope))
}

func inScope(u Unit, scope string) bool {
	return scope == "" || u.DistrictCode == scope
}

// ofType keeps the units of type typ, or all when typ is "".
func ofType(units []Unit, ids []int, typ string) []int {
	if typ == "" {
		return ids
	}
	var out []int
	for _, i := range ids {
		if units[i].Type == typ {
			out = append(out, i)
		}
	}
	return out
}

// suggest returns up to three units whose names are close to key, those in scope first.
// It is the one place that scans every unit.
func (ix *index) suggest(key, scope string) []int {
	if key == "" {
		return nil
	}
	type cand struct{ i, d int }
	var in, out []cand
	for i, u := range ix.units {
		d := distance(key, ix.looseOf[i])
		if !closeEnough(key, d) {
			continue
		}
		if inScope(u, scope) {
			in = append(in, cand{i, d})
		} else {
			out = append(out, cand{i, d})
		}
	}
	byDistance := func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(ix.units[a.i].Code, ix.units[b.i].Code))
	}
	slices.SortFunc(in, byDistance)
	slices.SortFunc(out, byDistance)
	var ids []int
	for _, c := range append(in, out...) {
		if len(ids) == 3 {
			break
		}
		ids = append(ids, c.i)
	}
	return ids
}

func (m *Matcher) notFound(ix *index, written, scope, scopeName string, ids []int) error {
	units, labels := m.show(ix, ids, scope)
	return &NotFoundError{Level: ix.level, Written: written, Scope: scopeName,
		Suggestions: units, labels: labels}
}

// show returns the units of ids and how to name each in a message: with its district when
// the scope does not already say it.
func (m *Matcher) show(ix *index, ids []int, scope string) ([]Unit, []string) {
	if len(ids) == 0 {
		return nil, nil
	}
	units := make([]Unit, len(ids))
	labels := make([]string, len(ids))
	for n, i := range ids {
		u := ix.units[i]
		units[n] = u
		labels[n] = u.FullName
		if u.DistrictCode != "" && u.DistrictCode != scope {
			labels[n] += " (" + m.districtNames[u.DistrictCode] + ")"
		}
	}
	return units, labels
}

// DistrictInText finds the district named in free text such as a file name
// ("bao-cao-HTX_huyen_chau_thanh_a_2026.xlsx") or a title row. Names are compared without
// diacritics as whole words; the longest name wins (Châu Thành A over Châu Thành); a type
// word in front ("huyen", "tx", "thanh pho") picks between districts of one name and wins
// over bare mentions. It reports false when no district, or more than one, fits.
func (m *Matcher) DistrictInText(text string) (Unit, bool) {
	if len(m.districtText) == 0 {
		return Unit{}, false
	}
	words := textWords(text)
	type occ struct {
		start, end int
		ids        []int
		typed      bool
	}
	var occs []occ
	for i := range words {
		for n := min(m.maxTextWords, len(words)-i); n > 0; n-- {
			if ids, ok := m.districtText[strings.Join(words[i:i+n], " ")]; ok {
				occs = append(occs, occ{start: i, end: i + n, ids: ids})
				break
			}
		}
	}

	var kept []occ
	anyTyped := false
	for _, o := range occs {
		if slices.ContainsFunc(occs, func(b occ) bool {
			return b.end-b.start > o.end-o.start && b.start <= o.start && o.end <= b.end
		}) {
			continue // part of a longer name
		}
		typ, other := typeBefore(words, o.start)
		if other {
			continue // the name of a province or commune
		}
		if typ != "" {
			o.ids = ofType(m.districts.units, o.ids, typ)
			if len(o.ids) == 0 {
				continue
			}
			o.typed, anyTyped = true, true
		} else if isDigits(strings.Join(words[o.start:o.end], "")) {
			continue // "Quận 1" needs its type word; a bare 1 is just a number
		}
		kept = append(kept, o)
	}

	longest := 0
	for _, o := range kept {
		if o.typed == anyTyped {
			longest = max(longest, len(strings.Join(words[o.start:o.end], " ")))
		}
	}
	found := -1
	for _, o := range kept {
		if o.typed != anyTyped || len(strings.Join(words[o.start:o.end], " ")) != longest {
			continue
		}
		for _, i := range o.ids {
			if found != -1 && found != i {
				return Unit{}, false
			}
			found = i
		}
	}
	if found == -1 {
		return Unit{}, false
	}
	return m.districts.units[found], true
}

// typeBefore reads the word(s) in front of a name found in text: a district type, or other
// when they make it a province, commune or ward.
func typeBefore(words []string, start int) (typ string, other bool) {
	if start >= 2 {
		switch words[start-2] + " " + words[start-1] {
		case "thi xa":
			return "Thị xã", false
		case "thanh pho":
			return "Thành phố", false
		case "thi tran", "dac khu":
			return "", true
		case "tac xa":
			return "", false // hợp tác xã: a cooperative named after the place
		}
	}
	if start >= 1 {
		switch words[start-1] {
		case "huyen", "h":
			return "Huyện", false
		case "tx":
			return "Thị xã", false
		case "tp":
			return "Thành phố", false
		case "quan", "q":
			return "Quận", false
		case "tinh", "xa", "phuong", "p", "tt":
			return "", true
		}
	}
	return "", false
}
