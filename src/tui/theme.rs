//! Colour themes: `themes/*.toml`, built into the binary so an installed motcua needs no
//! files beside it; a file of the same name in the config directory's `themes/` wins.
//! `NO_COLOR` selects the monochrome theme, which draws states with modifiers.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;

const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

/// The styles the views draw with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub base: Style,
    pub muted: Style,
    pub accent: Style,
    pub border: Style,
    pub selection: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    pub training: Style,
}

#[derive(Debug, Deserialize)]
struct RawTheme {
    name: String,
    base: RawBase,
    selection: RawBlock,
    status: RawStatus,
    training: RawBlock,
}

#[derive(Debug, Deserialize)]
struct RawBase {
    fg: String,
    bg: String,
    muted: String,
    accent: String,
    border: String,
}

#[derive(Debug, Deserialize)]
struct RawBlock {
    fg: String,
    bg: String,
    #[serde(default)]
    modifiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawStatus {
    ok: String,
    warn: String,
    danger: String,
    #[serde(default)]
    ok_modifiers: Vec<String>,
    #[serde(default)]
    warn_modifiers: Vec<String>,
    #[serde(default)]
    danger_modifiers: Vec<String>,
}

/// Why a theme could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("theme '{name}': {problem}")]
pub struct ThemeError {
    pub name: String,
    pub problem: String,
}

impl Theme {
    /// The names of the built-in themes, for `:theme` completion.
    pub fn built_in_names() -> impl Iterator<Item = &'static str> {
        BUILT_IN.iter().map(|(n, _)| *n)
    }

    /// The theme called `name`: from `user_dir/<name>.toml` when that exists, else built in.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        let fail = |problem: String| ThemeError {
            name: name.to_owned(),
            problem,
        };
        if let Some(dir) = user_dir {
            let path = dir.join(format!("{name}.toml"));
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
                return Theme::parse(&text).map_err(fail);
            }
        }
        match BUILT_IN.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => Theme::parse(text).map_err(fail),
            None => Err(fail(format!(
                "no such theme (built in: {})",
                Theme::built_in_names().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// The theme to start with: monochrome when `NO_COLOR` is set, whatever is configured.
    pub fn choose(
        configured: Option<&str>,
        no_color: bool,
        user_dir: Option<&Path>,
    ) -> Result<Theme, ThemeError> {
        if no_color {
            return Theme::load("monochrome", user_dir);
        }
        Theme::load(configured.unwrap_or("default"), user_dir)
    }

    pub fn parse(text: &str) -> Result<Theme, String> {
        let raw: RawTheme = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let fg = color(&raw.base.fg)?;
        let bg = color(&raw.base.bg)?;
        let block = |b: &RawBlock| -> Result<Style, String> {
            Ok(Style::new()
                .fg(color(&b.fg)?)
                .bg(color(&b.bg)?)
                .add_modifier(modifiers(&b.modifiers)?))
        };
        let state = |c: &str, m: &[String]| -> Result<Style, String> {
            Ok(Style::new().fg(color(c)?).add_modifier(modifiers(m)?))
        };
        Ok(Theme {
            name: raw.name,
            base: Style::new().fg(fg).bg(bg),
            muted: Style::new().fg(color(&raw.base.muted)?),
            accent: Style::new().fg(color(&raw.base.accent)?),
            border: Style::new().fg(color(&raw.base.border)?),
            selection: block(&raw.selection)?,
            ok: state(&raw.status.ok, &raw.status.ok_modifiers)?,
            warn: state(&raw.status.warn, &raw.status.warn_modifiers)?,
            danger: state(&raw.status.danger, &raw.status.danger_modifiers)?,
            training: block(&raw.training)?,
        })
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::load("default", None).expect("the built-in default theme parses")
    }
}

fn color(name: &str) -> Result<Color, String> {
    if name == "reset" {
        return Ok(Color::Reset);
    }
    name.parse::<Color>()
        .map_err(|_| format!("'{name}' is not a colour (a name such as cyan, or #rrggbb)"))
}

fn modifiers(names: &[String]) -> Result<Modifier, String> {
    names.iter().try_fold(Modifier::empty(), |acc, name| {
        let m = match name.as_str() {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            other => {
                return Err(format!(
                    "'{other}' is not a modifier (bold, dim, italic, underlined, reversed)"
                ));
            }
        };
        Ok(acc | m)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses() {
        for name in Theme::built_in_names() {
            let theme = Theme::load(name, None).unwrap();
            assert_eq!(theme.name, name);
        }
    }

    #[test]
    fn no_color_selects_monochrome_with_a_visible_selection() {
        let theme = Theme::choose(Some("light"), true, None).unwrap();
        assert_eq!(theme.name, "monochrome");
        assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(theme.selection.fg, Some(Color::Reset));
    }

    #[test]
    fn unknown_theme_and_bad_colour_say_what_is_wrong() {
        let e = Theme::load("neon", None).unwrap_err();
        assert!(e.problem.contains("default"), "{e}");
        let text = include_str!("../../themes/default.toml").replace("\"cyan\"", "\"teal-ish\"");
        assert!(Theme::parse(&text).unwrap_err().contains("teal-ish"));
    }

    #[test]
    fn a_user_theme_file_wins_over_the_built_in_one() {
        let dir = tempfile::tempdir().unwrap();
        let text = include_str!("../../themes/default.toml")
            .replace("name = \"default\"", "name = \"mine\"");
        std::fs::write(dir.path().join("default.toml"), text).unwrap();
        assert_eq!(
            Theme::load("default", Some(dir.path())).unwrap().name,
            "mine"
        );
    }
}
