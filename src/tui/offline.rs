//! The desk's session kept for an outage (issue 19): who logged in last on this machine,
//! so that with the link down from the start the officer can still log in and take
//! dossiers in, which the outbox sends when the link returns.
//!
//! After each login that the portal answered, the desk keeps the officer's account (the
//! portal's `GET /me`: name, role, office) and an argon2id hash of the password typed,
//! in `offline/<profile>-<user>/session.json` under the data directory; never the
//! password, never the token. A login the portal cannot answer is checked against that
//! hash: the officer works on, the writes queue, and the first request that reaches the
//! portal asks for a real login (401), after which the queue goes. A session kept longer
//! than `[offline] keep_days` without an online login is refused and wiped: a desk
//! abandoned for a month does not open on an old password.

use crate::api::auth::{Me, OfficeRef};
use crate::api::citizens::Citizen;
use crate::api::dossiers::{
    Applicant, Channel, CreateDossier, Document, Dossier, Fee, NamedRef, PaymentStatus,
};
use crate::client::citizen_cache::{self, CacheOwner, CachedCitizen, CitizenCache};
use crate::client::token_store::TokenStore;
use crate::domain::Lang;
use crate::domain::calendar::Calendar;
use crate::domain::calendar::LocalTime;
use crate::domain::catalog::Procedure;
use crate::domain::fees::{Channel as FeeChannel, FeeInput};
use crate::domain::status::Status;
use crate::tui::drafts::safe_name;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Saved {
    me: Me,
    /// argon2id (PHC string) of the password of the last online login.
    verifier: String,
    /// RFC 3339: when the portal last let this officer in (the portal's time).
    saved_at: String,
    /// The portal's time less the desk's own clock then, in seconds: after a restart
    /// with the link down the desk cannot ask the portal the time, and a desk's clock is
    /// often off (the numbers held are for the portal's day).
    #[serde(default)]
    shift_s: i64,
}

/// Where the session of `user` on portal `profile` is kept.
pub fn session_path(data_dir: &Path, profile: &str, user: &str) -> PathBuf {
    data_dir
        .join("offline")
        .join(safe_name(&format!("{profile}-{user}")))
        .join("session.json")
}

/// Keeps `me` and a hash of `password` after an online login (on the blocking pool: the
/// hash takes tens of milliseconds and 19 MiB).
pub fn remember(
    path: &Path,
    me: &Me,
    password: &str,
    now: LocalTime,
    desk_now: LocalTime,
) -> std::io::Result<()> {
    let verifier = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .to_string();
    let saved = Saved {
        me: me.clone(),
        verifier,
        saved_at: now.to_rfc3339(),
        shift_s: (now - desk_now).num_seconds(),
    };
    let bytes = serde_json::to_vec(&saved).map_err(std::io::Error::other)?;
    replace(path, &bytes)
}

/// Why the desk could not open an offline session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Nobody of this name logged in online on this machine (or the copy is damaged).
    NoSession,
    /// Not the password of the last online login.
    WrongPassword,
    /// The last online login is older than `keep_days`: the copy is wiped.
    TooOld { days: u32 },
}

impl Refusal {
    /// What the officer reads after "the portal cannot be reached".
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::NoSession, Lang::Vi) => "Không đăng nhập ngoại tuyến được: tài khoản này \
                chưa từng đăng nhập trực tuyến trên máy này. Hãy đăng nhập khi có mạng một lần, \
                hoặc dùng máy đã đăng nhập."
                .into(),
            (Refusal::NoSession, Lang::En) => "No offline login: this account never logged in \
                online on this machine. Log in once while the link works, or use a desk that has."
                .into(),
            (Refusal::WrongPassword, Lang::Vi) => "Mật khẩu không khớp với lần đăng nhập trực \
                tuyến gần nhất trên máy này. Hãy nhập lại."
                .into(),
            (Refusal::WrongPassword, Lang::En) => "The password does not match the last online \
                login on this machine. Type it again."
                .into(),
            (Refusal::TooOld { days }, Lang::Vi) => format!(
                "Không đăng nhập ngoại tuyến được: lần đăng nhập trực tuyến gần nhất đã quá \
                 {days} ngày, bản lưu trên máy đã bị xoá. Hãy đăng nhập khi có mạng."
            ),
            (Refusal::TooOld { days }, Lang::En) => format!(
                "No offline login: the last online login is over {days} days old and the copy \
                 on this machine was wiped. Log in while the link works."
            ),
        }
    }
}

