-- Facts about a sandbox database: where the training journal starts (the last audit row
-- the demo seed wrote), so exercises judge only what the trainee did.
CREATE TABLE sandbox (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
