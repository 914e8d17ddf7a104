package gazetteer

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/coopwatch/coopwatch/internal/textnorm"
)

// matcher loads one province of the embedded data and indexes it.
func matcher(t testing.TB, edition Edition, province string, aliases map[string]string) *Matcher {
	t.Helper()
	return NewMatcher(mustLoad(t, edition, province), aliases)
}

// codes returns the codes of units, for comparing candidate lists.
func codes(units []Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.Code
	}
	return out
}

// outcome is what a lookup should give: a code, or the candidates of an *AmbiguousError, or
// a *NotFoundError with these suggestions.
type outcome struct {
	code        string
	ambiguous   []string
	notFound    bool
	suggestions []string
}

func check(t *testing.T, got Unit, err error, want outcome) {
	t.Helper()
	var amb *AmbiguousError
	var nf *NotFoundError
	switch {
	case want.code != "":
		if err != nil || got.Code != want.code {
			t.Errorf("got %s %q, %v; want %s", got.Code, got.FullName, err, want.code)
		}
	case want.ambiguous != nil:
		if !errors.As(err, &amb) || !reflect.DeepEqual(codes(amb.Candidates), want.ambiguous) {
			t.Errorf("got %s, %v; want ambiguous between %v", got.Code, err, want.ambiguous)
		}
	case want.notFound:
		if !errors.As(err, &nf) || strings.Join(codes(nf.Suggestions), " ") != strings.Join(want.suggestions, " ") {
			t.Errorf("got %s, %v; want not found, suggesting %v", got.Code, err, want.suggestions)
		}
	}
}

