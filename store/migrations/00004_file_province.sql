-- +goose Up
-- Which province a file was applied for, so that a database holding several provinces
-- counts each province's coverage from its own files only.
ALTER TABLE source_files ADD COLUMN province_code text;
UPDATE source_files f SET province_code = u.province_code FROM units u WHERE u.code = f.district_code;
CREATE INDEX source_files_province_idx ON source_files (province_code);

-- +goose Down
ALTER TABLE source_files DROP COLUMN province_code;
