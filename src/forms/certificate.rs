//! The certificate of a certification entry (the lời chứng, issue 21) as a [`Sheet`], so
//! that the text preview and the A4 PDF say the same words as the API's `text`. The
//! words are [`crate::domain::certification::certificate`]'s.

use super::{Block, Sheet, Signature};
use crate::domain::certification::Certificate;
use crate::domain::forms::FormSet;

/// The sheet of `certificate`, issued by `office` for the entry `reference` (the book and
/// number, the PDF's subject).
pub fn sheet(office: &str, certificate: &Certificate, reference: &str) -> Sheet {
    // The set only names the one-stop forms in the PDF's description; a certificate is
    // none of them, and its number says so.
    let mut sheet = Sheet::new(FormSet::Circular03_2025, "LC", certificate.title, reference);
    sheet.center(&office.to_uppercase());
    sheet.blank();
    sheet.push(Block::Title(certificate.title.to_owned()));
    sheet.blank();
    for paragraph in &certificate.paragraphs {
        sheet.para(paragraph);
    }
    sheet.para(&certificate.reference);
    sheet.blank();
    sheet.push(Block::PlaceDate(certificate.place_date.clone()));
    sheet.push(Block::Signatures {
        left: None,
        right: Signature {
            title: certificate.signer.to_owned(),
            hint: certificate.signer_hint.to_owned(),
            name: certificate.officer.clone(),
        },
    });
    sheet
}
