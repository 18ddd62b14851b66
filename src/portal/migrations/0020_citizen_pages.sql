-- The citizen pages (`src/portal/web`, issue 20): their own cookie sessions, the drafts
-- of online submissions kept between the 13 steps, and the confirmation codes of step
-- 12. Numbered 0020 (the issue) so that migrations added meanwhile by other work keep
-- their numbers; sqlx applies every migration it has not applied, in any order.

-- A browser's session, apart from the API's bearer tokens (`sessions`): a cookie is
-- never a token of the API, nor the other way round. Only the SHA-256 of the cookie is
-- kept; `csrf` is the session's form token, compared on every POST.
CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);

-- An online submission being prepared: what the citizen chose and attached so far, as
-- JSON, so that a cut link, a closed tab or another phone loses nothing. `dossier_code`
-- is set in the transaction that submits it, so a repeated submit finds the dossier.
CREATE TABLE web_drafts (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    body          TEXT NOT NULL,
    dossier_code  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX web_drafts_user ON web_drafts(user_id, updated_at);

-- The confirmation code of step 12: an image (or, for whoever cannot see it, a question
-- in words), whose answer is kept only as a digest, spent on its first check.
CREATE TABLE web_challenges (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    answer_hash  TEXT NOT NULL,
    image        BLOB,
    question     TEXT,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX web_challenges_user ON web_challenges(user_id);
