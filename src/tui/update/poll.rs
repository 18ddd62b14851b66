//! Ticks and the delta feed: when to poll, what a poll changes, backing off while offline.

use super::*;

pub(super) fn on_tick(app: &mut App, now: chrono::DateTime<chrono::FixedOffset>) -> Vec<Effect> {
    app.now = now;
    for t in app.toasts.iter_mut() {
        t.ttl = t.ttl.saturating_sub(1);
    }
    app.toasts.retain(|t| t.ttl > 0);
    for p in app.pending.values_mut() {
        p.ticks += 1;
    }
    if app.screen != Screen::Main || app.relogin {
        return vec![];
    }
    let mut effects = super::intake::retry_uploads(app);
    effects.extend(super::training::journal_tick(app));
    effects.extend(super::certify::tick(app));
    let Some(since) = app.inbox.seq else {
        return effects;
    };
    if pending_for(app, Purpose::Poll) || pending_for(app, Purpose::Inbox) {
        return effects;
    }
    app.poll_in = app.poll_in.saturating_sub(1);
    if app.link.state == LinkState::Offline {
        app.link.retry_in = Some(app.poll_in);
    }
    if app.poll_in > 0 {
        return effects;
    }
    app.poll_in = backoff(app.poll_every, app.poll_failures);
    let id = request(app, Purpose::Poll);
    effects.push(Effect::Poll { id, since });
    effects
}

/// The wait before the next background attempt: doubling after each failure, capped.
pub fn backoff(every: u32, failures: u32) -> u32 {
    every
        .saturating_mul(1u32 << failures.min(6))
        .min(MAX_BACKOFF)
        .max(every)
}

pub(super) fn on_polled(
    app: &mut App,
    id: RequestId,
    result: Result<Delta, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    match result {
        Ok(Delta::Changes { changes, seq }) => {
            app.poll_failures = 0;
            app.inbox.seq = Some(seq);
            if changes.is_empty() {
                return vec![];
            }
            let keep = app.inbox.selected_code();
            let open = app.inbox.detail.as_ref().map(|d| d.code.clone());
            let mut reload_detail = false;
            for change in changes {
                match change {
                    Change::Dossier(summary) => {
                        bank_paid(app, &summary);
                        if summary.payment_status == crate::api::dossiers::PaymentStatus::Paid {
                            // The detail reloads below: its version moved.
                            super::payment::close_paid_dialog(app, &summary.code);
                        }
                        if open.as_deref() == Some(summary.code.as_str())
                            && app
                                .inbox
                                .detail
                                .as_ref()
                                .and_then(|d| d.dossier.as_ref())
                                .is_none_or(|d| d.version != summary.version)
                        {
                            reload_detail = true;
                        }
                        app.inbox.upsert(summary);
                    }
                    Change::Deleted { code, .. } => app.inbox.remove(&code),
                }
            }
            app.inbox.rebuild(keep);
            let mut effects = vec![Effect::LoadStats(request(app, Purpose::Stats))];
            if reload_detail && let Some(code) = open {
                effects.push(Effect::LoadDetail {
                    id: request(app, Purpose::Detail),
                    code,
                });
            }
            effects
        }
        Ok(Delta::Expired) => {
            let id = request(app, Purpose::Inbox);
            vec![Effect::LoadInbox(id)]
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        Err(_) => {
            // Background: the status bar says offline; the data on screen stays.
            app.poll_failures += 1;
            app.poll_in = backoff(app.poll_every, app.poll_failures);
            app.link.retry_in = Some(app.poll_in);
            vec![]
        }
    }
}

/// The intake's done screen shows a VietQR code until the portal says the fee is paid
/// (the gateway's notice arrives in the delta feed like any change): then the code goes
/// and the officer hears that the money is in.
fn bank_paid(app: &mut App, summary: &DossierSummary) {
    let w = &mut app.intake;
    let waiting = w.created.as_ref().is_some_and(|d| d.code == summary.code)
        && w.pay == crate::tui::intake::PayChoice::VietQr
        && !w.paid;
    if waiting && summary.payment_status == crate::api::dossiers::PaymentStatus::Paid {
        w.paid = true;
        let text = trf(app.lang, "toast.vietqr_paid", &[("code", &summary.code)]);
        toast(app, ToastKind::Success, text);
    }
}
