-- The attempt counters of the login throttle and its kin (src/portal/throttle.rs), in the
-- database, so that every portal process sharing it counts a guesser's attempts
-- together: one row per key (an account, a client address, a dossier code), counted
-- within a window that starts at the key's first attempt. An SQLite portal is one
-- process and keeps these counters in memory: SQLite has no such table.
CREATE TABLE throttle_counters (
    key    TEXT PRIMARY KEY,
    count  BIGINT NOT NULL,
    -- Unix seconds: when the key's window started.
    start  BIGINT NOT NULL,
    -- 1 once a refusal of the key in this window was audited (one audit row a window).
    noted  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX throttle_counters_start ON throttle_counters (start);
