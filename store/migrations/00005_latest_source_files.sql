-- +goose Up
-- The newest applied version of each file (a file is a source, a location and a sheet):
-- what reports and rejects speak of.
CREATE VIEW latest_source_files AS
    SELECT DISTINCT ON (source, location, sheet) *
    FROM source_files
    ORDER BY source, location, sheet, ingested_at DESC, id DESC;

-- +goose Down
DROP VIEW latest_source_files;
