//! Where the session token lives between runs: the OS keyring through keyring-core and the
//! per-platform store crates, tried in order (macOS Keychain; Windows Credential Manager;
//! on Linux the Secret Service, then the kernel keyring). Where none works — no D-Bus
//! session, the kernel keyring refusing — the token stays in memory only and the app
//! says so once. Passwords are never stored.

use keyring_core::{CredentialStore, Entry};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How long a store may take to answer the probe: a Secret Service that never answers
/// must not hold up the login.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Keychain,
    CredentialManager,
    SecretService,
    KernelKeyring,
    /// keyring-core's mock store (tests).
    Mock,
    /// No keyring: the token is forgotten when the app ends.
    Memory,
}

pub struct TokenStore {
    kind: StoreKind,
    store: Option<Arc<CredentialStore>>,
    service: String,
    /// Entries are kept: some stores (the mock) hold a credential only while its entry
    /// lives, and it saves rebuilding them.
    entries: HashMap<String, Entry>,
    memory: HashMap<String, String>,
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStore")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Builds one kind of store (or says it is not there).
type MakeStore = fn() -> Option<Arc<CredentialStore>>;

/// The platform's stores, in the order they are tried.
fn candidates() -> Vec<(StoreKind, MakeStore)> {
    #[allow(unused_mut)]
    let mut out: Vec<(StoreKind, MakeStore)> = Vec::new();
    #[cfg(target_os = "macos")]
    out.push((StoreKind::Keychain, || {
        apple_native_keyring_store::keychain::Store::new()
            .ok()
            .map(|s| s as Arc<CredentialStore>)
    }));
    #[cfg(target_os = "windows")]
    out.push((StoreKind::CredentialManager, || {
        windows_native_keyring_store::Store::new()
            .ok()
            .map(|s| s as Arc<CredentialStore>)
    }));
    #[cfg(target_os = "linux")]
    {
        out.push((StoreKind::SecretService, || {
            zbus_secret_service_keyring_store::Store::new()
                .ok()
                .map(|s| s as Arc<CredentialStore>)
        }));
        out.push((StoreKind::KernelKeyring, || {
            linux_keyutils_keyring_store::Store::new()
                .ok()
                .map(|s| s as Arc<CredentialStore>)
        }));
    }
    out
}

/// Does `store` really keep a secret? Write, read back and delete a probe entry, in a
/// thread bounded by [`PROBE_TIMEOUT`].
fn works(make: MakeStore, service: &str) -> Option<Arc<CredentialStore>> {
    let service = service.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = make().filter(|store| {
            let Ok(entry) = Entry::new_in_store(store, &service, "probe") else {
                return false;
            };
            let ok = entry.set_password("probe").is_ok()
                && entry.get_password().is_ok_and(|p| p == "probe");
            let _ = entry.delete_credential();
            ok
        });
        let _ = tx.send(result);
    });
    rx.recv_timeout(PROBE_TIMEOUT).ok().flatten()
}

impl TokenStore {
    /// The first store of this platform that works, or memory.
    pub fn open(service: &str) -> TokenStore {
        for (kind, make) in candidates() {
            if let Some(store) = works(make, service) {
                return TokenStore::with_store(kind, store, service);
            }
        }
        TokenStore::memory(service)
    }

    pub fn with_store(kind: StoreKind, store: Arc<CredentialStore>, service: &str) -> TokenStore {
        TokenStore {
            kind,
            store: Some(store),
            service: service.to_owned(),
            entries: HashMap::new(),
            memory: HashMap::new(),
        }
    }

