-- Each new upload discards the uploads never attached to a dossier and older than a day
-- (`routes/uploads.rs`). This index holds only the unattached ones, by age, so finding
-- them reads none of the attached history.
CREATE INDEX uploads_unattached ON uploads (created_at) WHERE dossier_id IS NULL;
