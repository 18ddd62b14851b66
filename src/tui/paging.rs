//! Issue 18: the inbox holds a bounded run of pages of one listing (a queue, and the
//! portal's search), not the office's whole inbox. Pages are fetched with the portal's
//! keyset cursors as the selection nears either end of what is held; far pages are
//! dropped and fetched again, by the cursor kept for them, when the officer comes back.
//! The memory held stays [`HELD_PAGES`] × [`PAGE_ROWS`] rows, plus one cursor per page
//! seen, whatever the size of the office.

use crate::api::Page;
use crate::api::dossiers::DossierSummary;
use crate::client::{ClientError, DossierQuery, PortalClient};
use crate::domain::status::Queue;
use crate::tui::action::Snapshot;
use crate::tui::state::RequestId;
use std::time::Duration;

/// Rows per page asked of the portal: a little more than a tall terminal shows, so the
/// first screen costs one small answer on a slow link.
pub const PAGE_ROWS: u32 = 50;

/// Pages held at most: the one on screen and a couple either side.
pub const HELD_PAGES: usize = 6;

/// How long the filter waits after the last keystroke before asking the portal: typing
/// faster than this asks once, at the end.
pub const FILTER_PAUSE: Duration = Duration::from_millis(250);

/// What a run of pages lists: a queue and the text the portal searched for (`q`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListKey {
    pub queue: Queue,
    pub q: String,
}

impl ListKey {
    pub fn new(queue: Queue, q: &str) -> ListKey {
        ListKey {
            queue,
            q: q.trim().to_owned(),
        }
    }
}

/// One page as the portal gave it, and which page of which listing it is.
#[derive(Debug, Clone, PartialEq)]
pub struct PageAnswer {
    pub key: ListKey,
    /// Its number in the listing, from 0.
    pub number: usize,
    pub items: Vec<DossierSummary>,
    pub next_cursor: Option<String>,
    /// Rows in the whole listing (the portal's `total`).
    pub total: u64,
}

/// Where a row sits in the portal's order (`COALESCE(due_at, '9999'), code`): the keyset
/// the cursors walk, so the rows held are always one unbroken run of it.
pub type RowKey = (String, String);

pub fn row_key(s: &DossierSummary) -> RowKey {
    let (due, code) = row_key_ref(s);
    (due.to_owned(), code.to_owned())
}

/// [`row_key`] without copying, to sort by.
pub fn row_key_ref(s: &DossierSummary) -> (&str, &str) {
    (s.due_at.as_deref().unwrap_or("9999"), s.code.as_str())
}

/// A page asked for and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub key: ListKey,
    pub number: usize,
    pub cursor: Option<String>,
}

/// The pages held, as numbers into their listing and the keys bounding them.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub key: ListKey,
    /// The first held page.
    pub first: usize,
    /// How many pages from `first` are held.
    pub held: usize,
    /// `starts[k]`: the cursor that fetches page `k` (`None` for page 0). Kept for every
    /// page seen, so a dropped page comes back by one request.
    pub starts: Vec<Option<String>>,
    /// `ends[k]`: the key of page `k`'s last row when it was fetched; rows between two
    /// ends belong to the page after the first.
    pub ends: Vec<Option<RowKey>>,
    /// The cursor after the last held page; `None` when it is the listing's last.
    pub next: Option<String>,
    pub total: u64,
    /// The page on its way, and its request.
    pub loading: Option<(RequestId, Fetch)>,
    /// The last page asked for did not come: the list says so, and the next key asks again.
    pub failed: bool,
}

impl Window {
    /// Nothing held yet of `key`'s listing.
    pub fn empty(key: ListKey) -> Window {
        Window {
            key,
            first: 0,
            held: 0,
            starts: vec![None],
            ends: Vec::new(),
            next: None,
            total: 0,
            loading: None,
            failed: false,
        }
    }

    /// A window holding only `answer`'s page (the first of a listing, or any page after a
    /// reload).
    pub fn start(answer: &PageAnswer) -> Window {
        let mut w = Window {
            key: answer.key.clone(),
            first: answer.number,
            held: 1,
            starts: vec![None],
            ends: Vec::new(),
            next: answer.next_cursor.clone(),
            total: answer.total,
            loading: None,
            failed: false,
        };
        w.record(answer);
        w
    }

    /// Every row of the listing is held.
    pub fn complete(&self) -> bool {
        self.first == 0 && self.next.is_none()
    }

    /// The last held page's number.
    pub fn last(&self) -> usize {
        self.first + self.held.max(1) - 1
    }

