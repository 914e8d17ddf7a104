-- +goose Up
-- A file is skipped only when it equals the newest version from the same place, so the
-- same bytes may be applied again later (a district undoing an edit, two districts sending
-- the same empty template). last_seen_at records re-sends of an unchanged file: the
-- district did report, even though nothing was applied.
ALTER TABLE source_files DROP CONSTRAINT source_files_source_content_hash_key;
ALTER TABLE source_files ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
UPDATE source_files SET last_seen_at = ingested_at;
CREATE INDEX source_files_place_idx ON source_files (source, location, sheet, ingested_at DESC, id DESC);

-- +goose Down
DROP INDEX source_files_place_idx;
ALTER TABLE source_files DROP COLUMN last_seen_at;
ALTER TABLE source_files ADD CONSTRAINT source_files_source_content_hash_key UNIQUE (source, content_hash);
