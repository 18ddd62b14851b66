-- The due time in force before and after each step of a dossier. `dossiers.due_at` holds
-- only the latest one, but the apology (form 04) must name the due that was missed and the
-- control sheet (form 05) judges every hand-off against the due of its own moment. Rows
-- written before this migration leave them NULL; readers fall back to the current due.
ALTER TABLE audit ADD COLUMN due_before TEXT;
ALTER TABLE audit ADD COLUMN due_after TEXT;
