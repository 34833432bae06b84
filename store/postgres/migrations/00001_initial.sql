-- The initial schema, the PostgreSQL twin of the SQLite store's. Timestamps
-- are Unix seconds (UTC) in BIGINT so that both stores compare and round them
-- alike, money is integer cents, and capabilities are a bit set: voice = 1,
-- sms = 2, mms = 4.

-- +goose Up
CREATE TABLE accounts (
    id         TEXT   PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    key_hash   BYTEA  PRIMARY KEY,
    account_id TEXT   NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);

CREATE INDEX api_keys_account ON api_keys (account_id);

-- A release of a number by an account. The row outlives the release: it keeps
-- what a cancel restores (the assignments) and the history.
CREATE TABLE releases (
    id                          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    e164                        TEXT   NOT NULL,
    account_id                  TEXT   NOT NULL REFERENCES accounts (id),
    purchased_at                BIGINT NOT NULL,
    released_at                 BIGINT NOT NULL,
    cooling_off_days            INTEGER NOT NULL CHECK (cooling_off_days >= 0),
    available_after             BIGINT NOT NULL,
    early_termination_fee_cents BIGINT NOT NULL CHECK (early_termination_fee_cents >= 0),
    trunk_id                    TEXT,
    application_id              TEXT,
    cancelled_at                BIGINT,
    returned_at                 BIGINT,
    CHECK (available_after >= released_at),
    CHECK (cancelled_at IS NULL OR returned_at IS NULL)
);

CREATE INDEX releases_number ON releases (e164, released_at);

CREATE TABLE numbers (
    e164              TEXT     PRIMARY KEY,
    country           TEXT     NOT NULL,
    type              TEXT     NOT NULL CHECK (type IN ('local', 'mobile', 'toll_free')),
    region            TEXT     NOT NULL DEFAULT '',
    capabilities      SMALLINT NOT NULL DEFAULT 0 CHECK (capabilities BETWEEN 0 AND 7),
    monthly_fee_cents BIGINT   NOT NULL DEFAULT 0 CHECK (monthly_fee_cents >= 0),
    setup_fee_cents   BIGINT   NOT NULL DEFAULT 0 CHECK (setup_fee_cents >= 0),
    status            TEXT     NOT NULL CHECK (status IN ('available', 'active', 'released')),
    account_id        TEXT     REFERENCES accounts (id),
    trunk_id          TEXT,
    application_id    TEXT,
    purchased_at      BIGINT,
    release_id        BIGINT   REFERENCES releases (id),
    released_at       BIGINT,
    available_after   BIGINT,
    created_at        BIGINT   NOT NULL,
    updated_at        BIGINT   NOT NULL,
    CHECK ((status = 'available') = (account_id IS NULL)),
    CHECK ((status = 'available') = (purchased_at IS NULL)),
    CHECK ((status = 'released') = (release_id IS NOT NULL)),
    CHECK ((status = 'released') = (released_at IS NOT NULL)),
    CHECK ((status = 'released') = (available_after IS NOT NULL)),
    CHECK (trunk_id IS NULL OR application_id IS NULL)
);

-- The account's list: ordered by purchase time, then number.
CREATE INDEX numbers_account ON numbers (account_id, purchased_at, e164)
    WHERE account_id IS NOT NULL;

CREATE TABLE charges (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   TEXT   NOT NULL REFERENCES accounts (id),
    e164         TEXT   NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('early_termination_fee', 'setup_fee')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    release_id   BIGINT REFERENCES releases (id),
    created_at   BIGINT NOT NULL,
    voided_at    BIGINT
);

CREATE INDEX charges_account ON charges (account_id, created_at);
CREATE UNIQUE INDEX charges_release ON charges (release_id) WHERE release_id IS NOT NULL;

-- +goose Down
DROP TABLE charges;
DROP TABLE numbers;
DROP TABLE releases;
DROP TABLE api_keys;
DROP TABLE accounts;
