//! Drafts on disk (per profile and user in the data directory: the intake wizard's, and
//! the citizens pane's unfinished account forms), and the system's print command. A
//! draft is written whole through a temporary file on every change, so a crash, a closed
//! laptop or a killed terminal loses nothing typed.

use crate::tui::intake::Draft;
use std::path::{Path, PathBuf};

/// `<data dir>/drafts/intake-<profile>-<user>.json`, with the names made safe for any
/// file system.
pub fn path(data_dir: &Path, profile: &str, user: &str) -> PathBuf {
    data_dir.join("drafts").join(format!(
        "intake-{}-{}.json",
        safe_name(profile),
        safe_name(user)
    ))
}

/// `<data dir>/drafts/citizens-<profile>-<user>.json`: the citizens pane's unfinished
/// account forms, a file beside the intake draft (either may be there alone).
pub fn citizens_path(data_dir: &Path, profile: &str, user: &str) -> PathBuf {
    data_dir.join("drafts").join(format!(
        "citizens-{}-{}.json",
        safe_name(profile),
        safe_name(user)
    ))
}

/// `<data dir>/drafts/certify-<profile>-<user>.json`: the certification being typed.
pub fn certify_path(data_dir: &Path, profile: &str, user: &str) -> PathBuf {
    data_dir.join("drafts").join(format!(
        "certify-{}-{}.json",
        safe_name(profile),
        safe_name(user)
    ))
}

