//! Password hashing under a bound. argon2id takes 19 MiB and tens of milliseconds per
//! hash or verification, so a crowd of logins run at once would take the memory of the
//! machine. Every hash and every verification of the portal goes through [`Passwords`]:
//! at most one per core runs (on the blocking pool), a bounded number of requests wait
//! for a slot for a bounded time, and the rest are answered 503 `server_busy` with
//! `Retry-After` at once.

use super::error::ApiError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What a refused caller is told to wait, in seconds.
const RETRY_AFTER_S: u64 = 2;

/// The bound on password work of one portal.
#[derive(Debug)]
pub struct Passwords {
    slots: Arc<Semaphore>,
    concurrency: usize,
    waiting: AtomicUsize,
    queue: usize,
    wait: Duration,
    verifications: AtomicU64,
}

/// Leaves the wait queue however the wait ends (a slot, a timeout, a dropped request).
struct InQueue<'a>(&'a AtomicUsize);

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Passwords {
    /// `concurrency` slots (0: one per core), `queue` waiting at most `wait` each.
    pub fn new(concurrency: usize, queue: usize, wait: Duration) -> Passwords {
        let concurrency = match concurrency {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        Passwords {
            slots: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            waiting: AtomicUsize::new(0),
            queue,
            wait,
            verifications: AtomicU64::new(0),
        }
    }

    /// How many hashes or verifications may run at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// How many verifications have been started (for tests and the curious).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// A slot: at once if one is free, else after waiting in the queue if there is room
    /// in it and a slot frees within the wait; otherwise 503 `server_busy`.
    async fn slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(ApiError::ServerBusy(RETRY_AFTER_S));
        }
        let _in_queue = InQueue(&self.waiting);
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::ServerBusy(RETRY_AFTER_S)),
        }
    }

    /// Runs `work` in a slot on the blocking pool. The slot is held until the work ends,
    /// even if the request that asked for it is gone meanwhile.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self.slot().await?;
        self.run_in(permit, work).await
    }

    /// Runs `work` on the blocking pool in the slot `permit`.
    async fn run_in<T: Send + 'static>(
        &self,
        permit: OwnedSemaphorePermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(ApiError::internal)
    }

    /// An argon2id hash of `password` (the crate's defaults: m = 19 MiB, t = 2, p = 1).
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `hash`. Without a hash (an unknown user, an account
    /// with no password yet) a decoy is verified, so that the answer takes as long and
    /// does not tell who has an account; it is then `false`.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let permit = self.slot().await?;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        self.run_in(permit, move || match hash {
            Some(hash) => verify_now(&password, &hash),
            None => {
                verify_now(&password, decoy_hash());
                false
            }
        })
        .await
    }
}

impl Default for Passwords {
    /// One slot per core, 32 waiting at most 5 s: what `Settings::default()` gives.
    fn default() -> Self {
        Passwords::new(0, 32, Duration::from_secs(5))
    }
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

fn verify_now(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash no password matches. Made on first use, inside a slot like any other hash.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut random = [0u8; 32];
        rand::rng().fill_bytes(&mut random);
        hash_now(&hex::encode(random)).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::Passwords;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn beyond_the_slots_and_the_queue_the_answer_is_busy() {
        let passwords = Arc::new(Passwords::new(1, 1, Duration::from_secs(60)));
        // One runs, one waits: the third is refused at once.
        let held = passwords.slot().await.unwrap();
        let waiting = {
            let p = passwords.clone();
            tokio::spawn(async move { p.slot().await.map(drop) })
        };
        while passwords.waiting.load(std::sync::atomic::Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        let refused = passwords.slot().await.unwrap_err();
        assert_eq!(refused.code(), crate::api::error::ErrorCode::ServerBusy);
        drop(held);
        waiting.await.unwrap().unwrap();
        assert_eq!(
            passwords.waiting.load(std::sync::atomic::Ordering::Acquire),
            0
        );
    }

    #[tokio::test]
    async fn a_wait_past_its_time_is_busy() {
        let passwords = Passwords::new(1, 4, Duration::from_millis(20));
        let _held = passwords.slot().await.unwrap();
        let refused = passwords.slot().await.unwrap_err();
        assert_eq!(refused.code(), crate::api::error::ErrorCode::ServerBusy);
    }
}
