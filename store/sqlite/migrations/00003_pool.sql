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
-- searches by type, which would otherwise walk past every number of the
-- other types (toll-free numbers sort after most local ones).
CREATE INDEX numbers_pool ON numbers (country, nsn, e164, type, capabilities)
    WHERE status = 'available';
CREATE INDEX numbers_pool_type ON numbers (country, type, nsn, e164, capabilities)
    WHERE status = 'available';

-- Released numbers by the end of their cooling-off period: for the sweeper,
-- and for searches, which also return the ones the sweeper has not reached.
CREATE INDEX numbers_cooling_off ON numbers (available_after)
    WHERE status = 'released';

-- +goose Down
DROP INDEX numbers_cooling_off;
DROP INDEX numbers_pool_type;
DROP INDEX numbers_pool;
ALTER TABLE numbers DROP COLUMN nsn;
