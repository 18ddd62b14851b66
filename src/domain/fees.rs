//! Fee schedules: what a procedure costs at the desk and online, and when it is paid.
//!
//! Fees change by decree, so they are data (serialisable, kept in configuration with
//! the procedure) rather than code. Three shapes cover the ward procedures: free, a
//! fixed amount per dossier, and a price per page with a cap per copy (certified copies:
//! 2,000 đ/page for pages 1–2, 1,000 đ/page from page 3, at most 200,000 đ per copy).
//! All arithmetic saturates: a typo of a billion pages gives a huge fee, not a panic.

use super::{Lang, RuleError};

/// Where the dossier is submitted. Some procedures cost less online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Desk,
    Online,
}

/// One step of a per-page price: `price` đồng for each page from `from_page` on, until
/// the next tier starts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct PageTier {
    pub from_page: u32,
    pub price: u64,
}

/// How a fee is computed. In JSON: `{"kind": "free"}`, `{"kind": "fixed", "amount":
/// 50000}`, `{"kind": "per_page", "tiers": [{"from_page": 1, "price": 2000}, …],
/// "cap_per_copy": 200000}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeeRule {
    Free,
    /// The same amount per dossier, whatever its pages or copies.
    Fixed {
        amount: u64,
    },
    /// A price per page of one copy, by tier, optionally capped per copy; copies
    /// multiply.
    PerPage {
        tiers: Vec<PageTier>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cap_per_copy: Option<u64>,
    },
}

/// When the citizen pays.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PaymentTiming {
    AtSubmission,
    BeforeReturn,
}

/// The fees of one procedure (or case of a procedure).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FeeSchedule {
    pub desk: FeeRule,
    /// The online fee when it differs; `None` means the desk rule applies online too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<FeeRule>,
    pub timing: PaymentTiming,
}

/// What a fee is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeeInput {
    pub channel: Channel,
    /// Pages of ONE copy (only per-page rules use it).
    pub pages: u32,
    /// Copies requested; 0 counts as 1 (see [`FeeRule::amount`]).
    pub copies: u32,
}

/// A fee rule that cannot be used as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("the per-page fee has no price tiers; add at least one tier starting at page 1")]
    EmptyTiers,
    #[error(
        "the first price tier of the per-page fee starts at page {from_page}, but it must start at page 1; change the first tier to start at page 1"
    )]
    FirstTierNotPageOne { from_page: u32 },
    #[error(
        "price tier {} of the per-page fee starts at page {from_page}, not after the previous tier (page {previous}); list the tiers by increasing page, without repeats",
        .index + 1
    )]
    TiersNotIncreasing {
        /// 0-based position in the list; messages show it 1-based.
        index: usize,
        from_page: u32,
        previous: u32,
    },
}

impl RuleError for FeeError {
    fn code(&self) -> &'static str {
        match self {
            FeeError::EmptyTiers => "fee_tiers_empty",
            FeeError::FirstTierNotPageOne { .. } => "fee_first_tier_not_page_one",
            FeeError::TiersNotIncreasing { .. } => "fee_tiers_not_increasing",
        }
    }

    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            FeeError::EmptyTiers => "Biểu phí theo trang chưa có mức giá nào. Hãy thêm ít nhất \
                                     một mức giá bắt đầu từ trang 1."
                .to_owned(),
            FeeError::FirstTierNotPageOne { from_page } => format!(
                "Mức giá đầu tiên của biểu phí theo trang bắt đầu từ trang {from_page}, trong \
                 khi phải bắt đầu từ trang 1. Hãy sửa mức đầu tiên thành từ trang 1."
            ),
            FeeError::TiersNotIncreasing {
                index,
                from_page,
                previous,
            } => format!(
                "Mức giá thứ {} của biểu phí theo trang bắt đầu từ trang {from_page}, không sau \
                 mức liền trước (trang {previous}). Hãy xếp các mức theo số trang tăng dần, \
                 không trùng nhau.",
                index + 1
            ),
        }
    }
}

/// Groups the digits of `n` by thousands with `sep`.
fn group_thousands(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// An amount of đồng for people: "50.000 đ" in Vietnamese (dot thousands separator,
/// đ after), "VND 50,000" in English.
pub fn format_vnd(amount: u64, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("{} đ", group_thousands(amount, '.')),
        Lang::En => format!("VND {}", group_thousands(amount, ',')),
    }
}