func TestCommune(t *testing.T) {
	t.Parallel()
	type tc struct {
		name     string
		written  string
		district string
		want     outcome
	}
	groups := []struct {
		edition  Edition
		province string
		aliases  map[string]string
		cases    []tc
	}{
		{PreReform, "93", nil, []tc{
			{"full name", "Xã Hoả Lựu", "930", outcome{code: "31336"}},
			{"bare name", "Hoả Lựu", "930", outcome{code: "31336"}},
			{"new tone placement for old data", "Hỏa Lựu", "930", outcome{code: "31336"}},
			{"old tone placement for old data", "Xã Tân Hoà", "932", outcome{code: "31345"}},
			{"new tone placement hoà", "Tân Hòa", "932", outcome{code: "31345"}},
			{"thuỷ written thủy", "Vị Thủy", "935", outcome{code: "31447"}},
			{"nfd", norm.NFD.String("Xã Hoả Lựu"), "930", outcome{code: "31336"}},
			{"upper case", "XÃ HOẢ LỰU", "930", outcome{code: "31336"}},
			{"without diacritics", "xa hoa luu", "930", outcome{code: "31336"}},
			{"X. abbreviation", "X. Hoả Lựu", "930", outcome{code: "31336"}},
			{"X abbreviation", "X Hoả Lựu", "930", outcome{code: "31336"}},
			{"X. touching the name", "X.Hoả Lựu", "930", outcome{code: "31336"}},
			{"extra spaces", "  Xã   Hoả\nLựu ", "930", outcome{code: "31336"}},
			{"whole province", "Hoả Lựu", "", outcome{code: "31336"}},
			{"district code without zeros is kept", "Hoả Lựu", " 930 ", outcome{code: "31336"}},
			{"Roman ward", "Phường I", "930", outcome{code: "31318"}},
			{"Roman ward as number", "Phường 1", "930", outcome{code: "31318"}},
			{"Roman ward zero padded", "Phường 01", "930", outcome{code: "31318"}},
			{"Roman ward P.", "P.1", "930", outcome{code: "31318"}},
			{"Roman ward P", "P1", "930", outcome{code: "31318"}},
			{"Roman ward lower case", "phường i", "930", outcome{code: "31318"}},
			{"Roman ward VII", "P. 7", "930", outcome{code: "31330"}},
			{"Roman ward bare", "VII", "930", outcome{code: "31330"}},
			{"Roman ward missing", "Phường 2", "930", outcome{notFound: true, suggestions: []string{"31318", "31321", "31324"}}},
			{"TT. touching the name", "TT.Nàng Mau", "935", outcome{code: "31441"}},
			{"TT", "TT Nàng Mau", "935", outcome{code: "31441"}},
			{"TT.", "TT. Nàng Mau", "935", outcome{code: "31441"}},
			{"Thị trấn without diacritics", "thi tran nang mau", "935", outcome{code: "31441"}},
			{"code", "31441", "935", outcome{code: "31441"}},
			{"code with extra zero", "031441", "", outcome{code: "31441"}},
			{"code of another district", "31441", "930", outcome{notFound: true, suggestions: []string{"31441"}}},
			{"unknown code", "31999", "", outcome{notFound: true}},
			{"name starting like a prefix", "Xà Phiên", "936", outcome{code: "31495"}},
			{"name starting like a prefix without diacritics", "Xa Phien", "936", outcome{code: "31495"}},
			{"prefix before such a name", "Xã Xà Phiên", "936", outcome{code: "31495"}},
			{"Vĩnh Tường in Vị Thuỷ", "Vĩnh Tường", "935", outcome{code: "31459"}},
			{"Vĩnh Tường in TX Long Mỹ", "Vĩnh Tường", "937", outcome{code: "31475"}},
			{"Vĩnh Tường in the province", "Vĩnh Tường", "", outcome{ambiguous: []string{"31459", "31475"}}},
			{"Vĩnh Tường without diacritics in the province", "vinh tuong", "", outcome{ambiguous: []string{"31459", "31475"}}},
			{"Xã Vĩnh Tường in the province", "Xã Vĩnh Tường", "", outcome{code: "31459"}},
			{"Phường Vĩnh Tường in the province", "P. Vĩnh Tường", "", outcome{code: "31475"}},
			{"wrong prefix", "Phường Vĩnh Tường", "935", outcome{notFound: true, suggestions: []string{"31459", "31456", "31475"}}},
			{"empty", "", "930", outcome{notFound: true}},
		}},
		{PreReform, "Sóc Trăng", nil, []tc{
			{"Arabic", "Hòa Tú 1", "947", outcome{code: "31717"}},
			{"Arabic as Roman", "Xã Hòa Tú I", "947", outcome{code: "31717"}},
			{"Roman", "Hòa Tú II", "947", outcome{code: "31729"}},
			{"Roman as Arabic", "Hoà Tú 2", "947", outcome{code: "31729"}},
			{"Roman without diacritics", "hoa tu ii", "947", outcome{code: "31729"}},
			{"town and commune bare", "Long Phú", "946", outcome{ambiguous: []string{"31639", "31669"}}},
			{"town and commune without diacritics", "long phu", "946", outcome{ambiguous: []string{"31639", "31669"}}},
			{"town", "Thị trấn Long Phú", "946", outcome{code: "31639"}},
			{"town abbreviated", "TT Long Phu", "946", outcome{code: "31639"}},
			{"commune", "Xã Long Phú", "946", outcome{code: "31669"}},
			{"commune without diacritics", "Xa Long Phu", "946", outcome{code: "31669"}},
			{"second pair bare", "Lịch Hội Thượng", "951", outcome{ambiguous: []string{"31678", "31679"}}},
			{"second pair town", "TT. Lịch Hội Thượng", "951", outcome{code: "31679"}},
			{"misspelt", "Hoa Tuu", "947", outcome{notFound: true, suggestions: []string{"31717", "31729"}}},
		}},
		{PreReform, "79", nil, []tc{
			{"numbered ward", "Phường 5", "770", outcome{code: "27151"}},
			{"zero padded", "Phường 05", "770", outcome{code: "27151"}},
			{"P.", "P.5", "770", outcome{code: "27151"}},
			{"P", "P5", "770", outcome{code: "27151"}},
			{"bare number", "5", "770", outcome{code: "27151"}},
			{"without diacritics", "phuong 5", "770", outcome{code: "27151"}},
			{"many districts", "Phường 14", "", outcome{}},
		}},
		{PreReform, "01", nil, []tc{
			{"GSO lower case", "Đại áng", "", outcome{code: "00679"}},
			{"proper case", "Xã Đại Áng", "020", outcome{code: "00679"}},
			{"capitals", "ĐẠI ÁNG", "020", outcome{code: "00679"}},
			{"without diacritics", "dai ang", "", outcome{code: "00679"}},
			{"exact name among look-alikes", "Đồng Xuân", "", outcome{code: "00040"}},
			{"look-alikes without diacritics", "Dong Xuan", "", outcome{ambiguous: []string{"00040", "00436", "04939"}}},
			{"prefix decides among look-alikes", "Phuong Dong Xuan", "", outcome{code: "00040"}},
			{"look-alike unique in its district", "dong xuan", "016", outcome{code: "00436"}},
			{"Đông Xuân in two districts", "Xã Đông Xuân", "", outcome{ambiguous: []string{"00436", "04939"}}},
		}},
		{PreReform, "10", nil, []tc{
			{"abbreviation in the name", "Thị trấn N.T Phong Hải", "086", outcome{code: "02902"}},
			{"abbreviation spaced", "TT N. T. Phong Hải", "086", outcome{code: "02902"}},
		}},
		{PreReform, "66", nil, []tc{
			{"apostrophe", "Xã Ea H'leo", "645", outcome{code: "24184"}},
			{"typographic apostrophe", "Ea H’Leo", "645", outcome{code: "24184"}},
			{"apostrophe left out", "ea hleo", "645", outcome{code: "24184"}},
		}},
		{PostReform, "Huế", nil, []tc{
			{"numbered commune", "A Lưới 1", "", outcome{code: "20056"}},
			{"numbered commune full", "Xã A Lưới 3", "", outcome{code: "20071"}},
			{"numbered commune padded", "xa a luoi 05", "", outcome{code: "20050"}},
			{"numbered commune Roman", "A Lưới IV", "", outcome{code: "20101"}},
			{"numbered commune missing", "A Lưới 6", "", outcome{notFound: true, suggestions: []string{"20044", "20050", "20056"}}},
		}},
		{PostReform, "31", nil, []tc{
			{"Đặc khu", "Đặc khu Cát Hải", "", outcome{code: "11914"}},
			{"look-alike exact", "Cẩm Giàng", "", outcome{code: "10903"}},
			{"look-alikes without diacritics", "cam giang", "", outcome{ambiguous: []string{"10888", "10903"}}},
		}},
		{PreReform, "93", map[string]string{
			"UBND xã Hoả Lựu": "31336",
			"Long Phú":        "31480",
			"Vị Thanh":        "930", // a district: not used for communes
		}, []tc{
			{"alias", "ubnd xã hỏa lựu", "930", outcome{code: "31336"}},
			{"alias in the wrong scope wins", "UBND XÃ HOẢ LỰU", "935", outcome{code: "31336"}},
			{"alias to a district is not a commune", "Vị Thanh", "935", outcome{code: "31465"}},
		}},
	}
	for _, gr := range groups {
		m := matcher(t, gr.edition, gr.province, gr.aliases)
		for _, tt := range gr.cases {
			t.Run(fmt.Sprintf("%s %s/%s", gr.edition, gr.province, tt.name), func(t *testing.T) {
				t.Parallel()
				got, err := m.Commune(tt.written, tt.district)
				if reflect.DeepEqual(tt.want, outcome{}) {
					var amb *AmbiguousError
					if !errors.As(err, &amb) || len(amb.Candidates) < 2 {
						t.Errorf("got %s, %v; want ambiguous", got.Code, err)
					}
					return
				}
				check(t, got, err, tt.want)
			})
		}
	}
}