    /// Keeps the cursor of the page after `answer` and the key its rows end at.
    fn record(&mut self, answer: &PageAnswer) {
        let n = answer.number;
        if self.starts.len() <= n + 1 {
            self.starts.resize(n + 2, None);
        }
        if answer.next_cursor.is_some() {
            self.starts[n + 1] = answer.next_cursor.clone();
        }
        if self.ends.len() <= n {
            self.ends.resize(n + 1, None);
        }
        self.ends[n] = answer.items.last().map(row_key);
    }

    /// Takes a page next to the held ones; `false` when it is not (a late answer).
    pub fn take(&mut self, answer: &PageAnswer) -> bool {
        if answer.key != self.key {
            return false;
        }
        if answer.number == self.last() + 1 {
            self.held += 1;
            self.next = answer.next_cursor.clone();
        } else if answer.number + 1 == self.first {
            self.first -= 1;
            self.held += 1;
        } else {
            return false;
        }
        self.total = answer.total;
        self.record(answer);
        true
    }

    /// Is a row at `key` inside the run held? Past the last page only when that page is
    /// the listing's last.
    pub fn covers(&self, key: &RowKey) -> bool {
        let after_lower = match self.first.checked_sub(1) {
            Some(before) => self
                .ends
                .get(before)
                .cloned()
                .flatten()
                .is_none_or(|end| *key > end),
            None => true,
        };
        let before_upper = self.next.is_none()
            || self
                .ends
                .get(self.last())
                .cloned()
                .flatten()
                .is_none_or(|end| *key <= end);
        after_lower && before_upper
    }

    /// Drops a page at one end when more than [`HELD_PAGES`] are held: the end farther
    /// from `near` (the selection's page), and when both are as far, the end away from
    /// `taken` (the page just taken). The page just taken goes only when the selection
    /// left it far behind while it was on its way (Home pressed), never when the
    /// selection is near it: it would be asked for again at once, without end. Returns
    /// the bounds of the rows to let go: those after `lower` and up to `upper` (`None`:
    /// no bound).
    pub fn evict(&mut self, near: usize, taken: usize) -> Option<(Option<RowKey>, Option<RowKey>)> {
        if self.held <= HELD_PAGES {
            return None;
        }
        let last = self.last();
        let (from_first, to_last) = (near.saturating_sub(self.first), last.saturating_sub(near));
        if from_first > to_last || (from_first == to_last && taken != self.first) {
            // Drop the first page.
            let lower = self
                .first
                .checked_sub(1)
                .and_then(|b| self.ends.get(b).cloned().flatten());
            let upper = self.ends.get(self.first).cloned().flatten();
            self.first += 1;
            self.held -= 1;
            Some((lower, upper))
        } else {
            // Drop the last page: the cursor that fetched it fetches it again.
            let lower = self.ends.get(last - 1).cloned().flatten();
            self.held -= 1;
            self.next = self.starts.get(last).cloned().flatten();
            Some((lower, None))
        }
    }
}

/// Asks the portal for one page of a listing.
pub async fn fetch(client: &PortalClient, ask: &Fetch) -> Result<PageAnswer, ClientError> {
    let page = client.dossiers(&query(ask)).await?;
    Ok(answer(ask, page))
}

/// The portal's question for one page of a listing.
fn query(ask: &Fetch) -> DossierQuery {
    DossierQuery {
        queue: Some(ask.key.queue),
        q: (!ask.key.q.is_empty()).then(|| ask.key.q.clone()),
        limit: Some(PAGE_ROWS),
        cursor: ask.cursor.clone(),
        ..DossierQuery::default()
    }
}

fn answer(ask: &Fetch, page: Page<DossierSummary>) -> PageAnswer {
    PageAnswer {
        key: ask.key.clone(),
        number: ask.number,
        items: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
    }
}

/// How many dossiers of every queue match `q`: one row asked, the portal's `total` read.
pub async fn count_everywhere(
    client: &PortalClient,
    q: String,
) -> Result<(String, u64), ClientError> {
    let page: Page<DossierSummary> = client
        .dossiers(&DossierQuery {
            queue: Some(Queue::All),
            q: Some(q.clone()),
            limit: Some(1),
            ..DossierQuery::default()
        })
        .await?;
    Ok((q, page.total))
}

