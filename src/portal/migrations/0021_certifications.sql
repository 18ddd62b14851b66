-- Issue 21: certification at the desk (chứng thực): one book per office, kind and year,
-- numbered from 1 with no gap and no repeat.

-- The last number given in each book. An entry bumps its book's row with
-- `INSERT … ON CONFLICT DO UPDATE … RETURNING` inside the entry's write transaction
-- (BEGIN IMMEDIATE): desks queue on the write lock, and a transaction rolled back gives
-- its number back with it, so the book has neither gaps nor repeats.
CREATE TABLE certification_books (
    office_id  INTEGER NOT NULL REFERENCES offices(id),
    kind       TEXT NOT NULL CHECK (kind IN ('copy', 'signature', 'contract')),
    year       INTEGER NOT NULL,
    last       INTEGER NOT NULL,
    PRIMARY KEY (office_id, kind, year)
) WITHOUT ROWID;

-- The entries. Applicant, document and official are copied in: the book says what was
-- certified, whatever happens to the accounts later. The fee is recorded as paid with
-- the entry (the citizen pays while waiting), `payment_method` saying how.
CREATE TABLE certifications (
    id                   INTEGER PRIMARY KEY,
    -- 32 lowercase hex digits (128 random bits): the API's `id`, which counts nothing.
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
    payment_method       TEXT NOT NULL CHECK (payment_method IN ('cash')),
    paid_at              TEXT NOT NULL,
    certified_at         TEXT NOT NULL,
    user_id              INTEGER NOT NULL,
    officer_name         TEXT NOT NULL,
    -- The office's name on the day, which the certificate prints.
    office_name          TEXT NOT NULL,
    -- The folded words of the applicant's and the document's names (domain::text).
    search_key           TEXT NOT NULL,
    text                 TEXT NOT NULL,
    UNIQUE (office_id, kind, year, number)
);
-- The book view: an office's entries, newest first.
CREATE INDEX certifications_office ON certifications (office_id, id);