func TestCommuneErrors(t *testing.T) {
	t.Parallel()
	soc := matcher(t, PreReform, "94", nil)
	hau := matcher(t, PreReform, "93", map[string]string{"Xóm Mới": "99999"})
	hue := matcher(t, PostReform, "46", nil)
	tests := []struct {
		name     string
		m        *Matcher
		written  string
		district string
		want     string
		is       error
	}{
		{"not found with suggestions", soc, "Hoa Tuu", "947",
			`commune "Hoa Tuu" not found in Huyện Mỹ Xuyên; did you mean Xã Hòa Tú 1, Xã Hòa Tú II?`, nil},
		{"not found without suggestions", hau, "Zzz", "",
			`commune "Zzz" not found in Tỉnh Hậu Giang`, nil},
		{"suggestion from another district", hau, "Nàng Mau", "930",
			`commune "Nàng Mau" not found in Thành phố Vị Thanh; did you mean Thị trấn Nàng Mau (Huyện Vị Thuỷ)?`, nil},
		{"ambiguous in the province", hau, "Vĩnh Tường", "",
			`commune "Vĩnh Tường" is ambiguous in Tỉnh Hậu Giang: it fits Xã Vĩnh Tường (Huyện Vị Thuỷ), Phường Vĩnh Tường (Thị xã Long Mỹ); write it with its type or its code`, nil},
		{"ambiguous in a district", soc, "Long Phú", "946",
			`commune "Long Phú" is ambiguous in Huyện Long Phú: it fits Thị trấn Long Phú, Xã Long Phú; write it with its type or its code`, nil},
		{"unknown district", hau, "Hoả Lựu", "999", `gazetteer: commune "Hoả Lựu": district code "999" is not in Tỉnh Hậu Giang`, nil},
		{"district post-reform", hue, "A Lưới 1", "471", `district "471" given, but post-reform provinces have no districts`, ErrNoDistricts},
		{"alias to no unit", hau, "xóm mới", "", `gazetteer: alias "xóm mới" points to code "99999", which is no unit of Tỉnh Hậu Giang`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.m.Commune(tt.written, tt.district)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v\nwant %s", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestDistrict(t *testing.T) {
	t.Parallel()
	type tc struct {
		name    string
		written string
		want    outcome
	}
	groups := []struct {
		province string
		aliases  map[string]string
		cases    []tc
	}{
		{"93", nil, []tc{
			{"Long Mỹ bare", "Long Mỹ", outcome{ambiguous: []string{"936", "937"}}},
			{"Long Mỹ without diacritics", "long my", outcome{ambiguous: []string{"936", "937"}}},
			{"Huyện", "Huyện Long Mỹ", outcome{code: "936"}},
			{"H.", "H. Long Mỹ", outcome{code: "936"}},
			{"H. touching", "H.Long Mỹ", outcome{code: "936"}},
			{"huyen", "huyen long my", outcome{code: "936"}},
			{"Thị xã", "Thị xã Long Mỹ", outcome{code: "937"}},
			{"TX", "TX Long Mỹ", outcome{code: "937"}},
			{"TX.", "TX.Long Mỹ", outcome{code: "937"}},
			{"thi xa", "thi xa long my", outcome{code: "937"}},
			{"Thành phố", "Thành phố Vị Thanh", outcome{code: "930"}},
			{"TP.", "TP. Vị Thanh", outcome{code: "930"}},
			{"TP", "tp vi thanh", outcome{code: "930"}},
			{"bare", "Ngã Bảy", outcome{code: "931"}},
			{"longer name", "Châu Thành A", outcome{code: "932"}},
			{"shorter name", "chau thanh", outcome{code: "933"}},
			{"thuỷ written thủy", "Huyện Vị Thủy", outcome{code: "935"}},
			{"code", "936", outcome{code: "936"}},
			{"wrong prefix", "Quận Long Mỹ", outcome{notFound: true, suggestions: []string{"936", "937"}}},
			{"misspelt", "Phung Hep", outcome{notFound: true, suggestions: []string{"934"}}},
		}},
		{"79", nil, []tc{
			{"numbered", "Quận 1", outcome{code: "760"}},
			{"zero padded", "Quận 01", outcome{code: "760"}},
			{"Q.", "Q.1", outcome{code: "760"}},
			{"Q", "Q1", outcome{code: "760"}},
			{"city in a city", "TP Thủ Đức", outcome{code: "769"}},
		}},
		{"66", nil, []tc{
			{"apostrophe", "Huyện Ea H’leo", outcome{code: "645"}},
		}},
		{"93", map[string]string{"Vi Thanh city": "930", "LM": "937"}, []tc{
			{"alias", "vi thanh city", outcome{code: "930"}},
			{"alias picks between look-alikes", "LM", outcome{code: "937"}},
		}},
	}
	for _, gr := range groups {
		m := matcher(t, PreReform, gr.province, gr.aliases)
		for _, tt := range gr.cases {
			t.Run(gr.province+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				got, err := m.District(tt.written)
				check(t, got, err, tt.want)
			})
		}
	}
	t.Run("post-reform", func(t *testing.T) {
		t.Parallel()
		_, err := matcher(t, PostReform, "46", nil).District("A Lưới")
		if !errors.Is(err, ErrNoDistricts) {
			t.Errorf("error %v, want ErrNoDistricts", err)
		}
	})
	t.Run("message", func(t *testing.T) {
		t.Parallel()
		_, err := matcher(t, PreReform, "93", nil).District("Long Mỹ")
		want := `district "Long Mỹ" is ambiguous in Tỉnh Hậu Giang: it fits Huyện Long Mỹ, Thị xã Long Mỹ; write it with its type or its code`
		if err == nil || err.Error() != want {
			t.Errorf("error %v\nwant %s", err, want)
		}
	})
}

func TestDistrictInText(t *testing.T) {
	t.Parallel()
	hau := matcher(t, PreReform, "93", nil)
	hcm := matcher(t, PreReform, "79", nil)
	tests := []struct {
		name string
		m    *Matcher
		text string
		want string // district code, "" for none
	}{
		{"file name", hau, "bao-cao-HTX_huyen_chau_thanh_a_2026.xlsx", "932"},
		{"title row", hau, "DANH SÁCH HỢP TÁC XÃ TRÊN ĐỊA BÀN HUYỆN CHÂU THÀNH A NĂM 2026", "932"},
		{"shorter name", hau, "Danh sách HTX huyện Châu Thành.xlsx", "933"},
		{"bare name", hau, "HTX Ngã Bảy 2026.xlsx", "931"},
		{"dots as spaces", hau, "bao.cao.vi.thuy.xlsx", "935"},
		{"same name, no type", hau, "hop tac xa long my.xlsx", ""},
		{"huyen picks", hau, "huyen_long_my.xlsx", "936"},
		{"tx picks", hau, "tx-long-my.xlsx", "937"},
		{"thi xa picks", hau, "Thị xã Long Mỹ - báo cáo", "937"},
		{"typed mention wins over bare", hau, "HTX Ngã Bảy, thành phố Vị Thanh", "930"},
		{"a commune of the same name is no district", hau, "HTX xã Vị Thanh", ""},
		{"whole words only", hau, "chauthanha.xlsx", ""},
		{"two districts", hau, "huyen phung hiep va huyen chau thanh", ""},
		{"the province is no district", hau, "HTX tỉnh Hậu Giang", ""},
		{"nothing", hau, "report 2026.xlsx", ""},
		{"numbered district with type", hcm, "bao cao quan 1 2026", "760"},
		{"numbered district Q", hcm, "Q.3_HTX.xlsx", "770"},
		{"a bare number is no district", hcm, "bao cao 1 2026", ""},
		{"post-reform", matcher(t, PostReform, "46", nil), "A Lưới 1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.m.DistrictInText(tt.text)
			if ok != (tt.want != "") || got.Code != tt.want {
				t.Errorf("DistrictInText(%q) = %s %q, %v; want %q", tt.text, got.Code, got.FullName, ok, tt.want)
			}
		})
	}
}

