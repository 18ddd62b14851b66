-- The delta feed's cursor per office: each office's changes are numbered by a sequence
-- of its own, so the cursor an office reads moves only with its own dossiers and tells
-- nothing of how busy other offices are. (The table's `seq` stays the global order, for
-- pruning; no answer shows it any more.)
--
-- Existing rows keep their global number as their office number, and each office's
-- sequence goes on from the global newest: a cursor a client already holds stays valid.
ALTER TABLE changes ADD COLUMN office_seq INTEGER NOT NULL DEFAULT 0;
UPDATE changes SET office_seq = seq;
CREATE INDEX changes_office_feed ON changes(office_id, office_seq);

CREATE TABLE office_feed (
    office_id  INTEGER PRIMARY KEY,
    seq        INTEGER NOT NULL
);
INSERT INTO office_feed (office_id, seq)
    SELECT id, (SELECT COALESCE(MAX(seq), 0) FROM changes) FROM offices;
