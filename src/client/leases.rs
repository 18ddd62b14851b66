//! Numbers held for intake with the link down (issue 19), as a desk keeps them.
//!
//! While online, the desk keeps a block of today's dossier numbers leased from the portal
//! (`POST /code-leases`) and renews it as it uses it; with the link down, the intake gives
//! a dossier the next number it holds, so the receipt carries its final code, and the
//! outbox sends the dossier with that code when the link returns.
//!
//! [`HeldCodes`] is that block, on disk beside the outbox (`held-codes.json`, replaced
//! whole through a temporary file and a rename, flushed before it counts): a number taken
//! is written off before it is handed out, so a crash never hands it out twice, and a
//! lease asked for keeps its idempotency key until its answer came, so a cut answer never
//! leases twice. The file says whose numbers they are: another officer on the same desk
//! starts from nothing (the portal refuses a number to anyone but its lessee).

use super::{ClientError, PortalClient, segment, with_body};
use crate::api::headers::IDEMPOTENCY_KEY;
use crate::api::leases::{CodeLease, MAX_HELD, NewCodeLease, ReleaseCodes};
use crate::domain::calendar::LocalTime;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

impl PortalClient {
    /// Leases `count` of today's numbers (`POST /code-leases`); `key` is fixed when the
    /// lease is asked for, so that a retry after a lost answer gets the same numbers.
    pub async fn lease_codes(&self, key: &str, count: i64) -> Result<CodeLease, ClientError> {
        let rb = self
            .request(Method::POST, "/code-leases")
            .header(IDEMPOTENCY_KEY, key);
        self.json(with_body(rb, &NewCodeLease { count: Some(count) }))
            .await
    }

    /// The officer's leases that still hold numbers, and today's (`GET /code-leases`).
    pub async fn code_leases(&self) -> Result<Vec<CodeLease>, ClientError> {
        self.json(self.request(Method::GET, "/code-leases")).await
    }

    /// Voids `unused` numbers of the officer's lease `id` with `reason`.
    pub async fn release_codes(
        &self,
        id: &str,
        unused: &[String],
        reason: &str,
    ) -> Result<CodeLease, ClientError> {
        let path = format!("/code-leases/{}/release", segment(id));
        let body = ReleaseCodes {
            unused: unused.to_vec(),
            reason: reason.to_owned(),
        };
        self.json(with_body(self.request(Method::POST, &path), &body))
            .await
    }
}

/// A number the desk may give a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub code: String,
    /// Its lease's id, to release it.
    pub lease: String,
    /// The end of its day: a dossier received after it cannot have it.
    pub expires_at: String,
    /// When its lease was made: a dossier received before it cannot have it.
    pub leased_at: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Saved {
    /// The officer whose numbers these are.
    user: String,
    /// Numbers not yet given, oldest first.
    codes: Vec<Held>,
    /// Numbers given to dossiers (offline): never given again, whatever the portal says
    /// until the dossier arrives.
    given: BTreeSet<String>,
    /// A lease asked for whose answer has not come: its key and count.
    asking: Option<(String, i64)>,
    /// The leases this desk made. The portal lists all of the officer's, and an officer
    /// may work at two desks: each desk hands out only its own leases' numbers, or two
    /// dossiers taken in offline at two desks could get one code.
    #[serde(default)]
    mine: BTreeSet<String>,
}

