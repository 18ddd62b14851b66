//! The desk's encrypted cache of citizens (src/client/citizen_cache.rs): found again by
//! number and by name after a restart, unreadable without its key or by another officer,
//! refused when altered, holding only the desk's fields, forgetting whom it has not seen,
//! bounded, removed on request, surviving a save cut short; its key in the keyring or
//! from the password; and finding what the portal finds.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::api::citizens::Citizen;
use motcua::client::PortalClient;
use motcua::client::citizen_cache::{
    CacheError, CacheKey, CacheOwner, CachedCitizen, CitizenCache, KeySource, MAX_CITIZENS,
    forget_keyring_key, header, key_for, keyring_key, temp_path,
};
use motcua::client::token_store::{StoreKind, TokenStore};
use motcua::domain::calendar::LocalTime;
use motcua::domain::identity::Gender;
use std::collections::BTreeSet;
use std::path::Path;

const NOW: &str = "2026-03-04T09:00:00+07:00";

fn at(s: &str) -> LocalTime {
    motcua::clock::parse_instant(s).unwrap()
}

fn owner() -> CacheOwner {
    CacheOwner::new("Bến Tre", "tiepnhan1")
}

/// A citizen as the portal sends one, e-mail and account state included.
fn portal_citizen(id: &str, number: &str, name: &str, phone: &str) -> Citizen {
    Citizen {
        id: id.into(),
        id_number: number.into(),
        legacy_id_number: None,
        full_name: name.into(),
        date_of_birth: "1978-03-14".into(),
        gender: Gender::Male,
        phone: phone.into(),
        email: Some("an.nv78@example.com".into()),
        address: "Số 12 đường Hùng Vương, Phường An Hội, TP. Bến Tre".into(),
        office_id: 1,
        created_at: "2025-01-02T08:00:00+07:00".into(),
        activated: true,
    }
}

/// Three citizens: a CCCD and a legacy CMND, and two names one word apart.
fn three() -> Vec<CachedCitizen> {
    let mut an = portal_citizen("c-an", "083078238953", "Nguyễn Văn An", "0384350158");
    an.legacy_id_number = Some("321456789".into());
    let anh = portal_citizen("c-anh", "083079111222", "Nguyễn Văn Anh", "0912345678");
    let ngoc = portal_citizen("c-ngoc", "083190618257", "Trần Thị Bích Ngọc", "0584438840");
    [an, anh, ngoc]
        .iter()
        .map(|c| CachedCitizen::from_citizen(c, at(NOW)))
        .collect()
}

fn saved(path: &Path, key: CacheKey) -> CitizenCache {
    let mut cache = CitizenCache::open(path, owner(), key).unwrap();
    for c in three() {
        cache.put(c);
    }
    cache.save(at(NOW)).unwrap();
    cache
}

fn ids(found: &[&CachedCitizen]) -> Vec<String> {
    found.iter().map(|c| c.id.clone()).collect()
}

