//! Opening a checked attachment with the system's viewer, or with the program the
//! configuration names (`[attachments] open_with`). The program is run directly with the
//! file's path as one argument, never through a shell, so nothing in a file name can
//! become a command; and the path is absolute, so it can never be read as an option.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long to wait for the opener to say it failed. `xdg-open` and `open` hand the file
/// to the viewer and end at once; a viewer named in the configuration may stay open (it
/// is then left running, and reaped when it ends).
pub const WAIT: Duration = Duration::from_secs(3);

/// The program and its arguments that open `file`: `open_with` with `{file}` replaced
/// by the path (or the path last), else the system's own.
pub fn command(open_with: &[String], file: &Path) -> (OsString, Vec<OsString>) {
    if let Some((program, args)) = open_with.split_first() {
        let mut out: Vec<OsString> = Vec::new();
        let mut placed = false;
        for arg in args {
            if arg == "{file}" {
                out.push(file.as_os_str().to_owned());
                placed = true;
            } else {
                out.push(arg.into());
            }
        }
        if !placed {
            out.push(file.as_os_str().to_owned());
        }
        return (program.into(), out);
    }
    let file = file.as_os_str().to_owned();
    if cfg!(target_os = "macos") {
        ("open".into(), vec![file])
    } else if cfg!(windows) {
        // Explorer opens a file with its default program, as `start` does, but without
        // cmd.exe, whose parsing of `&` and `^` a file name could use.
        ("explorer".into(), vec![file])
    } else {
        ("xdg-open".into(), vec![file])
    }
}

/// Why the file was not opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenProblem {
    /// The program is not installed (or not on the PATH): its name.
    NotFound(String),
    /// It ended saying it failed: its name and exit code.
    Failed(String, Option<i32>),
    /// It could not be started: its name and the system's reason.
    NotStarted(String, std::io::ErrorKind),
}

/// Opens `file`; `Ok` with the program's name once it has handed the file on (or is
/// still running after [`WAIT`]: a viewer showing it).
pub fn open(open_with: &[String], file: &Path) -> Result<String, OpenProblem> {
    use wait_timeout::ChildExt;
    let (program, args) = command(open_with, file);
    let name = program.to_string_lossy().into_owned();
    let mut child = Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => OpenProblem::NotFound(name.clone()),
            kind => OpenProblem::NotStarted(name.clone(), kind),
        })?;
    match child.wait_timeout(WAIT) {
        // Explorer ends with 1 even when it opened the file: its word means nothing.
        Ok(Some(status)) if status.success() || cfg!(windows) => Ok(name),
        Ok(Some(status)) => Err(OpenProblem::Failed(name, status.code())),
        Ok(None) | Err(_) => {
            // Still running: a viewer showing the file. Reap it when it ends.
            std::thread::spawn(move || {
                let _ = child.wait();
            });
            Ok(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_program_gets_the_file_where_it_says() {
        let file = Path::new("/c/a b;rm -rf ~.pdf");
        let (p, args) = command(&["okular".into(), "--unique".into()], file);
        assert_eq!(p, "okular");
        assert_eq!(args, vec![OsString::from("--unique"), file.into()]);
        let (_, args) = command(&["viewer".into(), "{file}".into(), "-x".into()], file);
        assert_eq!(args, vec![file.into(), OsString::from("-x")]);
    }

    #[test]
    fn the_systems_opener_is_the_default() {
        let (p, args) = command(&[], Path::new("/c/x.pdf"));
        assert!(["xdg-open", "open", "explorer"].contains(&p.to_str().unwrap()));
        assert_eq!(args.len(), 1);
    }

    #[test]
    fn a_missing_program_is_named() {
        let problem = open(&["motcua-no-such-viewer".into()], Path::new("/x.pdf"));
        assert_eq!(
            problem,
            Err(OpenProblem::NotFound("motcua-no-such-viewer".into()))
        );
    }
}
