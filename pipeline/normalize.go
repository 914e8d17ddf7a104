package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/internal/textnorm"
	"github.com/coopwatch/coopwatch/sources"
	"github.com/coopwatch/coopwatch/store"
)

// normalizer turns the raw records of one file into entities or rejects.
type normalizer struct {
	match    *gazetteer.Matcher
	province gazetteer.Unit
	today    time.Time
	district gazetteer.Unit // the file's district; zero for a provincial file
	info     sources.BatchInfo
	opts     SourceOptions
	factors  map[string]float64 // money column -> factor to million VND
	communes map[[2]string]communeMatch
}

// row collects the values of one record and every problem found in it, so that an officer
// sees all of a row's mistakes at once.
type row struct {
	rec      sources.Record
	problems []problem
}

type problem struct {
	field  string
	cell   sources.Cell
	reason string
	hints  []string
}

func (r *row) cell(field string) (sources.Cell, bool) {
	c, ok := r.rec.Fields[field]
	return c, ok && strings.TrimSpace(c.Value) != ""
}

func (r *row) fail(field, reason string, hints ...string) {
	r.problems = append(r.problems, problem{field: field, cell: r.rec.Fields[field], reason: reason, hints: hints})
}

func (r *row) text(field string) string {
	c, _ := r.cell(field)
	return CleanText(c.Value)
}

func (r *row) required(field, what string) string {
	v := r.text(field)
	if v == "" {
		r.fail(field, what+" is missing")
	}
	return v
}

func (r *row) count(field string) *int64 {
	c, ok := r.cell(field)
	if !ok {
		return nil
	}
	n, ok, err := ParseCount(c.Value)
	if err != nil {
		r.fail(field, err.Error())
		return nil
	}
	if !ok {
		return nil
	}
	return &n
}

func (r *row) number(field string) *float64 {
	c, ok := r.cell(field)
	if !ok {
		return nil
	}
	v, ok, err := ParseNumber(c.Value)
	if err != nil {
		r.fail(field, err.Error())
		return nil
	}
	if !ok {
		return nil
	}
	return &v
}

// money reads an amount in million VND; factor comes from moneyFactor.
func (r *row) money(field string, factor float64) *float64 {
	c, ok := r.cell(field)
	if !ok {
		return nil
	}
	v, ok, err := ParseAmount(c.Value)
	if err != nil {
		r.fail(field, err.Error())
		return nil
	}
	if !ok {
		return nil
	}
	v *= factor
	return &v
}

// moneyFactor is the unit of a money column: from its header when it names one ("Doanh
// thu (đồng)"), else the source's. Worked out once per file, not per row.
func (n *normalizer) moneyFactor(field string) float64 {
	if f, ok := n.factors[field]; ok {
		return f
	}
	f, named := MoneyFactor(n.info.Headers[field])
	if !named {
		f = n.opts.MoneyFactor
	}
	if n.factors == nil {
		n.factors = map[string]float64{}
	}
	n.factors[field] = f
	return f
}

func (r *row) date(field string, today time.Time) (*time.Time, string) {
	c, ok := r.cell(field)
	if !ok {
		return nil, ""
	}
	d, ok, err := ParseDate(c.Value, today)
	if err != nil {
		r.fail(field, err.Error())
		return nil, ""
	}
	if !ok {
		return nil, ""
	}
	return &d.Time, string(d.Precision)
}

// commune resolves the row's commune: by code when given, else by name, within the
// row's district column, else the file's district, else the province.
func (n *normalizer) commune(r *row, required bool) (gazetteer.Unit, bool) {
	scope := n.district.Code
	if name := r.text("district"); name != "" {
		d, err := n.match.District(name)
		if err != nil {
			r.fail("district", err.Error(), unitNames(err)...)
			return gazetteer.Unit{}, false
		}
		scope = d.Code
	}
	field := "commune_code"
	written := r.text(field)
	if written == "" {
		field = "commune"
		written = r.text(field)
	}
	if written == "" {
		if required {
			r.fail("commune", "commune is missing")
		}
		return gazetteer.Unit{}, false
	}
	u, err := n.matchCommune(written, scope)
	if err != nil {
		r.fail(field, err.Error(), unitNames(err)...)
		return gazetteer.Unit{}, false
	}
	return u, true
}

