-- +goose Up

-- Administrative units of the configured province, and every unit's ancestors (itself
-- included) so that any rollup is one join and one GROUP BY.
CREATE TABLE units (
    code          text PRIMARY KEY,
    level         text NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    name          text NOT NULL,
    full_name     text NOT NULL,
    unit_type     text NOT NULL,
    parent_code   text REFERENCES units (code),
    district_code text,
    province_code text NOT NULL
);

CREATE TABLE unit_ancestors (
    ancestor_code text NOT NULL REFERENCES units (code),
    unit_code     text NOT NULL REFERENCES units (code),
    PRIMARY KEY (ancestor_code, unit_code)
);
CREATE INDEX unit_ancestors_unit_idx ON unit_ancestors (unit_code);

-- One row per file or API pull that was applied: lineage for every stored row.
CREATE TABLE source_files (
    id            bigserial PRIMARY KEY,
    source        text NOT NULL,
    entity        text NOT NULL,
    location      text NOT NULL,
    sheet         text NOT NULL DEFAULT '',
    content_hash  text NOT NULL,
    district_code text REFERENCES units (code),
    rows_read     integer NOT NULL DEFAULT 0,
    rows_accepted integer NOT NULL DEFAULT 0,
    rows_rejected integer NOT NULL DEFAULT 0,
    ingested_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, content_hash)
);

CREATE TABLE cooperatives (
    registration_code  text PRIMARY KEY,
    name               text NOT NULL,
    commune_code       text NOT NULL REFERENCES units (code),
    sector             text NOT NULL DEFAULT '',
    founded_on         date,
    founded_precision  text,
    dissolved_on       date,
    status             text NOT NULL DEFAULT 'active',
    members            integer,
    workers            integer,
    revenue_mvnd       double precision,
    avg_income_mvnd    double precision,
    rating             text,
    score              double precision,
    key_officers       integer,
    officers_trained   integer,
    officers_refreshed integer,
    file_id            bigint NOT NULL REFERENCES source_files (id),
    row_number         integer NOT NULL,
    row_hash           text NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cooperatives_commune_idx ON cooperatives (commune_code);

-- Natural key: "cert:<certificate number>" when the group has one, else
-- "name:<commune code>:<folded name>".
CREATE TABLE cooperative_groups (
    natural_key       text PRIMARY KEY,
    certificate_no    text,
    name              text NOT NULL,
    commune_code      text NOT NULL REFERENCES units (code),
    sector            text NOT NULL DEFAULT '',
    founded_on        date,
    founded_precision text,
    members           integer,
    status            text NOT NULL DEFAULT 'active',
    file_id           bigint NOT NULL REFERENCES source_files (id),
    row_number        integer NOT NULL,
    row_hash          text NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cooperative_groups_commune_idx ON cooperative_groups (commune_code);

-- An activity belongs to the unit where it was held: a commune, a district or the province.
CREATE TABLE activities (
    source            text NOT NULL,
    source_id         text NOT NULL,
    kind              text NOT NULL,
    title             text NOT NULL DEFAULT '',
    held_on           date,
    held_precision    text,
    unit_code         text NOT NULL REFERENCES units (code),
    quantity          double precision,
    participants      integer,
    cooperative_code  text,
    file_id           bigint NOT NULL REFERENCES source_files (id),
    row_number        integer NOT NULL,
    row_hash          text NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, source_id)
);
CREATE INDEX activities_unit_idx ON activities (unit_code);

-- Nothing a source delivered is dropped silently: every rejected row is kept here.
CREATE TABLE rejected_rows (
    id            bigserial PRIMARY KEY,
    file_id       bigint NOT NULL REFERENCES source_files (id),
    row_number    integer NOT NULL,
    column_letter text NOT NULL DEFAULT '',
    header        text NOT NULL DEFAULT '',
    value         text NOT NULL DEFAULT '',
    reason        text NOT NULL,
    suggestions   text[] NOT NULL DEFAULT '{}',
    raw           text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX rejected_rows_file_idx ON rejected_rows (file_id);

-- Each plan file content the worker computed with; snapshots point at it.
CREATE TABLE plan_versions (
    hash           text PRIMARY KEY,
    name           text NOT NULL,
    effective_from date NOT NULL,
    content        text NOT NULL,
    first_seen     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE attainment_snapshots (
    as_of       date NOT NULL,
    indicator   text NOT NULL,
    unit_code   text NOT NULL REFERENCES units (code),
    plan_hash   text NOT NULL REFERENCES plan_versions (hash),
    actual      double precision,
    expected    double precision,
    target      double precision,
    ratio       double precision,
    status      text NOT NULL,
    coverage    double precision NOT NULL,
    projected   double precision,
    pace_needed double precision,
    eta         date,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (as_of, indicator, unit_code)
);
CREATE INDEX attainment_snapshots_unit_idx ON attainment_snapshots (unit_code, indicator, as_of);

CREATE TABLE job_runs (
    id          bigserial PRIMARY KEY,
    job         text NOT NULL,
    source      text NOT NULL DEFAULT '',
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text NOT NULL DEFAULT 'running',
    counts      jsonb NOT NULL DEFAULT '{}',
    error       text NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job_idx ON job_runs (job, source, started_at DESC);

-- +goose Down
DROP TABLE job_runs, attainment_snapshots, plan_versions, rejected_rows, activities,
    cooperative_groups, cooperatives, source_files, unit_ancestors, units;
