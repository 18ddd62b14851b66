//! Attempt counters per key (an account, a client address, a dossier code…) within a
//! window, for the guesses the portal must slow down: logins, password changes,
//! activations, public lookups.
//!
//! Checking and counting are one step: [`Throttle::reserve`] counts an attempt against
//! every key at once, or refuses if any key has used up its limit, atomically. A caller
//! reserves *before* it verifies anything, so a burst of concurrent guesses cannot all
//! pass the check before the first is counted; an attempt that turns out not to be a
//! failure (a right password, a found dossier) is given back with [`Throttle::release`].
//!
//! Two stores, one rule. An SQLite portal is one process: its counters live in memory,
//! under one lock ([`Counters`]). A PostgreSQL database may be shared by several portal
//! processes, and a guesser spreading attempts over them must meet one limit: the
//! counters are then rows of `throttle_counters` (migrations_pg/0002), read and written
//! in one write transaction (`db::write`, which every process's writers queue for), with
//! the same arithmetic as in memory.

use super::db;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

/// The longest key kept, in bytes: what a caller puts in a key past that (a long
/// username, a long code) is cut, so the table's memory is bounded per key too.
pub const KEY_MAX_BYTES: usize = 128;

/// A refusal: wait `wait` seconds; `first` when this is the first refusal of one of the
/// keys in its window, which is worth an audit row (later ones are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub wait: u64,
    pub first: bool,
}

/// The counters of one process. Those whose window has ended are dropped once per
/// window, and when the table holds `max_keys` the oldest eighth is evicted, so memory
/// stays bounded however many keys an attacker invents.
#[derive(Debug)]
pub struct Memory {
    inner: Mutex<Counters>,
    max_keys: usize,
}

#[derive(Debug, Default)]
struct Counters {
    entries: HashMap<String, Entry>,
    /// When expired counters were last dropped.
    pruned_at: i64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u32,
    /// Start of its window, Unix seconds.
    start: i64,
    /// A refusal of this key was already reported in this window.
    noted: bool,
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new(100_000)
    }
}

/// `key` cut to [`KEY_MAX_BYTES`] at a character boundary.
fn bounded(key: &str) -> &str {
    if key.len() <= KEY_MAX_BYTES {
        return key;
    }
    let mut end = KEY_MAX_BYTES;
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    &key[..end]
}

impl Memory {
    pub fn new(max_keys: usize) -> Memory {
        Memory {
            inner: Mutex::default(),
            max_keys: max_keys.max(1),
        }
    }

    /// Counts one attempt against each `(key, max)` — or none, if any key already has
    /// `max` attempts in its window, and then says how long to wait.
    pub fn reserve(&self, limits: &[(&str, u32)], window: i64, now: i64) -> Result<(), Blocked> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        // A sweep costs a pass over the map; once per window keeps that negligible.
        if now - inner.pruned_at >= window {
            inner.entries.retain(|_, e| now - e.start < window);
            inner.pruned_at = now;
        }
        let mut blocked: Option<Blocked> = None;
        for (key, max) in limits {
            let Some(entry) = inner.entries.get_mut(bounded(key)) else {
                continue;
            };
            let left = entry.start + window - now;
            if left <= 0 {
                *entry = Entry {
                    count: 0,
                    start: now,
                    noted: false,
                };
            } else if entry.count >= *max {
                let first = !entry.noted;
                entry.noted = true;
                let b = blocked.get_or_insert(Blocked {
                    wait: 0,
                    first: false,
                });
                b.wait = b.wait.max(left as u64);
                b.first |= first;
            }
        }
        if let Some(b) = blocked {
            return Err(b);
        }
        for (key, _) in limits {
            let key = bounded(key);
            if !inner.entries.contains_key(key) {
                if inner.entries.len() >= self.max_keys {
                    evict_oldest(&mut inner.entries, self.max_keys);
                }
                inner.entries.insert(
                    key.to_owned(),
                    Entry {
                        count: 0,
                        start: now,
                        noted: false,
                    },
                );
            }
            if let Some(entry) = inner.entries.get_mut(key) {
                entry.count += 1;
            }
        }
        Ok(())
    }

    /// Gives back an attempt reserved on `keys`: it was no failure.
    pub fn release(&self, keys: &[&str]) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for key in keys {
            if let Some(entry) = inner.entries.get_mut(bounded(key)) {
                entry.count = entry.count.saturating_sub(1);
            }
        }
    }

    /// Forgets `key`'s attempts (a successful login clears its account's failures).
    pub fn clear(&self, key: &str) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .remove(bounded(key));
    }

    /// How many counters are kept (for tests of the pruning).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Makes room in a full table: drops the eighth of the counters whose windows started