/// A name made safe for any file system: ASCII letters and digits, `_` for the rest.
pub fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Forgets what this machine keeps for one profile: its users' intake drafts, outboxes
/// and catalog cache. `motcua training --reset` does it for the sandbox's profile, so a
/// new sandbox is not offered the last group's draft or sent their queued writes.
pub fn forget_profile(data_dir: &Path, profile: &str) -> std::io::Result<()> {
    let name = safe_name(profile);
    let drafts = format!("intake-{name}-");
    let citizens = format!("citizens-{name}-");
    let certify = format!("certify-{name}-");
    let outbox = format!("{name}_");
    for (dir, prefix) in [
        ("drafts", drafts.as_str()),
        ("drafts", citizens.as_str()),
        ("drafts", certify.as_str()),
        ("outbox", outbox.as_str()),
    ] {
        let Ok(entries) = std::fs::read_dir(data_dir.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            if !entry.file_name().to_string_lossy().starts_with(prefix) {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
    }
    match std::fs::remove_dir_all(data_dir.join("cache").join(&name)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

pub fn save(path: &Path, draft: &Draft) -> std::io::Result<()> {
    save_json(path, draft)
}

/// Writes JSON whole through a temporary file and a rename: a crash leaves the old file
/// or the new one, never half of one.
pub fn save_json<T: serde::Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.part");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// The saved draft; nothing when there is none or it cannot be read. A draft of an
/// older version, whose applicant's id was a number, comes back without the applicant:
/// the number stays in the lookup, for the officer to look the citizen up again (an
/// account of another office is then confirmed by date of birth).
pub fn load(path: &Path) -> Option<Draft> {
    let text = std::fs::read_to_string(path).ok()?;
    if serde_json::from_str::<Draft>(&text).is_err()
        && let Some(upgraded) = upgrade(&text)
    {
        return Some(upgraded);
    }
    load_json(path)
}

/// An older version's draft with its applicant dropped, if that is what kept it from
/// being read.
fn upgrade(text: &str) -> Option<Draft> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    let applicant = value.get("applicant")?;
    if !applicant
        .get("id")
        .is_some_and(serde_json::Value::is_number)
    {
        return None;
    }
    let number = applicant.get("id_number").cloned().unwrap_or_default();
    value["applicant"] = serde_json::Value::Null;
    if number.is_string() {
        value["lookup"] = number;
    }
    if value["step"] != "procedure" {
        value["step"] = "applicant".into();
    }
    serde_json::from_value(value).ok()
}

/// A JSON file written by [`save_json`]; nothing when there is none or it cannot be read
/// (an unreadable file is kept aside, not deleted, so that nothing is lost silently).
pub fn load_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(d) => Some(d),
        Err(e) => {
            tracing::warn!("unreadable {}: {e}", path.display());
            let _ = std::fs::rename(path, path.with_extension("json.unreadable"));
            None
        }
    }
}

pub fn delete(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Sends `text` to the first print command found (`lp`, then `lpr`); answers the
/// command's name, or why nothing was printed (worded by the screen, in its language).
pub fn print(text: &str) -> Result<String, crate::tui::action::PrintProblem> {
    use crate::tui::action::PrintProblem;
    use std::io::Write;
    for command in ["lp", "lpr"] {
        let child = std::process::Command::new(command)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else { continue };
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(text.as_bytes())
                .map_err(|e| PrintProblem::Broken(e.kind()))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| PrintProblem::Broken(e.kind()))?;
        if out.status.success() {
            return Ok(command.to_owned());
        }
        return Err(PrintProblem::Refused {
            command: command.to_owned(),
            said: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Err(PrintProblem::NoCommand)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_a_profile_leaves_the_other_profiles_alone() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        let keep = path(data, "Cổng tỉnh", "tiepnhan1");
        let gone = path(data, "Đào tạo (máy này)", "tiepnhan1");
        let forms_kept = citizens_path(data, "Cổng tỉnh", "tiepnhan1");
        let forms_gone = citizens_path(data, "Đào tạo (máy này)", "tiepnhan1");
        for p in [&keep, &gone, &forms_kept, &forms_gone] {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        let outbox_gone = data
            .join("outbox")
            .join(safe_name("Đào tạo (máy này)-tiepnhan1"));
        let outbox_kept = data.join("outbox").join(safe_name("Cổng tỉnh-tiepnhan1"));
        let cache_gone = data.join("cache").join(safe_name("Đào tạo (máy này)"));
        for d in [&outbox_gone, &outbox_kept, &cache_gone] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join("x"), "1").unwrap();
        }
        forget_profile(data, "Đào tạo (máy này)").unwrap();
        assert!(keep.exists() && outbox_kept.exists() && forms_kept.exists());
        assert!(!gone.exists() && !outbox_gone.exists() && !cache_gone.exists());
        assert!(!forms_gone.exists());
        // Nothing there at all is no error either.
        forget_profile(&data.join("nowhere"), "Đào tạo (máy này)").unwrap();
    }

    #[test]
    fn an_older_draft_with_a_numeric_citizen_id_comes_back_without_the_applicant() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("draft.json");
        let old = serde_json::json!({
            "saved_at": "2026-11-24T09:00:00+07:00",
            "step": "review",
            "procedure": "1.001193",
            "case_id": "dung_han",
            "lookup": "",
            "applicant": {
                "id": 7, "id_number": "083078238953", "legacy_id_number": null,
                "full_name": "Nguyễn Văn An", "date_of_birth": "1978-03-14", "gender": "male",
                "phone": "0384350158", "email": null, "address": "Bến Tre", "office_id": 1,
                "created_at": "2026-11-01T08:00:00+07:00", "activated": true
            },
            "activation": null,
            "new_citizen": null,
            "delivery": "in_person",
            "key": "k1",
            "cash_key": "k2"
        });
        std::fs::write(&file, old.to_string()).unwrap();
        let draft = load(&file).expect("the draft, upgraded");
        assert!(draft.applicant.is_none());
        assert_eq!(draft.lookup, "083078238953");
        assert_eq!(draft.step, crate::tui::intake::WizardStep::Applicant);
        assert_eq!(draft.procedure.as_deref(), Some("1.001193"));
        // Garbage is still set aside, never a panic.
        std::fs::write(&file, "{\"applicant\": ").unwrap();
        assert!(load(&file).is_none());
        assert!(file.with_extension("json.unreadable").exists());
    }
}
