package pipeline

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// legacyTestPhrases are real phrases from cooperative files; their upper-case letters are
// ones TCVN3 can write (plain letters and Đ Ă Â Ê Ô Ơ Ư).
var legacyTestPhrases = []string{
	"Hợp tác xã Nông nghiệp Thành Công",
	"Cộng hòa xã hội chủ nghĩa Việt Nam",
	"Độc lập - Tự do - Hạnh phúc",
	"Liên minh Hợp tác xã tỉnh",
	"Tổ hợp tác chăn nuôi bò",
	"Nguyễn Văn Hưởng",
	"Phát triển kinh tế tập thể",
	"Thu nhập bình quân của người lao động",
	"Quyết định thành lập",
	"Giấy chứng nhận đăng ký",
	"Đào Thị Yến",
	"Ban quản trị, ban kiểm soát",
	"Lớp tập huấn tuyên truyền pháp luật",
	"Xã Ea Kao, huyện Krông Pắc",
}

// legacyTestToTCVN3 encodes Unicode text in TCVN3 by inverting the package's table.
func legacyTestToTCVN3(t *testing.T, s string) string {
	t.Helper()
	inverse := map[rune]rune{}
	for legacy, u := range tcvn3Table {
		inverse[u] = legacy
	}
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		l, ok := inverse[r]
		if !ok {
			t.Fatalf("TCVN3 cannot write %q in %q", r, s)
		}
		b.WriteRune(l)
	}
	return b.String()
}

// legacyTestToVNI encodes Unicode text in VNI from each letter's decomposition: base letter,
// then one byte for its vowel mark and tone together. Written apart from FromVNI's tables.
func legacyTestToVNI(t *testing.T, s string) string {
	t.Helper()
	const (
		none = iota
		circumflex
		breve
		horn
	)
	tones := map[rune]int{0x301: 1, 0x300: 2, 0x309: 3, 0x303: 4, 0x323: 5}
	// byte for [vowel mark][tone]: no tone, sắc, huyền, hỏi, ngã, nặng
	markBytes := [3][6]string{
		none:       {"", "ù", "ø", "û", "õ", "ï"},
		circumflex: {"â", "á", "à", "å", "ã", "ä"},
		breve:      {"ê", "é", "è", "ú", "ü", "ë"},
	}
	iForms := []string{"i", "í", "ì", "æ", "ó", "ò"}
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r == 'đ':
			b.WriteString("ñ")
			continue
		case r == 'Đ':
			b.WriteString("Ñ")
			continue
		case r < 0x80 && !strings.ContainsRune("aeiouyAEIOUY", r):
			b.WriteRune(r)
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		base, upper := unicode.ToLower(d[0]), unicode.IsUpper(d[0])
		mark, tone := none, 0
		for _, m := range d[1:] {
			switch m {
			case 0x302:
				mark = circumflex
			case 0x306:
				mark = breve
			case 0x31b:
				mark = horn
			default:
				tn, ok := tones[m]
				if !ok {
					t.Fatalf("VNI cannot write %q in %q", r, s)
				}
				tone = tn
			}
		}
		var out string
		switch {
		case base == 'i':
			out = iForms[tone]
		case base == 'y' && tone == 5:
			out = "î"
		case mark == horn && base == 'o':
			out = "ô" + markBytes[none][tone]
		case mark == horn && base == 'u':
			out = "ö" + markBytes[none][tone]
		default:
			out = string(base) + markBytes[mark][tone]
		}
		if upper {
			out = strings.ToUpper(out)
		}
		b.WriteString(out)
	}
	return b.String()
}

func TestLegacyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, phrase := range legacyTestPhrases {
		t.Run("tcvn3/"+phrase, func(t *testing.T) {
			t.Parallel()
			legacy := legacyTestToTCVN3(t, phrase)
			if got := FromTCVN3(legacy); got != phrase {
				t.Errorf("FromTCVN3(%q) = %q, want %q", legacy, got, phrase)
			}
			if got := DetectLegacy(legacy); got != LegacyTCVN3 {
				t.Errorf("DetectLegacy(%q) = %s, want tcvn3", legacy, got)
			}
			if got := CleanText(legacy); got != phrase {
				t.Errorf("CleanText(%q) = %q, want %q", legacy, got, phrase)
			}
		})
		t.Run("vni/"+phrase, func(t *testing.T) {
			t.Parallel()
			legacy := legacyTestToVNI(t, phrase)
			if got := FromVNI(legacy); got != phrase {
				t.Errorf("FromVNI(%q) = %q, want %q", legacy, got, phrase)
			}
			if got := DetectLegacy(legacy); got != LegacyVNI {
				t.Errorf("DetectLegacy(%q) = %s, want vni", legacy, got)
			}
			if got := CleanText(legacy); got != phrase {
				t.Errorf("CleanText(%q) = %q, want %q", legacy, got, phrase)
			}
		})
		t.Run("unicode/"+phrase, func(t *testing.T) {
			t.Parallel()
			if got := DetectLegacy(phrase); got != LegacyNone {
				t.Errorf("DetectLegacy(%q) = %s, want none", phrase, got)
			}
			if got := DetectLegacy(norm.NFD.String(phrase)); got != LegacyNone {
				t.Errorf("DetectLegacy(NFD %q) = %s, want none", phrase, got)
			}
		})
	}
}