/// The offline login: the account kept for `path` when `password` is that of the last
/// online login, no more than `keep_days` ago; with the portal's time now as the desk
/// reckons it from its own clock, `desk_now`, and the difference kept.
pub fn check(
    path: &Path,
    password: &str,
    desk_now: LocalTime,
    keep_days: u32,
) -> Result<(Me, LocalTime), Refusal> {
    let saved = std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Saved>(&b).ok())
        .ok_or(Refusal::NoSession)?;
    let at = crate::clock::parse_instant(&saved.saved_at).map_err(|_| Refusal::NoSession)?;
    let now = desk_now + chrono::TimeDelta::seconds(saved.shift_s);
    if now - at > chrono::TimeDelta::days(i64::from(keep_days)) {
        forget(path);
        return Err(Refusal::TooOld { days: keep_days });
    }
    let hash = argon2::PasswordHash::new(&saved.verifier).map_err(|_| Refusal::NoSession)?;
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .map_err(|_| Refusal::WrongPassword)?;
    Ok((saved.me, now))
}

/// The account kept for `path`, no more than `keep_days` old, without a password: for a
/// session resumed with the token the keyring kept, when the portal cannot say whose
/// it is.
pub fn kept_me(path: &Path, desk_now: LocalTime, keep_days: u32) -> Option<(Me, LocalTime)> {
    let saved = std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Saved>(&b).ok())?;
    let at = crate::clock::parse_instant(&saved.saved_at).ok()?;
    let now = desk_now + chrono::TimeDelta::seconds(saved.shift_s);
    (now - at <= chrono::TimeDelta::days(i64::from(keep_days))).then_some((saved.me, now))
}

/// Wipes the kept session (logout asked for it, or too old).
pub fn forget(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Wipes everything the desk kept of `user` for an outage (`:logout wipe`): the kept
/// session, the copy of citizens and its key in the keyring (without which no copy of
/// the file left on the disk's blocks can be read).
pub fn wipe(data_dir: &Path, profile: &str, user: &str, keyring: Option<&mut TokenStore>) {
    forget(&session_path(data_dir, profile, user));
    if let Err(e) = CitizenCache::wipe(&citizens_path(data_dir, profile, user)) {
        tracing::warn!("the desk's copy of citizens not wiped: {e}");
    }
    if let Some(keyring) = keyring {
        let _ = citizen_cache::forget_keyring_key(keyring, &CacheOwner::new(profile, user));
    }
}

/// Where the officer's encrypted copy of the office's citizens is kept.
pub fn citizens_path(data_dir: &Path, profile: &str, user: &str) -> PathBuf {
    data_dir
        .join("offline")
        .join(safe_name(&format!("{profile}-{user}")))
        .join("citizen-copy.enc")
}

/// Opens the officer's copy of the citizens the desk has seen (`client::citizen_cache`),
/// at login with the password typed, or at a resumed session (`password` `None`: only a
/// key kept in the keyring opens it). A copy nobody can read any more (a lost keyring
/// entry, a changed password, a damaged file) is wiped and started again at a login; a
/// copy older than `keep_days` is wiped. `None` when there is no key to be had.
pub fn open_citizens(
    path: &Path,
    owner: CacheOwner,
    keyring: &mut TokenStore,
    password: Option<&str>,
    now: LocalTime,
    keep_days: u32,
) -> Option<CitizenCache> {
    let key = |keyring: &mut TokenStore| match password {
        Some(pw) => citizen_cache::key_for(path, &owner, keyring, pw).ok(),
        None => citizen_cache::keyring_key(keyring, &owner),
    };
    let first = key(keyring).and_then(|k| {
        CitizenCache::open_or_wipe_if_older(path, owner.clone(), k, now, keep_days).ok()
    });
    if first.is_some() || password.is_none() {
        return first;
    }
    tracing::warn!(
        "the desk's copy of citizens {} is unreadable: wiped",
        path.display()
    );
    let _ = CitizenCache::wipe(path);
    let k = key(keyring)?;
    CitizenCache::open(path, owner, k).ok()
}

/// A citizen as the desk's copy has them, in the shape the panes show (no e-mail, no
/// account state: the copy does not keep them).
pub fn citizen_of(c: &CachedCitizen) -> Citizen {
    Citizen {
        id: c.id.clone(),
        id_number: c.id_number.clone(),
        legacy_id_number: c.legacy_id_number.clone(),
        full_name: c.full_name.clone(),
        date_of_birth: c.date_of_birth.clone(),
        gender: c.gender,
        phone: c.phone.clone(),
        email: None,
        address: c.address.clone(),
        office_id: c.office_id,
        created_at: String::new(),
        activated: false,
    }
}

/// Replaces `path` whole: a temporary file beside it, flushed, then renamed over it, so
/// a crash leaves the old copy or the new one, never half of one.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// A number the desk gave a dossier taken in with the link down: printed on the
/// receipt, and sent with the dossier when the link returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Numbered {
    pub code: String,
    /// RFC 3339 at +07:00: the moment the desk received the dossier.
    pub received_at: String,
}

