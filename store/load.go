package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// FileMeta identifies one file or API pull being applied.
type FileMeta struct {
	Source       string
	Entity       string // cooperatives, cooperative_groups, activities
	Location     string
	Sheet        string
	ContentHash  string
	DistrictCode string // "" for a file that covers the whole province
	ProvinceCode string // the province the file was applied for
	// Replaces says the file holds every record of its place (source, location, sheet):
	// rows that earlier versions of it stored and this one lacks are removed.
	Replaces bool
	// KeyHeader is the header of the column that identifies a row, for rejects.
	KeyHeader string
}

// Lineage says where a stored row came from inside its file.
type Lineage struct {
	Row     int    // 1-based row number in the sheet, or record index of an API pull
	RowHash string // hex hash of the normalized values: equal rows are the same row
	Raw     []string
}

// Cooperative is one normalized cooperative row.
type Cooperative struct {
	RegistrationCode  string
	Name              string
	CommuneCode       string
	Sector            string
	FoundedOn         *time.Time
	FoundedPrecision  string
	DissolvedOn       *time.Time
	Status            string
	Members           *int64
	Workers           *int64
	RevenueMVND       *float64
	AvgIncomeMVND     *float64
	Rating            string
	Score             *float64
	KeyOfficers       *int64
	OfficersTrained   *int64
	OfficersRefreshed *int64
	Lineage
}

// Group is one normalized cooperative group row.
type Group struct {
	NaturalKey       string // "cert:<number>" or "name:<commune code>:<folded name>"
	CertificateNo    string
	Name             string
	CommuneCode      string
	Sector           string
	FoundedOn        *time.Time
	FoundedPrecision string
	Members          *int64
	Status           string
	Lineage
}

// Activity is one normalized activity row.
type Activity struct {
	SourceID        string
	Kind            string
	Title           string
	HeldOn          *time.Time
	HeldPrecision   string
	UnitCode        string
	Quantity        *float64
	Participants    *int64
	CooperativeCode string
	Lineage
}

// Reject is a row that could not be stored, with where and why.
type Reject struct {
	Row         int
	Column      string // spreadsheet column letter or API field path
	Header      string
	Value       string
	Reason      string
	Suggestions []string
	Raw         []string
}

// LoadResult counts what one applied file did.
type LoadResult struct {
	FileID   int64
	Read     int // data rows handed to the load
	Accepted int // rows stored (exact duplicates inside the file collapse into one)
	Changed  int // stored rows inserted or updated; 0 when the same data is loaded again
	Rejected int
	Removed  int // rows of earlier versions of the file that this version no longer has
}

// Load applies one file: rows are streamed by COPY into a staging table and merged in one
// statement at Commit. Nothing is visible to others, and nothing is kept, until Commit.
type Load struct {
	ctx     context.Context
	tx      *sqlx.Tx
	meta    FileMeta
	fileID  int64
	copy    *sql.Stmt
	rejects []Reject
	read    int
	cursor  string
}

// stages: the staging table of each entity and the columns copied into it.
var stages = map[string]struct {
	table, key string
	columns    []string
}{
	"cooperatives": {"cooperatives", "registration_code", []string{"registration_code", "name", "commune_code", "sector",
		"founded_on", "founded_precision", "dissolved_on", "status", "members", "workers", "revenue_mvnd",
		"avg_income_mvnd", "rating", "score", "key_officers", "officers_trained", "officers_refreshed"}},
	"cooperative_groups": {"cooperative_groups", "natural_key", []string{"natural_key", "certificate_no", "name",
		"commune_code", "sector", "founded_on", "founded_precision", "members", "status"}},
	"activities": {"activities", "source_id", []string{"source", "source_id", "kind", "title", "held_on",
		"held_precision", "unit_code", "quantity", "participants", "cooperative_code"}},
}

var lineageColumns = []string{"file_id", "row_number", "row_hash", "raw"}

