//! Every string the TUI shows, one catalog per language (`i18n/vi.toml`, `i18n/en.toml`),
//! built into the binary. Tests fail when a key is missing in either catalog or when the
//! code asks for a key neither has. Domain labels (statuses, actions, roles) come from
//! `crate::domain`, which already speaks both languages.

use crate::domain::Lang;
use std::collections::HashMap;
use std::sync::LazyLock;

const VI: &str = include_str!("i18n/vi.toml");
const EN: &str = include_str!("i18n/en.toml");

fn parse(text: &str) -> HashMap<String, String> {
    // The catalogs are part of the binary and checked by tests; an unreadable one is a
    // build defect, and an empty map makes every lookup fall back to its key.
    toml::from_str(text).unwrap_or_default()
}

static CATALOGS: LazyLock<[HashMap<String, String>; 2]> = LazyLock::new(|| [parse(VI), parse(EN)]);

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    match lang {
        Lang::Vi => &CATALOGS[0],
        Lang::En => &CATALOGS[1],
    }
}

/// The text for `key`; the key itself when missing (a test keeps that from shipping).
pub fn tr(lang: Lang, key: &'static str) -> &'static str {
    catalog(lang).get(key).map(String::as_str).unwrap_or(key)
}

/// The text for a key built at run time (help lines: `key.<command>`), if the catalog has it.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    catalog(lang).get(key).map(String::as_str)
}

/// The text for `key` with each `{name}` replaced by its value.
pub fn trf(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    let mut text = tr(lang, key).to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The keys of a catalog (for tests and tools).
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = catalog(lang).keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogs_parse_and_hold_the_same_keys() {
        let vi: BTreeSet<_> = toml::from_str::<HashMap<String, String>>(VI)
            .expect("vi.toml parses")
            .into_keys()
            .collect();
        let en: BTreeSet<_> = toml::from_str::<HashMap<String, String>>(EN)
            .expect("en.toml parses")
            .into_keys()
            .collect();
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(only_vi.is_empty(), "missing in en.toml: {only_vi:?}");
        assert!(only_en.is_empty(), "missing in vi.toml: {only_en:?}");
    }

    /// Scans the TUI's source for `tr(…, "key")`-style lookups and every keymap command's
    /// help key, and checks the catalog has each.
    #[test]
    fn every_key_the_code_uses_is_in_the_catalog() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
        let mut used = BTreeSet::new();
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    collect_keys(&text, &mut used);
                }
            }
        }
        for name in crate::tui::keymap::Keymap::names() {
            used.insert(format!("key.{name}"));
        }
        assert!(
            used.len() > 50,
            "the scan found too few keys: {}",
            used.len()
        );
        let known: BTreeSet<_> = keys(Lang::Vi).into_iter().map(str::to_owned).collect();
        let missing: Vec<_> = used.difference(&known).collect();
        assert!(
            missing.is_empty(),
            "keys used but not in the catalogs: {missing:?}"
        );
    }

    /// Finds the catalog keys a source file names: string literals of the form
    /// `"namespace.key"` whose namespace the catalogs use (`detail.`, `toast.`…), wherever
    /// they appear (in `tr` calls or in helpers that pass a key on).
    fn collect_keys(text: &str, out: &mut BTreeSet<String>) {
        let namespaces: BTreeSet<&str> = keys(Lang::Vi)
            .into_iter()
            .filter_map(|k| k.split('.').next())
            .collect();
        for (n, piece) in text.split('"').enumerate() {
            // Odd pieces are inside quotes.
            if n % 2 == 0 {
                continue;
            }
            let Some((ns, rest)) = piece.split_once('.') else {
                continue;
            };
            let plain = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            };
            if namespaces.contains(ns) && plain(ns) && plain(rest) {
                out.insert(piece.to_owned());
            }
        }
    }

    /// A translation that drops or invents a `{placeholder}` would show a raw brace.
    #[test]
    fn both_languages_use_the_same_placeholders() {
        fn names(text: &str) -> BTreeSet<&str> {
            text.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n))
                .collect()
        }
        for key in keys(Lang::Vi) {
            let vi = lookup(Lang::Vi, key).unwrap();
            let en = lookup(Lang::En, key).unwrap_or("");
            assert_eq!(names(vi), names(en), "{key}");
        }
        let filled = trf(
            Lang::En,
            "toast.acted",
            &[
                ("code", "X-1"),
                ("action", "Receive"),
                ("status", "Received"),
            ],
        );
        assert!(!filled.contains('{'), "{filled}");
    }
}
