-- The pool's search, the twin of the SQLite store's. nsn is the national
-- significant number: the E.164 form without "+" and the country calling
-- code. Calling codes are prefix-free and 1 to 3 digits long; 1 and 7 are the
-- only one-digit codes and the list below holds every two-digit code, so the
-- length follows from the first digits. The "C" collation orders digit
-- strings byte by byte, which the prefix ranges of searches rely on.

-- +goose Up
ALTER TABLE numbers ADD COLUMN nsn TEXT COLLATE "C" GENERATED ALWAYS AS (substr(e164, 2 + CASE
    WHEN substr(e164, 2, 1) IN ('1', '7') THEN 1
    WHEN substr(e164, 2, 2) IN ('20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41',
        '43', '44', '45', '46', '47', '48', '49', '51', '52', '53', '54', '55', '56', '57', '58',
        '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93',
        '94', '95', '98') THEN 2
    ELSE 3 END)) STORED;

-- Searches read their page in the order of one of these indexes: national
-- number, then E.164. The INCLUDE columns let an index-only scan skip
-- numbers that other filters reject.
CREATE INDEX numbers_pool ON numbers (country, nsn, e164) INCLUDE (type, capabilities)
    WHERE status = 'available';
CREATE INDEX numbers_pool_type ON numbers (country, type, nsn, e164) INCLUDE (capabilities)
    WHERE status = 'available';

-- Released numbers by the end of their cooling-off period: for the sweeper,
-- and for searches, which also return the ones no sweeper has reached.
CREATE INDEX numbers_cooling_off ON numbers (available_after)
    WHERE status = 'released';

-- +goose Down
DROP INDEX numbers_cooling_off;
DROP INDEX numbers_pool_type;
DROP INDEX numbers_pool;
ALTER TABLE numbers DROP COLUMN nsn;