/// first (at least one). A sort per eviction of an eighth keeps the cost per insert low.
fn evict_oldest(entries: &mut HashMap<String, Entry>, max_keys: usize) {
    let mut starts: Vec<i64> = entries.values().map(|e| e.start).collect();
    let n = (max_keys / 8).clamp(1, starts.len());
    let (_, nth, _) = starts.select_nth_unstable(n - 1);
    let threshold = *nth;
    let mut dropped = 0;
    entries.retain(|_, e| {
        if dropped < n && e.start <= threshold {
            dropped += 1;
            false
        } else {
            true
        }
    });
}

/// The counters, wherever they are kept.
#[derive(Debug)]
pub enum Throttle {
    /// In this process (SQLite: one process per database).
    Memory(Memory),
    /// In the database, shared by every process (PostgreSQL).
    Shared(Shared),
}

impl Throttle {
    /// The store for a database on `engine`.
    pub fn for_engine(engine: db::Engine, pool: &AnyPool, max_keys: usize) -> Throttle {
        match engine {
            db::Engine::Sqlite => Throttle::Memory(Memory::new(max_keys)),
            db::Engine::Postgres => Throttle::Shared(Shared {
                pool: pool.clone(),
                pruned_at: AtomicI64::new(i64::MIN),
            }),
        }
    }

    /// Counts one attempt against each `(key, max)` — or none, if any key already has
    /// `max` attempts in its window, and then says how long to wait. A database error
    /// refuses nothing: an unreachable store must not lock every desk out (the request
    /// itself then fails on the same database).
    pub async fn reserve(
        &self,
        limits: &[(&str, u32)],
        window: i64,
        now: i64,
    ) -> Result<(), Blocked> {
        match self {
            Throttle::Memory(m) => m.reserve(limits, window, now),
            Throttle::Shared(s) => s.reserve(limits, window, now).await.unwrap_or_else(|e| {
                tracing::warn!("throttle: {e}");
                Ok(())
            }),
        }
    }

    /// Gives back an attempt reserved on `keys`: it was no failure.
    pub async fn release(&self, keys: &[&str]) {
        match self {
            Throttle::Memory(m) => m.release(keys),
            Throttle::Shared(s) => {
                if let Err(e) = s.change(keys, GIVE_BACK).await {
                    tracing::warn!("throttle: {e}");
                }
            }
        }
    }

    /// Forgets `key`'s attempts (a successful login clears its account's failures).
    pub async fn clear(&self, key: &str) {
        match self {
            Throttle::Memory(m) => m.clear(key),
            Throttle::Shared(s) => {
                if let Err(e) = s
                    .change(&[key], "DELETE FROM throttle_counters WHERE key = $1")
                    .await
                {
                    tracing::warn!("throttle: {e}");
                }
            }
        }
    }
}

/// An attempt given back, never below none.
const GIVE_BACK: &str =
    "UPDATE throttle_counters SET count = count - 1 WHERE key = $1 AND count > 0";

/// The counters as rows of the database (PostgreSQL).
#[derive(Debug)]
pub struct Shared {
    pool: AnyPool,
    /// When this process last deleted the rows of ended windows.
    pruned_at: AtomicI64,
}

