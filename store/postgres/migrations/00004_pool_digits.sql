-- The index of contains searches: a trigram GIN index of the national
-- number of available numbers, from the pg_trgm extension. A contains filter
-- with three or more consecutive digits reads the bitmap of the numbers that
-- hold all their trigrams, checks each one, and sorts the matches for the
-- page, instead of reading every available number of the country in order.
-- Purchases and returns to the pool write to it like to numbers_pool; GIN's
-- pending list keeps those writes small.
--
-- pg_trgm is in PostgreSQL's contrib modules (Debian's postgresql-15 package
-- ships it) and is a trusted extension, so the owner of the database may
-- create it. The block below turns a missing module or a missing privilege
-- into an error that says what to do.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    -- pgx leaves the HINT out of its error text, so the message itself
    -- says what to do.
    RAISE EXCEPTION 'create extension pg_trgm, which numberpool needs for contains searches: %. '
        'Install the contrib modules of this PostgreSQL server (on Debian, the postgresql-NN package has them), '
        'or have a superuser run CREATE EXTENSION pg_trgm in this database, then run numberpool migrate again', SQLERRM;
END
$$;
-- +goose StatementEnd

-- NOTE: on an existing pool this build blocks writes to numbers until it
-- ends: 48 s for 10,000,000 numbers in the benchmark (docs/benchmarks.md).
CREATE INDEX numbers_pool_digits ON numbers USING gin (nsn gin_trgm_ops)
    WHERE status = 'available';

-- +goose Down
DROP INDEX numbers_pool_digits;