// matchCommune remembers each spelling's answer for the file: a file repeats a few dozen
// commune names over thousands of rows.
func (n *normalizer) matchCommune(written, scope string) (gazetteer.Unit, error) {
	key := [2]string{written, scope}
	if m, ok := n.communes[key]; ok {
		return m.unit, m.err
	}
	u, err := n.match.Commune(written, scope)
	if n.communes == nil {
		n.communes = map[[2]string]communeMatch{}
	}
	n.communes[key] = communeMatch{u, err}
	return u, err
}

type communeMatch struct {
	unit gazetteer.Unit
	err  error
}

// unitNames lists the suggestions or candidates a matching error offers.
func unitNames(err error) []string {
	var units []gazetteer.Unit
	var nf *gazetteer.NotFoundError
	var amb *gazetteer.AmbiguousError
	switch {
	case errors.As(err, &nf):
		units = nf.Suggestions
	case errors.As(err, &amb):
		units = amb.Candidates
	}
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = u.FullName
	}
	return names
}

// apply normalizes one record and adds it to the load, or rejects it.
func (n *normalizer) apply(load *store.Load, rec sources.Record) error {
	r := &row{rec: rec}
	lin := store.Lineage{Row: rec.Loc.Row, Raw: rec.Raw}
	var add func() error
	switch n.info.Entity {
	case sources.Cooperatives:
		c := n.cooperative(r)
		c.Lineage, c.RowHash = lin, rowHash(c.RegistrationCode, c.Name, c.CommuneCode, c.Sector, c.FoundedOn,
			c.DissolvedOn, c.Status, c.Members, c.Workers, c.RevenueMVND, c.AvgIncomeMVND, c.Rating, c.Score,
			c.KeyOfficers, c.OfficersTrained, c.OfficersRefreshed)
		add = func() error { return load.AddCooperative(c) }
	case sources.CooperativeGroups:
		g := n.group(r)
		g.Lineage, g.RowHash = lin, rowHash(g.NaturalKey, g.Name, g.CommuneCode, g.Sector, g.FoundedOn, g.Members, g.Status)
		add = func() error { return load.AddGroup(g) }
	case sources.Activities:
		a := n.activity(r)
		a.Lineage, a.RowHash = lin, rowHash(a.SourceID, a.Kind, a.Title, a.HeldOn, a.UnitCode, a.Quantity,
			a.Participants, a.CooperativeCode)
		if a.SourceID == "" { // no id column: the content itself identifies the activity
			a.SourceID = "hash:" + a.RowHash
		}
		add = func() error { return load.AddActivity(a) }
	default:
		return fmt.Errorf("entity %q is not supported", n.info.Entity)
	}
	if len(r.problems) > 0 {
		load.Reject(reject(r))
		return nil
	}
	return add()
}

// reject describes all of a row's problems; the first names the column.
func reject(r *row) store.Reject {
	first := r.problems[0]
	reasons := make([]string, len(r.problems))
	for i, p := range r.problems {
		where := p.cell.Column
		if p.cell.Header != "" && p.cell.Header != p.cell.Column { // API fields: path is both
			where = fmt.Sprintf("%s (%s)", p.cell.Column, p.cell.Header)
		}
		if where == "" {
			where = p.field
		}
		reasons[i] = fmt.Sprintf("column %s: %s", where, p.reason)
	}
	return store.Reject{Row: r.rec.Loc.Row, Column: first.cell.Column, Header: first.cell.Header,
		Value: first.cell.Value, Reason: strings.Join(reasons, "; "), Suggestions: first.hints, Raw: r.rec.Raw}
}

