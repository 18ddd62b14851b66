-- Digitization and the citizen's store (DOMAIN.md "Digitization"). A stored document is
-- a file (a complete upload, kept by the upload store) with its metadata, in the store
-- of the citizen it belongs to: scanned from paper at a desk (`digitized`) or issued by
-- the office as a result (`result`). `public_id` names it on the wire (32 random hex
-- digits, as citizens' ids): row ids would be guessable across citizens.
CREATE TABLE stored_documents (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    citizen_id      INTEGER NOT NULL REFERENCES citizens(id),
    kind            TEXT NOT NULL,
    doc_type        TEXT NOT NULL,
    number          TEXT,
    issued_on       TEXT,
    issuer          TEXT,
    valid_until     TEXT,
    upload_id       TEXT NOT NULL,
    source_dossier  TEXT NOT NULL,
    source_part     TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT
);
CREATE INDEX stored_documents_citizen ON stored_documents (citizen_id, id);
CREATE INDEX stored_documents_source ON stored_documents (source_dossier, kind);

-- A part's place in the store: `digitization` is 'digitized' (scanned in this dossier)
-- or 'reused' (taken from the store); NULL while it is paper only. The stored document
-- holds the metadata, so it is written once and the dossier and the store agree.
ALTER TABLE dossier_documents ADD COLUMN stored_document_id INTEGER;
ALTER TABLE dossier_documents ADD COLUMN digitization TEXT;
ALTER TABLE dossier_documents ADD COLUMN digitized_at TEXT;
ALTER TABLE dossier_documents ADD COLUMN digitized_by TEXT;

-- Every reuse, for the reuse counts of `GET /stats` (by office and time).
CREATE TABLE document_reuses (
    id                  INTEGER PRIMARY KEY,
    stored_document_id  INTEGER NOT NULL,
    dossier_id          INTEGER NOT NULL,
    office_id           INTEGER NOT NULL,
    part_id             TEXT NOT NULL,
    at                  TEXT NOT NULL,
    user_id             INTEGER
);
CREATE INDEX document_reuses_office_at ON document_reuses (office_id, at);
