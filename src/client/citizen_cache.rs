//! The desk's encrypted cache of the office's citizens it has seen, so that with the link
//! down a reception officer can still find a citizen by identity number or by name and
//! fill a dossier's applicant.
//!
//! # The threat
//!
//! A desk laptop is stolen, or its profile directory copied (a backup, a shared
//! machine, a repair shop). Names, identity numbers, birth dates, phones and addresses of
//! thousands of citizens must not come with it. So the cache is one file, encrypted and
//! authenticated with XChaCha20-Poly1305 under a 256-bit key that is never on disk beside
//! it: either
//!
//! - a random key kept in the OS keyring (through [`TokenStore`], under an entry of its
//!   own, `citizen-cache:{profile}/{username}`, beside the session token's), or,
//! - where no keyring keeps secrets, a key derived from the officer's password with
//!   Argon2id (m = 19 MiB, t = 2, p = 1: the portal's own password parameters, tens of
//!   milliseconds once per login, and as costly per guess for whoever holds the file).
//!
//! The file is bound to its officer (profile and username are authenticated with it), so
//! another officer's cache on the same desk is refused, not merged. It holds only what the
//! desk needs ([`CachedCitizen`]: no e-mail, no account state), forgets whom it has not
//! seen for a set number of days ([`CitizenCache::expire`],
//! [`CitizenCache::open_or_wipe_if_older`]), holds at most [`MAX_CITIZENS`], and is removed
//! on request at logout ([`CitizenCache::wipe`], with [`forget_keyring_key`]).
//!
//! # Its limits
//!
//! Whoever holds the officer's unlocked session holds the key: the keyring hands it to
//! any program running as that user, and the password derives it. The cache protects
//! data at rest, not from malware on a logged-in desk, nor from someone who knows the
//! password (a weak password is a weak cache when the key is derived from it). Removing
//! the file does not scrub the disk blocks it was on; what is left there is ciphertext,
//! which stays unreadable once the keyring's key is forgotten.
//!
//! # The file
//!
//! | bytes | what |
//! | --- | --- |
//! | 0..4 | `MTCC`, the magic |
//! | 4 | the format's version, 1 |
//! | 5 | where the key comes from: 1 the keyring, 2 the password ([`KeySource`]) |
//! | 6..22 | the Argon2id salt (zeros for a keyring key) |
//! | 22..46 | the nonce, random at every save |
//! | 46.. | the ciphertext of the JSON body (`saved_at`, `citizens`) and its 16-byte tag |
//!
//! The first 22 bytes are readable without the key ([`header`]): they tell the desk where
//! to get the key from. They and the owner are the associated data, so changing any of
//! them, or a byte of the ciphertext, makes the file [`CacheError::Locked`].

use super::token_store::TokenStore;
use crate::api::citizens::Citizen;
use crate::domain::calendar::{LocalTime, vn_offset};
use crate::domain::identity::Gender;
use crate::domain::phone::parse_phone;
use crate::domain::text::{Matcher, forbidden_char, search_key};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use chrono::{DateTime, SecondsFormat, TimeDelta};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The most citizens the cache holds: more than an office sees in years at a desk's pace,
/// a few megabytes on disk. Past it, whoever was seen longest ago goes first.
pub const MAX_CITIZENS: usize = 20_000;

/// The length of the Argon2id salt in the header.
pub const SALT_LEN: usize = 16;

const MAGIC: &[u8; 4] = b"MTCC";
const VERSION: u8 = 1;
/// Magic, version, key source and salt: what is readable without the key.
const PREFIX_LEN: usize = 4 + 1 + 1 + SALT_LEN;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = PREFIX_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;
/// A file larger than this is not one this module wrote (20,000 citizens are ~10 MB):
/// refused before it is read into memory.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Argon2id's cost for a password-derived key (the crate's defaults, which the portal
/// also hashes passwords with): 19 MiB, 2 passes, 1 lane.
const ARGON2_M_KIB: u32 = 19 * 1024;
const ARGON2_T: u32 = 2;
const ARGON2_P: u32 = 1;

