package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/coopwatch/coopwatch/gazetteer"
	"github.com/coopwatch/coopwatch/sources"
	"github.com/coopwatch/coopwatch/store"
)

// SourceOptions are the per-source value settings from the config.
type SourceOptions struct {
	// MoneyFactor turns amounts whose header names no unit into million VND.
	MoneyFactor   float64
	ScoreBands    ScoreBands
	ActivityKinds map[string]ActivityKind
}

// Ingester applies what sources deliver to the store, one file per transaction.
type Ingester struct {
	Store   *store.Store
	Matcher *gazetteer.Matcher
	// Province is where activities without a commune or district are placed.
	Province gazetteer.Unit
	Log      *slog.Logger
	// Today bounds dates: a date after it is rejected.
	Today time.Time
	// Force applies files even when they equal the newest version applied: after a fix to
	// the readers, so that their rows and rejects are read anew.
	Force bool
	// Progress, when set, hears how many rows of a file were read so far: every 1,000
	// rows, and once more with the total (done true) when the file is finished.
	Progress func(location string, rows int, done bool)
}

// FileResult is what happened to one file or API pull.
type FileResult struct {
	Location string
	District string // full name of the district the file was scoped to; "" for the province
	Skipped  bool   // content already applied
	store.LoadResult
	Err error
}

// SourceResult is what happened to one source in one run.
type SourceResult struct {
	Source string
	Files  []FileResult
	Err    error // the source could not be listed at all
}

// Failed counts the files that failed, plus one if the source itself failed.
func (r SourceResult) Failed() int {
	n := 0
	if r.Err != nil {
		n++
	}
	for _, f := range r.Files {
		if f.Err != nil {
			n++
		}
	}
	return n
}

// Ingest applies every new batch of src. A batch that fails is rolled back and reported;
// the others still load.
func (in *Ingester) Ingest(ctx context.Context, src sources.Source, opts SourceOptions) SourceResult {
	res := SourceResult{Source: src.Name()}
	batches, err := src.Batches(ctx)
	if err != nil {
		res.Err = fmt.Errorf("source %s: %w", src.Name(), err)
		return res
	}
	for _, b := range batches {
		fr := in.ingestBatch(ctx, b, opts)
		log := in.Log.With("source", src.Name(), "file", fr.Location)
		switch {
		case fr.Err != nil:
			log.Error("file not applied", "error", fr.Err)
		case fr.Skipped:
			log.Info("file unchanged, skipped")
		default:
			log.Info("file applied", "district", fr.District, "rows", fr.Read, "accepted", fr.Accepted,
				"rejected", fr.Rejected, "changed", fr.Changed, "removed", fr.Removed)
		}
		res.Files = append(res.Files, fr)
	}
	return res
}

func (in *Ingester) ingestBatch(ctx context.Context, b sources.Batch, opts SourceOptions) FileResult {
	info := b.Info()
	fr := FileResult{Location: info.Location}
	meta := store.FileMeta{Source: info.Source, Entity: string(info.Entity), Location: info.Location,
		Sheet: info.Sheet, ContentHash: info.ContentHash, ProvinceCode: in.Province.Code, Replaces: info.Complete,
		KeyHeader: info.Headers[keyField[info.Entity]]}
	unchanged, err := in.Store.FileUnchanged(ctx, meta)
	if err != nil {
		fr.Err = err
		return fr
	}
	if unchanged && !in.Force {
		fr.Skipped = true
		return fr
	}
	district, err := in.fileDistrict(info)
	if err != nil {
		fr.Err = err
		return fr
	}
	fr.District = district.FullName
	meta.DistrictCode = district.Code
	load, err := in.Store.BeginLoad(ctx, meta)
	if err != nil {
		fr.Err = err
		return fr
	}
	n := &normalizer{match: in.Matcher, province: in.Province, today: in.Today, district: district, info: info, opts: opts}
	rows := 0
	err = b.Each(ctx, func(rec sources.Record) error {
		if rows++; in.Progress != nil && rows%1000 == 0 {
			in.Progress(info.Location, rows, false)
		}
		return n.apply(load, rec)
	})
	if in.Progress != nil {
		in.Progress(info.Location, rows, true)
	}
	if err != nil {
		load.Rollback() //nolint:errcheck // the read error is what the operator needs
		fr.Err = fmt.Errorf("%s: %w", info.Location, err)
		return fr
	}
	load.SetCursor(info.Cursor)
	fr.LoadResult, fr.Err = load.Commit()
	return fr
}

// keyField is the field that identifies a row of each entity, named in rejects.
var keyField = map[sources.Entity]string{
	sources.Cooperatives:      "registration_code",
	sources.CooperativeGroups: "name",
	sources.Activities:        "source_id",
}

// fileDistrict finds the district a file speaks for: configured or cut from the file name
// by a pattern (must match), else named in the file name or the title rows (may not).
// A file with no district covers the whole province.
func (in *Ingester) fileDistrict(info sources.BatchInfo) (gazetteer.Unit, error) {
	if info.District != "" {
		u, err := in.Matcher.District(info.District)
		if err != nil {
			return gazetteer.Unit{}, fmt.Errorf("%s: district of the file: %w", info.Location, err)
		}
		return u, nil
	}
	if u, ok := in.Matcher.DistrictInText(filepath.Base(info.Location)); ok {
		return u, nil
	}
	if u, ok := in.Matcher.DistrictInText(info.Title); ok {
		return u, nil
	}
	return gazetteer.Unit{}, nil
}