#[test]
fn a_reopened_cache_finds_citizens_by_number_and_by_name_with_or_without_marks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let key = CacheKey::random();
    saved(&path, key.clone());

    let cache = CitizenCache::open(&path, owner(), key).unwrap();
    assert_eq!(cache.len(), 3);
    assert_eq!(cache.saved_at(), Some(at(NOW)));
    // By number: the 12-digit CCCD, the 9-digit CMND, as typed with spaces.
    let an = cache.by_number("083078238953").unwrap();
    assert_eq!(an.full_name, "Nguyễn Văn An");
    assert_eq!(an.date_of_birth, "1978-03-14");
    assert_eq!(an.gender, Gender::Male);
    assert_eq!(an.office_id, 1);
    assert_eq!(cache.by_number("321456789").unwrap().id, "c-an");
    assert_eq!(cache.by_number(" 0830 7911 1222 ").unwrap().id, "c-anh");
    assert!(cache.by_number("083078238954").is_none());
    assert!(cache.by_number("08307823").is_none(), "a number is whole");

    // By name, without marks and with them: the exact name first.
    assert_eq!(
        ids(&cache.search("nguyen van an", 10)),
        ["c-an", "c-anh"],
        "Nguyễn Văn An, then Nguyễn Văn Anh"
    );
    assert_eq!(ids(&cache.search("NGUYỄN VĂN AN", 10))[0], "c-an");
    assert_eq!(ids(&cache.search("nguyen van anh", 10)), ["c-anh"]);
    // Part of a name: the start of its words, in any order.
    assert_eq!(ids(&cache.search("bich ngo", 10)), ["c-ngoc"]);
    assert_eq!(ids(&cache.search("ngoc tran", 10)), ["c-ngoc"]);
    assert!(
        cache.search("guyen", 10).is_empty(),
        "words begin, not contain"
    );
    assert_eq!(cache.search("nguyen", 1).len(), 1, "the limit");
    // The start of a number, and a phone in any written form.
    assert_eq!(ids(&cache.search("0831906", 10)), ["c-ngoc"]);
    assert_eq!(ids(&cache.search("0912 345 678", 10)), ["c-anh"]);
    assert_eq!(ids(&cache.search("+84 912-345-678", 10)), ["c-anh"]);
    assert_eq!(
        cache.search("", 10).len(),
        3,
        "an empty query lists everyone"
    );
}

#[test]
fn without_its_key_the_cache_is_locked_and_its_bytes_hold_no_citizen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    saved(&path, CacheKey::random());

    // Another random key.
    assert!(matches!(
        CitizenCache::open(&path, owner(), CacheKey::random()),
        Err(CacheError::Locked)
    ));

    // What the file holds, in any form a reader might look for.
    let bytes = std::fs::read(&path).unwrap();
    let holds = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for needle in [
        "Nguyễn Văn An",
        "Nguyen Van An",
        "nguyen van an",
        "Nguyễn",
        "Nguyen",
        "083078238953",
        "321456789",
        "0384350158",
        "384350158",
        "Hùng Vương",
        "full_name",
        "1978-03-14",
    ] {
        assert!(!holds(needle), "the file shows {needle:?}");
    }

    // A key from a password: the wrong one does not open it, the right one does.
    let password_path = dir.path().join("password.cache");
    let right = CacheKey::from_password("Mật-khẩu đúng 2026", CacheKey::new_salt()).unwrap();
    saved(&password_path, right);
    let head = header(&password_path).unwrap().unwrap();
    assert_eq!(head.source, KeySource::Password);
    let wrong = CacheKey::from_password("Mật-khẩu sai 2026", head.salt).unwrap();
    assert!(matches!(
        CitizenCache::open(&password_path, owner(), wrong),
        Err(CacheError::Locked)
    ));
    let again = CacheKey::from_password("Mật-khẩu đúng 2026", head.salt).unwrap();
    let cache = CitizenCache::open(&password_path, owner(), again).unwrap();
    assert_eq!(cache.by_number("083078238953").unwrap().id, "c-an");
}

#[test]
fn another_officers_cache_is_refused_even_with_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let key = CacheKey::random();
    saved(&path, key.clone());
    for other in [
        CacheOwner::new("Bến Tre", "tiepnhan2"),
        CacheOwner::new("Đào tạo", "tiepnhan1"),
        CacheOwner::new("Bến Tre", "tiepnhan1 "),
    ] {
        assert!(
            matches!(
                CitizenCache::open(&path, other.clone(), key.clone()),
                Err(CacheError::Locked)
            ),
            "{other:?}"
        );
    }
    assert_eq!(CitizenCache::open(&path, owner(), key).unwrap().len(), 3);
}

