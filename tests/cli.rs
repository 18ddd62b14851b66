//! The binary's command line: unbuilt commands say so in one line and exit 2.

use std::process::Command;

fn motcua(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .expect("the motcua binary runs")
}

#[test]
fn unbuilt_commands_exit_2_with_one_line() {
    for args in [&["serve"][..], &["training"], &["training", "--reset"], &[]] {
        let out = motcua(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("chưa có"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn help_and_unknown_commands() {
    let out = motcua(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("serve") && help.contains("training"),
        "{help}"
    );

    let out = motcua(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
