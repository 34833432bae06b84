-- The pool's search. nsn is the national significant number: the E.164 form
-- without "+" and the country calling code. Calling codes are prefix-free
-- and 1 to 3 digits long; 1 and 7 are the only one-digit codes and the list
-- below holds every two-digit code (a test checks both lists against the
-- phone number metadata), so the length follows from the first digits.

-- +goose Up
ALTER TABLE numbers ADD COLUMN nsn TEXT GENERATED ALWAYS AS (substr(e164, 2 + CASE
    WHEN substr(e164, 2, 1) IN ('1', '7') THEN 1
    WHEN substr(e164, 2, 2) IN ('20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41',
        '43', '44', '45', '46', '47', '48', '49', '51', '52', '53', '54', '55', '56', '57', '58',
        '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93',
        '94', '95', '98') THEN 2
    ELSE 3 END)) VIRTUAL;

-- Searches read their page in the order of one of these indexes: national
-- number, then E.164. They hold every column a filter tests, so SQLite skips
-- a non-matching number without reading its row. The second index serves
-- searches for mobile and toll-free numbers, which would otherwise walk past
-- every local number (toll-free numbers sort after most local ones). It
-- leaves local numbers out, because they are most of a pool and a search
-- for them finds them densely in numbers_pool: every number it holds costs
-- an index write on each import, purchase and return to the pool.
CREATE INDEX numbers_pool ON numbers (country, nsn, e164, type, capabilities)
    WHERE status = 'available';
CREATE INDEX numbers_pool_type ON numbers (country, type, nsn, e164, capabilities)
    WHERE status = 'available' AND type <> 'local';

-- Released numbers by the end of their cooling-off period: for the sweeper,
-- and for searches, which also return the ones the sweeper has not reached.
CREATE INDEX numbers_cooling_off ON numbers (available_after)
    WHERE status = 'released';

-- The digit 4-grams of the national number of every number, so that a
-- contains filter with four consecutive digits reads only the numbers that
-- hold them, in search order, instead of every number of the country. It
-- holds owned numbers too: purchases, releases and the sweeper then never
-- write to it, and searches check the status on the number's row. A number
-- that holds a 4-gram twice has one row for it.
CREATE TABLE pool_grams (
    gram    TEXT NOT NULL,
    country TEXT NOT NULL,
    nsn     TEXT NOT NULL,
    e164    TEXT NOT NULL,
    PRIMARY KEY (gram, country, nsn, e164)
) STRICT, WITHOUT ROWID;

-- The start positions of 4-grams, enough for the 15 digits of any E.164
-- number.
CREATE TABLE gram_positions (i INTEGER PRIMARY KEY) STRICT;
INSERT INTO gram_positions (i) VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12);

-- Numbers whose 4-grams are not in pool_grams yet. An insert only appends
-- here, because writing seven 4-grams to random places of pool_grams per
-- number would make a large import several times slower. The sweeper moves
-- them to pool_grams in small batches, and searches read the numbers still
-- pending from their rows.
CREATE TABLE gram_pending (
    id   INTEGER PRIMARY KEY,
    e164 TEXT    NOT NULL
) STRICT;

INSERT INTO gram_pending (e164) SELECT e164 FROM numbers ORDER BY e164;

-- +goose StatementBegin
CREATE TRIGGER numbers_grams_insert AFTER INSERT ON numbers
BEGIN
    INSERT INTO gram_pending (e164) VALUES (NEW.e164);
END;
-- +goose StatementEnd

-- Numbers are not deleted by numberpool itself; this keeps the 4-grams
-- right when an operator deletes rows by hand.
-- +goose StatementBegin
CREATE TRIGGER numbers_grams_delete AFTER DELETE ON numbers
BEGIN
    DELETE FROM pool_grams
    WHERE gram IN (SELECT substr(OLD.nsn, i, 4) FROM gram_positions WHERE i <= length(OLD.nsn) - 3)
      AND country = OLD.country AND nsn = OLD.nsn AND e164 = OLD.e164;
    DELETE FROM gram_pending WHERE e164 = OLD.e164;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER numbers_grams_delete;
DROP TRIGGER numbers_grams_insert;
DROP TABLE gram_pending;
DROP TABLE gram_positions;
DROP TABLE pool_grams;
DROP INDEX numbers_cooling_off;
DROP INDEX numbers_pool_type;
DROP INDEX numbers_pool;
ALTER TABLE numbers DROP COLUMN nsn;
