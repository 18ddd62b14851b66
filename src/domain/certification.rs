//! Certification at the ward (chứng thực; Decree 23/2015/NĐ-CP, Circular 01/2020/TT-BTP):
//! copies certified from originals, signatures, contracts and transactions.
//!
//! Each office keeps one book per kind per calendar year, whose entries are numbered from
//! 1 ([`book`]); the portal allocates the numbers, this module names the books, prices an
//! entry ([`fee`], Circular 226/2016/TT-BTC) and words its certification text
//! ([`Certificate`], the lời chứng). The wording is written for this project from what the
//! appendix of Circular 01/2020/TT-BTP requires each text to state; it is not a copy of
//! the gazette.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What is certified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A copy certified from the original (chứng thực bản sao từ bản chính).
    Copy,
    /// A signature (or fingerprint) on a paper (chứng thực chữ ký).
    Signature,
    /// A contract or transaction (chứng thực hợp đồng, giao dịch).
    Contract,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Copy, Kind::Signature, Kind::Contract];

    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Copy => "copy",
            Kind::Signature => "signature",
            Kind::Contract => "contract",
        }
    }

    pub fn from_wire(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The book's symbol after the year: `SCT/BS` (bản sao), `SCT/CK,ĐC` (chữ ký, điểm
    /// chỉ), `SCT/HĐ,GD` (hợp đồng, giao dịch).
    pub const fn symbol(self) -> &'static str {
        match self {
            Kind::Copy => "SCT/BS",
            Kind::Signature => "SCT/CK,ĐC",
            Kind::Contract => "SCT/HĐ,GD",
        }
    }

    /// The kind as the book's cover names it.
    pub const fn label_vi(self) -> &'static str {
        match self {
            Kind::Copy => "Chứng thực bản sao từ bản chính",
            Kind::Signature => "Chứng thực chữ ký",
            Kind::Contract => "Chứng thực hợp đồng, giao dịch",
        }
    }
}

/// Which act on a contract: a new one, an amendment of one certified before, or the
/// correction of an error in one. Each has its own fee.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ContractAct {
    #[default]
    Contract,
    Amendment,
    Correction,
}

impl ContractAct {
    pub const ALL: [ContractAct; 3] = [
        ContractAct::Contract,
        ContractAct::Amendment,
        ContractAct::Correction,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ContractAct::Contract => "contract",
            ContractAct::Amendment => "amendment",
            ContractAct::Correction => "correction",
        }
    }

    pub fn from_wire(s: &str) -> Option<ContractAct> {
        ContractAct::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The one book of a kind in a year is volume 01: a ward opens a second volume only when
/// the first is full, which the portal's books never are.
pub const VOLUME: u32 = 1;

/// The book of `kind` in `year`: `01/2026-SCT/BS`.
pub fn book(kind: Kind, year: i32) -> String {
    format!("{VOLUME:02}/{year}-{}", kind.symbol())
}

/// Fees in đồng (Circular 226/2016/TT-BTC).
pub mod fees {
    /// A copy, per page, for its first two pages.
    pub const COPY_FIRST_PAGES: u64 = 2_000;
    /// Pages charged at [`COPY_FIRST_PAGES`].
    pub const COPY_FIRST_PAGE_COUNT: u64 = 2;
    /// A copy, per page, from its third page on.
    pub const COPY_LATER_PAGES: u64 = 1_000;
    /// The most one copy costs, however many pages.
    pub const COPY_CAP: u64 = 200_000;
    /// A signature, per case.
    pub const SIGNATURE: u64 = 10_000;
    pub const CONTRACT: u64 = 50_000;
    pub const AMENDMENT: u64 = 30_000;
    pub const CORRECTION: u64 = 25_000;
}

/// The fee of one certified copy of `pages` pages.
pub fn copy_fee_per_copy(pages: u32) -> u64 {
    let pages = u64::from(pages);
    let first = pages.min(fees::COPY_FIRST_PAGE_COUNT) * fees::COPY_FIRST_PAGES;
    let later = pages.saturating_sub(fees::COPY_FIRST_PAGE_COUNT) * fees::COPY_LATER_PAGES;
    (first + later).min(fees::COPY_CAP)
}

/// The fee of an entry. Copies cost by page and copy; a signature is one case whatever
/// the paper's length; a contract by its act. `pages` and `copies` are at least 1 (the
/// portal refuses less before asking).
pub fn fee(kind: Kind, act: ContractAct, pages: u32, copies: u32) -> u64 {
    match kind {
        Kind::Copy => copy_fee_per_copy(pages) * u64::from(copies),
        Kind::Signature => fees::SIGNATURE,
        Kind::Contract => match act {
            ContractAct::Contract => fees::CONTRACT,
            ContractAct::Amendment => fees::AMENDMENT,
            ContractAct::Correction => fees::CORRECTION,
        },
    }
}

/// What a certification text is filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub kind: Kind,
    pub act: ContractAct,
    /// The certifying office (`UBND phường Bến Thành`).
    pub office: &'a str,
    /// The ward or commune, for the place-and-date line (`phường Bến Thành`).
    pub place: &'a str,
    /// The day of the certification, at the office's time.
    pub date: NaiveDate,
    pub book: &'a str,
    pub number: u32,
    pub applicant: &'a str,
    pub id_number: &'a str,
    pub document: &'a str,
    pub pages: u32,
    pub copies: u32,
    /// The official who certifies.
    pub officer: &'a str,
}