/// A citizen as the desk keeps them: what fills a dossier's applicant and finds them
/// again. Deliberately without the e-mail, the activation state or anything of the
/// account's password: the desk does not need them offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedCitizen {
    /// The portal's opaque id.
    pub id: String,
    pub id_number: String,
    pub legacy_id_number: Option<String>,
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    pub gender: Gender,
    pub phone: String,
    pub address: String,
    pub office_id: i64,
    /// RFC 3339 at +07:00, to the second: when the desk last saw the citizen.
    pub seen_at: String,
}

impl CachedCitizen {
    /// What the desk keeps of a citizen the portal showed it at `seen`.
    pub fn from_citizen(citizen: &Citizen, seen: LocalTime) -> CachedCitizen {
        CachedCitizen {
            id: citizen.id.clone(),
            id_number: citizen.id_number.clone(),
            legacy_id_number: citizen.legacy_id_number.clone(),
            full_name: citizen.full_name.clone(),
            date_of_birth: citizen.date_of_birth.clone(),
            gender: citizen.gender,
            phone: citizen.phone.clone(),
            address: citizen.address.clone(),
            office_id: citizen.office_id,
            seen_at: instant(seen),
        }
    }
}

/// An instant as this module writes it: +07:00, to the second.
fn instant(t: LocalTime) -> String {
    t.with_timezone(&vn_offset())
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Where a cache's key comes from, as its header records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// A random key kept in the OS keyring.
    Keyring,
    /// Derived from the officer's password with the header's salt.
    Password,
}

impl KeySource {
    fn byte(self) -> u8 {
        match self {
            KeySource::Keyring => 1,
            KeySource::Password => 2,
        }
    }

    fn from_byte(b: u8) -> Option<KeySource> {
        match b {
            1 => Some(KeySource::Keyring),
            2 => Some(KeySource::Password),
            _ => None,
        }
    }
}

/// The 256-bit key of a cache, with where it came from (and the salt, for a password's).
/// Its `Debug` says only the source: the key must not end up in a log.
#[derive(Clone)]
pub struct CacheKey {
    bytes: [u8; 32],
    source: KeySource,
    salt: [u8; SALT_LEN],
}

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheKey")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl CacheKey {
    /// A new random key, to be kept in the keyring.
    pub fn random() -> CacheKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        CacheKey {
            bytes,
            source: KeySource::Keyring,
            salt: [0; SALT_LEN],
        }
    }

    /// A new random salt, for a cache whose key the password will give.
    pub fn new_salt() -> [u8; SALT_LEN] {
        let mut salt = [0u8; SALT_LEN];
        rand::rng().fill_bytes(&mut salt);
        salt
    }

    /// The key the officer's `password` gives with `salt` (Argon2id, m = 19 MiB, t = 2,
    /// p = 1): tens of milliseconds, once per login.
    pub fn from_password(password: &str, salt: [u8; SALT_LEN]) -> Result<CacheKey, CacheError> {
        let params = argon2::Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, Some(32))
            .map_err(|e| CacheError::Kdf(e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut bytes = [0u8; 32];
        argon
            .hash_password_into(password.as_bytes(), &salt, &mut bytes)
            .map_err(|e| CacheError::Kdf(e.to_string()))?;
        Ok(CacheKey {
            bytes,
            source: KeySource::Password,
            salt,
        })
    }

    pub fn source(&self) -> KeySource {
        self.source
    }

    /// The key as the keyring keeps it (standard base64 of the 32 bytes).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.bytes)
    }

    /// A keyring's key back from [`CacheKey::to_base64`]; `None` unless it is 32 bytes.
    pub fn from_base64(text: &str) -> Option<CacheKey> {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?;
        Some(CacheKey {
            bytes: decoded.try_into().ok()?,
            source: KeySource::Keyring,
            salt: [0; SALT_LEN],
        })
    }
}

