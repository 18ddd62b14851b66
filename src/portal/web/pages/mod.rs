//! The pages' handlers, by area: the catalog, the lookup and the language switch
//! (`home`), registration and logging in (`account`), the submission's steps
//! (`submit`), attaching files (`files`), and the citizen's own dossiers (`mine`).

pub mod account;
pub mod files;
pub mod home;
pub mod mine;
pub mod submit;

use super::i18n::{self, Lang};
use crate::domain::catalog::{OnlineLevel, Procedure};
use crate::domain::fees::Channel as FeeChannel;

/// One option of a select or a group of radio buttons.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// A procedure as the catalog lists it.
pub struct Card {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: &'static str,
    pub online: bool,
    pub duration: String,
    pub fee: String,
}

impl Card {
    pub fn of(p: &Procedure, lang: Lang) -> Card {
        let first = p.cases.first();
        Card {
            code: p.code.clone(),
            name: p.name.clone(),
            field: p.field.clone(),
            level: p.online_level.label(lang),
            online: p.online_level != OnlineLevel::None,
            duration: first
                .map(|c| c.online_duration.describe(lang))
                .unwrap_or_default(),
            fee: first
                .map(|c| c.fees.rule(FeeChannel::Online).describe(lang))
                .unwrap_or_default(),
        }
    }
}

/// The level of a filter (`muc_do`): "3", "4", or "2" for information only.
pub fn level_of(value: Option<&str>) -> Option<OnlineLevel> {
    match value.map(str::trim) {
        Some("2") => Some(OnlineLevel::None),
        Some("3") => Some(OnlineLevel::Partial),
        Some("4") => Some(OnlineLevel::Full),
        _ => None,
    }
}

/// The choices of the level filter; `online_only` leaves out information-only.
pub fn level_choices(lang: Lang, chosen: Option<&str>, online_only: bool) -> Vec<Choice> {
    let chosen = chosen.unwrap_or("");
    let mut choices = vec![Choice::new(
        "",
        i18n::tr(lang, "all_levels"),
        chosen.is_empty(),
    )];
    let levels: &[(&str, OnlineLevel)] = if online_only {
        &[("3", OnlineLevel::Partial), ("4", OnlineLevel::Full)]
    } else {
        &[
            ("3", OnlineLevel::Partial),
            ("4", OnlineLevel::Full),
            ("2", OnlineLevel::None),
        ]
    };
    for (value, level) in levels {
        choices.push(Choice::new(*value, level.label(lang), chosen == *value));
    }
    choices
}

/// Trimmed text, `None` when empty.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