/// What the inbox shows first: the first page of `key` and the delta feed's position,
/// in one request. The portal reads the position before the rows (`X-Changes-Seq`), so
/// that a change landing between the two reads is seen twice (in the page, then by the
/// first poll: harmless, a change carries the dossier as it is) and never missed, and so
/// that the first poll asks from a position the portal keeps however few changes it
/// keeps (`changes_kept`): one older than that would be "expired" at the first poll, and
/// the reload would expire again, without end.
pub async fn first_screen(client: &PortalClient, key: ListKey) -> Result<Snapshot, ClientError> {
    let ask = Fetch {
        key,
        number: 0,
        cursor: None,
    };
    let (page, seq) = client.dossiers_and_seq(&query(&ask)).await?;
    // Every portal of this version sends it; one that does not is older than this app.
    let seq = seq.ok_or_else(|| {
        ClientError::Decode("the portal's list carries no X-Changes-Seq: update the portal".into())
    })?;
    Ok(Snapshot {
        first: answer(&ask, page),
        seq,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(number: usize, codes: &[&str], next: Option<&str>) -> PageAnswer {
        PageAnswer {
            key: ListKey::new(Queue::All, ""),
            number,
            items: codes.iter().map(|c| summary(c)).collect(),
            next_cursor: next.map(str::to_owned),
            total: 100,
        }
    }

    fn summary(code: &str) -> DossierSummary {
        use crate::api::dossiers::{Channel, PaymentStatus};
        DossierSummary {
            code: code.to_owned(),
            status: crate::domain::status::Status::Received,
            channel: Channel::Desk,
            applicant_name: "Lê Văn Tám".into(),
            procedure_code: "1.001193".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            submitted_at: "2026-11-20T08:00:00+07:00".into(),
            received_at: None,
            due_at: Some("2026-12-01T10:00:00+07:00".into()),
            overdue: false,
            payment_status: PaymentStatus::Unpaid,
            version: 1,
        }
    }

    fn key(code: &str) -> RowKey {
        ("2026-12-01T10:00:00+07:00".into(), code.into())
    }

    #[test]
    fn pages_join_at_either_end_and_late_ones_are_refused() {
        let mut w = Window::start(&answer(0, &["a", "b"], Some("c1")));
        assert!(!w.complete());
        assert!(w.take(&answer(1, &["c", "d"], Some("c2"))));
        assert_eq!((w.first, w.held, w.next.as_deref()), (0, 2, Some("c2")));
        assert!(
            !w.take(&answer(5, &["x"], None)),
            "not next to the held pages"
        );
        assert_eq!(w.starts[2].as_deref(), Some("c2"));
        assert!(w.covers(&key("c")) && !w.covers(&key("e")));
    }

    #[test]
    fn the_page_just_taken_stays_when_the_selection_is_as_far_from_both_ends() {
        let mut w = Window::start(&answer(0, &["a0"], Some("c1")));
        for n in 1..=HELD_PAGES {
            let code = format!("a{n}");
            let next = format!("c{}", n + 1);
            assert!(w.take(&answer(n, &[code.as_str()], Some(next.as_str()))));
        }
        // Seven pages, the selection on the middle one: the first goes, not the last.
        let middle = HELD_PAGES / 2;
        w.evict(middle, HELD_PAGES).expect("one page too many");
        assert_eq!((w.first, w.last()), (1, HELD_PAGES));
        assert!(w.take(&answer(0, &["a0"], Some("c1"))));
        // And the other way: the last goes, not the first, just taken.
        w.evict(middle, 0).expect("one page too many");
        assert_eq!((w.first, w.last()), (0, HELD_PAGES - 1));
    }

    #[test]
    fn a_page_refused_leaves_the_total_alone() {
        let mut w = Window::start(&answer(0, &["a", "b"], Some("c1")));
        let mut late = answer(5, &["x"], None);
        late.total = 7;
        assert!(!w.take(&late));
        assert_eq!(w.total, 100, "the total of the listing held");
    }

    #[test]
    fn the_farthest_page_goes_and_its_cursor_stays() {
        let mut w = Window::start(&answer(0, &["a0"], Some("c1")));
        for n in 1..=HELD_PAGES {
            let code = format!("a{n}");
            let next = format!("c{}", n + 1);
            assert!(w.take(&answer(n, &[code.as_str()], Some(next.as_str()))));
        }
        // Near the end: the first page goes.
        let (lower, upper) = w.evict(HELD_PAGES, HELD_PAGES).expect("one page too many");
        assert_eq!((lower, upper), (None, Some(key("a0"))));
        assert_eq!((w.first, w.held), (1, HELD_PAGES));
        assert!(!w.covers(&key("a0")));
        // Back at the start: page 0 comes back by its cursor (none: the first page).
        assert!(w.take(&answer(0, &["a0"], Some("c1"))));
        let (lower, upper) = w.evict(0, 0).expect("one page too many again");
        assert_eq!(
            (lower, upper),
            (Some(key(&format!("a{}", HELD_PAGES - 1))), None)
        );
        assert_eq!(w.next.as_deref(), Some(format!("c{HELD_PAGES}").as_str()));
    }
}
