// Package gazetteer loads Vietnam's administrative units for one province and matches the
// names people write in spreadsheets to them.
package gazetteer

// Level is a unit's place in the hierarchy.
type Level string

// Levels of the hierarchy. Post-reform provinces have no districts.
const (
	Province Level = "province"
	District Level = "district"
	Commune  Level = "commune"
)

// Edition names which list of units a deployment uses.
type Edition string

// The editions shipped in data/.
const (
	PreReform  Edition = "pre-reform"  // province > district > commune, as of 01/03/2025
	PostReform Edition = "post-reform" // province > commune, since 01/07/2025
)

// Unit is one administrative unit.
type Unit struct {
	Code         string // official statistics-office code, leading zeros kept
	Name         string // without type prefix: "Hòa Tú 1"
	FullName     string // with prefix: "Xã Hòa Tú 1"
	Type         string // Tỉnh, Thành phố, Huyện, Thị xã, Quận, Xã, Phường, Thị trấn, Đặc khu
	Level        Level
	ParentCode   string // "" for the province
	DistrictCode string // communes of a pre-reform province; "" otherwise
	ProvinceCode string
}

// Gazetteer is the set of units of one province.
type Gazetteer struct {
	Edition   Edition
	Province  Unit
	Districts []Unit // empty post-reform
	Communes  []Unit
}

// Units returns the province, its districts and its communes, parents before children.
func (g *Gazetteer) Units() []Unit {
	out := make([]Unit, 0, 1+len(g.Districts)+len(g.Communes))
	out = append(out, g.Province)
	out = append(out, g.Districts...)
	return append(out, g.Communes...)
}
