package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// FileSummary is the newest version of one file: its rows and commonest reject reasons.
type FileSummary struct {
	Source     string         `db:"source" json:"source"`
	Location   string         `db:"location" json:"file"`
	Sheet      string         `db:"sheet" json:"sheet,omitempty"`
	Read       int            `db:"rows_read" json:"rows_read"`
	Accepted   int            `db:"rows_accepted" json:"rows_accepted"`
	Rejected   int            `db:"rows_rejected" json:"rows_rejected"`
	IngestedAt time.Time      `db:"ingested_at" json:"ingested_at"`
	TopReasons pq.StringArray `db:"top_reasons" json:"top_reasons"`
}

// inScope keeps the files of a province and, when district is set, only that district's
// and the provincial ones. Files from before files recorded their province always pass.
const inScope = `(l.province_code = $1 OR l.province_code IS NULL)
	AND ($2 = '' OR l.district_code = $2 OR l.district_code IS NULL)`

// FileSummaries lists the newest version of every file applied for the province (and
// district, if set), with the three commonest reasons its rows were rejected for; files
// with the most rejects first.
func (s *Store) FileSummaries(ctx context.Context, province, district string) ([]FileSummary, error) {
	var out []FileSummary
	err := s.db.SelectContext(ctx, &out, `
		SELECT l.source, l.location, l.sheet, l.rows_read, l.rows_accepted, l.rows_rejected, l.ingested_at,
			ARRAY(SELECT reason FROM rejected_rows r WHERE r.file_id = l.id
				GROUP BY reason ORDER BY count(*) DESC, reason LIMIT 3) AS top_reasons
		FROM latest_source_files l
		WHERE `+inScope+`
		ORDER BY l.rows_rejected DESC, l.source, l.location`, province, district)
	if err != nil {
		return nil, fmt.Errorf("store: unable to summarize files: %w", err)
	}
	return out, nil
}

// EntityFile is the newest version of one file, with the entity its rows feed.
type EntityFile struct {
	Entity       string    `db:"entity" json:"entity"`
	Source       string    `db:"source" json:"source"`
	Location     string    `db:"location" json:"file"`
	Sheet        string    `db:"sheet" json:"sheet,omitempty"`
	DistrictCode string    `db:"district_code" json:"district_code,omitempty"` // "" for a provincial file
	Accepted     int       `db:"rows_accepted" json:"rows_accepted"`
	IngestedAt   time.Time `db:"ingested_at" json:"ingested_at"`
}

// EntityFiles lists the newest version of every file applied for the province (and
// district, if set), by entity, source and location: what the figures of each target are
// computed from.
func (s *Store) EntityFiles(ctx context.Context, province, district string) ([]EntityFile, error) {
	var out []EntityFile
	err := s.db.SelectContext(ctx, &out, `
		SELECT entity, source, location, sheet, coalesce(district_code, '') AS district_code, rows_accepted, ingested_at
		FROM latest_source_files l
		WHERE `+inScope+`
		ORDER BY entity, source, location, sheet`, province, district)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list files by entity: %w", err)
	}
	return out, nil
}

// RejectedRow is one stored reject with where it came from.
type RejectedRow struct {
	Source      string         `db:"source" json:"source"`
	Location    string         `db:"location" json:"file"`
	Sheet       string         `db:"sheet" json:"sheet,omitempty"`
	Row         int            `db:"row_number" json:"row"`
	Column      string         `db:"column_letter" json:"column"`
	Header      string         `db:"header" json:"header"`
	Value       string         `db:"value" json:"value"`
	Reason      string         `db:"reason" json:"reason"`
	Suggestions pq.StringArray `db:"suggestions" json:"suggestions"`
	Raw         pq.StringArray `db:"raw" json:"raw"`
}

