-- The lengths of the national numbers each country has, or had, in the
-- table. A search with digit patterns computes from them where matches can
-- lie in the order of numbers_pool and seeks past the rest, which is only
-- safe when no number has a length missing here. A trigger keeps it, so
-- every way a row arrives adds its length. Rows are never removed: a
-- length no number has any more can only make those searches read more
-- numbers in order, as a long one does where it could hold a pattern after
-- a shorter number.

-- +goose Up
CREATE TABLE nsn_lengths (
    country TEXT    NOT NULL,
    length  INTEGER NOT NULL,
    PRIMARY KEY (country, length)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO nsn_lengths (country, length)
SELECT DISTINCT country, length(nsn) FROM numbers;

-- +goose StatementBegin
CREATE TRIGGER numbers_nsn_length_insert AFTER INSERT ON numbers
BEGIN
    INSERT OR IGNORE INTO nsn_lengths (country, length) VALUES (NEW.country, length(NEW.nsn));
END;
-- +goose StatementEnd

-- numberpool never changes the number or country of a row; this keeps the
-- lengths right when an operator does.
-- +goose StatementBegin
CREATE TRIGGER numbers_nsn_length_update AFTER UPDATE OF e164, country ON numbers
BEGIN
    INSERT OR IGNORE INTO nsn_lengths (country, length) VALUES (NEW.country, length(NEW.nsn));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER numbers_nsn_length_update;
DROP TRIGGER numbers_nsn_length_insert;
DROP TABLE nsn_lengths;
