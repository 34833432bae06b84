-- numbers_pool_type served searches by type, but local numbers, most of a
-- pool, are found as densely in numbers_pool, which includes the type. Each
-- local number in numbers_pool_type cost an index write on every import
-- and return to the pool, and the index took as much room as numbers_pool.
-- It now holds only the other types, as on SQLite. A search for another
-- type says type <> 'local' so that the planner may use it.

-- +goose Up
-- NOTE: on an existing pool this build blocks writes to numbers until it
-- ends, as the first build of the index did.
DROP INDEX numbers_pool_type;
CREATE INDEX numbers_pool_type ON numbers (country, type, nsn, e164) INCLUDE (capabilities)
    WHERE status = 'available' AND type <> 'local';

-- +goose Down
DROP INDEX numbers_pool_type;
CREATE INDEX numbers_pool_type ON numbers (country, type, nsn, e164) INCLUDE (capabilities)
    WHERE status = 'available';
