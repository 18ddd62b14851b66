//! The desk officer's cost of one intake: keystrokes beyond the typed data, and round
//! trips to the portal, for a same-day signature certification (2.000884, 10,000 đ in
//! cash) for a citizen who has an account, once the catalog is cached (a first intake
//! in the same session warms it). The app runs headless: the real `update`, the real
//! effect executor and `PortalClient`, the real portal on loopback behind a proxy that
//! counts HTTP requests. Targets: ≤ 40 keystrokes, ≤ 4 round trips.
//! Run: `cargo bench --bench intake`.

use crossterm::event::KeyCode;
use motcua::tui::intake::WizardStep;
use std::sync::atomic::Ordering;
use std::time::Instant;

#[path = "support/mod.rs"]
mod support;
use support::counting_proxy;
#[path = "support/headless.rs"]
mod headless;
use headless::Headless;

/// One complete intake: the procedure, the applicant, the documents on paper, the
/// desk delivery, cash with a receipt number, the declaration, submit, the receipt.
async fn intake(h: &mut Headless, number: &str, receipt: &str) -> String {
    h.key(KeyCode::Char('2')).await;
    h.text("chung thuc chu ky").await;
    h.key(KeyCode::Enter).await;
    assert_eq!(
        h.app.intake.step,
        WizardStep::Applicant,
        "{:?}",
        h.app.intake.error
    );
    h.text(number).await;
    h.key(KeyCode::Enter).await; // look up
    h.key(KeyCode::Enter).await; // the applicant submits in person
    assert_eq!(
        h.app.intake.step,
        WizardStep::Documents,
        "{:?}",
        h.app.intake.error
    );
    let parts: Vec<bool> = {
        let case = motcua::tui::update::chosen_case(&h.app).expect("the case");
        case.documents.iter().map(|d| d.mandatory).collect()
    };
    for (i, mandatory) in parts.iter().enumerate() {
        if *mandatory {
            h.key(KeyCode::Char(' ')).await;
        }
        if i + 1 < parts.len() && parts[i + 1..].iter().any(|m| *m) {
            h.key(KeyCode::Down).await;
        }
    }
    h.key(KeyCode::Enter).await; // documents done
    h.key(KeyCode::Enter).await; // at the desk
    assert_eq!(
        h.app.intake.step,
        WizardStep::Review,
        "{:?}",
        h.app.intake.error
    );
    h.key(KeyCode::Tab).await; // cash is chosen; to the receipt number
    h.text(receipt).await;
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Char(' ')).await; // the declaration
    h.key(KeyCode::Enter).await; // submit (and the cash payment)
    assert_eq!(
        h.app.intake.step,
        WizardStep::Done,
        "{:?}",
        h.app.intake.error
    );
    assert!(h.app.intake.paid, "cash recorded");
    h.key(KeyCode::Enter).await; // the receipt, Mẫu 01
    h.key(KeyCode::Esc).await; // close it
    let code = h.app.intake.created.as_ref().unwrap().code.clone();
    h.key(KeyCode::Char('n')).await; // ready for the next citizen
    code
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let (dir, running) = support::demo_portal().await;
    let (addr, requests) = counting_proxy(running.addr).await;
    let base = format!("http://{addr}/api/v1");

    let mut h = Headless::logged_in(base, &dir.path().join("data")).await;

    // A citizen of the office with an account.
    let number = headless::office_citizen(running.addr).await;

    // A first intake warms the catalog (list and detail).
    let cold_requests = requests.load(Ordering::SeqCst);
    intake(&mut h, &number, "BL-0001").await;
    let cold = requests.load(Ordering::SeqCst) - cold_requests;

    // The measured one.
    h.app.tab = motcua::tui::state::Tab::Inbox;
    let (keys0, typed0, requests0) = (h.keys, h.typed, requests.load(Ordering::SeqCst));
    let started = Instant::now();
    let code = intake(&mut h, &number, "BL-0002").await;
    let took = started.elapsed();
    let keys = h.keys - keys0;
    let typed = h.typed - typed0;
    let trips = requests.load(Ordering::SeqCst) - requests0;
    println!(
        "intake of a same-day signature certification (2.000884) for an existing citizen, cash, receipt printed"
    );
    println!(
        "  dossier {code}; wall time on loopback {:.1} ms",
        took.as_secs_f64() * 1000.0
    );
    println!(
        "  keystrokes beyond typed data: {keys} (target ≤ 40); typed data: {typed} characters"
    );
    println!(
        "  round trips with the catalog cached: {trips} (target ≤ 4): look-up, submission, cash, receipt"
    );
    println!("  (the first intake of the session, catalog not yet cached: {cold} round trips)");
    let _ = running.shutdown().await;
}