/// A certification text (lời chứng): what is printed or stamped on the paper, with the
/// official's signature block under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The title of the printed form.
    pub title: &'static str,
    /// The text, paragraph by paragraph.
    pub paragraphs: Vec<String>,
    /// `Số chứng thực: 12. Quyển số: 01/2026-SCT/BS.`
    pub reference: String,
    /// `phường Bến Thành, ngày 03 tháng 12 năm 2026`.
    pub place_date: String,
    pub signer: &'static str,
    pub signer_hint: &'static str,
    pub officer: String,
}

impl Certificate {
    /// The text on its own lines, as the API returns it and the stamp carries it.
    pub fn text(&self) -> String {
        let mut lines: Vec<&str> = self.paragraphs.iter().map(String::as_str).collect();
        lines.push(&self.reference);
        lines.push(&self.place_date);
        lines.push(self.signer);
        lines.push(self.signer_hint);
        lines.push(&self.officer);
        lines.join("\n")
    }
}

/// `ngày 03 tháng 12 năm 2026`.
fn day_words(date: NaiveDate) -> String {
    date.format("ngày %d tháng %m năm %Y").to_string()
}

/// The pages and copies, as the text states them.
fn pages_copies(pages: u32, copies: u32, what: &str) -> String {
    format!("gồm {pages} trang, {copies} {what}")
}