#[test]
fn any_byte_changed_or_cut_is_refused_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let key = CacheKey::random();
    saved(&path, key.clone());
    let good = std::fs::read(&path).unwrap();
    let tampered = dir.path().join("tampered.cache");
    // Every byte, header and ciphertext and tag alike.
    for i in 0..good.len() {
        let mut bytes = good.clone();
        bytes[i] ^= 0x01;
        std::fs::write(&tampered, &bytes).unwrap();
        let opened = CitizenCache::open(&tampered, owner(), key.clone());
        assert!(
            matches!(
                opened,
                Err(CacheError::Locked) | Err(CacheError::Format { .. })
            ),
            "byte {i} of {}: {opened:?}",
            good.len()
        );
        if i >= 46 {
            assert!(matches!(opened, Err(CacheError::Locked)), "byte {i}");
        }
    }
    // Cut anywhere, or empty.
    for len in [0, 3, 21, 22, 46, 61, 62, good.len() / 2, good.len() - 1] {
        std::fs::write(&tampered, &good[..len]).unwrap();
        let opened = CitizenCache::open(&tampered, owner(), key.clone());
        assert!(opened.is_err(), "cut to {len}: {opened:?}");
    }
    // Something else entirely.
    std::fs::write(&tampered, b"{\"citizens\": []}").unwrap();
    assert!(matches!(
        CitizenCache::open(&tampered, owner(), key.clone()),
        Err(CacheError::Format { .. })
    ));
    // The untouched file still opens.
    assert_eq!(CitizenCache::open(&path, owner(), key).unwrap().len(), 3);
}

#[test]
fn a_cached_citizen_holds_only_the_desks_fields() {
    let citizen = portal_citizen("c-an", "083078238953", "Nguyễn Văn An", "0384350158");
    let cached = CachedCitizen::from_citizen(&citizen, at("2026-03-04T02:00:00Z"));
    let value = serde_json::to_value(&cached).unwrap();
    let keys: BTreeSet<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "id_number",
            "legacy_id_number",
            "full_name",
            "date_of_birth",
            "gender",
            "phone",
            "address",
            "office_id",
            "seen_at",
        ])
    );
    let json = value.to_string();
    for absent in [
        "email",
        "example.com",
        "activated",
        "created_at",
        "password",
    ] {
        assert!(!json.contains(absent), "{absent} in {json}");
    }
    // When it was seen, at +07:00 to the second.
    assert_eq!(cached.seen_at, "2026-03-04T09:00:00+07:00");
}

#[test]
fn citizens_not_seen_for_days_go_and_a_file_saved_too_long_ago_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let key = CacheKey::random();
    let mut cache = CitizenCache::open(&path, owner(), key.clone()).unwrap();
    let mut old = three();
    old[2].seen_at = "2026-01-20T09:00:00+07:00".into();
    for c in old {
        cache.put(c);
    }
    // 30 days before NOW is 2026-02-02: Ngọc, seen on 2026-01-20, goes.
    assert_eq!(cache.expire(at(NOW), 30), 1);
    assert_eq!(cache.len(), 2);
    assert!(cache.by_number("083190618257").is_none());
    assert_eq!(cache.search("ngoc", 10).len(), 0);
    assert_eq!(cache.expire(at(NOW), 30), 0);
    cache.save(at(NOW)).unwrap();

    // Opened 29 days on: kept; what was not seen in 29 days goes too.
    let later = at("2026-04-02T09:00:00+07:00");
    let kept = CitizenCache::open_or_wipe_if_older(&path, owner(), key.clone(), later, 30).unwrap();
    assert_eq!(kept.len(), 2);
    assert!(path.exists());
    let stricter =
        CitizenCache::open_or_wipe_if_older(&path, owner(), key.clone(), later, 20).unwrap();
    assert_eq!(stricter.len(), 0, "not saved 20 days ago: wiped");
    assert!(!path.exists());

    // Saved and then left 31 days: wiped whole, and empty to start again.
    let mut cache = CitizenCache::open(&path, owner(), key.clone()).unwrap();
    for c in three() {
        cache.put(c);
    }
    cache.save(at(NOW)).unwrap();
    let gone = CitizenCache::open_or_wipe_if_older(
        &path,
        owner(),
        key.clone(),
        at("2026-04-04T09:00:01+07:00"),
        31,
    )
    .unwrap();
    assert!(gone.is_empty());
    assert_eq!(gone.saved_at(), None);
    assert!(!path.exists());
}

