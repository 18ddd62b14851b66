//! Vietnamese text folding for search, and the one matcher every search uses.
//!
//! Officials type without diacritics ("nguyen van a") and expect to find "Nguyễn Văn A",
//! whether the stored text is NFC or NFD and whichever tone-mark placement it uses
//! ("hoà" or "hòa"). Folding removes tone and vowel marks, maps đ to d and folds case;
//! the matcher then compares words.

use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// The block of code points that carries every Vietnamese letter (Latin-1 Supplement to
/// Latin Extended Additional). A table over it keeps folding fast: the benchmark folds
/// 100,000 names per query.
const TABLE_START: u32 = 0x00C0;
const TABLE_END: u32 = 0x1EFF;

/// For each code point of the table range: the ASCII letter it is built on, or 0 when it
/// is not a marked Latin letter.
fn base_table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (TABLE_START..=TABLE_END)
            .map(|cp| {
                let Some(c) = char::from_u32(cp) else {
                    return 0;
                };
                match c {
                    'đ' => b'd',
                    'Đ' => b'D',
                    _ => {
                        let mut base = None;
                        decompose_canonical(c, |d| {
                            if base.is_none() {
                                base = Some(d);
                            }
                        });
                        match base {
                            Some(b) if b != c && b.is_ascii_alphabetic() => b as u8,
                            _ => 0,
                        }
                    }
                }
            })
            .collect()
    })
}

/// Pushes the mark-free form of one character: its base letter(s), or nothing for a
/// combining mark.
fn push_stripped(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    let cp = c as u32;
    if (TABLE_START..=TABLE_END).contains(&cp) {
        let b = base_table()[(cp - TABLE_START) as usize];
        if b != 0 {
            out.push(b as char);
            return;
        }
    }
    // Anything else (Greek, combining marks, …) goes through the full decomposition so
    // that NFC and NFD input still fold alike.
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            out.push(d);
        }
    });
}

/// Removes tone and vowel marks and maps đ/Đ to d/D, keeping case:
/// "Hồ sơ Đặng Văn Ơn" → "Ho so Dang Van On". Works on NFC and NFD input alike.
pub fn strip_marks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_stripped(c, &mut out);
    }
    out
}

/// The search key of a text: marks stripped and case folded. "Nguyễn Văn A" and
/// "NGUYEN van a" fold to the same "nguyen van a".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] into a caller's buffer (cleared first), so loops over many texts reuse one
/// allocation.
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            // Lower-case first: some capitals lower-case to a letter plus a mark (İ).
            for l in c.to_lowercase() {
                push_stripped(l, out);
            }
        }
    }
}

/// Canonical composition, applied to every text a user submits or the server stores, so
/// that equal-looking names are equal bytes.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// The stored search key of a text: its folded words joined by single spaces, so that
/// "a query word begins a word of the text" is the SQL test
/// `' ' || key LIKE '% ' || word || '%'`, the same rule as [`Matcher`].
pub fn search_key(s: &str) -> String {
    words(&fold(s)).collect::<Vec<_>>().join(" ")
}

/// The words of a folded text: runs of letters and digits.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The number of words a query holds, as the matcher splits them (runs of letters and
/// digits after folding): what the portal caps, since every word costs the search a test.
pub fn word_count(query: &str) -> usize {
    words(&fold(query)).count()
}

