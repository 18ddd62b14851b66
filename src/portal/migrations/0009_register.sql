-- The register of dossiers (`GET /registers/dossiers`) reads an office's dossiers by the
-- time they were received, in that order.
CREATE INDEX dossiers_office_received ON dossiers(office_id, received_at);
