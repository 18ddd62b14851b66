-- The register of dossiers also lists the numbers of its period whose dossier it does not
-- (submitted online then, not received in the period): read by the time submitted.
CREATE INDEX dossiers_office_submitted ON dossiers(office_id, submitted_at);
