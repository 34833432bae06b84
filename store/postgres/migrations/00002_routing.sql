-- Trunks and applications that numbers route to, and what may block a
-- release: calls in progress, operator holds and release protection.
-- The PostgreSQL twin of the SQLite migration of the same number. Timestamps
-- are Unix seconds (UTC) in BIGINT, as in the initial schema.

-- +goose Up
-- A deleted trunk keeps its row with deleted_at set, so that a cancelled
-- release can tell a deleted trunk from an id it never stored.
CREATE TABLE trunks (
    id               TEXT    PRIMARY KEY,
    account_id       TEXT    NOT NULL REFERENCES accounts (id),
    name             TEXT    NOT NULL,
    auth_type        TEXT    NOT NULL CHECK (auth_type IN ('ip', 'credential')),
    sip_domain       TEXT    NOT NULL,
    termination_uri  TEXT    NOT NULL DEFAULT '',
    origination_uris TEXT[]  NOT NULL DEFAULT '{}',
    max_channels     INTEGER NOT NULL DEFAULT 0 CHECK (max_channels >= 0),
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    deleted_at       BIGINT
);

CREATE INDEX trunks_account ON trunks (account_id, created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE applications (
    id                  TEXT    PRIMARY KEY,
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    name                TEXT    NOT NULL,
    answer_url          TEXT    NOT NULL,
    answer_method       TEXT    NOT NULL CHECK (answer_method IN ('GET', 'POST')),
    hangup_url          TEXT    NOT NULL DEFAULT '',
    status_callback_url TEXT    NOT NULL DEFAULT '',
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    deleted_at          BIGINT
);

CREATE INDEX applications_account ON applications (account_id, created_at, id) WHERE deleted_at IS NULL;

-- Deleting a trunk or application looks up the numbers that route to it.
CREATE INDEX numbers_trunk ON numbers (trunk_id) WHERE trunk_id IS NOT NULL;
CREATE INDEX numbers_application ON numbers (application_id) WHERE application_id IS NOT NULL;

-- One row per call that the voice platform reported. started_at is NULL for
-- a call whose "ended" arrived first.
-- The sweeper deletes a row once the call is older than
-- numberpool.CallRetention (see the calls_prune migration).
CREATE TABLE calls (
    e164       TEXT    NOT NULL,
    call_id    TEXT    NOT NULL,
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    started_at BIGINT,
    ended_at   BIGINT,
    PRIMARY KEY (e164, call_id),
    CHECK (started_at IS NOT NULL OR ended_at IS NOT NULL)
);

CREATE INDEX calls_open ON calls (e164, started_at) WHERE ended_at IS NULL;

-- Operator holds. e164 is '' for a hold on the whole account, so that the
-- unique index also covers account holds.
CREATE TABLE holds (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    e164       TEXT    NOT NULL DEFAULT '',
    kind       TEXT    NOT NULL CHECK (kind IN ('billing', 'port_out', 'legal')),
    reason     TEXT    NOT NULL,
    placed_at  BIGINT  NOT NULL,
    lifted_at  BIGINT
);

CREATE UNIQUE INDEX holds_in_force ON holds (account_id, e164, kind) WHERE lifted_at IS NULL;
CREATE INDEX holds_number ON holds (e164) WHERE lifted_at IS NULL;

-- A row means that the account turned release protection on for the number.
CREATE TABLE release_protections (
    e164       TEXT    PRIMARY KEY,
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    enabled_at BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE release_protections;
DROP TABLE holds;
DROP TABLE calls;
DROP INDEX numbers_application;
DROP INDEX numbers_trunk;
DROP TABLE applications;
DROP TABLE trunks;
