package gazetteer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// mustLoad returns the embedded units of one province or stops the test.
func mustLoad(t testing.TB, edition Edition, province string) *Gazetteer {
	t.Helper()
	g, err := Load(edition, province)
	if err != nil {
		t.Fatalf("Load(%s, %q): %v", edition, province, err)
	}
	return g
}

func TestLoadPicksProvince(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edition  Edition
		asked    string
		wantCode string
		wantFull string
	}{
		{"code", PreReform, "93", "93", "Tỉnh Hậu Giang"},
		{"code with spaces", PreReform, " 93 ", "93", "Tỉnh Hậu Giang"},
		{"code without leading zero", PreReform, "1", "01", "Thành phố Hà Nội"},
		{"name", PreReform, "Hậu Giang", "93", "Tỉnh Hậu Giang"},
		{"upper case", PreReform, "HẬU GIANG", "93", "Tỉnh Hậu Giang"},
		{"nfd", PreReform, norm.NFD.String("Hậu Giang"), "93", "Tỉnh Hậu Giang"},
		{"with type", PreReform, "Tỉnh Hậu Giang", "93", "Tỉnh Hậu Giang"},
		{"without diacritics", PreReform, "hau giang", "93", "Tỉnh Hậu Giang"},
		{"type without diacritics", PreReform, "tinh hau giang", "93", "Tỉnh Hậu Giang"},
		{"city with type", PreReform, "Thành phố Hồ Chí Minh", "79", "Thành phố Hồ Chí Minh"},
		{"city abbreviated", PreReform, "TP. Hồ Chí Minh", "79", "Thành phố Hồ Chí Minh"},
		{"hyphen left out", PreReform, "Bà Rịa Vũng Tàu", "77", "Tỉnh Bà Rịa - Vũng Tàu"},
		{"new tone placement for old data", PostReform, "Khánh Hòa", "56", "Tỉnh Khánh Hoà"},
		{"post-reform type column", PostReform, "Đồng Nai", "75", "Thành phố Đồng Nai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := mustLoad(t, tt.edition, tt.asked)
			if g.Province.Code != tt.wantCode || g.Province.FullName != tt.wantFull {
				t.Errorf("province = %s %q, want %s %q", g.Province.Code, g.Province.FullName, tt.wantCode, tt.wantFull)
			}
			if g.Edition != tt.edition || g.Province.Level != Province {
				t.Errorf("edition %q level %q, want %q %q", g.Edition, g.Province.Level, tt.edition, Province)
			}
		})
	}
}

func TestLoadHauGiang(t *testing.T) {
	t.Parallel()
	g := mustLoad(t, PreReform, "93")
	var districts []string
	for _, d := range g.Districts {
		districts = append(districts, d.Code+" "+d.FullName)
		if d.Level != District || d.ParentCode != "93" || d.ProvinceCode != "93" || d.DistrictCode != "" {
			t.Errorf("district %+v: wrong level or parents", d)
		}
	}
	want := []string{
		"930 Thành phố Vị Thanh", "931 Thành phố Ngã Bảy", "932 Huyện Châu Thành A",
		"933 Huyện Châu Thành", "934 Huyện Phụng Hiệp", "935 Huyện Vị Thuỷ",
		"936 Huyện Long Mỹ", "937 Thị xã Long Mỹ",
	}
	if !reflect.DeepEqual(districts, want) {
		t.Errorf("districts = %q, want %q", districts, want)
	}
	if len(g.Communes) != 75 {
		t.Errorf("%d communes, want 75", len(g.Communes))
	}
	for _, c := range g.Communes {
		if c.Level != Commune || c.ParentCode != c.DistrictCode || c.ProvinceCode != "93" ||
			!strings.HasPrefix(c.DistrictCode, "93") || c.FullName != c.Type+" "+c.Name {
			t.Errorf("commune %+v: wrong level, parents or full name", c)
		}
	}
	units := g.Units()
	if len(units) != 1+8+75 || units[0] != g.Province || units[1] != g.Districts[0] || units[9] != g.Communes[0] {
		t.Errorf("Units() is not province, districts, communes in order")
	}
}

func TestLoadTwiceIsEqual(t *testing.T) {
	t.Parallel()
	for _, edition := range []Edition{PreReform, PostReform} {
		t.Run(string(edition), func(t *testing.T) {
			t.Parallel()
			a, b := mustLoad(t, edition, "79"), mustLoad(t, edition, "Hồ Chí Minh")
			if !reflect.DeepEqual(a, b) {
				t.Error("two loads of the same province differ")
			}
		})
	}
}

