//! `motcua doctor`: measures the link to a portal — round-trip time, download
//! throughput, whether answers come compressed — and words plain advice for the officer
//! (or whoever set up the office's network).

use super::ClientError;
use crate::domain::Lang;
use std::time::{Duration, Instant};

/// What was measured.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkReport {
    pub url: String,
    /// Round trips of `GET /healthz`, fastest and median.
    pub rtt_min: Duration,
    pub rtt_median: Duration,
    /// The API document fetched without compression: bytes and bits per second.
    pub plain_bytes: u64,
    pub throughput_bps: f64,
    /// The same document with gzip asked for: bytes on the wire (`None`: not compressed).
    pub gzip_bytes: Option<u64>,
}

const PROBES: usize = 5;

/// One check of the link, done: shown as soon as it is (a slow link takes a while, and
/// a screen that stays empty until the end looks like a hang).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// Round trips of `GET /healthz`, fastest and median.
    RoundTrips { min: Duration, median: Duration },
    /// The API document without compression: bytes, and bits per second.
    Download { bytes: u64, bps: f64 },
    /// The same document with gzip asked for: bytes on the wire (`None`: not compressed).
    Compression { plain: u64, gzip: Option<u64> },
}

impl Check {
    /// The check's line, as `motcua doctor` prints it (ending in a newline).
    pub fn line(&self, lang: Lang) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        match (self, lang) {
            (Check::RoundTrips { min, median }, Lang::Vi) => format!(
                "Thời gian khứ hồi: nhanh nhất {:.0} ms, trung vị {:.0} ms\n",
                ms(*min),
                ms(*median)
            ),
            (Check::RoundTrips { min, median }, Lang::En) => format!(
                "Round trip: fastest {:.0} ms, median {:.0} ms\n",
                ms(*min),
                ms(*median)
            ),
            (Check::Download { bps, .. }, Lang::Vi) => {
                format!("Tốc độ tải về: khoảng {:.0} kbit/s\n", bps / 1000.0)
            }
            (Check::Download { bps, .. }, Lang::En) => {
                format!("Download: about {:.0} kbit/s\n", bps / 1000.0)
            }
            (Check::Compression { plain, gzip }, _) => match (gzip, lang) {
                (Some(z), Lang::Vi) => format!(
                    "Nén dữ liệu: có ({} B còn {} B, giảm {:.0}%)\n",
                    plain,
                    z,
                    100.0 - *z as f64 * 100.0 / (*plain).max(1) as f64
                ),
                (Some(z), Lang::En) => format!(
                    "Compression: on ({} B down to {} B, {:.0}% less)\n",
                    plain,
                    z,
                    100.0 - *z as f64 * 100.0 / (*plain).max(1) as f64
                ),
                (None, Lang::Vi) => "Nén dữ liệu: KHÔNG\n".to_owned(),
                (None, Lang::En) => "Compression: OFF\n".to_owned(),
            },
        }
    }
}

/// The first line, before any check: which portal is measured.
pub fn heading(url: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("Cổng: {url}\n"),
        Lang::En => format!("Portal: {url}\n"),
    }
}

/// Measures the link to the portal at `base` (…/api/v1). Takes a few seconds on a slow
/// link; every request has `timeout`.
pub async fn measure(base: &str, timeout: Duration) -> Result<LinkReport, ClientError> {
    measure_showing(base, timeout, |_| {}).await
}

/// As [`measure`], handing each check to `done` as soon as it is finished.
pub async fn measure_showing(
    base: &str,
    timeout: Duration,
    mut done: impl FnMut(Check),
) -> Result<LinkReport, ClientError> {
    let base = base.trim_end_matches('/').to_owned();
    // Raw HTTP on purpose: the measure must see the bytes as they travel (no automatic
    // decompression), and no session is needed.
    let http = reqwest::Client::builder()
        .connect_timeout(super::CONNECT_TIMEOUT)
        .timeout(timeout)
        .gzip(false)
        .build()
        .map_err(|e| ClientError::BadUrl(e.to_string()))?;
    let mut rtts = Vec::with_capacity(PROBES);
    for _ in 0..PROBES {
        let started = Instant::now();
        let res = http.get(format!("{base}/healthz")).send().await?;
        let _ = res.bytes().await?;
        rtts.push(started.elapsed());
    }
    rtts.sort();
    done(Check::RoundTrips {
        min: rtts[0],
        median: rtts[PROBES / 2],
    });
    let started = Instant::now();
    let plain = http
        .get(format!("{base}/openapi.json"))
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .send()
        .await?
        .bytes()
        .await?;
    let took = started
        .elapsed()
        .saturating_sub(rtts[0])
        .max(Duration::from_millis(1));
    let throughput_bps = plain.len() as f64 * 8.0 / took.as_secs_f64();
    done(Check::Download {
        bytes: plain.len() as u64,
        bps: throughput_bps,
    });
    let zipped = http
        .get(format!("{base}/openapi.json"))
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await?;
    let compressed = zipped
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let zipped = zipped.bytes().await?;
    let gzip_bytes = compressed.then_some(zipped.len() as u64);
    done(Check::Compression {
        plain: plain.len() as u64,
        gzip: gzip_bytes,
    });
    Ok(LinkReport {
        url: base,
        rtt_min: rtts[0],
        rtt_median: rtts[PROBES / 2],
        plain_bytes: plain.len() as u64,
        throughput_bps,
        gzip_bytes,
    })
}

