//! dossier_code