func TestLoadUnknownProvince(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edition Edition
		asked   string
		want    []string
	}{
		{"misspelt", PreReform, "Hau Gian", []string{`"Hau Gian"`, "pre-reform", "Hậu Giang"}},
		{"merged away", PostReform, "Hậu Giang", []string{`"Hậu Giang"`, "post-reform", "vn-units-2026-post-reform.csv"}},
		{"unknown code", PreReform, "99", []string{`"99"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.edition, tt.asked)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := Load("2020", "93"); err == nil || !strings.Contains(err.Error(), `"2020"`) {
		t.Errorf("unknown edition: error %v", err)
	}
}

const postHeader = "province_code,province_name,province_type,commune_code,commune_name,unit_type,commune_full_name\n"

func TestLoadReader(t *testing.T) {
	t.Parallel()
	const preHeader = "province_code,province_name,district_code,district_name,district_type,commune_code,commune_name,unit_type,commune_full_name\n"
	t.Run("spreadsheet export", func(t *testing.T) {
		t.Parallel()
		// Excel drops leading zeros and may write NFD, a BOM and no full names.
		csv := "\ufeff" + preHeader +
			"93,Hậu Giang,930,Vị Thanh,Thành phố,31318,I,Phường,\n" +
			norm.NFD.String("93,Hậu Giang,932,Châu Thành A,huyện,31342,Một Ngàn,Thị trấn,Thị trấn Một Ngàn\n") +
			"1,Hà Nội,1,Ba Đình,Quận,1,Phúc Xá,Phường,Phường Phúc Xá\n"
		g, err := LoadReader(strings.NewReader(csv), PreReform, "hau giang")
		if err != nil {
			t.Fatal(err)
		}
		want := &Gazetteer{
			Edition:  PreReform,
			Province: Unit{Code: "93", Name: "Hậu Giang", FullName: "Tỉnh Hậu Giang", Type: "Tỉnh", Level: Province, ProvinceCode: "93"},
			Districts: []Unit{
				{Code: "930", Name: "Vị Thanh", FullName: "Thành phố Vị Thanh", Type: "Thành phố", Level: District, ParentCode: "93", ProvinceCode: "93"},
				{Code: "932", Name: "Châu Thành A", FullName: "Huyện Châu Thành A", Type: "Huyện", Level: District, ParentCode: "93", ProvinceCode: "93"},
			},
			Communes: []Unit{
				{Code: "31318", Name: "I", FullName: "Phường I", Type: "Phường", Level: Commune, ParentCode: "930", DistrictCode: "930", ProvinceCode: "93"},
				{Code: "31342", Name: "Một Ngàn", FullName: "Thị trấn Một Ngàn", Type: "Thị trấn", Level: Commune, ParentCode: "932", DistrictCode: "932", ProvinceCode: "93"},
			},
		}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("got  %+v\nwant %+v", g, want)
		}
		if g, err := LoadReader(strings.NewReader(csv), PreReform, "01"); err != nil || g.Communes[0].Code != "00001" {
			t.Errorf("Hà Nội with codes padded: %v, %v", g, err)
		}
	})
	t.Run("post-reform", func(t *testing.T) {
		t.Parallel()
		csv := postHeader + "46,Huế,Thành phố,20056,A Lưới 1,Xã,Xã A Lưới 1\n"
		g, err := LoadReader(strings.NewReader(csv), PostReform, "Thành phố Huế")
		if err != nil {
			t.Fatal(err)
		}
		want := Unit{Code: "20056", Name: "A Lưới 1", FullName: "Xã A Lưới 1", Type: "Xã", Level: Commune, ParentCode: "46", ProvinceCode: "46"}
		if len(g.Districts) != 0 || len(g.Communes) != 1 || g.Communes[0] != want {
			t.Errorf("got %+v", g)
		}
	})

	bad := []struct {
		name    string
		edition Edition
		csv     string
		want    string
	}{
		{"empty", PostReform, "", "input is empty"},
		{"post-reform columns for pre-reform", PreReform, postHeader, `input has no column "district_code"`},
		{"too few fields", PostReform, postHeader + "46,Huế,Thành phố,20056,A Lưới 1,Xã\n", "input: record on line 2: wrong number of fields"},
		{"code with letters", PostReform, postHeader + "46,Huế,Thành phố,20056,A Lưới 1,Xã,Xã A Lưới 1\n46,Huế,Thành phố,2OO71,A Lưới 3,Xã,Xã A Lưới 3\n", `input line 3: commune_code "2OO71" is not a code of up to 5 digits`},
		{"unknown type", PostReform, postHeader + "46,Huế,Thành phố,20056,A Lưới 1,Làng,Làng A Lưới 1\n", `input line 2: unit_type "Làng" is not one of Xã, Phường, Thị trấn, Đặc khu`},
		{"missing name", PostReform, postHeader + "46,Huế,Thành phố,20056, ,Xã,\n", "input line 2: commune_name is empty"},
		{"same code twice", PostReform, postHeader + "46,Huế,Thành phố,20056,A Lưới 1,Xã,\n46,Huế,Thành phố,20056,A Lưới 2,Xã,\n", "input line 3: commune code 20056 already on line 2"},
		{"province renamed", PostReform, postHeader + "46,Huế,Thành phố,20056,A Lưới 1,Xã,\n46,Thừa Thiên Huế,Tỉnh,20044,A Lưới 2,Xã,\n", `input line 3: province 46 is "Tỉnh Thừa Thiên Huế" here but "Thành phố Huế" above`},
		{"no rows", PostReform, postHeader, "input has no units"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadReader(strings.NewReader(tt.csv), tt.edition, "46")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadReaderNamesTheFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "units.csv")
	data := postHeader + "46,Huế,Thành phố,20056,A Lưới 1,Xã,Xã A Lưới 1\n46,Huế,Thành phố,,A Lưới 2,Xã,Xã A Lưới 2\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = LoadReader(f, PostReform, "46")
	if want := path + ` line 3: commune_code "" is not a code`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want it to contain %q", err, want)
	}
}