/// The tiers in effect, in page order: tiers sorted by `from_page` (page 0 counts as
/// page 1), and of tiers starting at the same page only the last listed. A validated
/// rule is already in this form; the normalisation gives unvalidated data a defined
/// meaning instead of a panic or a silent misreading.
fn effective_tiers(tiers: &[PageTier]) -> Vec<PageTier> {
    let mut out: Vec<PageTier> = tiers
        .iter()
        .map(|t| PageTier {
            from_page: t.from_page.max(1),
            price: t.price,
        })
        .collect();
    // Stable, so tiers starting on the same page keep their listed order.
    out.sort_by_key(|t| t.from_page);
    let mut kept: Vec<PageTier> = Vec::with_capacity(out.len());
    for tier in out {
        match kept.last_mut() {
            Some(last) if last.from_page == tier.from_page => *last = tier,
            _ => kept.push(tier),
        }
    }
    kept
}

/// Each effective tier with the last page it covers (`None`: no end).
fn tier_ranges(tiers: &[PageTier]) -> Vec<(PageTier, Option<u32>)> {
    let tiers = effective_tiers(tiers);
    tiers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // The next tier starts later (the list is strictly increasing), so the
            // subtraction cannot underflow.
            let last = tiers.get(i + 1).map(|next| next.from_page - 1);
            (*t, last)
        })
        .collect()
}

impl FeeRule {
    /// The fee for `copies` copies of a document of `pages` pages.
    ///
    /// - `Free`: 0.
    /// - `Fixed`: the amount, per dossier: pages and copies do not change it.
    /// - `PerPage`: each page of one copy costs its tier's price (pages before the first
    ///   tier, possible only in an unvalidated rule, are free); the sum is capped at
    ///   `cap_per_copy`, then multiplied by the copies. 0 pages costs 0. 0 copies counts
    ///   as 1: a certified copy request always yields at least one copy, and an unfilled
    ///   copies field must not make the service free.
    pub fn amount(&self, pages: u32, copies: u32) -> u64 {
        match self {
            FeeRule::Free => 0,
            FeeRule::Fixed { amount } => *amount,
            FeeRule::PerPage {
                tiers,
                cap_per_copy,
            } => {
                if pages == 0 {
                    return 0;
                }
                let per_copy = tier_ranges(tiers)
                    .into_iter()
                    .filter(|(t, _)| t.from_page <= pages)
                    .fold(0u64, |sum, (t, last)| {
                        let end = last.map_or(pages, |l| l.min(pages));
                        let count = u64::from(end - t.from_page + 1);
                        sum.saturating_add(count.saturating_mul(t.price))
                    });
                let per_copy = cap_per_copy.map_or(per_copy, |cap| per_copy.min(cap));
                per_copy.saturating_mul(u64::from(copies.max(1)))
            }
        }
    }

    /// True when the rule can never charge anything.
    pub fn is_free(&self) -> bool {
        match self {
            FeeRule::Free => true,
            FeeRule::Fixed { amount } => *amount == 0,
            FeeRule::PerPage {
                tiers,
                cap_per_copy,
            } => *cap_per_copy == Some(0) || tiers.iter().all(|t| t.price == 0),
        }
    }

    /// Checks a per-page rule: at least one tier, the first from page 1, then strictly
    /// increasing start pages. Free and fixed rules are always valid.
    pub fn validate(&self) -> Result<(), FeeError> {
        let FeeRule::PerPage { tiers, .. } = self else {
            return Ok(());
        };
        let first = tiers.first().ok_or(FeeError::EmptyTiers)?;
        if first.from_page != 1 {
            return Err(FeeError::FirstTierNotPageOne {
                from_page: first.from_page,
            });
        }
        for (index, pair) in tiers.windows(2).enumerate() {
            if let [previous, tier] = pair
                && tier.from_page <= previous.from_page
            {
                return Err(FeeError::TiersNotIncreasing {
                    index: index + 1,
                    from_page: tier.from_page,
                    previous: previous.from_page,
                });
            }
        }
        Ok(())
    }