/// The dossier as the desk sees it before the portal has it: what the portal will make
/// of `request` numbered `numbered`, by the same rules (the due time from the same
/// calendar, the fee from the same schedule), for the done screen and the receipt. The
/// portal's own answer replaces it when the dossier arrives; `None` when the request
/// names no case of `procedure` or the time is unreadable.
pub fn provisional(
    request: &CreateDossier,
    procedure: &Procedure,
    applicant: Applicant,
    office: &OfficeRef,
    calendar: &Calendar,
    numbered: &Numbered,
) -> Option<Dossier> {
    let case = procedure.case(&request.case_id)?;
    let received = crate::clock::parse_instant(&numbered.received_at).ok()?;
    let due = calendar.due(received, case.desk_duration.amount, case.desk_duration.unit);
    let amount = case.fees.amount(&FeeInput {
        channel: FeeChannel::Desk,
        pages: request.pages.unwrap_or(1),
        copies: request.copies.unwrap_or(1),
    });
    let documents = request
        .documents
        .iter()
        .map(|d| Document {
            part_id: d.part_id.clone(),
            name: case
                .documents
                .iter()
                .find(|p| p.id == d.part_id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| d.part_id.clone()),
            originals: d.originals,
            copies: d.copies,
            on_paper: d.upload_id.is_none() && d.stored_document_id.is_none(),
            attachment: None,
            digitization: None,
        })
        .collect();
    Some(Dossier {
        code: numbered.code.clone(),
        version: 1,
        status: Status::Received,
        channel: Channel::Desk,
        office: NamedRef {
            code: office.code.clone(),
            name: office.name.clone(),
        },
        procedure: NamedRef {
            code: procedure.code.clone(),
            name: procedure.name.clone(),
        },
        case: NamedRef {
            code: case.id.clone(),
            name: case.name.clone(),
        },
        applicant,
        submitter: request.submitter.clone(),
        documents,
        fee: Fee {
            amount,
            status: if amount == 0 {
                PaymentStatus::Exempt
            } else {
                PaymentStatus::Unpaid
            },
            paid_at: None,
            method: None,
            receipt_no: None,
        },
        delivery: request.delivery.clone(),
        submitted_at: numbered.received_at.clone(),
        received_at: Some(numbered.received_at.clone()),
        due_at: Some(due.to_rfc3339()),
        overdue: false,
        extensions: 0,
        assignee: None,
        supplement: None,
        proposal: None,
        returned_at: None,
        recipient: None,
        timeliness: None,
        note: request.note.clone(),
        timeline: Vec::new(),
        result_files: Vec::new(),
        handover: None,
        rating: None,
    })
}

