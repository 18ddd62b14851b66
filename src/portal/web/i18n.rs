//! The words of the citizen pages, in Vietnamese and English: two flat catalogs
//! (`i18n/vi.toml`, `i18n/en.toml`) built into the binary. Templates ask for a key with
//! `l.tr("key")`; sentences with a value in them use `{name}` placeholders, filled by
//! [`fill`]. A test checks that both catalogs hold the same keys and placeholders and
//! that every key a template or the code names exists.

pub use crate::domain::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

const VI: &str = include_str!("i18n/vi.toml");
const EN: &str = include_str!("i18n/en.toml");

fn parse(text: &str) -> HashMap<String, String> {
    match toml::from_str::<HashMap<String, String>>(text) {
        Ok(map) => map,
        Err(e) => {
            // Caught by the catalog test long before a release; the pages then show keys.
            tracing::error!("citizen pages: a catalog does not parse: {e}");
            HashMap::new()
        }
    }
}

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    static CATALOGS: OnceLock<[HashMap<String, String>; 2]> = OnceLock::new();
    let [vi, en] = CATALOGS.get_or_init(|| [parse(VI), parse(EN)]);
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The text of `key` in `lang`; the key itself when the catalog lacks it (a test makes
/// sure none is lacking).
pub fn tr(lang: Lang, key: &str) -> &str {
    catalog(lang).get(key).map_or(key, String::as_str)
}

/// The text of `key` with its `{name}` placeholders filled.
pub fn fill(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    let mut text = tr(lang, key).to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Every key of a catalog, sorted (for the catalogs' test).
pub fn catalog_keys(lang: Lang) -> Vec<String> {
    let mut keys: Vec<String> = catalog(lang).keys().cloned().collect();
    keys.sort();
    keys
}

/// The catalog's raw text of `key` (for the catalogs' test of placeholders).
pub fn raw(lang: Lang, key: &str) -> Option<&'static str> {
    catalog(lang).get(key).map(String::as_str)
}