    /// The rule for people: "Miễn phí", "50.000 đ", "2.000 đ/trang (trang 1–2), 1.000
    /// đ/trang từ trang 3, tối đa 200.000 đ/bản"; in English "Free", "VND 50,000",
    /// "VND 2,000/page (pages 1–2), VND 1,000/page from page 3, at most VND 200,000 per
    /// copy".
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            FeeRule::Free => free_word(lang).to_owned(),
            FeeRule::Fixed { amount } => format_vnd(*amount, lang),
            FeeRule::PerPage {
                tiers,
                cap_per_copy,
            } => {
                let ranges = tier_ranges(tiers);
                let Some((first, _)) = ranges.first() else {
                    // No tiers: nothing is ever charged.
                    return free_word(lang).to_owned();
                };
                let mut parts = Vec::with_capacity(ranges.len() + 1);
                if first.from_page > 1 {
                    // Only an unvalidated rule: say what the amount does with the pages
                    // before the first tier.
                    let free = match lang {
                        Lang::Vi => "miễn phí",
                        Lang::En => "free",
                    };
                    parts.push(format!(
                        "{free} {}",
                        pages_range(1, Some(first.from_page - 1), lang)
                    ));
                }
                for (tier, last) in &ranges {
                    let price = match lang {
                        Lang::Vi => format!("{}/trang", format_vnd(tier.price, lang)),
                        Lang::En => format!("{}/page", format_vnd(tier.price, lang)),
                    };
                    if tier.from_page == 1 && last.is_none() {
                        parts.push(price);
                    } else {
                        parts.push(format!(
                            "{price} {}",
                            pages_range(tier.from_page, *last, lang)
                        ));
                    }
                }
                if let Some(cap) = cap_per_copy {
                    parts.push(match lang {
                        Lang::Vi => format!("tối đa {}/bản", format_vnd(*cap, lang)),
                        Lang::En => format!("at most {} per copy", format_vnd(*cap, lang)),
                    });
                }
                let text = parts.join(", ");
                match lang {
                    Lang::Vi => capitalise(&text),
                    Lang::En => text,
                }
            }
        }
    }
}

fn free_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Miễn phí",
        Lang::En => "Free",
    }
}

/// "(trang 1–2)", "(trang 3)", "từ trang 3" and the English equivalents.
fn pages_range(from: u32, last: Option<u32>, lang: Lang) -> String {
    match (last, lang) {
        (None, Lang::Vi) => format!("từ trang {from}"),
        (None, Lang::En) => format!("from page {from}"),
        (Some(last), Lang::Vi) if last == from => format!("(trang {from})"),
        (Some(last), Lang::En) if last == from => format!("(page {from})"),
        (Some(last), Lang::Vi) => format!("(trang {from}–{last})"),
        (Some(last), Lang::En) => format!("(pages {from}–{last})"),
    }
}

