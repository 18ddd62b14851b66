-- The `total` of the overdue queue without counting the overdue dossiers one by one.
-- Overdue is not stored (a dossier becomes overdue as the clock passes its due time, with
-- no write), so it cannot be kept like `dossier_counts`. What can be kept is how many
-- dossiers of an office in a status fall due on each day: every day before today is then
-- past in full, and only today's dossiers are counted against the time of day. The total
-- costs a sum over the days that still have running dossiers plus one day's count, where
-- counting every overdue dossier cost a walk over thousands of index entries.
--
-- `due_day` is the local date of `due_at` (its first ten characters: every due time is
-- written at +07:00, as the list's cursors and filters already assume). Kept for every
-- status, so the triggers need no knowledge of which statuses' clocks run; the query
-- names those. Maintained by triggers in the transaction that writes the dossier.
CREATE TABLE due_counts (
    office_id  INTEGER NOT NULL,
    status     TEXT NOT NULL,
    due_day    TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (office_id, status, due_day)
) WITHOUT ROWID;
INSERT INTO due_counts (office_id, status, due_day, n)
    SELECT office_id, status, substr(due_at, 1, 10), COUNT(*) FROM dossiers
    WHERE due_at IS NOT NULL GROUP BY office_id, status, substr(due_at, 1, 10);

CREATE TRIGGER due_counts_insert AFTER INSERT ON dossiers
WHEN NEW.due_at IS NOT NULL
BEGIN
    INSERT INTO due_counts (office_id, status, due_day, n)
        VALUES (NEW.office_id, NEW.status, substr(NEW.due_at, 1, 10), 1)
        ON CONFLICT (office_id, status, due_day) DO UPDATE SET n = n + 1;
END;

-- An update leaves the old (office, status, day) and joins the new one, when either
-- differs; a due time set or cleared only joins or only leaves.
CREATE TRIGGER due_counts_update_leave AFTER UPDATE OF office_id, status, due_at ON dossiers
WHEN OLD.due_at IS NOT NULL AND (OLD.office_id IS NOT NEW.office_id
    OR OLD.status IS NOT NEW.status
    OR substr(OLD.due_at, 1, 10) IS NOT substr(NEW.due_at, 1, 10))
BEGIN
    UPDATE due_counts SET n = n - 1
        WHERE office_id = OLD.office_id AND status = OLD.status
          AND due_day = substr(OLD.due_at, 1, 10);
END;

CREATE TRIGGER due_counts_update_join AFTER UPDATE OF office_id, status, due_at ON dossiers
WHEN NEW.due_at IS NOT NULL AND (OLD.office_id IS NOT NEW.office_id
    OR OLD.status IS NOT NEW.status
    OR substr(OLD.due_at, 1, 10) IS NOT substr(NEW.due_at, 1, 10))
BEGIN
    INSERT INTO due_counts (office_id, status, due_day, n)
        VALUES (NEW.office_id, NEW.status, substr(NEW.due_at, 1, 10), 1)
        ON CONFLICT (office_id, status, due_day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER due_counts_delete AFTER DELETE ON dossiers
WHEN OLD.due_at IS NOT NULL
BEGIN
    UPDATE due_counts SET n = n - 1
        WHERE office_id = OLD.office_id AND status = OLD.status
          AND due_day = substr(OLD.due_at, 1, 10);
END;
