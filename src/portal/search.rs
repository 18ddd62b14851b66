//! Searching the office's rows by their folded words, through the word indexes of
//! migration 0023 (FTS5 tables beside `dossiers`, `citizens` and `certifications`).
//!
//! The index finds candidates; the rule stays the one [`Matcher`] keeps (every query word
//! begins some word of the row, accents and case ignored), applied to each candidate, so
//! an indexed search answers exactly what the scan it replaced answered. Lists searched
//! for a person or a paper (citizens, the certification books) are ranked: rows holding
//! more of the query's words whole come first ("nguyen van an" puts Nguyễn Văn An before
//! Nguyễn Văn Anh), then the list's own order. The inbox keeps its due-time order even
//! when searched: it is a work queue, the most urgent first (docs/api.md).

use super::db::Engine;
use super::error::ApiError;
use crate::domain::text::{Matcher, search_key};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::cmp::Reverse;

/// A list's cursor: opaque to clients; inside, the list's name and the public id of the
/// row after which the next page starts (never a row id: those would count rows of
/// other offices).
pub fn cursor(list: &str, public_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}{public_id}"))
}

/// The public id inside a cursor of `list`, or `None` for anything else.
pub fn cursor_public_id(list: &str, cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix(list)
        .map(str::to_owned)
}

/// A cursor that is not one of this list's (another list's, another office's row, a
/// row gone): refused, not taken for some position.
pub fn foreign_cursor() -> ApiError {
    ApiError::BadRequest(
        "the cursor is not one this list gave; start again from the first page".into(),
    )
}

/// A word-indexed list: the columns and the index a search of it reads.
#[derive(Debug, Clone, Copy)]
pub struct Indexed {
    /// The row's id, as the query names it (`c.id`).
    pub id: &'static str,
    /// The row's folded words, as the query names them (`c.search_key`).
    pub key: &'static str,
    /// SQLite's FTS5 table over the keys (migration 0023).
    pub fts: &'static str,
}

/// The condition (starting with `AND`) keeping the rows of `list` that hold every word of
/// the matcher, and the values to bind for it from `$param` on; nothing when the query has
/// no words. SQLite asks its FTS5 index (one value, the word query); PostgreSQL states the
/// rule itself, one `LIKE '% word%'` per word over `' ' || key`, which its trigram index
/// (`migrations_pg`) answers. (The inbox, searched far more often and over far more
/// rows, has an exact index of word prefixes on PostgreSQL: [`office_prefix_query`].)
pub fn word_filter(
    engine: Engine,
    list: Indexed,
    matcher: &Matcher,
    param: usize,
) -> (String, Vec<String>) {
    match engine {
        Engine::Sqlite => match words_query(matcher) {
            Some(words) => (
                format!(
                    "AND {} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ${param})",
                    list.id,
                    fts = list.fts
                ),
                vec![words],
            ),
            None => (String::new(), Vec::new()),
        },
        Engine::Postgres => {
            let mut clause = String::new();
            let mut binds = Vec::new();
            for token in matcher.tokens().iter().filter(|t| !t.is_empty()) {
                clause.push_str(&format!(
                    " AND (' ' || {}) LIKE ${}",
                    list.key,
                    param + binds.len()
                ));
                binds.push(word_prefix_pattern(token));
            }
            (clause, binds)
        }
    }
}

/// `% word%`: the LIKE pattern of "a word of the key begins with `token`". A token is a
/// run of letters and digits (the matcher's), so it holds neither `%` nor `_` and needs
/// no escape, which the two engines' LIKE would spell differently.
pub fn word_prefix_pattern(token: &str) -> String {
    debug_assert!(token.chars().all(char::is_alphanumeric), "{token}");
    format!("% {token}%")
}

/// The FTS5 query for a matcher's words: `"word"*` for each, joined by AND, so the index
/// hands back the rows holding a word that begins with each of them. `None` when the
/// query has no words (every row matches). The indexes split keys exactly where the
/// matcher does (migration 0023), so the rows found are the rows that match.
pub fn words_query(matcher: &Matcher) -> Option<String> {
    terms(matcher, "")
}

