-- +goose Up
-- The incremental cursor of an API source, advanced in the transaction that applies a pull.
CREATE TABLE source_cursors (
    source     text PRIMARY KEY,
    cursor     text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE source_cursors;