/// What went wrong keeping the numbers.
#[derive(Debug, thiserror::Error)]
pub enum HeldError {
    #[error("{0}")]
    Portal(#[from] ClientError),
    #[error("{path}: {source}")]
    Disk {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The desk's held numbers, on disk (see the module's documentation).
pub struct HeldCodes {
    path: PathBuf,
    saved: Saved,
}

impl HeldCodes {
    /// The numbers kept in `dir` for `user`; none when the file is missing, unreadable
    /// or another officer's (the portal is asked again at the next [`HeldCodes::refresh`]).
    pub fn open(dir: &Path, user: &str) -> HeldCodes {
        let path = dir.join("held-codes.json");
        let saved = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Saved>(&bytes).ok())
            .filter(|s| s.user == user)
            .unwrap_or_else(|| Saved {
                user: user.to_owned(),
                ..Saved::default()
            });
        HeldCodes { path, saved }
    }

    /// Numbers a dossier received at `now` may have.
    pub fn available(&self, now: LocalTime) -> usize {
        self.saved.codes.iter().filter(|h| usable(h, now)).count()
    }

    /// The next number for a dossier received at `now`, written off on disk before it
    /// is handed out; `None` when none is held for that moment.
    pub fn take(&mut self, now: LocalTime) -> Result<Option<Held>, HeldError> {
        let Some(i) = self.saved.codes.iter().position(|h| usable(h, now)) else {
            return Ok(None);
        };
        let held = self.saved.codes.remove(i);
        self.saved.given.insert(held.code.clone());
        if let Err(e) = self.save() {
            // Not written off (the file on disk is the one before): not handed out, and
            // still the next to take once the disk has room.
            self.saved.given.remove(&held.code);
            self.saved.codes.insert(i, held);
            return Err(e);
        }
        Ok(Some(held))
    }

    /// Reads the officer's numbers from the portal, gives back those of days gone (no
    /// dossier received now can have them) and leases more when fewer than half of
    /// `target` are left for today (up to `target`, within the 50 an officer may hold).
    /// Numbers given to dossiers not yet arrived are never handed out again.
    pub async fn refresh(
        &mut self,
        client: &PortalClient,
        target: usize,
        now: LocalTime,
    ) -> Result<(), HeldError> {
        // A lease asked for before whose answer was lost: asked again with its key.
        if let Some((key, count)) = self.saved.asking.clone() {
            self.ask(client, &key, count).await?;
        }
        self.reread(client).await?;
        let at = now.to_rfc3339();
        let past: Vec<Held> = self
            .saved
            .codes
            .iter()
            .filter(|h| h.expires_at.as_str() <= at.as_str())
            .cloned()
            .collect();
        if !past.is_empty() {
            release(client, &past, PAST_DAY_REASON).await?;
            self.reread(client).await?;
        }
        let target = target.min(MAX_HELD as usize);
        let have = self.available(now);
        if have * 2 < target {
            let held_at_portal = self.saved.codes.len();
            let count = (target - have).min((MAX_HELD as usize).saturating_sub(held_at_portal));
            if count > 0 {
                let key = uuid::Uuid::new_v4().to_string();
                self.saved.asking = Some((key.clone(), count as i64));
                self.save()?;
                self.ask(client, &key, count as i64).await?;
                self.reread(client).await?;
            }
        }
        Ok(())
    }

    /// Sends the lease asked for. Unanswered (the link), it stays asked, to be sent
    /// again with its key; refused (the 50 held, the day's numbers used up), it is
    /// forgotten.
    async fn ask(&mut self, client: &PortalClient, key: &str, count: i64) -> Result<(), HeldError> {
        match client.lease_codes(key, count).await {
            Err(e) if e.is_offline() => Err(e.into()),
            answer => {
                self.saved.asking = None;
                if let Ok(lease) = &answer {
                    self.saved.mine.insert(lease.id.clone());
                }
                self.save()?;
                answer.map(drop).map_err(HeldError::from)
            }
        }
    }

    /// The portal's view of the officer's held numbers, less those given here.
    async fn reread(&mut self, client: &PortalClient) -> Result<(), HeldError> {
        let mut leases = client.code_leases().await?;
        leases.retain(|l| self.saved.mine.contains(&l.id));
        // A lease the portal no longer lists holds nothing any more.
        let listed: BTreeSet<&String> = leases.iter().map(|l| &l.id).collect();
        let gone: Vec<String> = self
            .saved
            .mine
            .iter()
            .filter(|id| !listed.contains(id))
            .cloned()
            .collect();
        for id in gone {
            self.saved.mine.remove(&id);
        }
        let mut used_or_void: BTreeSet<String> = BTreeSet::new();
        let mut codes = Vec::new();
        for lease in &leases {
            used_or_void.extend(lease.used.iter().cloned());
            used_or_void.extend(lease.voided.iter().map(|v| v.code.clone()));
            for code in &lease.held {
                if !self.saved.given.contains(code) {
                    codes.push(Held {
                        code: code.clone(),
                        lease: lease.id.clone(),
                        expires_at: lease.expires_at.clone(),
                        leased_at: lease.created_at.clone(),
                    });
                }
            }
        }
        // A number given here that the portal now has a dossier for (or voided) is done
        // with; one it still holds stays written off until its dossier arrives.
        let held_there: BTreeSet<&String> = leases.iter().flat_map(|l| &l.held).collect();
        self.saved
            .given
            .retain(|c| held_there.contains(c) && !used_or_void.contains(c));
        self.saved.codes = codes;
        self.save()
    }

    /// Gives back every number held here that no dossier will have (the end of the day,
    /// the officer logging out for good), with `reason` for the register.
    pub async fn release_all(
        &mut self,
        client: &PortalClient,
        reason: &str,
    ) -> Result<usize, HeldError> {
        let released = release(client, &self.saved.codes, reason).await?;
        self.saved.codes.clear();
        self.save()?;
        Ok(released)
    }

    /// Replaces the file whole: written beside it, flushed, renamed over it.
    fn save(&self) -> Result<(), HeldError> {
        let disk = |source| HeldError::Disk {
            path: self.path.clone(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(disk)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        let bytes = serde_json::to_vec(&self.saved).map_err(|e| disk(e.into()))?;
        let mut file = std::fs::File::create(&tmp).map_err(disk)?;
        file.write_all(&bytes).map_err(disk)?;
        file.sync_all().map_err(disk)?;
        std::fs::rename(&tmp, &self.path).map_err(disk)
    }
}

/// Why numbers of a day gone were given back, for the register.
pub const PAST_DAY_REASON: &str = "Hết ngày làm việc, không dùng";

/// Voids `codes` at the portal, lease by lease, with `reason`; how many.
async fn release(client: &PortalClient, codes: &[Held], reason: &str) -> Result<usize, HeldError> {
    let mut by_lease: Vec<(&str, Vec<String>)> = Vec::new();
    for h in codes {
        match by_lease.iter_mut().find(|(id, _)| *id == h.lease) {
            Some((_, codes)) => codes.push(h.code.clone()),
            None => by_lease.push((&h.lease, vec![h.code.clone()])),
        }
    }
    for (lease, codes) in &by_lease {
        client.release_codes(lease, codes, reason).await?;
    }
    Ok(codes.len())
}

/// How far behind the portal's clock a desk's may be when it counts its numbers. The
/// desk follows the portal's `Date` to within 2 s, so a number leased a moment ago may
/// be "not yet leased" by the desk's clock; within this slack the desk takes the lease's
/// moment as the least it can be now (the portal's clock has passed it).
const CLOCK_SLACK: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

impl Held {
    /// The moment a dossier numbered with this at `now` (the desk's clock) is received,
    /// as the portal will check it: never before the lease was made, so a desk a second
    /// behind the portal can use numbers it has just leased. `None` when it cannot have
    /// this number: leased well after `now` (a clock far off), or its day is over.
    pub fn received_at(&self, now: LocalTime) -> Option<String> {
        let at = now.to_rfc3339();
        let moment = if self.leased_at.as_str() <= at.as_str() {
            at
        } else if (now + CLOCK_SLACK).to_rfc3339() >= self.leased_at {
            self.leased_at.clone()
        } else {
            return None;
        };
        (moment < self.expires_at).then_some(moment)
    }
}

/// Whether `h` may number a dossier received at `now`.
fn usable(h: &Held, now: LocalTime) -> bool {
    h.received_at(now).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(code: &str, day: &str) -> Held {
        Held {
            code: code.into(),
            lease: "l".into(),
            expires_at: format!("{day}T23:59:59+07:00"),
            leased_at: format!("{day}T07:00:00+07:00"),
        }
    }

    fn at(s: &str) -> LocalTime {
        crate::clock::parse_instant(s).unwrap()
    }

    #[test]
    fn numbers_leased_a_moment_ahead_of_the_desks_clock_are_usable_from_the_lease_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut codes = HeldCodes::open(dir.path(), "tiepnhan1");
        let leased = |code: &str, at: &str| Held {
            code: code.into(),
            lease: "l".into(),
            expires_at: "2026-03-05T00:00:00+07:00".into(),
            leased_at: at.into(),
        };
        // The portal leased at 09:00:01; the desk's clock says 09:00:00 (it follows the
        // portal to within 2 s). Another lease is a day ahead: a clock far off.
        codes.saved.codes = vec![
            leased("A-1", "2026-03-04T09:00:01+07:00"),
            leased("A-2", "2026-03-05T09:00:00+07:00"),
        ];
        let desk = at("2026-03-04T09:00:00+07:00");
        assert_eq!(codes.available(desk), 1);
        let h = codes.take(desk).unwrap().unwrap();
        assert_eq!(h.code, "A-1");
        assert_eq!(
            h.received_at(desk).as_deref(),
            Some("2026-03-04T09:00:01+07:00"),
            "received no earlier than leased, as the portal checks"
        );
        assert!(codes.take(desk).unwrap().is_none());
        // A minute on, by the desk's clock: its own moment.
        let later = at("2026-03-04T09:01:00+07:00");
        assert_eq!(
            h.received_at(later).as_deref(),
            Some("2026-03-04T09:01:00+07:00")
        );
        // Past the day's end: none.
        assert_eq!(h.received_at(at("2026-03-05T00:00:00+07:00")), None);
    }

    #[test]
    fn a_take_the_disk_refuses_hands_out_nothing_and_the_number_stays_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut codes = HeldCodes::open(dir.path(), "tiepnhan1");
        codes.saved.codes = vec![held("A-1", "2026-03-04"), held("A-2", "2026-03-04")];
        codes.save().unwrap();
        let now = at("2026-03-04T09:00:00+07:00");
        // The file cannot be replaced (its temporary is in the way, as a full disk or a
        // read-only folder would refuse it).
        let tmp = dir.path().join("held-codes.json.tmp");
        std::fs::create_dir(&tmp).unwrap();
        assert!(matches!(codes.take(now), Err(HeldError::Disk { .. })));
        assert_eq!(codes.available(now), 2, "nothing written off");
        assert!(codes.saved.given.is_empty());
        std::fs::remove_dir(&tmp).unwrap();
        assert_eq!(codes.take(now).unwrap().unwrap().code, "A-1");
        assert_eq!(
            HeldCodes::open(dir.path(), "tiepnhan1").available(now),
            1,
            "the one taken is written off on disk"
        );
    }

    #[test]
    fn a_number_taken_is_never_handed_out_again_even_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let mut codes = HeldCodes::open(dir.path(), "tiepnhan1");
        codes.saved.codes = vec![held("A-1", "2026-03-04"), held("A-2", "2026-03-04")];
        codes.save().unwrap();
        let now = at("2026-03-04T09:00:00+07:00");
        assert_eq!(codes.take(now).unwrap().unwrap().code, "A-1");
        drop(codes);
        let mut again = HeldCodes::open(dir.path(), "tiepnhan1");
        assert_eq!(again.available(now), 1);
        assert_eq!(again.take(now).unwrap().unwrap().code, "A-2");
        assert!(again.take(now).unwrap().is_none());
        assert!(again.saved.given.contains("A-1") && again.saved.given.contains("A-2"));
    }

    #[test]
    fn numbers_of_another_day_or_officer_are_not_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut codes = HeldCodes::open(dir.path(), "tiepnhan1");
        codes.saved.codes = vec![held("A-1", "2026-03-03")];
        codes.save().unwrap();
        assert_eq!(codes.available(at("2026-03-04T09:00:00+07:00")), 0);
        assert_eq!(
            codes.available(at("2026-03-03T06:00:00+07:00")),
            0,
            "before the lease"
        );
        assert_eq!(codes.available(at("2026-03-03T09:00:00+07:00")), 1);
        let other = HeldCodes::open(dir.path(), "tiepnhan2");
        assert_eq!(other.available(at("2026-03-03T09:00:00+07:00")), 0);
    }
}
