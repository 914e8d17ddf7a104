// Package sources reads district spreadsheets (XLSX, CSV; files, globs, URLs) and REST APIs
// into raw records that remember exactly where each value came from.
package sources

import (
	"context"
	"fmt"
)

// Entity names the kind of thing a source delivers.
type Entity string

// The entities a source can map to.
const (
	Cooperatives      Entity = "cooperatives"
	CooperativeGroups Entity = "cooperative_groups"
	Activities        Entity = "activities"
)

// Location says where a raw row came from, in the words an officer uses to find it.
type Location struct {
	Source string // configured source name
	File   string // file path or URL
	Sheet  string // sheet name; empty for CSV and API
	Row    int    // 1-based row number as the spreadsheet shows it; API: 1-based record index
}

func (l Location) String() string {
	if l.Sheet != "" {
		return fmt.Sprintf("%s, sheet %q, row %d", l.File, l.Sheet, l.Row)
	}
	return fmt.Sprintf("%s, row %d", l.File, l.Row)
}

// Cell is one raw value with the column it stood in.
type Cell struct {
	Column string // spreadsheet column letter ("F"), CSV column as a letter too, API field path
	Header string // header text as written (group and sub-header joined by " / ")
	Value  string // as read: formatted cell text, formula cells by their cached value
}

// Record is one data row, its cells mapped to the entity's target fields.
type Record struct {
	Loc    Location
	Fields map[string]Cell // target field -> cell; fields whose column is absent are missing
	Raw    []string        // every cell of the row as read, for rejected-row storage
}

// BatchInfo describes one file or API pull: the unit that loads in one transaction.
type BatchInfo struct {
	Source      string
	Entity      Entity
	Location    string            // file path or URL
	Sheet       string            // sheet read; empty for CSV and API
	ContentHash string            // hex SHA-256 of the bytes read (API: of the records)
	District    string            // district as configured or cut from the file name by a pattern; "" if none
	Title       string            // text of the title rows above the header, joined by " | "
	Headers     map[string]string // target field -> header text, e.g. for money units in "(triệu đồng)"
	// Complete says the batch holds every record of its place (a file, or a full API
	// pull): records an earlier version had and this one lacks no longer exist. An
	// incremental pull is not complete.
	Complete bool
	// Cursor is, for an incremental API pull, the cursor to store once this batch commits
	// (e.g. the largest updated_at seen); "" leaves the stored cursor as it is.
	Cursor string
}

// CursorReader gives an incremental source the cursor its last committed pull stored.
type CursorReader interface {
	SourceCursor(ctx context.Context, source string) (string, error)
}

// Batch is one file or API pull, read as a stream so big files keep memory flat.
type Batch interface {
	Info() BatchInfo
	// Each calls fn for every data row in order; title, header, column-number and totals
	// rows are never passed. It stops at the first error fn returns.
	Each(ctx context.Context, fn func(Record) error) error
}

// Source lists the batches a configured source has to offer now.
type Source interface {
	Name() string
	Entity() Entity
	Batches(ctx context.Context) ([]Batch, error)
}