/// [`words_query`] for one office's inbox (`dossier_words`, whose terms carry the
/// office: `000001_nguyen`).
pub fn office_words_query(office: i64, matcher: &Matcher) -> Option<String> {
    terms(matcher, &format!("{office:06}_"))
}

/// The PostgreSQL twin of [`office_words_query`], for the index of word prefixes
/// (`migrations_pg/0003_word_prefixes.sql`): the AND of the office's entry for each
/// word, `'1_nguyen' & '1_van'`. A dossier is indexed under every prefix of each of its
/// words, so the rows found are exactly the rows that match.
///
/// A word that begins a word of the office's unit code (`000.01.27.H07`: `000`, `01`,
/// `27`, `h07`) is left out: every dossier of the office holds its code, so such a word
/// matches all of them, and its entry is the longest of the index (a code typed whole
/// would read four of those). `None` when no word is left: every dossier matches.
pub fn office_prefix_query(office: i64, unit: &str, matcher: &Matcher) -> Option<String> {
    let unit_key = search_key(unit);
    let unit_words: Vec<&str> = unit_key.split(' ').collect();
    let in_every_code = |t: &str| unit_words.iter().any(|w| w.starts_with(t));
    let tokens: Vec<&String> = matcher
        .tokens()
        .iter()
        .filter(|t| !t.is_empty() && !in_every_code(t))
        .collect();
    // Doubling a quote is the tsquery escape, as it is FTS5's.
    let terms: Vec<String> = tokens
        .iter()
        .map(|t| format!("'{office}_{}'", t.replace('\'', "''")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

fn terms(matcher: &Matcher, prefix: &str) -> Option<String> {
    join_tokens(matcher, " AND ", |t| {
        format!("\"{prefix}{}\"*", t.replace('"', "\"\""))
    })
}

/// The matcher's words, each made a term by `term`, joined by `and`; `None` when the
/// query has no words. A token is a run of letters and digits, so it holds no quote;
/// each `term` escapes one anyway, so that a later change cannot end a term early.
fn join_tokens(matcher: &Matcher, and: &str, term: impl Fn(&str) -> String) -> Option<String> {
    let terms: Vec<String> = matcher
        .tokens()
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| term(t))
        .collect();
    (!terms.is_empty()).then(|| terms.join(and))
}

/// Which way a list runs when its rows rank equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Oldest row first (the citizens list).
    Ascending,
    /// Newest row first (the certification books).
    Descending,
}

/// One page of a ranked search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedPage {
    /// How many rows match in all.
    pub total: u64,
    /// The page's row ids, in order.
    pub ids: Vec<i64>,
    /// True when rows follow the page.
    pub more: bool,
}