impl LinkReport {
    /// The checks of the report, in the order they are made.
    pub fn checks(&self) -> [Check; 3] {
        [
            Check::RoundTrips {
                min: self.rtt_min,
                median: self.rtt_median,
            },
            Check::Download {
                bytes: self.plain_bytes,
                bps: self.throughput_bps,
            },
            Check::Compression {
                plain: self.plain_bytes,
                gzip: self.gzip_bytes,
            },
        ]
    }

    /// The figures and what they mean, in plain words.
    pub fn describe(&self, lang: Lang) -> String {
        let mut out = heading(&self.url, lang);
        for check in self.checks() {
            out.push_str(&check.line(lang));
        }
        out.push_str(&self.conclusion(lang));
        out
    }

    /// What follows the checks: a blank line and the advice, one point per line.
    pub fn conclusion(&self, lang: Lang) -> String {
        let mut out = String::from("\n");
        for advice in self.advice(lang) {
            out.push_str("• ");
            out.push_str(&advice);
            out.push('\n');
        }
        out
    }

    pub fn advice(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        let rtt = self.rtt_median.as_millis();
        let kbps = self.throughput_bps / 1000.0;
        let vi = lang == Lang::Vi;
        if rtt >= 1000 {
            out.push(if vi {
                "Đường truyền rất chậm (trên 1 giây mỗi lượt). Ứng dụng vẫn dùng được: thao tác được lưu vào hàng chờ và tự gửi; nên tránh giờ cao điểm khi tải tệp lớn.".into()
            } else {
                "The link is very slow (over a second per round trip). The app still works: writes wait in the outbox and go by themselves; avoid busy hours for large files.".into()
            });
        } else if rtt >= 300 {
            out.push(if vi {
                "Đường truyền chậm kiểu 3G (300 ms trở lên mỗi lượt): mọi thao tác vẫn dùng được, chỉ chờ lâu hơn một chút.".into()
            } else {
                "A 3G-class link (300 ms or more per round trip): everything works, with a little more waiting.".into()
            });
        } else {
            out.push(if vi {
                "Thời gian khứ hồi tốt.".into()
            } else {
                "Round trips are quick.".into()
            });
        }
        if kbps < 256.0 {
            out.push(if vi {
                "Băng thông thấp (dưới 256 kbit/s): tệp quét 5 MB mất vài phút; hãy quét ở 150–200 dpi, đen trắng khi được. Tệp tải dở sẽ tự tải tiếp.".into()
            } else {
                "Low bandwidth (under 256 kbit/s): a 5 MB scan takes minutes; scan at 150–200 dpi, black and white where possible. Unfinished uploads carry on by themselves.".into()
            });
        }
        if self.gzip_bytes.is_none() {
            out.push(if vi {
                "Cổng (hoặc máy chủ trung gian) không nén dữ liệu: báo quản trị bật gzip để giảm 3–6 lần dung lượng.".into()
            } else {
                "The portal (or a proxy) does not compress: ask the administrator to turn gzip on, for 3–6 times fewer bytes.".into()
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rtt_ms: u64, kbps: f64, gzip: Option<u64>) -> LinkReport {
        LinkReport {
            url: "http://127.0.0.1:8080/api/v1".into(),
            rtt_min: Duration::from_millis(rtt_ms),
            rtt_median: Duration::from_millis(rtt_ms),
            plain_bytes: 195_000,
            throughput_bps: kbps * 1000.0,
            gzip_bytes: gzip,
        }
    }

    #[test]
    fn advice_follows_the_figures() {
        let good = report(20, 10_000.0, Some(33_000));
        assert_eq!(good.advice(Lang::En).len(), 1);
        assert!(good.describe(Lang::En).contains("83% less"));
        let bad = report(1200, 100.0, None);
        let advice = bad.advice(Lang::Vi);
        assert_eq!(advice.len(), 3, "{advice:?}");
        assert!(advice[0].contains("rất chậm"));
        assert!(bad.describe(Lang::Vi).contains("KHÔNG"));
        assert!(report(600, 1000.0, Some(1)).advice(Lang::En)[0].contains("3G"));
    }
}