/// Whose cache a file is: the officer's profile and username. Authenticated with the
/// file, so that one officer's cache never opens as another's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOwner {
    pub profile: String,
    pub username: String,
}

impl CacheOwner {
    pub fn new(profile: &str, username: &str) -> CacheOwner {
        CacheOwner {
            profile: profile.to_owned(),
            username: username.to_owned(),
        }
    }

    /// The owner as associated data: each part with its length first, so that
    /// ("a/b", "c") and ("a", "b/c") differ.
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for part in [&self.profile, &self.username] {
            out.extend_from_slice(&(part.len() as u32).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }

    /// The "profile" under which [`TokenStore`] keeps the cache's key: its entry is
    /// `citizen-cache:{profile}/{username}`, never the session token's `{profile}/{username}`.
    fn keyring_profile(&self) -> String {
        format!("citizen-cache:{}", self.profile)
    }
}

/// What went wrong with the cache. Never a panic: a cache that cannot be read is a cache
/// to remove and fill again.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The key does not open the file: another key or password, another officer's file,
    /// or a file altered since it was written (the cipher cannot tell which).
    #[error(
        "the citizen cache does not open with this key (another key or password, another officer's file, or an altered one)"
    )]
    Locked,
    /// Not a cache file this version reads.
    #[error("{path}: not a citizen cache ({why})")]
    Format { path: PathBuf, why: String },
    /// The file's key is kept in the keyring, and the keyring has none (any more).
    #[error("the keyring holds no key for the citizen cache")]
    NoKey,
    /// Argon2id refused (it does not, with these parameters and a 16-byte salt).
    #[error("cannot derive the cache key: {0}")]
    Kdf(String),
    #[error("{path}: {source}")]
    Disk {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The part of a cache file readable without its key: where to get the key from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheHeader {
    pub source: KeySource,
    /// The Argon2id salt of a password's key (zeros for a keyring's).
    pub salt: [u8; SALT_LEN],
}

/// The header of the cache at `path`; `None` when there is no file.
pub fn header(path: &Path) -> Result<Option<CacheHeader>, CacheError> {
    use std::io::Read as _;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CacheError::Disk {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut prefix = Vec::with_capacity(PREFIX_LEN);
    file.take(PREFIX_LEN as u64)
        .read_to_end(&mut prefix)
        .map_err(|source| CacheError::Disk {
            path: path.to_owned(),
            source,
        })?;
    parse_prefix(path, &prefix).map(Some)
}

fn parse_prefix(path: &Path, bytes: &[u8]) -> Result<CacheHeader, CacheError> {
    let format = |why: &str| CacheError::Format {
        path: path.to_owned(),
        why: why.to_owned(),
    };
    if bytes.len() < PREFIX_LEN || &bytes[..4] != MAGIC {
        return Err(format("no citizen-cache header"));
    }
    if bytes[4] != VERSION {
        return Err(format(&format!("version {}", bytes[4])));
    }
    let source = KeySource::from_byte(bytes[5]).ok_or_else(|| format("unknown key source"))?;
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&bytes[6..PREFIX_LEN]);
    Ok(CacheHeader { source, salt })
}

/// The key of the officer's cache at `path`, at login (the password in hand):
/// - a file whose key is the keyring's: that key, or [`CacheError::NoKey`];
/// - a file whose key is the password's: derived with the file's salt (a wrong password
///   shows as [`CacheError::Locked`] at [`CitizenCache::open`]);
/// - no file: the keyring's key (made now) where the keyring keeps secrets, else one
///   derived from the password with a new salt.
///
/// On `NoKey`, `Format` or, at [`CitizenCache::open`], `Locked` (a lost keyring entry, a
/// changed password, a damaged file), the old cache cannot be read by anyone:
/// [`CitizenCache::wipe`] it and ask again.
pub fn key_for(
    path: &Path,
    owner: &CacheOwner,
    keyring: &mut TokenStore,
    password: &str,
) -> Result<CacheKey, CacheError> {
    match header(path)? {
        Some(CacheHeader {
            source: KeySource::Keyring,
            ..
        }) => keyring_key(keyring, owner).ok_or(CacheError::NoKey),
        Some(CacheHeader {
            source: KeySource::Password,
            salt,
        }) => CacheKey::from_password(password, salt),
        None => match new_keyring_key(keyring, owner) {
            Some(key) => Ok(key),
            None => CacheKey::from_password(password, CacheKey::new_salt()),
        },
    }
}

/// The owner's cache key kept in the keyring, if there is one.
pub fn keyring_key(keyring: &mut TokenStore, owner: &CacheOwner) -> Option<CacheKey> {
    keyring
        .load(&owner.keyring_profile(), &owner.username)
        .and_then(|text| CacheKey::from_base64(&text))
}

/// The owner's keyring key: the one kept, else a new one, kept now. `None` when the
/// keyring does not keep secrets across runs ([`TokenStore`] falls back to memory, and a
/// key in memory would leave the file unreadable at the next start).
pub fn new_keyring_key(keyring: &mut TokenStore, owner: &CacheOwner) -> Option<CacheKey> {
    if !keyring.is_persistent() {
        return None;
    }
    if let Some(key) = keyring_key(keyring, owner) {
        return Some(key);
    }
    let key = CacheKey::random();
    keyring
        .save(&owner.keyring_profile(), &owner.username, &key.to_base64())
        .ok()?;
    // `save` says Ok when it fell back to memory: read it back from a store that kept it.
    let kept = keyring.is_persistent()
        && keyring_key(keyring, owner).is_some_and(|k| k.bytes == key.bytes);
    kept.then_some(key)
}

/// Removes the owner's key from the keyring (logout with the cache wiped): whatever is
/// left of the file on the disk cannot be deciphered any more.
pub fn forget_keyring_key(keyring: &mut TokenStore, owner: &CacheOwner) -> Result<(), String> {
    keyring.delete(&owner.keyring_profile(), &owner.username)
}

/// The encrypted body.
#[derive(Serialize, Deserialize)]
struct Body {
    /// RFC 3339: when the file was written.
    saved_at: String,
    citizens: Vec<CachedCitizen>,
}

/// One citizen with what searches need, computed once.
#[derive(Debug)]
struct Entry {
    citizen: CachedCitizen,
    /// The portal's search key of the citizen: name, number and phone, folded.
    key: String,
    /// `seen_at` in seconds; `i64::MIN` if unreadable (first to go).
    seen: i64,
}

/// The officer's cache of citizens (see the module's documentation).
pub struct CitizenCache {
    path: PathBuf,
    owner: CacheOwner,
    key: CacheKey,
    saved_at: Option<LocalTime>,
    /// By the portal's id.
    entries: HashMap<String, Entry>,
    /// Current identity numbers to ids (a citizen has one; the legacy numbers are looked
    /// through, rarely).
    numbers: HashMap<String, String>,
}

impl std::fmt::Debug for CitizenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CitizenCache")
            .field("path", &self.path)
            .field("owner", &self.owner)
            .field("len", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl CitizenCache {
    /// The cache at `path` of `owner`, opened with `key`; empty when there is no file.
    pub fn open(path: &Path, owner: CacheOwner, key: CacheKey) -> Result<CitizenCache, CacheError> {
        let mut cache = CitizenCache {
            path: path.to_owned(),
            owner,
            key,
            saved_at: None,
            entries: HashMap::new(),
            numbers: HashMap::new(),
        };
        let disk = |source| CacheError::Disk {
            path: path.to_owned(),
            source,
        };
        let format = |why: &str| CacheError::Format {
            path: path.to_owned(),
            why: why.to_owned(),
        };
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cache),
            Err(e) => return Err(disk(e)),
            Ok(m) if m.len() > MAX_FILE_BYTES => return Err(format("too large")),
            Ok(_) => {}
        }
        let bytes = match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cache),
            other => other.map_err(disk)?,
        };
        parse_prefix(path, &bytes)?;
        if bytes.len() < HEADER_LEN + TAG_LEN {
            return Err(format("truncated"));
        }
        let aad = associated_data(&bytes[..PREFIX_LEN], &cache.owner);
        let plain = cipher(&cache.key)
            .decrypt(
                XNonce::from_slice(&bytes[PREFIX_LEN..HEADER_LEN]),
                Payload {
                    msg: &bytes[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map_err(|_| CacheError::Locked)?;
        let body: Body =
            serde_json::from_slice(&plain).map_err(|e| format(&format!("body: {e}")))?;
        cache.saved_at = DateTime::parse_from_rfc3339(&body.saved_at).ok();
        for citizen in body.citizens {
            cache.put(citizen);
        }
        Ok(cache)
    }

    /// [`CitizenCache::open`], for a cache kept at most `max_days`: a file last saved
    /// longer ago is removed and an empty cache returned, and from a younger one the
    /// citizens not seen for `max_days` are dropped.
    pub fn open_or_wipe_if_older(
        path: &Path,
        owner: CacheOwner,
        key: CacheKey,
        now: LocalTime,
        max_days: u32,
    ) -> Result<CitizenCache, CacheError> {
        let mut cache = CitizenCache::open(path, owner, key)?;
        let cutoff = now - TimeDelta::days(i64::from(max_days));
        if cache.saved_at.is_some_and(|saved| saved < cutoff) {
            CitizenCache::wipe(path)?;
            cache.entries.clear();
            cache.numbers.clear();
            cache.saved_at = None;
        } else {
            cache.expire(now, max_days);
        }
        Ok(cache)
    }

    /// Keeps a citizen the desk has seen, in place of the one with the same id or the
    /// same identity number. Control characters and bidirectional overrides in its texts
    /// become U+FFFD (as in every answer the client decodes): the cache never holds what
    /// a terminal would obey. Past [`MAX_CITIZENS`], whoever was seen longest ago goes.
    pub fn put(&mut self, citizen: CachedCitizen) {
        let citizen = cleaned(citizen);
        self.remove(&citizen.id);
        if let Some(other) = self.numbers.get(&citizen.id_number).cloned() {
            self.remove(&other);
        }
        let key = search_key(&format!(
            "{} {} {}",
            citizen.full_name, citizen.id_number, citizen.phone
        ));
        let seen =
            DateTime::parse_from_rfc3339(&citizen.seen_at).map_or(i64::MIN, |t| t.timestamp());
        self.numbers
            .insert(citizen.id_number.clone(), citizen.id.clone());
        self.entries
            .insert(citizen.id.clone(), Entry { citizen, key, seen });
        while self.entries.len() > MAX_CITIZENS {
            let Some(oldest) = self
                .entries
                .values()
                .min_by(|a, b| (a.seen, &a.citizen.id).cmp(&(b.seen, &b.citizen.id)))
                .map(|e| e.citizen.id.clone())
            else {
                break;
            };
            self.remove(&oldest);
        }
    }

    fn remove(&mut self, id: &str) -> Option<CachedCitizen> {
        let entry = self.entries.remove(id)?;
        if self
            .numbers
            .get(&entry.citizen.id_number)
            .map(String::as_str)
            == Some(id)
        {
            self.numbers.remove(&entry.citizen.id_number);
        }
        Some(entry.citizen)
    }

    /// The citizen with this identity number, current (12-digit CCCD) or legacy (9-digit
    /// CMND), as typed (spaces do not matter). A legacy number two citizens share (it
    /// happens with re-issued cards) gives the one seen last.
    pub fn by_number(&self, number: &str) -> Option<&CachedCitizen> {
        let number: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        if number.is_empty() {
            return None;
        }
        if let Some(entry) = self
            .numbers
            .get(&number)
            .and_then(|id| self.entries.get(id))
        {
            return Some(&entry.citizen);
        }
        self.entries
            .values()
            .filter(|e| e.citizen.legacy_id_number.as_deref() == Some(number.as_str()))
            .max_by(|a, b| (a.seen, &a.citizen.id).cmp(&(b.seen, &b.citizen.id)))
            .map(|e| &e.citizen)
    }

    /// The citizens a search finds, as the portal's `GET /citizens?q=` would: each word
    /// of the query begins a word of the name, the identity number or the phone, marks
    /// and case aside ("nguyen van an" finds "Nguyễn Văn An"; "0831" the numbers it
    /// begins), and a phone in any written form ("0912 345 678", "+84 912…") is searched
    /// as its digits. Those holding more of the words whole come first (Nguyễn Văn An
    /// before Nguyễn Văn Anh); then, where the portal puts the oldest account, the cache
    /// puts whoever was seen last. At most `limit`; an empty query lists everyone.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&CachedCitizen> {
        let matcher = Matcher::new(&search_text(query));
        let mut found: Vec<(Reverse<usize>, Reverse<i64>, &str, &CachedCitizen)> = self
            .entries
            .values()
            .filter(|e| matcher.matches_folded(&e.key))
            .map(|e| {
                (
                    Reverse(matcher.whole_words(&e.key)),
                    Reverse(e.seen),
                    e.citizen.id.as_str(),
                    &e.citizen,
                )
            })
            .collect();
        found.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        found.into_iter().take(limit).map(|(.., c)| c).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// When the file was last saved (`None` for a cache never saved).
    pub fn saved_at(&self) -> Option<LocalTime> {
        self.saved_at
    }

    /// Drops the citizens not seen in the `days` days before `now`; how many.
    pub fn expire(&mut self, now: LocalTime, days: u32) -> usize {
        let cutoff = (now - TimeDelta::days(i64::from(days))).timestamp();
        let old: Vec<String> = self
            .entries
            .values()
            .filter(|e| e.seen < cutoff)
            .map(|e| e.citizen.id.clone())
            .collect();
        for id in &old {
            self.remove(id);
        }
        old.len()
    }

    /// Writes the cache, encrypted under a new nonce, with `now` as its `saved_at`: to a
    /// file beside it (mode 0600 on unix), flushed to the disk, then renamed over it, so
    /// that a crash leaves the old file or the new one, never half of one.
    pub fn save(&mut self, now: LocalTime) -> Result<(), CacheError> {
        let disk = |source| CacheError::Disk {
            path: self.path.clone(),
            source,
        };
        let mut citizens: Vec<&CachedCitizen> = self.entries.values().map(|e| &e.citizen).collect();
        citizens.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        #[derive(Serialize)]
        struct BodyRef<'a> {
            saved_at: String,
            citizens: Vec<&'a CachedCitizen>,
        }
        let plain = serde_json::to_vec(&BodyRef {
            saved_at: instant(now),
            citizens,
        })
        .map_err(|e| disk(e.into()))?;

        let mut prefix = Vec::with_capacity(HEADER_LEN);
        prefix.extend_from_slice(MAGIC);
        prefix.push(VERSION);
        prefix.push(self.key.source.byte());
        prefix.extend_from_slice(&self.key.salt);
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = associated_data(&prefix, &self.owner);
        let sealed = cipher(&self.key)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .map_err(|_| disk(std::io::Error::other("encryption failed")))?;

        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(disk)?;
        }
        let tmp = temp_path(&self.path);
        // A temporary file left by a crash may have other permissions: start anew.
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(disk(e)),
            _ => {}
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(disk)?;
        file.write_all(&prefix).map_err(disk)?;
        file.write_all(&nonce).map_err(disk)?;
        file.write_all(&sealed).map_err(disk)?;
        file.sync_all().map_err(disk)?;
        drop(file);
        std::fs::rename(&tmp, &self.path).map_err(disk)?;
        // The rename lasts only once the directory is on the disk too.
        #[cfg(unix)]
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(disk)?;
        }
        self.saved_at = Some(now);
        Ok(())
    }

    /// Removes the cache at `path` (and a temporary file a crash left beside it); no file
    /// is not an error. With a keyring key, [`forget_keyring_key`] too, so that the disk
    /// blocks the file was on hold only ciphertext nobody can open.
    pub fn wipe(path: &Path) -> Result<(), CacheError> {
        for p in [path.to_owned(), temp_path(path)] {
            match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(CacheError::Disk { path: p, source: e });
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The file a save writes before it renames it over the cache: `{path}.tmp`.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

fn cipher(key: &CacheKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(Key::from_slice(&key.bytes))
}

/// What the cipher authenticates beside the body: the readable header (so its key source
/// and salt cannot be changed) and the owner (so the file is this officer's).
fn associated_data(prefix: &[u8], owner: &CacheOwner) -> Vec<u8> {
    let mut aad = prefix.to_vec();
    aad.extend_from_slice(&owner.bytes());
    aad
}

/// What a query searches for, as the portal's `search_text` (src/portal/routes/citizens.rs):
/// a phone number in any written form as its digits, which is how it is stored; anything
/// else as words.
fn search_text(query: &str) -> String {
    match parse_phone(query) {
        Ok(phone) => phone.number().to_owned(),
        Err(_) => query.to_owned(),
    }
}

/// A citizen whose texts hold no control character nor bidirectional override (line
/// feeds included): each becomes U+FFFD, so the reader sees something was there.
fn cleaned(mut c: CachedCitizen) -> CachedCitizen {
    fn clean(s: &mut String) {
        if s.chars().any(|c| forbidden_char(c, false)) {
            *s = s
                .chars()
                .map(|c| {
                    if forbidden_char(c, false) {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
        }
    }
    for s in [
        &mut c.id,
        &mut c.id_number,
        &mut c.full_name,
        &mut c.date_of_birth,
        &mut c.phone,
        &mut c.address,
        &mut c.seen_at,
    ] {
        clean(s);
    }
    if let Some(legacy) = c.legacy_id_number.as_mut() {
        clean(legacy);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> LocalTime {
        crate::clock::parse_instant(s).unwrap()
    }

    fn citizen(id: &str, number: &str, name: &str, seen: &str) -> CachedCitizen {
        CachedCitizen {
            id: id.into(),
            id_number: number.into(),
            legacy_id_number: None,
            full_name: name.into(),
            date_of_birth: "1990-01-01".into(),
            gender: Gender::Female,
            phone: "0912345678".into(),
            address: "Bến Tre".into(),
            office_id: 1,
            seen_at: instant(at(seen)),
        }
    }

    #[test]
    fn the_owner_parts_cannot_be_shifted_into_each_other() {
        assert_ne!(
            CacheOwner::new("a/b", "c").bytes(),
            CacheOwner::new("a", "b/c").bytes()
        );
        assert_ne!(
            CacheOwner::new("ab", "").bytes(),
            CacheOwner::new("a", "b").bytes()
        );
    }

    #[test]
    fn a_key_goes_through_base64_and_never_into_debug() {
        let key = CacheKey::random();
        let back = CacheKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(back.bytes, key.bytes);
        assert_eq!(back.source(), KeySource::Keyring);
        assert!(CacheKey::from_base64("c2hvcnQ=").is_none(), "not 32 bytes");
        assert!(CacheKey::from_base64("not base64!").is_none());
        let shown = format!("{key:?}");
        assert!(!shown.contains(&key.to_base64()), "{shown}");
        assert!(!shown.contains(&format!("{:?}", key.bytes)), "{shown}");
        assert_ne!(CacheKey::random().bytes, key.bytes);
    }

    #[test]
    fn a_password_gives_the_same_key_with_the_same_salt_only() {
        let salt = CacheKey::new_salt();
        let a = CacheKey::from_password("Mật khẩu 1", salt).unwrap();
        let b = CacheKey::from_password("Mật khẩu 1", salt).unwrap();
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.source(), KeySource::Password);
        assert_eq!(a.salt, salt);
        let other_salt = CacheKey::from_password("Mật khẩu 1", CacheKey::new_salt()).unwrap();
        assert_ne!(a.bytes, other_salt.bytes);
        let other_password = CacheKey::from_password("Mật khẩu 2", salt).unwrap();
        assert_ne!(a.bytes, other_password.bytes);
    }

    #[test]
    fn put_replaces_by_id_and_by_number_and_keeps_the_index_true() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = CitizenCache::open(
            &dir.path().join("c"),
            CacheOwner::new("p", "u"),
            CacheKey::random(),
        )
        .unwrap();
        cache.put(citizen(
            "a",
            "083190000001",
            "Trần Thị Lan",
            "2026-03-01T08:00:00+07:00",
        ));
        // The same account seen again, its number corrected.
        cache.put(citizen(
            "a",
            "083190000002",
            "Trần Thị Lan",
            "2026-03-02T08:00:00+07:00",
        ));
        assert_eq!(cache.len(), 1);
        assert!(cache.by_number("083190000001").is_none());
        assert_eq!(cache.by_number("083190000002").unwrap().id, "a");
        // Another id with the same number (the account made again): replaces it.
        cache.put(citizen(
            "b",
            "083190000002",
            "Trần Thị Lan",
            "2026-03-03T08:00:00+07:00",
        ));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.by_number("083 190 000 002").unwrap().id, "b");
        assert_eq!(cache.numbers.len(), 1);
        assert!(cache.by_number("  ").is_none());
    }

    #[test]
    fn texts_lose_their_control_characters() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = CitizenCache::open(
            &dir.path().join("c"),
            CacheOwner::new("p", "u"),
            CacheKey::random(),
        )
        .unwrap();
        let mut c = citizen(
            "a\u{7}",
            "083190000001",
            "Lê\u{1b}[2J Văn\nAn",
            "2026-03-01T08:00:00+07:00",
        );
        c.address = "Số 1\u{202E}x\r".into();
        c.legacy_id_number = Some("3\u{0}".into());
        cache.put(c);
        let kept = cache.by_number("083190000001").unwrap();
        assert_eq!(kept.id, "a\u{FFFD}");
        assert_eq!(kept.full_name, "Lê\u{FFFD}[2J Văn\u{FFFD}An");
        assert_eq!(kept.address, "Số 1\u{FFFD}x\u{FFFD}");
        assert_eq!(kept.legacy_id_number.as_deref(), Some("3\u{FFFD}"));
        assert!(cache.search("le van an", 10).len() == 1);
    }

    #[test]
    fn the_readable_header_says_where_the_key_comes_from() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        assert_eq!(header(&path).unwrap(), None);
        let salt = CacheKey::new_salt();
        let key = CacheKey::from_password("pw", salt).unwrap();
        let mut cache = CitizenCache::open(&path, CacheOwner::new("p", "u"), key).unwrap();
        cache.save(at("2026-03-01T08:00:00+07:00")).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..5], b"MTCC\x01");
        assert_eq!(
            header(&path).unwrap(),
            Some(CacheHeader {
                source: KeySource::Password,
                salt
            })
        );
        std::fs::write(&path, b"MTCC").unwrap();
        assert!(matches!(header(&path), Err(CacheError::Format { .. })));
    }
}
