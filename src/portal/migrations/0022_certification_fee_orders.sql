-- Issue 21: a certification's fee paid by VietQR. The desk makes a fee order (the amount
-- and a transfer note `CT` + 8 characters), shows its QR, the gateway's signed notice pays
-- it, and the entry made with it records `vietqr` and the order. An order pays for one
-- entry only.
CREATE TABLE certification_fee_orders (
    id                INTEGER PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    office_id         INTEGER NOT NULL REFERENCES offices(id),
    amount            INTEGER NOT NULL CHECK (amount > 0),
    created_at        TEXT NOT NULL,
    user_id           INTEGER NOT NULL,
    paid_at           TEXT,
    transaction_id    TEXT,
    -- The entry it paid for (certifications.id), once one was made with it.
    certification_id  INTEGER UNIQUE
);

-- The entries may now be paid by VietQR: SQLite cannot widen a CHECK in place, so the
-- table is rebuilt with the same rows (nothing refers to it yet).
CREATE TABLE certifications_next (
    id                   INTEGER PRIMARY KEY,
    public_id            TEXT NOT NULL UNIQUE,
    office_id            INTEGER NOT NULL REFERENCES offices(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('copy', 'signature', 'contract')),
    act                  TEXT CHECK (act IN ('contract', 'amendment', 'correction')),
    year                 INTEGER NOT NULL,
    number               INTEGER NOT NULL CHECK (number >= 1),
    book                 TEXT NOT NULL,
    citizen_id           INTEGER REFERENCES citizens(id),
    applicant_name       TEXT NOT NULL,
    applicant_id_number  TEXT NOT NULL,
    document_name        TEXT NOT NULL,
    pages                INTEGER NOT NULL CHECK (pages >= 1),
    copies               INTEGER NOT NULL CHECK (copies >= 1),
    note                 TEXT,
    fee                  INTEGER NOT NULL CHECK (fee >= 0),
    payment_method       TEXT NOT NULL CHECK (payment_method IN ('cash', 'vietqr')),
    -- The fee order's reference when paid by VietQR.
    fee_order            TEXT,
    paid_at              TEXT NOT NULL,
    certified_at         TEXT NOT NULL,
    user_id              INTEGER NOT NULL,
    officer_name         TEXT NOT NULL,
    office_name          TEXT NOT NULL,
    search_key           TEXT NOT NULL,
    text                 TEXT NOT NULL,
    UNIQUE (office_id, kind, year, number),
    CHECK ((payment_method = 'vietqr') = (fee_order IS NOT NULL))
);
INSERT INTO certifications_next (id, public_id, office_id, kind, act, year, number, book,
    citizen_id, applicant_name, applicant_id_number, document_name, pages, copies, note, fee,
    payment_method, fee_order, paid_at, certified_at, user_id, officer_name, office_name,
    search_key, text)
SELECT id, public_id, office_id, kind, act, year, number, book, citizen_id, applicant_name,
    applicant_id_number, document_name, pages, copies, note, fee, payment_method, NULL,
    paid_at, certified_at, user_id, officer_name, office_name, search_key, text
FROM certifications;
DROP TABLE certifications;
ALTER TABLE certifications_next RENAME TO certifications;
CREATE INDEX certifications_office ON certifications (office_id, id);
