package gazetteer

import (
	"errors"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// FuzzCommune checks that no written value makes the matcher panic, that a found commune
// lies in the district asked for, and that every unit is found by its own names.
func FuzzCommune(f *testing.F) {
	matchers := []*Matcher{
		matcher(f, PreReform, "94", nil),  // Sóc Trăng: Roman numerals, town/commune pairs
		matcher(f, PostReform, "46", nil), // Huế: A Lưới 1 to 5, no districts
	}
	f.Fuzz(func(t *testing.T, written string, pick uint16) {
		m := matchers[int(pick)%len(matchers)]
		u := m.g.Communes[int(pick)%len(m.g.Communes)]

		if got, err := m.Commune(u.FullName, u.DistrictCode); err != nil || got != u {
			t.Fatalf("Commune(%q, %q) = %s, %v; want %s", u.FullName, u.DistrictCode, got.Code, err, u.Code)
		}
		got, err := m.Commune(u.Name, u.DistrictCode)
		var amb *AmbiguousError
		var nf *NotFoundError
		if errors.As(err, &amb) {
			found := false
			for _, c := range amb.Candidates {
				found = found || c == u
			}
			if !found {
				t.Fatalf("Commune(%q, %q): %v does not list %s", u.Name, u.DistrictCode, err, u.FullName)
			}
		} else if err != nil || got != u {
			t.Fatalf("Commune(%q, %q) = %s, %v; want %s", u.Name, u.DistrictCode, got.Code, err, u.Code)
		}

		got, err = m.Commune(written, u.DistrictCode)
		switch {
		case err == nil:
			if u.DistrictCode != "" && got.DistrictCode != u.DistrictCode {
				t.Fatalf("Commune(%q, %q) = %s of district %s", written, u.DistrictCode, got.Code, got.DistrictCode)
			}
		case errors.As(err, &amb), errors.As(err, &nf):
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
		default:
			t.Fatalf("Commune(%q, %q): unexpected error %v", written, u.DistrictCode, err)
		}
		again, err2 := m.Commune(norm.NFD.String(written), u.DistrictCode)
		if again != got || (err == nil) != (err2 == nil) {
			t.Fatalf("NFD of %q gives %s, %v; NFC gives %s, %v", written, again.Code, err2, got.Code, err)
		}

		_, _ = m.Commune(written, "")
		_, _ = m.District(written)
		_, _ = m.DistrictInText(written)
	})
}