// FileUnchanged reports whether this content needs no applying, and if so records that it
// was sent again (which counts as the district reporting). A complete file (Replaces) is
// unchanged when the newest version from the same place (source, location, sheet) has this
// content: sending an older version again is an undo and is applied. A partial batch (an
// incremental API pull) is unchanged when the source ever applied this content: a replay
// of old pages must not overwrite newer data.
func (s *Store) FileUnchanged(ctx context.Context, meta FileMeta) (bool, error) {
	query, args := `
		UPDATE source_files SET last_seen_at = now()
		WHERE id = (SELECT id FROM source_files WHERE source = $1 AND location = $2 AND sheet = $3
			ORDER BY ingested_at DESC, id DESC LIMIT 1)
		AND content_hash = $4`, []any{meta.Source, meta.Location, meta.Sheet, meta.ContentHash}
	if !meta.Replaces {
		query, args = `
			UPDATE source_files SET last_seen_at = now()
			WHERE id = (SELECT id FROM source_files WHERE source = $1 AND content_hash = $2
				ORDER BY ingested_at DESC, id DESC LIMIT 1)`, []any{meta.Source, meta.ContentHash}
	}
	r, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("store: unable to look up file %s: %w", meta.Location, err)
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// BeginLoad opens the transaction that applies one file.
func (s *Store) BeginLoad(ctx context.Context, meta FileMeta) (*Load, error) {
	st, ok := stages[meta.Entity]
	if !ok {
		return nil, fmt.Errorf("store: unknown entity %q", meta.Entity)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to begin load of %s: %w", meta.Location, err)
	}
	l := &Load{ctx: ctx, tx: tx, meta: meta}
	fail := func(what string, err error) (*Load, error) {
		tx.Rollback() //nolint:errcheck // the error that matters is err
		return nil, fmt.Errorf("store: unable to %s for %s: %w", what, meta.Location, err)
	}
	err = tx.GetContext(ctx, &l.fileID, `
		INSERT INTO source_files (source, entity, location, sheet, content_hash, district_code, province_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		meta.Source, meta.Entity, meta.Location, meta.Sheet, meta.ContentHash, nullString(meta.DistrictCode),
		nullString(meta.ProvinceCode))
	if err != nil {
		return fail("record the file", err)
	}
	stage := "stage_" + st.table
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`
		CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT %s, file_id, row_number, row_hash, NULL::text[] AS raw
		FROM %s WITH NO DATA`, stage, joinColumns(st.columns), st.table))
	if err != nil {
		return fail("create the staging table", err)
	}
	l.copy, err = tx.PrepareContext(ctx, copyStatement(stage, append(append([]string{}, st.columns...), lineageColumns...)))
	if err != nil {
		return fail("start the copy", err)
	}
	return l, nil
}

// keyWords names what identifies a row of each entity, in a reject's reason.
var keyWords = map[string]string{
	"cooperatives":       "registration code",
	"cooperative_groups": "group (certificate number, or name in the commune)",
	"activities":         "activity id",
}

// shownKey is a key as the officer wrote it: group keys carry an internal prefix and the
// commune code ("name:31340:tht a").
func shownKey(key string) string {
	for _, p := range []string{"cert:", "name:"} {
		if rest, ok := strings.CutPrefix(key, p); ok {
			if _, v, ok := strings.Cut(rest, ":"); ok {
				return v
			}
		}
	}
	return key
}

// qualified writes "alias.a, alias.b" for the key columns of a row comparison.
func qualified(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = alias + "." + pq.QuoteIdentifier(c)
	}
	return strings.Join(out, ", ")
}

func joinColumns(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = pq.QuoteIdentifier(c)
	}
	return strings.Join(out, ", ")
}

func (l *Load) add(values []any, lin Lineage) error {
	l.read++
	values = append(values, l.fileID, lin.Row, lin.RowHash, rawArray(lin.Raw))
	if _, err := l.copy.ExecContext(l.ctx, values...); err != nil {
		return fmt.Errorf("store: unable to stage row %d of %s: %w", lin.Row, l.meta.Location, err)
	}
	return nil
}

// AddCooperative stages one cooperative.
func (l *Load) AddCooperative(c Cooperative) error {
	return l.add([]any{c.RegistrationCode, c.Name, c.CommuneCode, c.Sector, c.FoundedOn, nullString(c.FoundedPrecision),
		c.DissolvedOn, c.Status, c.Members, c.Workers, c.RevenueMVND, c.AvgIncomeMVND, nullString(c.Rating), c.Score,
		c.KeyOfficers, c.OfficersTrained, c.OfficersRefreshed}, c.Lineage)
}

// AddGroup stages one cooperative group.
func (l *Load) AddGroup(g Group) error {
	return l.add([]any{g.NaturalKey, nullString(g.CertificateNo), g.Name, g.CommuneCode, g.Sector, g.FoundedOn,
		nullString(g.FoundedPrecision), g.Members, g.Status}, g.Lineage)
}

// AddActivity stages one activity.
func (l *Load) AddActivity(a Activity) error {
	return l.add([]any{l.meta.Source, a.SourceID, a.Kind, a.Title, a.HeldOn, nullString(a.HeldPrecision), a.UnitCode,
		a.Quantity, a.Participants, nullString(a.CooperativeCode)}, a.Lineage)
}

// Reject keeps a row that could not be stored; it is saved at Commit.
func (l *Load) Reject(r Reject) {
	l.read++
	l.rejects = append(l.rejects, r)
}

// Rollback abandons the load; nothing of the file is kept.
func (l *Load) Rollback() error {
	if l.copy != nil {
		l.copy.Close()
	}
	return l.tx.Rollback()
}

// Commit merges the staged rows into their table, saves the rejects and the file's counts,
// and commits, all or nothing.
func (l *Load) Commit() (LoadResult, error) {
	res := LoadResult{FileID: l.fileID, Read: l.read}
	fail := func(what string, err error) (LoadResult, error) {
		l.Rollback() //nolint:errcheck // the error that matters is err
		return LoadResult{}, fmt.Errorf("store: unable to %s for %s: %w", what, l.meta.Location, err)
	}
	if _, err := l.copy.ExecContext(l.ctx); err != nil {
		return fail("finish the copy", err)
	}
	l.copy.Close()
	l.copy = nil
	st := stages[l.meta.Entity]
	stage, cols := "stage_"+st.table, joinColumns(st.columns)
	keys := []string{st.key}
	if l.meta.Entity == "activities" {
		keys = []string{"source", "source_id"}
	}
	keyCols := joinColumns(keys)

	// A key seen again in the same file with other values is an error of the file: the
	// first row wins and the later ones are rejected, pointing at it.
	// A key seen again in the same file is an error of the file or a repeat: the first row
	// counts and the later ones are kept as rejects pointing at it. One sort by key, not a
	// lookup per row: staging tables are not indexed.
	repeats, err := l.tx.QueryxContext(l.ctx, fmt.Sprintf(`
		SELECT row_number, raw, first_row, %[2]s AS key, row_hash = first_hash AS same FROM (
			SELECT s.row_number, s.raw, s.row_hash, s.%[2]s,
				first_value(s.row_number) OVER w AS first_row, first_value(s.row_hash) OVER w AS first_hash
			FROM %[1]s s WINDOW w AS (PARTITION BY %[3]s ORDER BY s.row_number)
		) ranked WHERE row_number <> first_row`, stage, pq.QuoteIdentifier(st.key), qualified("s", keys)))
	if err != nil {
		return fail("find repeated rows", err)
	}
	for repeats.Next() {
		var row, first int
		var raw pq.StringArray
		var key string
		var same bool
		if err := repeats.Scan(&row, &raw, &first, &key, &same); err != nil {
			repeats.Close()
			return fail("read repeated rows", err)
		}
		reason := fmt.Sprintf("same as row %d: counted once", first)
		if !same {
			reason = fmt.Sprintf("the same %s as row %d but with other values; row %d was kept", keyWords[l.meta.Entity], first, first)
		}
		l.rejects = append(l.rejects, Reject{Row: row, Header: l.meta.KeyHeader, Value: shownKey(key), Raw: raw, Reason: reason})
	}
	repeats.Close()
	if err := repeats.Err(); err != nil {
		return fail("read repeated rows", err)
	}

	var accepted int
	if err := l.tx.GetContext(l.ctx, &accepted, fmt.Sprintf(`SELECT count(DISTINCT (%s)) FROM %s`, keyCols, stage)); err != nil {
		return fail("count staged rows", err)
	}
	updates := ""
	for _, c := range append(append([]string{}, st.columns...), "file_id", "row_number", "row_hash") {
		updates += fmt.Sprintf("%s = excluded.%s, ", pq.QuoteIdentifier(c), pq.QuoteIdentifier(c))
	}
	r, err := l.tx.ExecContext(l.ctx, fmt.Sprintf(`
		INSERT INTO %[1]s (%[2]s, file_id, row_number, row_hash)
		SELECT DISTINCT ON (%[3]s) %[2]s, file_id, row_number, row_hash FROM %[4]s ORDER BY %[3]s, row_number
		ON CONFLICT (%[3]s) DO UPDATE SET %[5]s updated_at = now()
		WHERE %[1]s.row_hash IS DISTINCT FROM excluded.row_hash`, st.table, cols, keyCols, stage, updates))
	if err != nil {
		return fail("merge rows", err)
	}
	changed, _ := r.RowsAffected()
	if l.meta.Replaces {
		r, err := l.tx.ExecContext(l.ctx, fmt.Sprintf(`
			DELETE FROM %[1]s t USING source_files f
			WHERE t.file_id = f.id AND f.source = $1 AND f.location = $2 AND f.sheet = $3 AND f.id <> $4
			AND NOT EXISTS (SELECT 1 FROM %[2]s s WHERE (%[3]s) = (%[4]s))`,
			st.table, stage, qualified("s", keys), qualified("t", keys)),
			l.meta.Source, l.meta.Location, l.meta.Sheet, l.fileID)
		if err != nil {
			return fail("remove rows the new version dropped", err)
		}
		removed, _ := r.RowsAffected()
		res.Removed = int(removed)
	}

	err = copyRows(l.ctx, l.tx, "rejected_rows", []string{"file_id", "row_number", "column_letter", "header", "value",
		"reason", "suggestions", "raw"}, len(l.rejects), func(i int) []any {
		j := l.rejects[i]
		return []any{l.fileID, j.Row, j.Column, j.Header, j.Value, j.Reason, rawArray(j.Suggestions), rawArray(j.Raw)}
	})
	if err != nil {
		return fail("save rejected rows", err)
	}
	res.Accepted = accepted
	res.Rejected = len(l.rejects)
	res.Changed = int(changed)
	if _, err := l.tx.ExecContext(l.ctx, `UPDATE source_files SET rows_read = $2, rows_accepted = $3, rows_rejected = $4 WHERE id = $1`,
		l.fileID, res.Read, res.Accepted, res.Rejected); err != nil {
		return fail("count the file's rows", err)
	}
	if err := l.saveCursor(); err != nil {
		return fail("advance the source's cursor", err)
	}
	if err := l.tx.Commit(); err != nil {
		return LoadResult{}, fmt.Errorf("store: unable to commit load of %s: %w", l.meta.Location, err)
	}
	return res, nil
}

// rawArray is a text[] value for COPY; nil slices become empty arrays.
func rawArray(s []string) any {
	if s == nil {
		s = []string{}
	}
	v, _ := pq.Array(s).Value()
	return v
}
