//! The confirmation code of step 12 (mã xác nhận): five characters drawn by the server as
//! a distorted image (the `captcha` crate), or, for whoever cannot see it, five digits
//! spelled out in words, which a screen reader reads aloud. The answer is kept only as a
//! digest (`web_challenges`, migration 0020), belongs to one citizen, lives 20 minutes,
//! and is spent by its first check, right or wrong: a code can never be used twice, and
//! every try needs a new one.

use super::i18n::{self, Lang};
use crate::api::error::ErrorCode;
use crate::portal::auth::digest;
use crate::portal::error::{ApiError, Problem};
use crate::portal::state::AppState;
use captcha::Captcha;
use captcha::filters::{Dots, Noise, Wave};
use rand::Rng;

/// How long a code may wait for its answer.
const LIFETIME_S: i64 = 20 * 60;
/// Codes kept per citizen at once (each page of step 12 makes one).
const KEPT: i64 = 5;
/// Characters of a code.
const LENGTH: usize = 5;

/// A new code: its id, and the question in words when it is the text alternative.
pub struct Challenge {
    pub id: String,
    pub question: Option<String>,
}

/// The characters drawn: the font's digits and capital letters that no one mistakes
/// for another (no 0/O, 1/I/L), so that an old phone's small screen shows them plainly.
fn alphabet(font: &[char]) -> Vec<char> {
    let mut chars: Vec<char> = font
        .iter()
        .copied()
        .filter(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        .filter(|c| !"01OIL".contains(*c))
        .collect();
    chars.sort_unstable();
    chars
}

/// Draws a code: its text and the PNG.
fn draw() -> Option<(String, Vec<u8>)> {
    let mut c = Captcha::new();
    let chars = alphabet(&c.supported_chars());
    c.set_chars(&chars)
        .add_chars(LENGTH as u32)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 8.0))
        .view(220, 90)
        .apply_filter(Dots::new(8).max_radius(5).min_radius(2));
    c.as_tuple()
}

/// The digest an answer is kept and compared as: the code's id in it, so equal answers
/// of two codes differ; case and spaces ignored.
fn answer_digest(id: &str, answer: &str) -> String {
    let answer: String = answer
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    digest(&format!("{id}:{answer}"))
}

async fn store(
    state: &AppState,
    user_id: i64,
    answer: &str,
    image: Option<Vec<u8>>,
    question: Option<&str>,
) -> Result<String, ApiError> {
    let id = crate::portal::auth::new_token();
    let now = state.clock.unix();
    // Spent, expired and surplus codes go first, so a citizen holds a handful at most.
    sqlx::query(
        "DELETE FROM web_challenges WHERE user_id = $1 AND (used_at IS NOT NULL OR expires_at <= $2 \
         OR id NOT IN (SELECT id FROM web_challenges WHERE user_id = $1 \
                       ORDER BY expires_at DESC LIMIT $3))",
    )
    .bind(user_id)
    .bind(now)
    .bind(KEPT - 1)
    .execute(&state.db)
    .await?;
    sqlx::query(
        "INSERT INTO web_challenges (id, user_id, answer_hash, image, question, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(answer_digest(&id, answer))
    .bind(image)
    .bind(question)
    .bind(now + LIFETIME_S)
    .execute(&state.db)
    .await?;
    Ok(id)
}

/// A new image code for the citizen `user_id`.
pub async fn new_image(state: &AppState, user_id: i64) -> Result<Challenge, ApiError> {
    // Drawing takes a few milliseconds of CPU: off the async threads.
    let (answer, png) = tokio::task::spawn_blocking(draw)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("the confirmation code could not be drawn"))?;
    let id = store(state, user_id, &answer, Some(png), None).await?;
    Ok(Challenge { id, question: None })
}

/// A new code in words, the alternative to the image: five digits, spelled out.
pub async fn new_text(state: &AppState, user_id: i64, lang: Lang) -> Result<Challenge, ApiError> {
    let digits: Vec<u8> = {
        let mut rng = rand::rng();
        (0..LENGTH).map(|_| rng.random_range(0..10u8)).collect()
    };
    let answer: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let words: Vec<&str> = digits
        .iter()
        .map(|d| i18n::raw(lang, &format!("digit_{d}")).unwrap_or("?"))
        .collect();
    let question = i18n::fill(lang, "challenge_words", &[("words", &words.join(", "))]);
    let id = store(state, user_id, &answer, None, Some(&question)).await?;
    Ok(Challenge {
        id,
        question: Some(question),
    })
}

/// The image of code `id`, if it is the citizen's and alive.
pub async fn image(state: &AppState, user_id: i64, id: &str) -> Result<Vec<u8>, ApiError> {
    let image: Option<Option<Vec<u8>>> = sqlx::query_scalar(
        "SELECT image FROM web_challenges WHERE id = $1 AND user_id = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(id)
    .bind(user_id)
    .bind(state.clock.unix())
    .fetch_optional(&state.db)
    .await?;
    image.flatten().ok_or(ApiError::NotFound)
}

fn refused(vi: &str, en: &str) -> ApiError {
    Problem::new(ErrorCode::ValidationFailed, vi.into(), en.into())
        .on("ma_xac_nhan")
        .into()
}

/// Checks the answer to code `id` and spends the code, whatever the answer: 422 on
/// `ma_xac_nhan` when it is wrong, used already, expired or not the citizen's.
pub async fn check(state: &AppState, user_id: i64, id: &str, answer: &str) -> Result<(), ApiError> {
    let now = state.clock.unix();
    // Spent in the same statement that reads it: two tries racing with one code cannot
    // both pass.
    let stored: Option<String> = sqlx::query_scalar(
        "UPDATE web_challenges SET used_at = $1 \
         WHERE id = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING answer_hash",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .fetch_optional(&state.db)
    .await?;
    match stored {
        None => Err(refused(
            "Mã xác nhận này đã dùng hoặc đã hết hạn. Hãy nhập mã mới hiện trên trang.",
            "This confirmation code was used already or has expired. Enter the new code shown on the page.",
        )),
        Some(hash) if hash == answer_digest(id, answer) => Ok(()),
        Some(_) => Err(refused(
            "Mã xác nhận không đúng. Hãy nhập mã mới hiện trên trang (mỗi mã chỉ dùng một lần).",
            "The confirmation code is wrong. Enter the new code shown on the page (each code is used once).",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::{alphabet, answer_digest, draw};

    #[test]
    fn the_drawn_code_has_five_plain_characters_and_a_png() {
        let (text, png) = draw().expect("a code");
        assert_eq!(text.chars().count(), 5);
        assert!(text.chars().all(|c| !"01OIL".contains(c)), "{text}");
        assert!(png.starts_with(b"\x89PNG"));
        assert!(png.len() < 30_000, "{} bytes", png.len());
    }

    #[test]
    fn answers_ignore_case_and_spaces_but_not_the_code() {
        assert_eq!(answer_digest("a", "ab 3"), answer_digest("a", "AB3"));
        assert_ne!(answer_digest("a", "AB3"), answer_digest("b", "AB3"));
        assert!(alphabet(&['0', '2', 'O', 'A', 'a']) == vec!['2', 'A']);
    }
}