/// Characters no text from outside may carry: the control characters (Unicode category
/// Cc: U+0000–U+001F, U+007F–U+009F), which a terminal may take as the start of an escape
/// sequence, and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069), which reorder what a reader sees. A line feed is allowed only where
/// `multiline` says so (notes and reasons); a tab or a carriage return never is.
pub fn forbidden_char(c: char, multiline: bool) -> bool {
    match c {
        '\n' => !multiline,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// A text made safe to draw on a terminal: every [`forbidden_char`] (line feeds included)
/// becomes U+FFFD, so that nothing in the data can reach the terminal as an escape
/// sequence or reorder the line, and the reader sees that something was there. Borrows
/// when there is nothing to replace, which is almost always.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| forbidden_char(c, false)) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if forbidden_char(c, false) {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The search matcher. A text matches a query when every word of the query begins some
/// word of the text, in any order, ignoring marks and case: "nguyen van a" finds
/// "Nguyễn Văn A" and "Nguyễn Văn Anh"; "250115 0001" finds "000.00.27.H07-250115-0001".
/// An empty query matches everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    tokens: Vec<String>,
    /// Each token after a space: what [`Matcher::matches_key`] looks for.
    needles: Vec<String>,
}

impl Matcher {
    pub fn new(query: &str) -> Self {
        let folded = fold(query);
        let mut tokens: Vec<String> = words(&folded).map(str::to_owned).collect();
        // Longest first: a long token is the one most likely to fail, so it fails fast.
        // Longest first (the most selective test first); equal words side by side, so
        // that a word typed twice is tested, and ranked, once.
        tokens.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        tokens.dedup();
        let needles = tokens.iter().map(|t| format!(" {t}")).collect();
        Matcher { tokens, needles }
    }

    /// True when the query has no words, so it matches everything.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The folded words of the query.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Does `text` (any form: NFC, NFD, any case) match?
    pub fn matches(&self, text: &str) -> bool {
        if self.tokens.is_empty() {
            return true;
        }
        self.matches_folded(&fold(text))
    }

    /// Does a text already passed through [`fold`] match? Lets a caller fold a list once
    /// and filter it on every keystroke.
    pub fn matches_folded(&self, folded: &str) -> bool {
        self.tokens
            .iter()
            .all(|t| words(folded).any(|w| w.starts_with(t.as_str())))
    }

    /// How many query words are whole words of a folded text, not only the start of one:
    /// how searches rank what matches. "nguyen van an" finds "Nguyễn Văn An" and
    /// "Nguyễn Văn Anh"; the first holds all three words whole and comes first.
    pub fn whole_words(&self, folded: &str) -> usize {
        self.tokens
            .iter()
            .filter(|t| words(folded).any(|w| w == t.as_str()))
            .count()
    }

    /// Does a text match, given as `" "` + its [`search_key`]? A word of the key begins
    /// with a token exactly when the key holds a space followed by the token, so this is
    /// one substring search per token — what a list filtered on every keystroke wants.
    pub fn matches_key(&self, spaced_key: &str) -> bool {
        self.needles.iter().all(|n| spaced_key.contains(n.as_str()))
    }

    /// [`Matcher::matches`] that reuses `buf` for the folded text: no allocation per text.
    pub fn matches_with(&self, text: &str, buf: &mut String) -> bool {
        if self.tokens.is_empty() {
            return true;
        }
        fold_into(text, buf);
        self.matches_folded(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_and_bidi_characters_are_forbidden() {
        for c in [
            '\0', '\u{7}', '\u{1b}', '\t', '\r', '\u{7f}', '\u{80}', '\u{9b}', '\u{9f}',
        ] {
            assert!(forbidden_char(c, false), "{c:?}");
            assert!(forbidden_char(c, true), "{c:?} even in a multi-line text");
        }
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            assert!(forbidden_char(c, true), "{c:?}");
        }
        assert!(forbidden_char('\n', false));
        assert!(!forbidden_char('\n', true));
        for c in ['a', 'ễ', ' ', '\u{a0}', '\u{2065}', '\u{202F}', '\u{FFFD}'] {
            assert!(!forbidden_char(c, false), "{c:?}");
        }
    }

    #[test]
    fn terminal_safe_replaces_what_a_terminal_would_obey() {
        assert!(matches!(
            terminal_safe("Nguyễn Văn A"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            terminal_safe("\u{1b}]0;pwned\u{7}Nguyễn\u{1b}[2J\n\u{202E}x"),
            "\u{FFFD}]0;pwned\u{FFFD}Nguyễn\u{FFFD}[2J\u{FFFD}\u{FFFD}x"
        );
    }

    #[test]
    fn words_are_counted_as_the_matcher_splits_them() {
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count("nguyễn  văn-a"), 3);
        assert_eq!(word_count("000.00.27.H07-250115-0001"), 6);
    }

    #[test]
    fn folds_every_vietnamese_vowel_and_d() {
        let lower = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
        let expected = "aaaaaaaaaaaaaaaaaaeeeeeeeeeeeeiiiiiioooooooooooooooooouuuuuuuuuuuuyyyyyyd";
        assert_eq!(fold(lower), expected);
        assert_eq!(fold(&lower.to_uppercase()), expected);
        assert_eq!(strip_marks("Đặng Văn Ơn"), "Dang Van On");
    }

    proptest! {
        /// The keyed match is the same rule as the word match, for any text and query.
        #[test]
        fn matching_a_search_key_agrees_with_matching_the_text(
            text in "[a-zA-Z0-9ăđêôơưàáạảãĐỄ .,\\-]{0,40}",
            query in "[a-zA-Z0-9ăđêôơư \\-]{0,12}",
        ) {
            let m = Matcher::new(&query);
            let key = format!(" {}", search_key(&text));
            prop_assert_eq!(m.matches_key(&key), m.matches(&text));
        }
    }

    #[test]
    fn keyed_matching_examples() {
        let key = format!(
            " {}",
            search_key("000.01.27.H07-261124-0001 Nguyễn Văn Anh")
        );
        assert!(Matcher::new("nguyen van a").matches_key(&key));
        assert!(Matcher::new("261124 0001").matches_key(&key));
        assert!(!Matcher::new("guyen").matches_key(&key));
        assert!(Matcher::new("").matches_key(&key));
    }

    #[test]
    fn nfc_and_nfd_fold_alike() {
        let nfc_name = "Nguyễn Thị Huỳnh Như";
        let nfd_name: String = nfc_name.nfd().collect();
        assert_ne!(nfc_name, nfd_name);
        assert_eq!(fold(nfc_name), "nguyen thi huynh nhu");
        assert_eq!(fold(&nfd_name), "nguyen thi huynh nhu");
        assert_eq!(nfc(&nfd_name), nfc_name);
    }

    #[test]
    fn old_and_new_tone_placement_fold_alike() {
        assert_eq!(fold("Hoà"), fold("Hòa"));
        assert_eq!(fold("Thuỷ"), fold("Thủy"));
    }

    #[test]
    fn matcher_finds_names_without_marks() {
        let m = Matcher::new("nguyen van a");
        assert!(m.matches("Nguyễn Văn A"));
        assert!(m.matches("NGUYỄN VĂN AN"));
        assert!(m.matches("Văn A Nguyễn"), "word order does not matter");
        assert!(!m.matches("Nguyễn Thị A"));
        assert!(!m.matches("Trần Văn Bình"));
    }

    #[test]
    fn matcher_needs_word_starts() {
        let m = Matcher::new("an");
        assert!(m.matches("Lê Ân"));
        assert!(m.matches("Phạm Anh"));
        assert!(
            !m.matches("Trần Lan"),
            "'an' inside 'lan' is not a word start"
        );
    }

    #[test]
    fn matcher_finds_codes_and_numbers() {
        let code = "000.00.27.H07-250115-0001";
        assert!(Matcher::new("250115-0001").matches(code));
        assert!(Matcher::new("h07").matches(code));
        assert!(Matcher::new("0831").matches("083190001234"));
        assert!(!Matcher::new("0832").matches("083190001234"));
    }

    #[test]
    fn empty_query_matches_everything() {
        let m = Matcher::new("  ,. ");
        assert!(m.is_empty());
        assert!(m.matches("anything"));
        assert!(m.matches(""));
    }

    #[test]
    fn query_marks_are_ignored_too() {
        assert!(Matcher::new("Đặng").matches("dang van hai"));
        assert!(Matcher::new("ĐẶNG").matches("Đặng Văn Hải"));
    }

    #[test]
    fn search_keys_are_folded_words() {
        assert_eq!(
            search_key("Nguyễn  Văn-A (083095001234)"),
            "nguyen van a 083095001234"
        );
        let key = search_key("Trần Thị Lan");
        assert!(Matcher::new("lan").matches_folded(&key));
        assert!(!Matcher::new("an").matches_folded(&key));
    }

    #[test]
    fn whole_words_rank_an_exact_name_above_a_longer_one() {
        let m = Matcher::new("Nguyễn Văn An");
        let exact = search_key("Nguyễn Văn An");
        let longer = search_key("Nguyễn Văn Anh");
        assert!(m.matches_folded(&exact) && m.matches_folded(&longer));
        assert_eq!(m.whole_words(&exact), 3);
        assert_eq!(m.whole_words(&longer), 2);
        assert_eq!(Matcher::new("").whole_words(&exact), 0);
        // A word said twice in the query counts once, as it is matched once.
        assert_eq!(Matcher::new("an an").whole_words(&exact), 1);
        // Also when another word of the same length stands between them.
        assert_eq!(Matcher::new("an ab an").tokens().len(), 2);
    }

    #[test]
    fn matches_with_reuses_buffer() {
        let m = Matcher::new("huynh");
        let mut buf = String::new();
        assert!(m.matches_with("Huỳnh Tấn Phát", &mut buf));
        assert!(!m.matches_with("Võ Thị Sáu", &mut buf));
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC*") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn fold_of_nfd_equals_fold_of_nfc(s in "\\PC*") {
            let a: String = s.nfc().collect();
            let b: String = s.nfd().collect();
            prop_assert_eq!(fold(&a), fold(&b));
        }

        #[test]
        fn a_text_matches_its_own_words(s in "[a-zA-Zàáâãèéêìíòóôõùúăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ ]{0,40}") {
            prop_assert!(Matcher::new(&s).matches(&s));
        }
    }
}
