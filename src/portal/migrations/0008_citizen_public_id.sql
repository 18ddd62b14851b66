-- Citizens are named on the wire by an opaque random id, never by the row id: row ids
-- are sequential, and a sequential id invites guessing another office's citizens.
-- `public_id` is 32 lowercase hex digits from 16 random bytes (128 bits). New rows get
-- theirs from the portal (`routes/citizens.rs`, the seed, the bulk loader); the trigger
-- refuses a row without one, since a column added by ALTER TABLE cannot be NOT NULL
-- without a constant default.
ALTER TABLE citizens ADD COLUMN public_id TEXT;
UPDATE citizens SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX citizens_public_id ON citizens(public_id);
CREATE TRIGGER citizens_public_id_required BEFORE INSERT ON citizens
WHEN NEW.public_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'citizens.public_id is required');
END;
CREATE TRIGGER citizens_public_id_fixed BEFORE UPDATE OF public_id ON citizens
WHEN NEW.public_id IS NOT OLD.public_id
BEGIN
    SELECT RAISE(ABORT, 'citizens.public_id never changes');
END;

-- A dossier keeps its applicant as submitted, in `detail`: the id there becomes the
-- public one too.
UPDATE dossiers SET detail = json_set(detail, '$.applicant.citizen_id',
    (SELECT c.public_id FROM citizens c WHERE c.id = dossiers.applicant_id))
WHERE json_valid(detail) AND json_type(detail, '$.applicant.citizen_id') = 'integer';

-- The notification outbox: messages to citizens, queued in the transaction of what they
-- tell, and sent later by a notification worker (not built yet: rows stay `queued`).
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    dossier_code  TEXT,
    citizen_id    INTEGER NOT NULL REFERENCES citizens(id),
    event         TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient     TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    sent_at       TEXT
);
CREATE INDEX notifications_queued ON notifications (id) WHERE status = 'queued';
CREATE INDEX notifications_citizen ON notifications (citizen_id);
CREATE INDEX notifications_dossier ON notifications (dossier_code) WHERE dossier_code IS NOT NULL;
