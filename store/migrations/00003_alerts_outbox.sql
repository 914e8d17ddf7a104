-- +goose Up

-- One row per alert (rule x subject): how many evaluations in a row its condition held or
-- cleared, whether it fires, and when people were last told. Survives restarts.
CREATE TABLE alert_states (
    rule             text NOT NULL,
    subject          text NOT NULL, -- "<unit code>/<indicator>", "<district code>", "<source>", "<source>:<file>"
    unit_code        text NOT NULL DEFAULT '',
    indicator        text NOT NULL DEFAULT '',
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'firing', 'inactive')),
    held             integer NOT NULL DEFAULT 0,
    cleared          integer NOT NULL DEFAULT 0,
    summary          text NOT NULL DEFAULT '',
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    fired_at         timestamptz,
    last_notified_at timestamptz,
    resolved_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule, subject)
);

CREATE TABLE silences (
    id         bigserial PRIMARY KEY,
    rule       text NOT NULL DEFAULT '', -- '' matches every rule
    indicator  text NOT NULL DEFAULT '',
    unit_code  text NOT NULL DEFAULT '', -- matches the unit and every unit below it
    reason     text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

-- The outbox: a message is written in the transaction that decided to send it, and a
-- sender delivers it. The key makes a message unique: enqueuing it twice is a no-op.
CREATE TABLE notifications (
    id              bigserial PRIMARY KEY,
    key             text NOT NULL UNIQUE,
    channel         text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('digest', 'alert')),
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL DEFAULT '',
    chart           bytea,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    dead_at         timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_pending_idx ON notifications (next_attempt_at)
    WHERE delivered_at IS NULL AND dead_at IS NULL;

-- Archived digests: what was rendered for a group and week, reproducible from snapshots.
CREATE TABLE digests (
    group_name text NOT NULL,
    as_of      date NOT NULL,
    lang       text NOT NULL,
    body_text  text NOT NULL,
    body_html  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_name, as_of)
);

-- +goose Down
DROP TABLE digests, notifications, silences, alert_states;
