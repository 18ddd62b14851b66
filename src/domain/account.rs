//! Accounts: citizens' usernames, the one-time activation code printed on the slip, and
//! the password policy. There are no default passwords anywhere: a citizen sets one when
//! activating with the code; staff passwords are longer.

use super::{Lang, RuleError};

/// The letters an activation code is made of: no look-alikes (0/O, 1/I/l), so a citizen
/// can type it from a printed slip without doubt.
pub const ACTIVATION_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Characters in an activation code.
pub const ACTIVATION_CODE_LEN: usize = 8;

/// How long an activation code stays valid.
pub const ACTIVATION_VALID_HOURS: i64 = 72;

/// Minimum password lengths (portal policy).
pub const CITIZEN_MIN_PASSWORD: usize = 8;
pub const STAFF_MIN_PASSWORD: usize = 12;

/// Builds an activation code from random bytes (the caller draws them from a secure
/// source). Rejection sampling keeps every letter equally likely: a byte that would bias
/// the modulo is skipped, so more bytes than letters may be needed; `None` if they ran out.
pub fn activation_code_from(random: &[u8]) -> Option<String> {
    let n = ACTIVATION_ALPHABET.len();
    // The largest multiple of n that fits in a byte: bytes at or above it are skipped.
    let limit = 256 - 256 % n;
    let code: String = random
        .iter()
        .filter(|&&b| usize::from(b) < limit)
        .take(ACTIVATION_CODE_LEN)
        .map(|&b| char::from(ACTIVATION_ALPHABET[usize::from(b) % n]))
        .collect();
    (code.len() == ACTIVATION_CODE_LEN).then_some(code)
}

/// What a citizen typed from the slip, made comparable: spaces and dashes (the slip
/// prints the code in two groups) dropped, upper case.
pub fn normalize_activation_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whose password it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Citizen,
    Staff,
}

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password needs at least {min} characters")]
    TooShort { min: usize },
    #[error("the password needs an upper-case letter, a lower-case letter, a digit and a symbol")]
    MissingClass,
    #[error("the password must not contain the username")]
    ContainsUsername,
}

impl RuleError for PasswordError {
    fn code(&self) -> &'static str {
        "weak_password"
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PasswordError::TooShort { min }, Lang::Vi) => {
                format!("Mật khẩu phải có ít nhất {min} ký tự. Hãy chọn mật khẩu dài hơn.")
            }
            (PasswordError::MissingClass, Lang::Vi) => "Mật khẩu phải có chữ hoa, chữ thường, chữ số và ký tự đặc biệt. Hãy thêm loại còn thiếu.".to_owned(),
            (PasswordError::ContainsUsername, Lang::Vi) => {
                "Mật khẩu không được chứa tên đăng nhập. Hãy chọn mật khẩu khác.".to_owned()
            }
            (e, Lang::En) => {
                let mut s = e.to_string();
                if let Some(first) = s.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                format!("{s}. Choose another password.")
            }
        }
    }
}

/// Checks a new password against the policy for `kind`.
pub fn check_password(
    password: &str,
    username: &str,
    kind: AccountKind,
) -> Result<(), PasswordError> {
    let min = match kind {
        AccountKind::Citizen => CITIZEN_MIN_PASSWORD,
        AccountKind::Staff => STAFF_MIN_PASSWORD,
    };
    if password.chars().count() < min {
        return Err(PasswordError::TooShort { min });
    }
    let upper = password.chars().any(char::is_uppercase);
    let lower = password.chars().any(char::is_lowercase);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    if !(upper && lower && digit && symbol) {
        return Err(PasswordError::MissingClass);
    }
    let user = username.trim();
    if !user.is_empty() && password.to_lowercase().contains(&user.to_lowercase()) {
        return Err(PasswordError::ContainsUsername);
    }
    Ok(())
}

/// The shape of an e-mail address, not its existence: one `@`, a local part, and a
/// domain of at least two dot-separated labels of letters, digits and hyphens. The
/// desk only records the address (docs/domain.md), so catching typing slips is the point.
pub fn email_shape(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local
            .chars()
            .any(|c| c == '@' || c.is_whitespace() || c.is_control());
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().count() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in b"01OIL" {
            assert!(!ACTIVATION_ALPHABET.contains(c), "{}", *c as char);
        }
        let code = activation_code_from(&[0, 1, 2, 3, 4, 5, 6, 7]).unwrap();
        assert_eq!(code, "23456789");
        assert_eq!(code.len(), ACTIVATION_CODE_LEN);
    }

    #[test]
    fn biased_bytes_are_skipped_and_too_few_give_none() {
        // 31 letters: 248..=255 would favour the first letters, so they are skipped.
        let code = activation_code_from(&[255, 250, 0, 1, 2, 3, 4, 5, 6, 30]).unwrap();
        assert_eq!(code, "2345678Z");
        assert_eq!(activation_code_from(&[1, 2, 3]), None);
        assert_eq!(activation_code_from(&[255; 64]), None);
    }

    #[test]
    fn typed_codes_are_forgiven_spacing_and_case() {
        assert_eq!(normalize_activation_code("abcd-efgh"), "ABCDEFGH");
        assert_eq!(normalize_activation_code(" 7K Q2 "), "7KQ2");
    }

    #[test]
    fn password_policy() {
        let user = "083095001234";
        assert_eq!(
            check_password("Ab1!", user, AccountKind::Citizen),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert!(check_password("Abcdef1!", user, AccountKind::Citizen).is_ok());
        assert_eq!(
            check_password("Abcdef1!", "tiepnhan1", AccountKind::Staff),
            Err(PasswordError::TooShort { min: 12 })
        );
        assert!(check_password("Motcua-demo-2026", "tiepnhan1", AccountKind::Staff).is_ok());
        for weak in ["abcdefg1!", "ABCDEFG1!", "Abcdefgh!", "Abcdefgh1"] {
            assert_eq!(
                check_password(weak, user, AccountKind::Citizen),
                Err(PasswordError::MissingClass),
                "{weak}"
            );
        }
        assert_eq!(
            check_password("X083095001234!a", user, AccountKind::Citizen),
            Err(PasswordError::ContainsUsername)
        );
        assert!(check_password("Mật-khẩu-2026", user, AccountKind::Citizen).is_ok());
        let e = PasswordError::MissingClass;
        assert_eq!(e.code(), "weak_password");
        assert!(e.message(Lang::Vi).contains("chữ hoa"));
        assert!(e.message(Lang::En).starts_with("The password"));
    }

    proptest! {
        #[test]
        fn codes_use_only_the_alphabet(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Some(code) = activation_code_from(&bytes) {
                prop_assert_eq!(code.len(), ACTIVATION_CODE_LEN);
                prop_assert!(code.bytes().all(|b| ACTIVATION_ALPHABET.contains(&b)));
                prop_assert_eq!(normalize_activation_code(&code), code);
            }
        }

        #[test]
        fn password_check_never_panics(p in "\\PC*", u in "\\PC*") {
            let _ = check_password(&p, &u, AccountKind::Citizen);
        }
    }
}