#[test]
fn the_cache_holds_at_most_its_bound_dropping_whom_it_saw_longest_ago() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let mut cache = CitizenCache::open(&path, owner(), CacheKey::random()).unwrap();
    let base = at("2026-01-01T00:00:00+07:00");
    let template = &three()[1];
    for i in 0..=MAX_CITIZENS {
        let mut c = template.clone();
        c.id = format!("c-{i}");
        c.id_number = format!("083{i:09}");
        // Seen in an order that is not the order put: the bound goes by when.
        let minutes = ((i * 7919) % (MAX_CITIZENS + 1)) as i64;
        c.seen_at = (base + chrono::TimeDelta::minutes(minutes)).to_rfc3339();
        cache.put(c);
    }
    assert_eq!(cache.len(), MAX_CITIZENS);
    // The one seen at `base` (i = 0) is gone; the rest are there.
    assert!(cache.by_number("083000000000").is_none());
    assert!(cache.by_number("083000000001").is_some());
    assert!(cache.by_number(&format!("083{MAX_CITIZENS:09}")).is_some());
}

#[test]
fn wipe_removes_the_file_and_what_a_crash_left_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    saved(&path, CacheKey::random());
    std::fs::write(temp_path(&path), b"half a save").unwrap();
    CitizenCache::wipe(&path).unwrap();
    assert!(!path.exists());
    assert!(!temp_path(&path).exists());
    // Nothing to remove is not an error, and reopening starts empty.
    CitizenCache::wipe(&path).unwrap();
    assert!(
        CitizenCache::open(&path, owner(), CacheKey::random())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_save_cut_short_leaves_the_old_file_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let key = CacheKey::random();
    saved(&path, key.clone());
    // A crash mid-save: the temporary file half written, never renamed.
    let before = std::fs::read(&path).unwrap();
    std::fs::write(temp_path(&path), &before[..before.len() / 2]).unwrap();
    let mut cache = CitizenCache::open(&path, owner(), key.clone()).unwrap();
    assert_eq!(cache.len(), 3);
    // The next save goes through, over what was left.
    cache.put(CachedCitizen {
        id: "c-4".into(),
        id_number: "083201282230".into(),
        ..three()[0].clone()
    });
    cache.save(at(NOW)).unwrap();
    assert!(!temp_path(&path).exists());
    let cache = CitizenCache::open(&path, owner(), key).unwrap();
    assert_eq!(cache.len(), 4);
    assert_ne!(
        std::fs::read(&path).unwrap()[22..46],
        before[22..46],
        "a new nonce"
    );
}

#[cfg(unix)]
#[test]
fn the_file_is_readable_by_its_user_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    // Even over a temporary file a crash left world-readable.
    std::fs::write(temp_path(&path), b"x").unwrap();
    std::fs::set_permissions(temp_path(&path), std::fs::Permissions::from_mode(0o644)).unwrap();
    saved(&path, CacheKey::random());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}