/// Upper-cases the first letter ("miễn phí trang 1, …" starts a sentence).
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl FeeSchedule {
    /// The rule that applies on `channel`.
    pub fn rule(&self, channel: Channel) -> &FeeRule {
        match channel {
            Channel::Desk => &self.desk,
            Channel::Online => self.online.as_ref().unwrap_or(&self.desk),
        }
    }

    /// The fee for `input`.
    pub fn amount(&self, input: &FeeInput) -> u64 {
        self.rule(input.channel).amount(input.pages, input.copies)
    }

    /// True when nothing is ever charged on `channel`.
    pub fn is_free(&self, channel: Channel) -> bool {
        self.rule(channel).is_free()
    }

    /// Validates the desk rule, then the online one.
    pub fn validate(&self) -> Result<(), FeeError> {
        self.desk.validate()?;
        self.online.as_ref().map_or(Ok(()), FeeRule::validate)
    }

    /// The same schedule paid at another time.
    pub fn with_timing(self, timing: PaymentTiming) -> Self {
        FeeSchedule { timing, ..self }
    }

    /// No fee on either channel (birth, marriage, death registration).
    pub fn free() -> Self {
        FeeSchedule {
            desk: FeeRule::Free,
            online: None,
            timing: PaymentTiming::AtSubmission,
        }
    }

    /// One amount per dossier on both channels, paid at submission (signature
    /// certification 10,000 đ; contract certification 50,000 đ).
    pub fn fixed(amount: u64) -> Self {
        FeeSchedule {
            desk: FeeRule::Fixed { amount },
            online: None,
            timing: PaymentTiming::AtSubmission,
        }
    }

    /// Certified copy from the original: 2,000 đ/page for pages 1–2, 1,000 đ/page from
    /// page 3, at most 200,000 đ per copy, paid at submission.
    pub fn certified_copy() -> Self {
        FeeSchedule {
            desk: FeeRule::PerPage {
                tiers: vec![
                    PageTier {
                        from_page: 1,
                        price: 2_000,
                    },
                    PageTier {
                        from_page: 3,
                        price: 1_000,
                    },
                ],
                cap_per_copy: Some(200_000),
            },
            online: None,
            timing: PaymentTiming::AtSubmission,
        }
    }

    /// Permanent residence registration: 20,000 đ at the desk, 10,000 đ online, paid at
    /// submission.
    pub fn permanent_residence() -> Self {
        FeeSchedule {
            desk: FeeRule::Fixed { amount: 20_000 },
            online: Some(FeeRule::Fixed { amount: 10_000 }),
            timing: PaymentTiming::AtSubmission,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn copy_fee(pages: u32, copies: u32) -> u64 {
        FeeSchedule::certified_copy().amount(&FeeInput {
            channel: Channel::Desk,
            pages,
            copies,
        })
    }

    fn per_page(tiers: &[(u32, u64)], cap_per_copy: Option<u64>) -> FeeRule {
        FeeRule::PerPage {
            tiers: tiers
                .iter()
                .map(|&(from_page, price)| PageTier { from_page, price })
                .collect(),
            cap_per_copy,
        }
    }

    #[test]
    fn certified_copy_examples() {
        assert_eq!(copy_fee(1, 1), 2_000);
        assert_eq!(copy_fee(2, 1), 4_000);
        assert_eq!(copy_fee(3, 1), 5_000);
        assert_eq!(copy_fee(10, 1), 12_000);
        assert_eq!(copy_fee(198, 1), 200_000);
        assert_eq!(copy_fee(199, 1), 200_000);
        assert_eq!(copy_fee(300, 1), 200_000);
        assert_eq!(copy_fee(3, 2), 10_000);
        assert_eq!(copy_fee(300, 2), 400_000);
        assert_eq!(copy_fee(0, 3), 0);
        assert_eq!(copy_fee(3, 0), copy_fee(3, 1), "0 copies count as 1");
        // Online falls back to the desk rule.
        let online = FeeInput {
            channel: Channel::Online,
            pages: 10,
            copies: 1,
        };
        assert_eq!(FeeSchedule::certified_copy().amount(&online), 12_000);
    }

    #[test]
    fn permanent_residence_costs_less_online() {
        let s = FeeSchedule::permanent_residence();
        let at = |channel| {
            s.amount(&FeeInput {
                channel,
                pages: 0,
                copies: 0,
            })
        };
        assert_eq!(at(Channel::Desk), 20_000);
        assert_eq!(at(Channel::Online), 10_000);
        assert!(!s.is_free(Channel::Desk) && !s.is_free(Channel::Online));
        assert_eq!(s.rule(Channel::Online), &FeeRule::Fixed { amount: 10_000 });
        assert_eq!(s.timing, PaymentTiming::AtSubmission);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn fixed_is_per_dossier() {
        let s = FeeSchedule::fixed(50_000);
        for (pages, copies) in [(0, 0), (1, 1), (40, 3)] {
            let input = FeeInput {
                channel: Channel::Online,
                pages,
                copies,
            };
            assert_eq!(s.amount(&input), 50_000);
        }
        assert_eq!(
            s.clone().with_timing(PaymentTiming::BeforeReturn).timing,
            PaymentTiming::BeforeReturn
        );
    }

    #[test]
    fn free_is_free() {
        let s = FeeSchedule::free();
        assert!(s.is_free(Channel::Desk) && s.is_free(Channel::Online));
        let input = FeeInput {
            channel: Channel::Desk,
            pages: 7,
            copies: 2,
        };
        assert_eq!(s.amount(&input), 0);
        assert!(FeeRule::Fixed { amount: 0 }.is_free());
        assert!(per_page(&[(1, 0)], None).is_free());
        assert!(per_page(&[(1, 500)], Some(0)).is_free());
        assert!(!FeeSchedule::certified_copy().is_free(Channel::Online));
    }

    #[test]
    fn formats_vnd() {
        assert_eq!(format_vnd(0, Lang::Vi), "0 đ");
        assert_eq!(format_vnd(999, Lang::Vi), "999 đ");
        assert_eq!(format_vnd(2_000, Lang::Vi), "2.000 đ");
        assert_eq!(format_vnd(1_234_567, Lang::Vi), "1.234.567 đ");
        assert_eq!(format_vnd(50_000, Lang::En), "VND 50,000");
        assert_eq!(
            format_vnd(u64::MAX, Lang::En),
            "VND 18,446,744,073,709,551,615"
        );
    }

    #[test]
    fn describes_rules() {
        assert_eq!(FeeRule::Free.describe(Lang::Vi), "Miễn phí");
        assert_eq!(FeeRule::Free.describe(Lang::En), "Free");
        let fixed = FeeRule::Fixed { amount: 50_000 };
        assert_eq!(fixed.describe(Lang::Vi), "50.000 đ");
        assert_eq!(fixed.describe(Lang::En), "VND 50,000");
        let copy = FeeSchedule::certified_copy().desk;
        assert_eq!(
            copy.describe(Lang::Vi),
            "2.000 đ/trang (trang 1–2), 1.000 đ/trang từ trang 3, tối đa 200.000 đ/bản"
        );
        assert_eq!(
            copy.describe(Lang::En),
            "VND 2,000/page (pages 1–2), VND 1,000/page from page 3, at most VND 200,000 per copy"
        );
        let flat = per_page(&[(1, 3_000)], None);
        assert_eq!(flat.describe(Lang::Vi), "3.000 đ/trang");
        assert_eq!(flat.describe(Lang::En), "VND 3,000/page");
        let three = per_page(&[(1, 3_000), (2, 2_000), (5, 500)], None);
        assert_eq!(
            three.describe(Lang::En),
            "VND 3,000/page (page 1), VND 2,000/page (pages 2–4), VND 500/page from page 5"
        );
        // Unvalidated data still gets a description that matches its amounts.
        let gap = per_page(&[(3, 1_000)], None);
        assert_eq!(
            gap.describe(Lang::Vi),
            "Miễn phí (trang 1–2), 1.000 đ/trang từ trang 3"
        );
        assert_eq!(gap.amount(4, 1), 2_000);
        assert_eq!(per_page(&[], Some(5)).describe(Lang::En), "Free");
    }

    #[test]
    fn validate_checks_tiers() {
        assert_eq!(FeeRule::Free.validate(), Ok(()));
        assert_eq!(FeeRule::Fixed { amount: 1 }.validate(), Ok(()));
        assert_eq!(FeeSchedule::certified_copy().validate(), Ok(()));
        assert_eq!(per_page(&[], None).validate(), Err(FeeError::EmptyTiers));
        assert_eq!(
            per_page(&[(0, 1)], None).validate(),
            Err(FeeError::FirstTierNotPageOne { from_page: 0 })
        );
        assert_eq!(
            per_page(&[(2, 1)], None).validate(),
            Err(FeeError::FirstTierNotPageOne { from_page: 2 })
        );
        let err = per_page(&[(1, 2), (5, 1), (5, 0)], None)
            .validate()
            .unwrap_err();
        assert_eq!(
            err,
            FeeError::TiersNotIncreasing {
                index: 2,
                from_page: 5,
                previous: 5
            }
        );
        assert_eq!(err.code(), "fee_tiers_not_increasing");
        assert!(err.to_string().contains("tier 3"));
        assert!(err.message(Lang::Vi).contains("Mức giá thứ 3"));
        let online_bad = FeeSchedule {
            online: Some(per_page(&[], None)),
            ..FeeSchedule::fixed(1)
        };
        assert_eq!(online_bad.validate(), Err(FeeError::EmptyTiers));
        for err in [
            FeeError::EmptyTiers,
            FeeError::FirstTierNotPageOne { from_page: 2 },
        ] {
            assert_eq!(err.message(Lang::En), err.to_string());
            assert_ne!(err.message(Lang::Vi), err.message(Lang::En));
            assert!(
                err.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
        }
    }

    #[test]
    fn unvalidated_tiers_have_a_defined_meaning() {
        // Unsorted: read in page order. Same start page: the last listed wins.
        let messy = per_page(&[(3, 1_000), (1, 9), (1, 2_000)], Some(200_000));
        assert_eq!(messy.amount(10, 1), copy_fee(10, 1));
        assert_eq!(
            messy.describe(Lang::Vi),
            FeeSchedule::certified_copy().desk.describe(Lang::Vi)
        );
    }

    #[test]
    fn huge_inputs_saturate() {
        let rule = per_page(&[(1, u64::MAX / 2), (2, u64::MAX)], None);
        assert_eq!(rule.amount(u32::MAX, u32::MAX), u64::MAX);
        assert_eq!(copy_fee(u32::MAX, u32::MAX), 200_000 * u64::from(u32::MAX));
    }

    fn valid_rule() -> impl Strategy<Value = FeeRule> {
        (
            proptest::collection::vec((1u32..500, 0u64..1_000_000), 0..5),
            0u64..1_000_000,
            proptest::option::of(0u64..10_000_000),
        )
            .prop_map(|(rest, first_price, cap_per_copy)| {
                let mut tiers = vec![PageTier {
                    from_page: 1,
                    price: first_price,
                }];
                for (gap, price) in rest {
                    let from_page = tiers.last().map_or(1, |t| t.from_page) + gap;
                    tiers.push(PageTier { from_page, price });
                }
                FeeRule::PerPage {
                    tiers,
                    cap_per_copy,
                }
            })
    }

    proptest! {
        #[test]
        fn generated_rules_are_valid(rule in valid_rule()) {
            prop_assert_eq!(rule.validate(), Ok(()));
        }

        #[test]
        fn certified_copy_is_monotone_and_capped(pages in 0u32..2_000, copies in 0u32..50) {
            let fee = copy_fee(pages, copies);
            prop_assert!(fee <= copy_fee(pages + 1, copies));
            prop_assert!(fee <= 200_000 * u64::from(copies.max(1)));
            prop_assert_eq!(fee, copy_fee(pages, 1) * u64::from(copies.max(1)));
        }

        #[test]
        fn amounts_are_monotone_in_pages(rule in valid_rule(), pages in 0u32..5_000, copies in 0u32..20) {
            prop_assert!(rule.amount(pages, copies) <= rule.amount(pages + 1, copies));
        }

        #[test]
        fn amounts_never_exceed_cap_times_copies(rule in valid_rule(), pages in 0u32..5_000, copies in 0u32..20) {
            if let FeeRule::PerPage { cap_per_copy: Some(cap), .. } = &rule {
                prop_assert!(rule.amount(pages, copies) <= cap * u64::from(copies.max(1)));
            }
        }

        #[test]
        fn amounts_match_a_page_by_page_sum(rule in valid_rule(), pages in 0u32..300) {
            let FeeRule::PerPage { tiers, cap_per_copy } = &rule else { unreachable!() };
            let naive: u64 = (1..=pages)
                .map(|p| tiers.iter().rev().find(|t| t.from_page <= p).map_or(0, |t| t.price))
                .sum();
            let naive = cap_per_copy.map_or(naive, |cap| naive.min(cap));
            prop_assert_eq!(rule.amount(pages, 1), naive);
        }

        #[test]
        fn amount_never_panics(
            tiers in proptest::collection::vec((any::<u32>(), any::<u64>()), 0..6),
            cap in proptest::option::of(any::<u64>()),
            pages in any::<u32>(),
            copies in any::<u32>(),
        ) {
            let tiers: Vec<(u32, u64)> = tiers;
            let rule = per_page(&tiers, cap);
            let _ = rule.amount(pages, copies);
            let _ = rule.describe(Lang::Vi);
            let _ = rule.describe(Lang::En);
            let _ = rule.validate();
        }
    }
}