// TestWholeData loads every province and checks that each unit is found by its code, by
// its full name, and by its bare name unless another unit of its district shares that name.
func TestWholeData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		edition                        Edition
		provinces, districts, communes int
		pairs                          int // units sharing their bare name in their district
	}{
		// The README counts 696 districts: five have no commune rows, so no units here.
		{PreReform, 63, 691, 10035, 36}, // the 18 town/commune pairs
		{PostReform, 34, 0, 3321, 0},
	}
	for _, tt := range tests {
		edition := tt.edition
		t.Run(string(edition), func(t *testing.T) {
			t.Parallel()
			name, _ := dataFile(edition)
			f, err := dataFS.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			provinces, _, err := readRows(f, name, edition, func(Unit) bool { return false })
			if err != nil {
				t.Fatal(err)
			}
			if len(provinces) != tt.provinces {
				t.Errorf("%d provinces, want %d", len(provinces), tt.provinces)
			}
			var pairs, districts, communes int
			for _, p := range provinces {
				m := matcher(t, edition, p.Code, nil)
				districts += len(m.g.Districts)
				communes += len(m.g.Communes)
				for _, u := range m.g.Communes {
					for _, w := range []string{u.Code, u.FullName, norm.NFD.String(u.FullName), strings.ToUpper(u.FullName)} {
						if got, err := m.Commune(w, u.DistrictCode); err != nil || got != u {
							t.Errorf("%s: Commune(%q, %q) = %s, %v", p.FullName, w, u.DistrictCode, got.Code, err)
						}
					}
					got, err := m.Commune(u.Name, u.DistrictCode)
					var amb *AmbiguousError
					switch {
					case errors.As(err, &amb):
						pairs++
						for _, c := range amb.Candidates {
							if c.Name != u.Name {
								t.Errorf("%s: %q is ambiguous with %q", p.FullName, u.Name, c.FullName)
							}
						}
					case err != nil || got != u:
						t.Errorf("%s: Commune(%q, %q) = %s, %v", p.FullName, u.Name, u.DistrictCode, got.Code, err)
					}
				}
				for _, u := range m.g.Districts {
					if got, err := m.District(u.FullName); err != nil || got != u {
						t.Errorf("%s: District(%q) = %s, %v", p.FullName, u.FullName, got.Code, err)
					}
				}
			}
			if districts != tt.districts || communes != tt.communes {
				t.Errorf("%d districts and %d communes, want %d and %d", districts, communes, tt.districts, tt.communes)
			}
			if pairs != tt.pairs {
				t.Errorf("%d units share their bare name in their district, want %d", pairs, tt.pairs)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	same := []struct{ a, b string }{
		{"Hoà", "Hòa"}, {"Thuỷ", "Thủy"}, {"Hoá", "Hóa"}, {"Uỷ", "Ủy"}, {"khoẻ", "khỏe"},
		{"Hoạ", "Họa"}, {"Hoả Lựu", "Hỏa Lựu"}, {norm.NFD.String("Hoà"), "Hòa"},
		{"Phường 05", "phường 5"}, {"Ea H'leo", "Ea H’Leo"}, {"Bà Rịa - Vũng Tàu", "bà rịa vũng tàu"},
	}
	for _, tt := range same {
		t.Run("same "+tt.a, func(t *testing.T) {
			t.Parallel()
			if a, b := exactKey(keyWords(tt.a)), exactKey(keyWords(tt.b)); a != b {
				t.Errorf("keys of %q and %q differ: %q, %q", tt.a, tt.b, a, b)
			}
		})
	}
	differ := []struct{ a, b string }{
		{"Hòa", "Hoa"}, {"Hòa", "Hóa"}, {"Đông Xuân", "Đồng Xuân"}, {"Cẩm Giang", "Cẩm Giàng"}, {"Thanh An", "Thạnh An"},
	}
	for _, tt := range differ {
		t.Run("differ "+tt.a, func(t *testing.T) {
			t.Parallel()
			if a, b := exactKey(keyWords(tt.a)), exactKey(keyWords(tt.b)); a == b {
				t.Errorf("keys of %q and %q are both %q", tt.a, tt.b, a)
			}
			if a, b := looseKey(keyWords(tt.a)), textnorm.StripMarks(tt.b); a != b {
				t.Errorf("loose key of %q is %q, want %q", tt.a, a, b)
			}
		})
	}
	romans := []struct{ name, want string }{
		{"Hòa Tú II", "hoa tu 2"}, {"VII", "7"}, {"XX", "20"}, {"Pả Vi", "pa vi"}, {"Tam Xuân I", "tam xuan 1"},
	}
	for _, tt := range romans {
		t.Run("roman "+tt.name, func(t *testing.T) {
			t.Parallel()
			if got := looseKey(unitWords(tt.name)); got != tt.want {
				t.Errorf("looseKey(unitWords(%q)) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func BenchmarkCommune(b *testing.B) {
	m := matcher(b, PreReform, "79", nil)
	for b.Loop() {
		if _, err := m.Commune("P.05", "770"); err != nil {
			b.Fatal(err)
		}
	}
}