/// Words the certification text of `e`.
pub fn certificate(e: &Entry<'_>) -> Certificate {
    let (title, paragraphs) = match e.kind {
        // The copy's text states that the copy matches the original; the rest names the
        // paper and who asked, so the book can be checked against the stamp.
        Kind::Copy => (
            "LỜI CHỨNG CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH",
            vec![
                "Chứng thực bản sao này đúng với bản chính.".to_owned(),
                format!(
                    "Giấy tờ, văn bản: {}; {}; người yêu cầu chứng thực: {} (số giấy tờ tùy thân {}).",
                    e.document,
                    pages_copies(e.pages, e.copies, "bản sao"),
                    e.applicant,
                    e.id_number
                ),
            ],
        ),
        // A signature is certified because it was put down before the official, by the
        // person whose identity paper was checked.
        Kind::Signature => (
            "LỜI CHỨNG CHỨNG THỰC CHỮ KÝ",
            vec![
                format!(
                    "Hôm nay, {}, tại {}, tôi là {}, người thực hiện chứng thực,",
                    day_words(e.date),
                    e.office,
                    e.officer
                ),
                format!(
                    "Chứng thực: ông/bà {}, giấy tờ tùy thân số {}, đã ký vào giấy tờ, văn bản «{}» ({}) trước mặt tôi.",
                    e.applicant,
                    e.id_number,
                    e.document,
                    pages_copies(e.pages, e.copies, "bản")
                ),
                "Người ký tự chịu trách nhiệm về nội dung của giấy tờ, văn bản đã ký.".to_owned(),
            ],
        ),
        // A contract's text records the parties' commitment, their capacity and free will
        // at the time, and that they signed before the official.
        Kind::Contract => {
            let what = match e.act {
                ContractAct::Contract => "hợp đồng, giao dịch",
                ContractAct::Amendment => "văn bản sửa đổi, bổ sung hợp đồng, giao dịch",
                ContractAct::Correction => "việc sửa lỗi sai sót trong hợp đồng, giao dịch",
            };
            (
                "LỜI CHỨNG CHỨNG THỰC HỢP ĐỒNG, GIAO DỊCH",
                vec![
                    format!(
                        "Hôm nay, {}, tại {}, tôi là {}, người thực hiện chứng thực,",
                        day_words(e.date),
                        e.office,
                        e.officer
                    ),
                    format!(
                        "Chứng thực {what} «{}», do ông/bà {} (giấy tờ tùy thân số {}) yêu cầu chứng thực:",
                        e.document, e.applicant, e.id_number
                    ),
                    "- các bên tham gia đã cam đoan chịu trách nhiệm trước pháp luật về nội dung của hợp đồng, giao dịch;".to_owned(),
                    "- tại thời điểm chứng thực, các bên tham gia tự nguyện giao kết và có năng lực hành vi dân sự theo quy định của pháp luật;".to_owned(),
                    "- các bên tham gia đã ký (hoặc điểm chỉ) vào hợp đồng, giao dịch trước mặt tôi.".to_owned(),
                    format!(
                        "Hợp đồng, giao dịch {}, giao cho người yêu cầu chứng thực.",
                        pages_copies(e.pages, e.copies, "bản chính")
                    ),
                ],
            )
        }
    };
    Certificate {
        title,
        paragraphs,
        reference: format!("Số chứng thực: {}. Quyển số: {}.", e.number, e.book),
        place_date: format!("{}, {}", e.place, day_words(e.date)),
        signer: "NGƯỜI THỰC HIỆN CHỨNG THỰC",
        signer_hint: "(Ký, ghi rõ họ tên và đóng dấu)",
        officer: e.officer.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn books_are_named_by_kind_and_year() {
        assert_eq!(book(Kind::Copy, 2026), "01/2026-SCT/BS");
        assert_eq!(book(Kind::Signature, 2026), "01/2026-SCT/CK,ĐC");
        assert_eq!(book(Kind::Contract, 2027), "01/2027-SCT/HĐ,GD");
    }

    /// The vectors of the design's "Certification" section.
    #[test]
    fn fee_vectors() {
        let c = ContractAct::Contract;
        assert_eq!(fee(Kind::Copy, c, 5, 2), 14_000);
        assert_eq!(fee(Kind::Copy, c, 1, 1), 2_000);
        assert_eq!(fee(Kind::Copy, c, 2, 1), 4_000);
        assert_eq!(fee(Kind::Copy, c, 3, 1), 5_000);
        assert_eq!(fee(Kind::Copy, c, 5, 3), 21_000);
        // 2 × 2,000 + 198 × 1,000 = 202,000, capped at 200,000 per copy.
        assert_eq!(fee(Kind::Copy, c, 200, 1), 200_000);
        assert_eq!(fee(Kind::Copy, c, 198, 1), 200_000);
        assert_eq!(fee(Kind::Copy, c, 197, 1), 199_000);
        assert_eq!(fee(Kind::Copy, c, 500, 3), 600_000);
        assert_eq!(fee(Kind::Signature, c, 9, 4), 10_000);
        assert_eq!(fee(Kind::Contract, ContractAct::Contract, 7, 3), 50_000);
        assert_eq!(fee(Kind::Contract, ContractAct::Amendment, 1, 1), 30_000);
        assert_eq!(fee(Kind::Contract, ContractAct::Correction, 1, 1), 25_000);
    }

    fn entry(kind: Kind) -> Entry<'static> {
        Entry {
            kind,
            act: ContractAct::Contract,
            office: "UBND phường Bến Thành",
            place: "phường Bến Thành",
            date: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            book: "01/2026-SCT/BS",
            number: 12,
            applicant: "Nguyễn Thị Hoa",
            id_number: "079301000123",
            document: "Bằng tốt nghiệp trung học phổ thông",
            pages: 5,
            copies: 3,
            officer: "Trần Văn Minh",
        }
    }

    #[test]
    fn every_text_names_book_number_date_and_officer() {
        for kind in Kind::ALL {
            let text = certificate(&entry(kind)).text();
            for needle in [
                "Số chứng thực: 12. Quyển số: 01/2026-SCT/BS.",
                "phường Bến Thành, ngày 03 tháng 12 năm 2026",
                "Trần Văn Minh",
                "Nguyễn Thị Hoa",
                "Bằng tốt nghiệp trung học phổ thông",
                "5 trang, 3",
            ] {
                assert!(text.contains(needle), "{kind:?} lacks {needle:?}:\n{text}");
            }
        }
        let copy = certificate(&entry(Kind::Copy)).text();
        assert!(copy.starts_with("Chứng thực bản sao này đúng với bản chính."));
        let signature = certificate(&entry(Kind::Signature)).text();
        assert!(signature.contains("đã ký vào giấy tờ, văn bản"));
        assert!(signature.contains("trước mặt tôi"));
        let amendment = certificate(&Entry {
            act: ContractAct::Amendment,
            ..entry(Kind::Contract)
        });
        assert!(amendment.paragraphs[1].contains("sửa đổi, bổ sung"));
    }

    proptest! {
        #[test]
        fn a_copy_never_costs_more_than_the_cap(pages in 1u32..100_000, copies in 1u32..10_000) {
            let total = fee(Kind::Copy, ContractAct::Contract, pages, copies);
            prop_assert!(copy_fee_per_copy(pages) <= fees::COPY_CAP);
            prop_assert!(total <= fees::COPY_CAP * u64::from(copies));
            prop_assert_eq!(total % u64::from(copies), 0);
        }

        #[test]
        fn fees_grow_with_pages_and_copies(
            pages in 1u32..100_000,
            copies in 1u32..10_000,
            more_pages in 0u32..1_000,
            more_copies in 0u32..1_000,
        ) {
            for kind in Kind::ALL {
                for act in ContractAct::ALL {
                    let base = fee(kind, act, pages, copies);
                    prop_assert!(fee(kind, act, pages + more_pages, copies) >= base);
                    prop_assert!(fee(kind, act, pages, copies + more_copies) >= base);
                }
            }
        }
    }
}