// RejectedRows lists the rejects of the newest version of each file of the province,
// optionally of one source only.
func (s *Store) RejectedRows(ctx context.Context, province, source string) ([]RejectedRow, error) {
	var out []RejectedRow
	err := s.db.SelectContext(ctx, &out, `
		SELECT l.source, l.location, l.sheet, r.row_number, r.column_letter, r.header, r.value, r.reason,
			r.suggestions, r.raw
		FROM latest_source_files l JOIN rejected_rows r ON r.file_id = l.id
		WHERE (l.province_code = $1 OR l.province_code IS NULL) AND ($2 = '' OR l.source = $2)
		ORDER BY l.source, l.location, l.sheet, r.row_number`, province, source)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list rejected rows: %w", err)
	}
	return out, nil
}

// DistrictFreshness is when a district last sent a file, if ever.
type DistrictFreshness struct {
	Code       string       `db:"code" json:"code"`
	Name       string       `db:"full_name" json:"name"`
	LastReport sql.NullTime `db:"last_report" json:"-"`
	Files      int          `db:"files" json:"files"`
}

// Freshness lists the districts of a province with their last file.
func (s *Store) Freshness(ctx context.Context, province string) ([]DistrictFreshness, error) {
	var out []DistrictFreshness
	err := s.db.SelectContext(ctx, &out, `
		SELECT u.code, u.full_name, max(f.last_seen_at) AS last_report, count(f.id) AS files
		FROM units u LEFT JOIN source_files f ON f.district_code = u.code
		WHERE u.level = 'district' AND u.parent_code = $1
		GROUP BY u.code, u.full_name ORDER BY u.code`, province)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read district freshness: %w", err)
	}
	return out, nil
}

// JobRun records one run of a job.
type JobRun struct {
	ID         int64        `db:"id"`
	Job        string       `db:"job"`
	Source     string       `db:"source"`
	StartedAt  time.Time    `db:"started_at"`
	FinishedAt sql.NullTime `db:"finished_at"`
	Outcome    string       `db:"outcome"`
	Counts     []byte       `db:"counts"`
	Error      string       `db:"error"`
}

// StartJob records that a job began and returns its id.
func (s *Store) StartJob(ctx context.Context, job, source string) (int64, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `INSERT INTO job_runs (job, source) VALUES ($1, $2) RETURNING id`, job, source); err != nil {
		return 0, fmt.Errorf("store: unable to record job start: %w", err)
	}
	return id, nil
}

// FinishJob records a job's outcome (ok or failed), its counts as JSON, and its error.
func (s *Store) FinishJob(ctx context.Context, id int64, outcome string, countsJSON []byte, errText string) error {
	if countsJSON == nil {
		countsJSON = []byte("{}")
	}
	_, err := s.db.ExecContext(ctx, `UPDATE job_runs SET finished_at = now(), outcome = $2, counts = $3, error = $4 WHERE id = $1`,
		id, outcome, countsJSON, errText)
	if err != nil {
		return fmt.Errorf("store: unable to record job end: %w", err)
	}
	return nil
}

// LastJobs returns the newest run of each job and source.
func (s *Store) LastJobs(ctx context.Context) ([]JobRun, error) {
	var out []JobRun
	err := s.db.SelectContext(ctx, &out, `
		SELECT DISTINCT ON (job, source) id, job, source, started_at, finished_at, outcome, counts, error
		FROM job_runs ORDER BY job, source, started_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read job runs: %w", err)
	}
	return out, nil
}

// RecentOutcomes returns, for each source, the outcomes of its last n runs of job, newest
// first.
func (s *Store) RecentOutcomes(ctx context.Context, job string, n int) (map[string][]string, error) {
	var rows []struct {
		Source  string `db:"source"`
		Outcome string `db:"outcome"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT source, outcome FROM (
			SELECT source, outcome, row_number() OVER (PARTITION BY source ORDER BY started_at DESC, id DESC) AS n
			FROM job_runs WHERE job = $1 AND outcome <> 'running'
		) r WHERE n <= $2 ORDER BY source, n`, job, n)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read recent runs: %w", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Source] = append(out[r.Source], r.Outcome)
	}
	return out, nil
}
