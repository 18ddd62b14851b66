-- Issue 19: numbers of an office's day leased to one reception officer for intake with
-- the link down. Leasing moves the day's counter past the block, so no other intake is
-- given one of them; the officer's client numbers dossiers from it offline and sends
-- them when the link returns. A number of a lease is, at any time, used (a dossier has
-- that code), voided (a row of `code_voids`, with its reason) or still held.
CREATE TABLE code_leases (
    id          INTEGER PRIMARY KEY,
    -- What the API calls the lease: opaque, never sequential.
    public_id   TEXT NOT NULL UNIQUE,
    office_id   INTEGER NOT NULL REFERENCES offices(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    -- The day whose numbers these are (YYYY-MM-DD at +07:00): the date in their codes.
    day         TEXT NOT NULL,
    -- The first number and how many: first .. first + count - 1 of the day's counter.
    first       INTEGER NOT NULL CHECK (first >= 1),
    count       INTEGER NOT NULL CHECK (count BETWEEN 1 AND 50),
    created_at  TEXT NOT NULL,
    -- The end of the day: the last moment a dossier may be received on one of them.
    expires_at  TEXT NOT NULL
);
CREATE INDEX code_leases_by_user ON code_leases (user_id, day);
CREATE INDEX code_leases_by_office ON code_leases (office_id, day);

-- Numbers of a lease that will never be used, with why: the register lists them, so the
-- day's numbers have no silent gap.
CREATE TABLE code_voids (
    code        TEXT PRIMARY KEY,
    lease_id    INTEGER NOT NULL REFERENCES code_leases(id),
    reason      TEXT NOT NULL,
    voided_at   TEXT NOT NULL,
    voided_by   TEXT NOT NULL
);
CREATE INDEX code_voids_by_lease ON code_voids (lease_id);