/// The applicant of a provisional dossier: the account chosen at the desk.
pub fn applicant_of(c: &Citizen) -> Applicant {
    Applicant {
        citizen_id: c.id.clone(),
        id_number: c.id_number.clone(),
        full_name: c.full_name.clone(),
        date_of_birth: c.date_of_birth.clone(),
        gender: c.gender,
        phone: c.phone.clone(),
        email: c.email.clone(),
        address: c.address.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::Role;

    fn me() -> Me {
        Me {
            id: 7,
            username: "tiepnhan1".into(),
            full_name: "Lê Thị Tiếp Nhận".into(),
            role: Role::Reception,
            office: Some(OfficeRef {
                id: 1,
                code: "000.00.01.H07".into(),
                name: "UBND phường Một".into(),
                address: "Số 1 đường Hai Bà Trưng".into(),
                phone: "02753822101".into(),
            }),
            training: false,
        }
    }

    fn at(text: &str) -> LocalTime {
        crate::clock::parse_instant(text).unwrap()
    }

    #[test]
    fn the_last_online_password_opens_the_session_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_path(dir.path(), "Cổng tỉnh", "tiepnhan1");
        assert_eq!(
            check(&path, "x", at("2026-12-01T08:00:00+07:00"), 30),
            Err(Refusal::NoSession)
        );
        // The desk's own clock runs 10 minutes behind the portal's.
        remember(
            &path,
            &me(),
            "matkhau-dung",
            at("2026-12-01T08:00:00+07:00"),
            at("2026-12-01T07:50:00+07:00"),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("matkhau-dung"), "the password is never kept");
        assert!(text.contains("$argon2id$"));
        // Later, by the desk's clock: the portal's time is reckoned with the difference.
        assert_eq!(
            check(&path, "matkhau-dung", at("2026-12-20T07:50:00+07:00"), 30),
            Ok((me(), at("2026-12-20T08:00:00+07:00")))
        );
        let later = at("2026-12-20T08:00:00+07:00");
        assert_eq!(
            check(&path, "matkhau-sai", later, 30),
            Err(Refusal::WrongPassword)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
    }

    #[test]
    fn a_session_older_than_the_days_kept_is_refused_and_wiped() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_path(dir.path(), "p", "tiepnhan1");
        let then = at("2026-11-01T08:00:00+07:00");
        remember(&path, &me(), "pw", then, then).unwrap();
        assert_eq!(
            check(&path, "pw", at("2026-12-01T08:00:01+07:00"), 30),
            Err(Refusal::TooOld { days: 30 })
        );
        assert!(!path.exists());
        assert_eq!(
            check(&path, "pw", at("2026-12-01T08:00:01+07:00"), 30),
            Err(Refusal::NoSession)
        );
    }

    #[test]
    fn a_wipe_leaves_nothing_of_the_officer_and_everything_of_others() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2026-12-01T08:00:00+07:00");
        let store = keyring_core::mock::Store::new().unwrap();
        let mut keyring = TokenStore::with_store(
            crate::client::token_store::StoreKind::Mock,
            store,
            "motcua-test",
        );
        for user in ["tiepnhan1", "tiepnhan2"] {
            remember(&session_path(dir.path(), "p", user), &me(), "pw", now, now).unwrap();
            let path = citizens_path(dir.path(), "p", user);
            let owner = CacheOwner::new("p", user);
            let mut cache = open_citizens(&path, owner, &mut keyring, Some("pw"), now, 30).unwrap();
            cache.save(now).unwrap();
            assert!(path.exists());
        }
        wipe(dir.path(), "p", "tiepnhan1", Some(&mut keyring));
        assert!(!session_path(dir.path(), "p", "tiepnhan1").exists());
        assert!(!citizens_path(dir.path(), "p", "tiepnhan1").exists());
        let owner = CacheOwner::new("p", "tiepnhan1");
        assert!(citizen_cache::keyring_key(&mut keyring, &owner).is_none());
        assert!(session_path(dir.path(), "p", "tiepnhan2").exists());
        assert!(citizens_path(dir.path(), "p", "tiepnhan2").exists());
    }

    #[test]
    fn a_damaged_copy_is_no_session() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_path(dir.path(), "p", "u");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{\"me\":").unwrap();
        let now = at("2026-12-01T08:00:00+07:00");
        assert_eq!(check(&path, "pw", now, 30), Err(Refusal::NoSession));
        for lang in [Lang::Vi, Lang::En] {
            assert!(!Refusal::NoSession.message(lang).is_empty());
        }
    }
}
