-- The inbox list (`GET /dossiers`) with an office's whole history in the table (the load
-- benchmark has 70,000 dossiers in one office): a page must come off an index in the
-- list's own order, and a queue's `total` must be read, not counted.

-- The list sorts by COALESCE(due_at, '9999'), then code. Indexed on that expression, the
-- first page reads its 51 entries instead of sorting the office's every dossier, and a
-- cursor starts where the previous page ended. The search key rides along so that a
-- search (`?q=`) filters and counts on the index alone, without reading each dossier's
-- row (a fifth of the work). The second index does the same within one status: how a
-- queue's page is read, one status at a time.
CREATE INDEX dossiers_office_duekey
    ON dossiers (office_id, (COALESCE(due_at, '9999')), code, search_key);
CREATE INDEX dossiers_office_status_duekey
    ON dossiers (office_id, status, (COALESCE(due_at, '9999')), code);

-- How many dossiers each office has in each status, kept by triggers in the transaction
-- that inserts, moves or deletes a dossier, so no writer can forget it. The list's
-- `total` for a queue sums a few of these rows instead of counting tens of thousands.
-- (Triggers are SQLite's syntax; on PostgreSQL they become trigger functions.)
CREATE TABLE dossier_counts (
    office_id  INTEGER NOT NULL,
    status     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (office_id, status)
);
INSERT INTO dossier_counts (office_id, status, n)
    SELECT office_id, status, COUNT(*) FROM dossiers GROUP BY office_id, status;

CREATE TRIGGER dossier_counts_insert AFTER INSERT ON dossiers
BEGIN
    INSERT INTO dossier_counts (office_id, status, n) VALUES (NEW.office_id, NEW.status, 1)
        ON CONFLICT (office_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dossier_counts_update AFTER UPDATE OF office_id, status ON dossiers
WHEN OLD.office_id IS NOT NEW.office_id OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE dossier_counts SET n = n - 1
        WHERE office_id = OLD.office_id AND status = OLD.status;
    INSERT INTO dossier_counts (office_id, status, n) VALUES (NEW.office_id, NEW.status, 1)
        ON CONFLICT (office_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dossier_counts_delete AFTER DELETE ON dossiers
BEGIN
    UPDATE dossier_counts SET n = n - 1
        WHERE office_id = OLD.office_id AND status = OLD.status;
END;

-- Every creating POST forgets idempotency records older than a day; without an index
-- that is a scan of the whole table on each creation.
CREATE INDEX idempotency_created ON idempotency (created_at);