func (n *normalizer) cooperative(r *row) store.Cooperative {
	c := store.Cooperative{
		RegistrationCode:  CleanCode(r.required("registration_code", "registration code")),
		Name:              r.required("name", "cooperative name"),
		Sector:            r.text("sector"),
		Members:           r.count("members"),
		Workers:           r.count("workers"),
		RevenueMVND:       r.money("revenue", n.moneyFactor("revenue")),
		AvgIncomeMVND:     r.money("avg_income", n.moneyFactor("avg_income")),
		Score:             r.number("score"),
		KeyOfficers:       r.count("key_officers"),
		OfficersTrained:   r.count("officers_trained"),
		OfficersRefreshed: r.count("officers_refreshed"),
		Status:            string(StatusActive),
	}
	if u, ok := n.commune(r, true); ok {
		c.CommuneCode = u.Code
	}
	c.FoundedOn, c.FoundedPrecision = r.date("founded_on", n.today)
	c.DissolvedOn, _ = r.date("dissolved_on", n.today)
	if cell, ok := r.cell("status"); ok {
		s, ok, err := ParseStatus(cell.Value)
		if err != nil {
			r.fail("status", err.Error())
		} else if ok {
			c.Status = string(s)
		}
	}
	if c.DissolvedOn != nil {
		c.Status = string(StatusDissolved)
	}
	if cell, ok := r.cell("rating"); ok {
		rating, ok, err := ParseRating(cell.Value)
		if err != nil {
			r.fail("rating", err.Error())
		} else if ok {
			c.Rating = string(rating)
		}
	}
	if c.Rating == "" && c.Score != nil {
		rating, err := n.opts.ScoreBands.Rating(*c.Score)
		if err != nil {
			r.fail("score", err.Error())
		} else {
			c.Rating = string(rating)
		}
	}
	for _, part := range []struct {
		field string
		v     *int64
	}{{"officers_trained", c.OfficersTrained}, {"officers_refreshed", c.OfficersRefreshed}} {
		if part.v != nil && c.KeyOfficers != nil && *part.v > *c.KeyOfficers {
			r.fail(part.field, fmt.Sprintf("%d officers is more than the %d key officers", *part.v, *c.KeyOfficers))
		}
	}
	return c
}

func (n *normalizer) group(r *row) store.Group {
	g := store.Group{
		CertificateNo: CleanCode(r.text("certificate_no")),
		Name:          r.required("name", "cooperative group name"),
		Sector:        r.text("sector"),
		Members:       r.count("members"),
		Status:        string(StatusActive),
	}
	if u, ok := n.commune(r, true); ok {
		g.CommuneCode = u.Code
	}
	g.FoundedOn, g.FoundedPrecision = r.date("founded_on", n.today)
	if cell, ok := r.cell("status"); ok {
		s, ok, err := ParseStatus(cell.Value)
		if err != nil {
			r.fail("status", err.Error())
		} else if ok {
			g.Status = string(s)
		}
	}
	// Communes number their certificates themselves ("01/HĐHT"), so a certificate number
	// identifies a group only within its commune.
	if g.CertificateNo != "" {
		g.NaturalKey = "cert:" + g.CommuneCode + ":" + g.CertificateNo
	} else {
		g.NaturalKey = "name:" + g.CommuneCode + ":" + textnorm.Fold(g.Name)
	}
	return g
}

func (n *normalizer) activity(r *row) store.Activity {
	a := store.Activity{
		SourceID:        r.text("source_id"),
		Title:           r.text("title"),
		Participants:    r.count("participants"),
		CooperativeCode: CleanCode(r.text("cooperative_code")),
		Quantity:        r.number("quantity"),
	}
	if a.Quantity == nil { // one row, one class or workshop, unless it says how many
		one := 1.0
		a.Quantity = &one
	}
	if cell, ok := r.cell("kind"); !ok {
		r.fail("kind", "activity type is missing")
	} else if k, _, err := ParseActivityKind(cell.Value, n.opts.ActivityKinds); err != nil {
		r.fail("kind", err.Error())
	} else {
		a.Kind = string(k)
	}
	a.HeldOn, a.HeldPrecision = r.date("held_on", n.today)
	if a.HeldOn == nil && len(r.problems) == 0 {
		r.fail("held_on", "date is missing: an undated activity cannot be counted in any period")
	}
	// Where it was held: a commune, else a district, else the whole province.
	if u, ok := n.commune(r, false); ok {
		a.UnitCode = u.Code
	} else if name := r.text("district"); name != "" && len(r.problems) == 0 {
		if d, err := n.match.District(name); err == nil {
			a.UnitCode = d.Code
		}
	}
	if a.UnitCode == "" {
		a.UnitCode = n.province.Code
		if n.district.Code != "" {
			a.UnitCode = n.district.Code
		}
	}
	return a
}

// rowHash fingerprints a row's normalized values: equal hashes mean the same record.
func rowHash(values ...any) string {
	h := sha256.New()
	for _, v := range values {
		switch x := v.(type) {
		case *int64:
			if x != nil {
				fmt.Fprint(h, *x)
			}
		case *float64:
			if x != nil {
				fmt.Fprint(h, *x)
			}
		case *time.Time:
			if x != nil {
				fmt.Fprint(h, x.Format(time.DateOnly))
			}
		default:
			fmt.Fprint(h, x)
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