func TestLegacyLiterals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		enc      Legacy
		want     string
	}{
		{"tcvn3 cooperative", "Hîp t¸c x·", LegacyTCVN3, "Hợp tác xã"},
		{"tcvn3 national motto", "Céng hoµ x· héi chñ nghÜa ViÖt Nam", LegacyTCVN3, "Cộng hoà xã hội chủ nghĩa Việt Nam"},
		{"tcvn3 independence", "§éc lËp - Tù do - H¹nh phóc", LegacyTCVN3, "Độc lập - Tự do - Hạnh phúc"},
		{"tcvn3 year and school", "N¨m häc, tr\u00adêng", LegacyTCVN3, "Năm học, trường"},
		{"tcvn3 all capitals", "HîP T¸C X·", LegacyTCVN3, "HỢP TÁC XÃ"},
		{"tcvn3 one word with a telltale", "X·", LegacyTCVN3, "Xã"},
		{"vni cooperative", "Hôïp taùc xaõ", LegacyVNI, "Hợp tác xã"},
		{"vni national motto", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", LegacyVNI, "Cộng hòa xã hội chủ nghĩa Việt Nam"},
		{"vni independence", "Ñoäc laäp - Töï do - Haïnh phuùc", LegacyVNI, "Độc lập - Tự do - Hạnh phúc"},
		{"vni person and decision", "Quyeát ñònh cuûa ngöôøi ñöùng ñaàu", LegacyVNI, "Quyết định của người đứng đầu"},
		{"vni capitals", "HÔÏP TAÙC XAÕ", LegacyVNI, "HỢP TÁC XÃ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DetectLegacy(tt.in); got != tt.enc {
				t.Errorf("DetectLegacy(%q) = %s, want %s", tt.in, got, tt.enc)
			}
			decode := FromTCVN3
			if tt.enc == LegacyVNI {
				decode = FromVNI
			}
			if got := decode(tt.in); got != tt.want {
				t.Errorf("decode %s(%q) = %q, want %q", tt.enc, tt.in, got, tt.want)
			}
			if got := CleanText(tt.in); got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDetectLegacyLeavesOrdinaryText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"ascii", "HTX Nong nghiep Thanh Cong 2026"},
		{"numbers", "12,5% - 1.234.567 đ"},
		{"vietnamese nfc", "Thu nhập bình quân (triệu đồng/người/năm)"},
		{"vietnamese in latin-1 letters only", "Hòa Tú"},
		{"vietnamese name in latin-1 letters only", "Lê Thị Hà"},
		{"french where", "où"},
		{"french sentence", "Où est la gare? Il a goûté là où il était"},
		{"french paragraph", "L'été à la plage, où l'on mange des crêpes et du pâté, près du château."},
		{"french diaeresis", "Naïve Noël à Haïti, maïs et aïeul"},
		{"french menu", "Café crème, thé, crêpe brûlée"},
		{"german", "Müller über Größe und Ärger"},
		{"spanish", "Año nuevo en España, señor"},
		{"portuguese", "São João, ações e opiniões"},
		{"danish", "Søren Kierkegaard i København"},
		{"typographic quotes", "“HTX” – 2026…"},
		{"tcvn3 word too short to be sure", "Tèt"},
		{"vni with one word that also reads as vietnamese", "Xaõ Ea Kao"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DetectLegacy(tt.in); got != LegacyNone {
				t.Errorf("DetectLegacy(%q) = %s, want none", tt.in, got)
			}
			if got, want := CleanText(tt.in), strings.Join(strings.Fields(tt.in), " "); got != want {
				t.Errorf("CleanText(%q) = %q, want it unchanged", tt.in, got)
			}
		})
	}
}

func TestVietSyllable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"nghĩa", true}, {"người", true}, {"quyết", true}, {"gì", true}, {"giữa", true},
		{"xoong", true}, {"khuya", true}, {"Nguyễn", true}, {"HỢP", true},
		{"taùc", false}, {"hôïp", false}, {"t¸c", false}, {"cafe", false}, {"hoài", true},
		{"tàuc", false}, {"tiê", false}, {"tốtt", false}, {"hóà", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := vietSyllable(tt.in); got != tt.want {
				t.Errorf("vietSyllable(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
