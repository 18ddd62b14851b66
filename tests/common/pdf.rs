//! Reading a PDF the way a person's tools do: poppler's `pdftotext`, `pdffonts`, `pdfinfo`
//! and `pdftoppm` (Debian's poppler-utils), and zbar's `zbarimg` for QR codes. `.ci/run`
//! installs them; a test that needs one fails with the package to install when it is
//! missing, rather than passing without looking.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A PDF written to a temporary directory, for the tools to read.
pub struct Pdf {
    dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Pdf {
    pub fn new(bytes: &[u8]) -> Pdf {
        assert!(
            bytes.starts_with(b"%PDF-"),
            "not a PDF: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        );
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("form.pdf");
        std::fs::write(&path, bytes).expect("the PDF is written");
        Pdf { dir, path }
    }

    /// The text as `pdftotext` extracts it (UTF-8, reading order).
    pub fn text(&self) -> String {
        run("pdftotext", &[self.arg(), "-"], "poppler-utils")
    }

    /// The text with every run of white space one space: a phrase broken over lines or
    /// cells is found whole.
    pub fn flat(&self) -> String {
        self.text().split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Every font of the document as `pdffonts` lists it: (name, type, embedded, subset,
    /// has a Unicode map).
    pub fn fonts(&self) -> Vec<(String, String, bool, bool, bool)> {
        let out = run("pdffonts", &[self.arg()], "poppler-utils");
        out.lines()
            .skip(2) // the header and its rule
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                // name type [type…] encoding emb sub uni object ID
                let n = cols.len();
                assert!(n >= 7, "pdffonts line {l:?}");
                let yes = |s: &str| s == "yes";
                (
                    cols[0].to_owned(),
                    cols[1..n - 6].join(" "),
                    yes(cols[n - 5]),
                    yes(cols[n - 4]),
                    yes(cols[n - 3]),
                )
            })
            .collect()
    }

    /// `pdfinfo`'s fields.
    pub fn info(&self, field: &str) -> String {
        let out = run("pdfinfo", &[self.arg()], "poppler-utils");
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .unwrap_or_else(|| panic!("pdfinfo has no {field}:\n{out}"))
            .trim()
            .to_owned()
    }

    /// Checks that every page is A4 (portrait, or landscape), that every font is
    /// embedded with a map to Unicode, and returns the page count.
    pub fn assert_a4_with_embedded_fonts(&self, landscape: bool) -> usize {
        let size = self.info("Page size");
        let expected = if landscape {
            "841.89 x 595.276 pts"
        } else {
            "595.276 x 841.89 pts"
        };
        assert!(size.starts_with(expected), "page size {size}");
        let fonts = self.fonts();
        assert!(!fonts.is_empty(), "no fonts");
        for (name, kind, embedded, subset, unicode) in &fonts {
            assert!(
                *embedded && *subset && *unicode,
                "{name} ({kind}): embedded {embedded}, subset {subset}, unicode map {unicode}"
            );
        }
        self.info("Pages").parse().expect("a page count")
    }

    /// Page `n` (from 1) as a PNG at `dpi`.
    pub fn png(&self, n: usize, dpi: u32) -> PathBuf {
        let stem = self.dir.path().join(format!("page-{n}"));
        run(
            "pdftoppm",
            &[
                "-png",
                "-r",
                &dpi.to_string(),
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
                "-singlefile",
                self.arg(),
                stem.to_str().expect("a UTF-8 path"),
            ],
            "poppler-utils",
        );
        stem.with_extension("png")
    }

    /// What the QR codes drawn on page `n` hold, as `zbarimg` reads them off the page.
    pub fn qr_codes(&self, n: usize) -> Vec<String> {
        let png = self.png(n, 150);
        let out = Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
            .arg(&png)
            .output()
            .unwrap_or_else(|e| {
                panic!("zbarimg: {e}; install zbar-tools (apt-get install zbar-tools)")
            });
        String::from_utf8(out.stdout)
            .expect("UTF-8")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn arg(&self) -> &str {
        self.path.to_str().expect("a UTF-8 path")
    }
}

fn run(tool: &str, args: &[&str], package: &str) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}; install {package} (apt-get install {package})"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{tool} wrote no UTF-8: {e}"))
}

/// A Python with openpyxl: `MOTCUA_PYTHON` (`.ci/run` sets it to its own virtual
/// environment's), else `target/py/bin/python` when present, else `python3`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("MOTCUA_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python");
    if local.exists() {
        return local;
    }
    PathBuf::from("python3")
}

/// Runs `script` with the Python of [`python`], `args` after it; its standard output.
pub fn run_python(script: &str, args: &[&str]) -> String {
    let py = python();
    let out = Command::new(&py)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", py.display()));
    assert!(
        out.status.success(),
        "{}: {}\n(the register's tests need openpyxl: `python3 -m venv target/py && \
         target/py/bin/pip install openpyxl`, or set MOTCUA_PYTHON; .ci/run does it)",
        py.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}
