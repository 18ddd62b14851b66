-- The reference portal's schema. Times are RFC 3339 strings at +07:00, so that text
-- order is time order; instants used only for expiry arithmetic are Unix seconds.
-- Plain SQL that SQLite and PostgreSQL both accept, apart from the integer keys.

CREATE TABLE offices (
    id            INTEGER PRIMARY KEY,
    number        INTEGER NOT NULL UNIQUE,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    address       TEXT NOT NULL,
    phone         TEXT NOT NULL,
    bank_bin      TEXT NOT NULL,
    bank_account  TEXT NOT NULL,
    account_name  TEXT NOT NULL
);

CREATE TABLE citizens (
    id                INTEGER PRIMARY KEY,
    office_id         INTEGER NOT NULL REFERENCES offices(id),
    id_number         TEXT NOT NULL UNIQUE,
    legacy_id_number  TEXT,
    full_name         TEXT NOT NULL,
    search_key        TEXT NOT NULL,
    date_of_birth     TEXT NOT NULL,
    gender            TEXT NOT NULL,
    phone             TEXT NOT NULL,
    email             TEXT,
    address           TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX citizens_office ON citizens(office_id);

-- Staff and citizens log in alike; a citizen's username is the 12-digit number.
-- password_hash is NULL until a citizen activates the account.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL,
    role           TEXT NOT NULL,
    office_id      INTEGER REFERENCES offices(id),
    citizen_id     INTEGER REFERENCES citizens(id),
    password_hash  TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);

-- Opaque bearer tokens, stored as their SHA-256 only.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One live activation code per citizen, hashed; single use.
CREATE TABLE activation_codes (
    citizen_id  INTEGER PRIMARY KEY REFERENCES citizens(id),
    code_hash   TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- The catalog: each procedure as its JSON document, with the columns filters need.
CREATE TABLE procedures (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    field         TEXT NOT NULL,
    online_level  TEXT NOT NULL,
    search_key    TEXT NOT NULL,
    body          TEXT NOT NULL,
    version       INTEGER NOT NULL
);

CREATE TABLE dossiers (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    office_id         INTEGER NOT NULL REFERENCES offices(id),
    procedure_code    TEXT NOT NULL REFERENCES procedures(code),
    procedure_name    TEXT NOT NULL,
    case_id           TEXT NOT NULL,
    applicant_id      INTEGER NOT NULL REFERENCES citizens(id),
    applicant_name    TEXT NOT NULL,
    search_key        TEXT NOT NULL,
    channel           TEXT NOT NULL,
    status            TEXT NOT NULL,
    version           INTEGER NOT NULL,
    submitted_at      TEXT NOT NULL,
    received_at       TEXT,
    due_at            TEXT,
    extensions        INTEGER NOT NULL DEFAULT 0,
    assignee_id       INTEGER,
    fee_amount        INTEGER NOT NULL,
    payment_status    TEXT NOT NULL,
    paid_at           TEXT,
    payment_method    TEXT,
    receipt_no        TEXT,
    delivery_method   TEXT NOT NULL,
    delivery_address  TEXT,
    submitter         TEXT NOT NULL,
    note              TEXT,
    detail            TEXT NOT NULL,
    returned_at       TEXT,
    timeliness        TEXT,
    -- the latest supplement request: {"reason": …, "missing_documents": [...]}
    supplement        TEXT,
    -- the specialist's proposal: approved | denied, and its summary
    result            TEXT,
    result_summary    TEXT,
    recipient         TEXT,
    change_seq        INTEGER NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX dossiers_office_status_due ON dossiers(office_id, status, due_at);
CREATE INDEX dossiers_office_due ON dossiers(office_id, due_at);
CREATE INDEX dossiers_applicant ON dossiers(applicant_id);

-- The daily counter of dossier codes, per office, bumped in the creating transaction.
CREATE TABLE dossier_counters (
    office_id  INTEGER NOT NULL,
    day        TEXT NOT NULL,
    last       INTEGER NOT NULL,
    PRIMARY KEY (office_id, day)
);

CREATE TABLE dossier_documents (
    dossier_id  INTEGER NOT NULL REFERENCES dossiers(id),
    part_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    originals   INTEGER NOT NULL,
    copies      INTEGER NOT NULL,
    on_paper    INTEGER NOT NULL,
    upload_id   TEXT,
    PRIMARY KEY (dossier_id, part_id)
);

-- Resumable uploads; the bytes live in files beside the database.
CREATE TABLE uploads (
    id            TEXT PRIMARY KEY,
    owner_id      INTEGER NOT NULL,
    filename      TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    received      INTEGER NOT NULL DEFAULT 0,
    complete      INTEGER NOT NULL DEFAULT 0,
    dossier_id    INTEGER,
    created_at    TEXT NOT NULL
);

-- The delta feed: one row per change of a dossier, newest wins; pruned from the oldest.
CREATE TABLE changes (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id     INTEGER NOT NULL,
    dossier_code  TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX changes_office_seq ON changes(office_id, seq);

-- Gateway callbacks already applied, so a replay changes nothing.
CREATE TABLE payment_notifications (
    transaction_id  TEXT PRIMARY KEY,
    dossier_code    TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    received_at     TEXT NOT NULL
);

-- The first response to each (user, key), replayed to retries.
CREATE TABLE idempotency (
    user_id       INTEGER NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    response      TEXT,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Every login, transition and refused access. No foreign keys: rows outlive accounts.
CREATE TABLE audit (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    user_id       INTEGER,
    username      TEXT,
    role          TEXT,
    office_id     INTEGER,
    event         TEXT NOT NULL,
    dossier_code  TEXT,
    from_status   TEXT,
    to_status     TEXT,
    reason        TEXT,
    detail        TEXT,
    client        TEXT
);
CREATE INDEX audit_dossier ON audit(dossier_code, id);
