-- The sweeper deletes the rows of calls that ended, or that started without
-- an "ended", before the retention window. This index lets each batch read
-- only such rows instead of scanning the whole table.

-- +goose Up
CREATE INDEX calls_finished ON calls (coalesce(ended_at, started_at));

-- +goose Down
DROP INDEX calls_finished;
