//! The colour themes in `themes/`: the four the design names, each complete.

use std::path::Path;

const SECTIONS: &[(&str, &[&str])] = &[
    ("base", &["fg", "bg", "muted", "accent", "border"]),
    ("selection", &["fg", "bg", "modifiers"]),
    ("status", &["ok", "warn", "danger"]),
    ("training", &["fg", "bg", "modifiers"]),
];

#[test]
fn the_four_themes_are_complete() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    for name in ["default", "light", "high-contrast", "monochrome"] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.toml"))).unwrap();
        let theme: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(theme["name"].as_str(), Some(name));
        for (section, keys) in SECTIONS {
            let table = theme[*section].as_table().unwrap();
            for key in *keys {
                assert!(table.contains_key(*key), "{name}: [{section}] lacks {key}");
            }
        }
        // The selection must stay visible without colour: monochrome draws it reversed.
        let selection = theme["selection"]["modifiers"].as_array().unwrap();
        if name == "monochrome" {
            assert!(selection.iter().any(|m| m.as_str() == Some("reversed")));
        }
    }
}
