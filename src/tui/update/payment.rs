//! The fee of an open dossier, taken at any time from its detail (not only at intake): in
//! cash with a receipt number, through the outbox like intake's, or by VietQR, whose code
//! stays on screen until the bank's payment arrives in the delta feed. A leader can then
//! approve and the desk return the result.

use super::*;
use crate::api::payments::Payment;
use crate::tui::intake::PayChoice;

/// `p` in the detail: the payment dialog for the open dossier.
pub(super) fn open_payment(app: &mut App) -> Vec<Effect> {
    if !super::panes::may_pay(app) {
        return vec![];
    }
    let Some((code, amount)) = app
        .inbox
        .detail
        .as_ref()
        .and_then(|d| d.dossier.as_deref())
        .map(|d| (d.code.clone(), d.fee.amount))
    else {
        return vec![];
    };
    app.overlay = Some(Overlay::Payment(Box::new(PayDialog {
        code,
        amount,
        choice: PayChoice::Cash,
        receipt_no: text_field(),
        key: super::intake::new_key(app),
        pending: None,
        payment: None,
        error: None,
    })));
    vec![]
}

pub(super) fn payment_key(app: &mut App, mut d: Box<PayDialog>, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    let settled = d.pending.is_some() || d.payment.is_some();
    match key {
        // Closing leaves a request on its way to finish: its answer still refreshes the
        // detail, or says what went wrong (see `on_dialog_payment`).
        K(Command::Close) => return vec![],
        K(Command::NextChoice | Command::PrevChoice) if !settled => {
            d.choice = match d.choice {
                PayChoice::Cash => PayChoice::VietQr,
                _ => PayChoice::Cash,
            };
            d.error = None;
        }
        K(Command::Confirm) if !settled => {
            let effects = confirm(app, &mut d);
            app.overlay = Some(Overlay::Payment(d));
            return effects;
        }
        KeyInput::Text(key) if d.choice == PayChoice::Cash && !settled => {
            edit(&mut d.receipt_no, key);
            d.error = None;
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Payment(d));
    vec![]
}

fn confirm(app: &mut App, d: &mut PayDialog) -> Vec<Effect> {
    let id = request(app, Purpose::DetailPayment);
    match d.choice {
        PayChoice::VietQr => {
            d.pending = Some(id);
            vec![Effect::LoadPayment {
                id,
                code: d.code.clone(),
            }]
        }
        _ => {
            let receipt_no = field_text(&d.receipt_no).trim().to_owned();
            if receipt_no.is_empty() {
                app.pending.remove(&id);
                d.error = Some(tr(app.lang, "pay.need_receipt").to_owned());
                return vec![];
            }
            d.pending = Some(id);
            vec![Effect::PayCash {
                id,
                code: d.code.clone(),
                key: d.key.clone(),
                amount: d.amount,
                receipt_no,
            }]
        }
    }
}

/// True when `id` is a payment taken from the detail, with its dialog open or not.
pub(super) fn is_dialog_payment(app: &App, id: RequestId) -> bool {
    app.pending
        .get(&id)
        .is_some_and(|p| p.purpose == Purpose::DetailPayment)
}

/// The answer to the dialog's cash payment or VietQR code.
pub(super) fn on_dialog_payment(
    app: &mut App,
    id: RequestId,
    result: Result<Payment, Failure>,
) -> Vec<Effect> {
    app.pending.remove(&id);
    // The dialog may have been closed while the request was on its way.
    let dialog = match app.overlay.as_mut() {
        Some(Overlay::Payment(d)) if d.pending == Some(id) => {
            d.pending = None;
            Some(d)
        }
        _ => None,
    };
    match result {
        Ok(payment) if payment.status == crate::api::dossiers::PaymentStatus::Paid => {
            let code = payment.code.clone();
            if dialog.is_some() {
                app.overlay = None;
            }
            let text = trf(app.lang, "toast.fee_paid", &[("code", &code)]);
            toast(app, ToastKind::Success, text);
            reload_detail(app, &code)
        }
        Ok(payment) => {
            // A VietQR code: shown if its dialog is still open, else nothing to do.
            if let Some(d) = dialog {
                d.payment = Some(payment);
            }
            vec![]
        }
        Err(f) => {
            let text = failure_text(app.lang, &f);
            match dialog {
                Some(d) => d.error = Some(text),
                None => toast(app, ToastKind::Error, text),
            }
            super::intake::fail_quietly(app, f)
        }
    }
}

/// Closes the payment dialog of `code`, if open, saying the fee is in.
pub(super) fn close_paid_dialog(app: &mut App, code: &str) -> bool {
    let showing = matches!(&app.overlay, Some(Overlay::Payment(d)) if d.code == code);
    if showing {
        app.overlay = None;
        let text = trf(app.lang, "toast.fee_paid", &[("code", code)]);
        toast(app, ToastKind::Success, text);
    }
    showing
}

/// Loads the detail of `code` again, when it is the one open.
pub(super) fn reload_detail(app: &mut App, code: &str) -> Vec<Effect> {
    if app.inbox.detail.as_ref().is_none_or(|d| d.code != code) {
        return vec![];
    }
    let id = request(app, Purpose::Detail);
    vec![Effect::LoadDetail {
        id,
        code: code.to_owned(),
    }]
}