/// Filters `candidates` (row id, folded search key) by the matcher, ranks them (more whole
/// words first, then `order` by id), and cuts the page that follows the row `after` (its
/// id and key, from the cursor) — keyset paging on the rank, so a page boundary holds
/// however many rows are added while the official pages.
pub fn ranked_page(
    candidates: &[(i64, String)],
    matcher: &Matcher,
    order: Order,
    after: Option<(i64, &str)>,
    limit: usize,
) -> RankedPage {
    let sort_key = |id: i64, key: &str| {
        let by_id = match order {
            Order::Ascending => id,
            Order::Descending => -id,
        };
        (Reverse(matcher.whole_words(key)), by_id)
    };
    let mut matching: Vec<_> = candidates
        .iter()
        .filter(|(_, key)| matcher.matches_folded(key))
        .map(|(id, key)| (sort_key(*id, key), *id))
        .collect();
    matching.sort_unstable();
    let total = matching.len() as u64;
    let start = match after {
        Some((id, key)) => {
            let boundary = sort_key(id, key);
            matching.partition_point(|(k, _)| *k <= boundary)
        }
        None => 0,
    };
    let rest = &matching[start..];
    let page = &rest[..rest.len().min(limit)];
    RankedPage {
        total,
        ids: page.iter().map(|(_, id)| *id).collect(),
        more: rest.len() > page.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn postgres_words_become_the_office_s_prefix_entries() {
        let unit = "000.07.27.H07";
        let q = office_prefix_query(7, unit, &Matcher::new("Nguyễn  Văn-A")).unwrap();
        assert_eq!(q, "'7_nguyen' & '7_van' & '7_a'");
        assert_eq!(office_prefix_query(7, unit, &Matcher::new("  -- ")), None);
        // A code: the unit code's words are in every dossier of the office.
        let q = office_prefix_query(7, unit, &Matcher::new("000.07.27.H07-260731-0201"));
        assert_eq!(q.as_deref(), Some("'7_260731' & '7_0201'"));
        assert_eq!(office_prefix_query(7, unit, &Matcher::new("h07")), None);
        // Another office's unit code is a word like any other.
        let q = office_prefix_query(7, unit, &Matcher::new("000.08.27.H07")).unwrap();
        assert_eq!(q, "'7_08'");
    }

    #[test]
    fn words_become_prefix_terms() {
        let q = words_query(&Matcher::new("Nguyễn  Văn-A")).unwrap();
        // Longest first, as the matcher keeps them.
        assert_eq!(q, "\"nguyen\"* AND \"van\"* AND \"a\"*");
        assert_eq!(words_query(&Matcher::new("  -- ")), None);
        // Another script's words are words of the index as they are of the matcher.
        assert_eq!(
            words_query(&Matcher::new("北京 an")).unwrap(),
            "\"北京\"* AND \"an\"*"
        );
        assert_eq!(
            office_words_query(7, &Matcher::new("Văn An")).unwrap(),
            "\"000007_van\"* AND \"000007_an\"*"
        );
        assert_eq!(office_words_query(7, &Matcher::new("")), None);
    }

    fn rows(names: &[&str]) -> Vec<(i64, String)> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (i as i64 + 1, search_key(n)))
            .collect()
    }

    #[test]
    fn whole_words_come_first_then_the_list_order() {
        let candidates = rows(&[
            "Nguyễn Văn Anh",
            "Nguyễn Văn An",
            "Trần Thị Bình",
            "Nguyễn Văn An",
        ]);
        let m = Matcher::new("nguyen van an");
        let up = ranked_page(&candidates, &m, Order::Ascending, None, 10);
        assert_eq!(
            (up.total, up.ids.clone(), up.more),
            (3, vec![2, 4, 1], false)
        );
        let down = ranked_page(&candidates, &m, Order::Descending, None, 10);
        assert_eq!(down.ids, vec![4, 2, 1]);
    }

    #[test]
    fn an_empty_query_is_the_list_in_its_order() {
        let candidates = rows(&["B", "A", "C"]);
        let m = Matcher::new("");
        assert_eq!(
            ranked_page(&candidates, &m, Order::Descending, None, 2),
            RankedPage {
                total: 3,
                ids: vec![3, 2],
                more: true
            }
        );
    }

    proptest! {
        /// Paging through a ranked search with its cursors yields every match once, in
        /// rank order, whatever the page size.
        #[test]
        fn pages_cover_every_match_once(
            names in prop::collection::vec("(an|anh|van|nguyen|thi)( (an|anh|van|nguyen|thi)){0,3}", 0..40),
            query in "(an|van|ng|thi)( (an|van|anh)){0,2}",
            limit in 1usize..7,
            descending in any::<bool>(),
        ) {
            let candidates: Vec<(i64, String)> = names
                .iter()
                .enumerate()
                .map(|(i, n)| (i as i64 * 3 + 1, search_key(n)))
                .collect();
            let m = Matcher::new(&query);
            let order = if descending { Order::Descending } else { Order::Ascending };
            let all = ranked_page(&candidates, &m, order, None, usize::MAX);
            let mut seen = Vec::new();
            let mut after: Option<i64> = None;
            loop {
                let key = after.map(|id| {
                    let (_, k) = candidates.iter().find(|(i, _)| *i == id).unwrap();
                    (id, k.as_str())
                });
                let page = ranked_page(&candidates, &m, order, key, limit);
                prop_assert_eq!(page.total, all.total);
                seen.extend(page.ids.iter().copied());
                if !page.more {
                    break;
                }
                after = page.ids.last().copied();
            }
            prop_assert_eq!(&seen, &all.ids);
            let expected = candidates.iter().filter(|(_, k)| m.matches_folded(k)).count();
            prop_assert_eq!(seen.len(), expected);
        }
    }
}