#[test]
fn the_keyring_keeps_the_key_apart_from_the_session_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let store = keyring_core::mock::Store::new().unwrap();
    let mut keyring = TokenStore::with_store(StoreKind::Mock, store, "motcua-test");
    keyring
        .save("Bến Tre", "tiepnhan1", "session-token")
        .unwrap();

    // No file, a keyring that keeps secrets: a random key, kept there.
    let key = key_for(&path, &owner(), &mut keyring, "unused").unwrap();
    assert_eq!(key.source(), KeySource::Keyring);
    assert_eq!(
        keyring.load("Bến Tre", "tiepnhan1").as_deref(),
        Some("session-token"),
        "the session token is left alone"
    );
    let kept = keyring_key(&mut keyring, &owner()).unwrap();
    assert_eq!(kept.to_base64(), key.to_base64());
    saved(&path, key);
    assert_eq!(header(&path).unwrap().unwrap().source, KeySource::Keyring);

    // The next login: the header sends the desk to the keyring; the password is not used.
    let again = key_for(&path, &owner(), &mut keyring, "another password").unwrap();
    assert_eq!(CitizenCache::open(&path, owner(), again).unwrap().len(), 3);

    // Another officer gets another key.
    let other = CacheOwner::new("Bến Tre", "tiepnhan2");
    let other_key = key_for(&dir.path().join("other.cache"), &other, &mut keyring, "").unwrap();
    assert_ne!(other_key.to_base64(), kept.to_base64());

    // Logout with the cache wiped: the key forgotten, the file gone.
    forget_keyring_key(&mut keyring, &owner()).unwrap();
    assert!(matches!(
        key_for(&path, &owner(), &mut keyring, ""),
        Err(CacheError::NoKey)
    ));
    CitizenCache::wipe(&path).unwrap();
    let fresh = key_for(&path, &owner(), &mut keyring, "").unwrap();
    assert_ne!(fresh.to_base64(), kept.to_base64());
    assert_eq!(
        keyring.load("Bến Tre", "tiepnhan1").as_deref(),
        Some("session-token")
    );
}

#[test]
fn without_a_keyring_the_key_comes_from_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let mut keyring = TokenStore::memory("motcua-test");
    let key = key_for(&path, &owner(), &mut keyring, "Mật khẩu 2026").unwrap();
    assert_eq!(key.source(), KeySource::Password);
    assert!(
        keyring_key(&mut keyring, &owner()).is_none(),
        "nothing kept in a memory that dies with the app"
    );
    saved(&path, key);

    let again = key_for(&path, &owner(), &mut keyring, "Mật khẩu 2026").unwrap();
    assert_eq!(CitizenCache::open(&path, owner(), again).unwrap().len(), 3);
    let wrong = key_for(&path, &owner(), &mut keyring, "mật khẩu 2026").unwrap();
    assert!(matches!(
        CitizenCache::open(&path, owner(), wrong),
        Err(CacheError::Locked)
    ));
}

/// The cache filled from the portal finds, offline, the citizens the portal finds.
#[tokio::test]
async fn the_cache_finds_what_the_portal_finds() {
    let p = Portal::demo().await;
    let client = PortalClient::builder(&p.base).build().unwrap();
    client.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    let everyone = client.citizens("").await.unwrap();
    assert!(
        everyone.len() > 10 && everyone.len() < 50,
        "the office's citizens on one page: {}",
        everyone.len()
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("citizens.cache");
    let key = CacheKey::random();
    let mut cache = CitizenCache::open(&path, owner(), key.clone()).unwrap();
    for c in &everyone {
        cache.put(CachedCitizen::from_citizen(c, at(NOW)));
    }
    cache.save(at(NOW)).unwrap();
    let cache = CitizenCache::open(&path, owner(), key).unwrap();
    assert_eq!(cache.len(), everyone.len());

    for query in [
        "nguyen",
        "nguyen van",
        "nguyen van an",
        "NGUYỄN VĂN AN",
        "thi",
        "tran thi",
        "hoang phuc",
        "le",
        "083",
        "08307823",
        "083078238953",
        "0384 350 158",
        "+84 384 350 158",
        "038",
        "zzz",
    ] {
        let online: BTreeSet<String> = client
            .citizens(query)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        let offline: BTreeSet<String> = cache
            .search(query, 500)
            .into_iter()
            .map(|c| c.id.clone())
            .collect();
        assert_eq!(offline, online, "{query}");
    }
    // Ranked alike: the whole name first.
    let online = client.citizens("nguyen van an").await.unwrap();
    assert_eq!(cache.search("nguyen van an", 1)[0].id, online[0].id);
    assert_eq!(online[0].full_name, "Nguyễn Văn An");
}