impl Shared {
    async fn reserve(
        &self,
        limits: &[(&str, u32)],
        window: i64,
        now: i64,
    ) -> Result<Result<(), Blocked>, sqlx::Error> {
        let mut tx = db::write(&self.pool).await?;
        // Ended windows go once per window per process: the table holds only the keys
        // of the last window, however many an attacker invents.
        let pruned = self.pruned_at.load(Ordering::Relaxed);
        if now.saturating_sub(pruned) >= window {
            sqlx::query("DELETE FROM throttle_counters WHERE start <= $1")
                .bind(now - window)
                .execute(&mut *tx)
                .await?;
            self.pruned_at.store(now, Ordering::Relaxed);
        }
        let mut blocked: Option<Blocked> = None;
        let mut noted = Vec::new();
        for (key, max) in limits {
            let key = bounded(key);
            let row: Option<(i64, i64, i64)> =
                sqlx::query_as("SELECT count, start, noted FROM throttle_counters WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((count, start, was_noted)) = row else {
                continue;
            };
            let left = start + window - now;
            if left > 0 && count >= i64::from(*max) {
                let b = blocked.get_or_insert(Blocked {
                    wait: 0,
                    first: false,
                });
                b.wait = b.wait.max(left as u64);
                b.first |= was_noted == 0;
                noted.push(key);
            }
        }
        if let Some(b) = blocked {
            for key in noted {
                sqlx::query("UPDATE throttle_counters SET noted = 1 WHERE key = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            return Ok(Err(b));
        }
        for (key, _) in limits {
            // A window that has ended starts again at this attempt.
            sqlx::query(
                "INSERT INTO throttle_counters (key, count, start, noted) VALUES ($1, 1, $2, 0) \
                 ON CONFLICT (key) DO UPDATE SET \
                   count = CASE WHEN throttle_counters.start + $3 <= $2 THEN 1 \
                                ELSE throttle_counters.count + 1 END, \
                   noted = CASE WHEN throttle_counters.start + $3 <= $2 THEN 0 \
                                ELSE throttle_counters.noted END, \
                   start = CASE WHEN throttle_counters.start + $3 <= $2 THEN $2 \
                                ELSE throttle_counters.start END",
            )
            .bind(bounded(key))
            .bind(now)
            .bind(window)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// One statement per key, in one write transaction.
    async fn change(&self, keys: &[&str], sql: &'static str) -> Result<(), sqlx::Error> {
        let mut tx = db::write(&self.pool).await?;
        for key in keys {
            sqlx::query(sql)
                .bind(bounded(key))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::{Blocked, Memory};

    #[test]
    fn expired_counters_are_dropped() {
        let throttle = Memory::default();
        let window = 900;
        for i in 0..1000 {
            let key = format!("addr:10.0.{}.{}", i / 256, i % 256);
            throttle.reserve(&[(&key, 5)], window, 0).unwrap();
        }
        assert_eq!(throttle.len(), 1000);
        // Still within the window: every counter is still needed.
        throttle
            .reserve(&[("user:a", 1)], window, window - 1)
            .unwrap();
        assert_eq!(throttle.len(), 1001);
        // The window of the first thousand has ended: only the live one stays.
        throttle
            .reserve(&[("user:b", 1)], window, window + 1)
            .unwrap();
        assert_eq!(throttle.len(), 2, "user:a and user:b");
        assert_eq!(
            throttle.reserve(&[("user:a", 1)], window, window + 1),
            Err(Blocked {
                wait: 898,
                first: true
            })
        );
        assert_eq!(
            throttle.reserve(&[("user:a", 1)], window, window + 2),
            Err(Blocked {
                wait: 897,
                first: false
            }),
            "a refusal is reported once per window"
        );
    }

    #[test]
    fn reserving_checks_and_counts_every_key_at_once() {
        let throttle = Memory::default();
        let (w, now) = (900, 1000);
        for _ in 0..3 {
            throttle
                .reserve(&[("user:a", 3), ("addr:x", 10)], w, now)
                .unwrap();
        }
        // The account is full: nothing is counted, not even against the address.
        assert!(
            throttle
                .reserve(&[("user:a", 3), ("addr:x", 10)], w, now)
                .is_err()
        );
        for _ in 0..7 {
            throttle
                .reserve(&[("user:b", 9), ("addr:x", 10)], w, now)
                .unwrap();
        }
        assert!(
            throttle
                .reserve(&[("user:c", 9), ("addr:x", 10)], w, now)
                .is_err()
        );
        // A success gives its attempt back.
        throttle.release(&["user:b", "addr:x"]);
        throttle
            .reserve(&[("user:c", 9), ("addr:x", 10)], w, now)
            .unwrap();
        // A new window starts afresh.
        throttle.reserve(&[("user:a", 3)], w, now + w).unwrap();
    }

    #[test]
    fn the_table_is_capped_and_keys_are_cut() {
        let throttle = Memory::new(64);
        for i in 0..1000 {
            let key = format!("user:{i}");
            throttle.reserve(&[(&key, 5)], 900, i).unwrap();
        }
        assert!(throttle.len() <= 64, "{}", throttle.len());
        // The newest are kept.
        assert!(throttle.reserve(&[("user:999", 1)], 900, 1000).is_err());
        let long = "x".repeat(10_000);
        let longer = format!("{long}y");
        throttle.reserve(&[(&long, 1)], 900, 1000).unwrap();
        assert!(
            throttle.reserve(&[(&longer, 1)], 900, 1000).is_err(),
            "cut to the same key"
        );
    }
}
