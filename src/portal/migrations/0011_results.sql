-- Issue 17: results given back, satisfaction ratings, and the notification outbox sent.

-- What `return_result` handed over (JSON of domain::results::Handover): who collected the
-- result and which originals and result documents, or the postal tracking code.
ALTER TABLE dossiers ADD COLUMN handover TEXT;

-- A step's structured detail beside its reason (JSON): the handover of `return_result`,
-- which the dossier's history shows with the step.
ALTER TABLE audit ADD COLUMN data TEXT;

-- One rating per dossier (the primary key keeps it to one, also under two desks at once).
CREATE TABLE ratings (
    dossier_id  INTEGER PRIMARY KEY REFERENCES dossiers(id),
    office_id   INTEGER NOT NULL REFERENCES offices(id),
    level       TEXT NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'unsatisfied')),
    comment     TEXT,
    channel     TEXT NOT NULL CHECK (channel IN ('desk', 'online')),
    rated_at    TEXT NOT NULL,
    -- The officer who recorded it at the desk, or the citizen's user.
    user_id     INTEGER NOT NULL
);
CREATE INDEX ratings_office ON ratings (office_id, level);

-- The notification outbox's sending (portal/notify). A notice's words are fixed when it
-- is queued, in the transaction of the step it tells: a retry sends the same message.
-- `next_attempt_at` (Unix seconds of the portal's clock) is when it is due; NULL once sent
-- or given up. `lease_until` is set when a worker claims it: no other worker takes it
-- until then, and a worker killed mid-send leaves it to be taken again after the lease.
ALTER TABLE notifications ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN next_attempt_at INTEGER DEFAULT 0;
ALTER TABLE notifications ADD COLUMN lease_until INTEGER;
ALTER TABLE notifications ADD COLUMN last_error TEXT;
-- 1: a training portal caught it (shown, never sent).
ALTER TABLE notifications ADD COLUMN caught INTEGER NOT NULL DEFAULT 0;

-- The password-reset notices queued before this migration get their words now.
UPDATE notifications
SET subject = 'Đặt lại mật khẩu tài khoản dịch vụ công',
    body = 'Bộ phận Một cửa vừa cấp mã kích hoạt mới cho tài khoản của ông/bà để đặt lại mật khẩu, theo yêu cầu của ông/bà tại quầy. Nếu ông/bà không yêu cầu, hãy liên hệ ngay Bộ phận Một cửa.'
WHERE event = 'password_reset' AND body = '';

DROP INDEX notifications_queued;
CREATE INDEX notifications_due ON notifications (next_attempt_at)
    WHERE status IN ('queued', 'failed') AND next_attempt_at IS NOT NULL;

-- A random name of this database, which every e-mail's Message-ID carries beside the
-- notice's id: two portals (two databases) never give two messages the same id, and a
-- notice sent again after a crash keeps its id, so that a mailbox can tell it is the same.
CREATE TABLE portal_identity (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    token  TEXT NOT NULL
);
INSERT INTO portal_identity (id, token) VALUES (1, lower(hex(randomblob(8))));