    pub fn memory(service: &str) -> TokenStore {
        TokenStore {
            kind: StoreKind::Memory,
            store: None,
            service: service.to_owned(),
            entries: HashMap::new(),
            memory: HashMap::new(),
        }
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    /// False when the token will not outlive the app.
    pub fn is_persistent(&self) -> bool {
        self.kind != StoreKind::Memory
    }

    fn entry(&mut self, profile: &str, username: &str) -> Option<&Entry> {
        let store = self.store.as_ref()?;
        let user = format!("{profile}/{username}");
        if !self.entries.contains_key(&user) {
            let entry = Entry::new_in_store(store, &self.service, &user).ok()?;
            self.entries.insert(user.clone(), entry);
        }
        self.entries.get(&user)
    }

    /// Keeps `token` for the profile and user. A store that fails now falls back to
    /// memory for this token (and says so through `is_persistent`).
    pub fn save(&mut self, profile: &str, username: &str, token: &str) -> Result<(), String> {
        let key = format!("{profile}/{username}");
        if self.store.is_some() {
            match self.entry(profile, username).map(|e| e.set_password(token)) {
                Some(Ok(())) => return Ok(()),
                Some(Err(e)) => {
                    tracing::warn!("keyring refused the token ({e}); keeping it in memory");
                    self.kind = StoreKind::Memory;
                    self.store = None;
                }
                None => {
                    self.kind = StoreKind::Memory;
                    self.store = None;
                }
            }
        }
        self.memory.insert(key, token.to_owned());
        Ok(())
    }

    pub fn load(&mut self, profile: &str, username: &str) -> Option<String> {
        let key = format!("{profile}/{username}");
        if self.store.is_some() {
            return self.entry(profile, username)?.get_password().ok();
        }
        self.memory.get(&key).cloned()
    }

    pub fn delete(&mut self, profile: &str, username: &str) -> Result<(), String> {
        let key = format!("{profile}/{username}");
        self.memory.remove(&key);
        if self.store.is_some()
            && let Some(entry) = self.entry(profile, username)
        {
            match entry.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mock_store_keeps_and_forgets_tokens() {
        let store = keyring_core::mock::Store::new().unwrap();
        let mut tokens = TokenStore::with_store(StoreKind::Mock, store, "motcua-test");
        assert!(tokens.is_persistent());
        assert_eq!(tokens.load("Đào tạo", "tiepnhan1"), None);
        tokens.save("Đào tạo", "tiepnhan1", "secret-token").unwrap();
        assert_eq!(
            tokens.load("Đào tạo", "tiepnhan1").as_deref(),
            Some("secret-token")
        );
        assert_eq!(tokens.load("Đào tạo", "chuyenvien1"), None);
        tokens.delete("Đào tạo", "tiepnhan1").unwrap();
        assert_eq!(tokens.load("Đào tạo", "tiepnhan1"), None);
        // Deleting what is not there is not an error.
        tokens.delete("Đào tạo", "tiepnhan1").unwrap();
    }

    #[test]
    fn a_failing_store_falls_back_to_memory() {
        let store = keyring_core::mock::Store::new().unwrap();
        let mut tokens = TokenStore::with_store(StoreKind::Mock, store, "motcua-test");
        let entry = tokens.entry("p", "u").unwrap();
        let mock: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        mock.set_error(keyring_core::Error::NoStorageAccess(Box::new(
            std::io::Error::other("locked"),
        )));
        tokens.save("p", "u", "t").unwrap();
        assert!(!tokens.is_persistent());
        assert_eq!(tokens.kind(), StoreKind::Memory);
        assert_eq!(tokens.load("p", "u").as_deref(), Some("t"));
    }

    #[test]
    fn memory_only_keeps_tokens_for_this_run() {
        let mut tokens = TokenStore::memory("motcua-test");
        assert!(!tokens.is_persistent());
        tokens.save("p", "u", "t").unwrap();
        assert_eq!(tokens.load("p", "u").as_deref(), Some("t"));
        tokens.delete("p", "u").unwrap();
        assert_eq!(tokens.load("p", "u"), None);
    }

    /// On this machine and CI there is no D-Bus session and the kernel keyring refuses:
    /// opening must end (bounded) and fall back to memory rather than hang or fail.
    #[test]
    fn opening_never_hangs() {
        let start = std::time::Instant::now();
        let tokens = TokenStore::open("motcua-probe-test");
        assert!(start.elapsed() < PROBE_TIMEOUT * 3, "{:?}", start.elapsed());
        let _ = tokens.kind();
    }
}
