//! The sandbox's citizens and bank, so a trainee's inbox lives: at a set pace sample
//! citizens submit dossiers online, answer supplement requests and pay fees online; and
//! a VietQR code shown at the desk is paid a few seconds later, as a citizen scanning it
//! would. Everything goes over HTTP as the citizens and the gateway would send it.

use crate::api::citizens::Citizen;
use crate::api::dossiers::{CitizenSubmission, Delivery, DocumentIn, SupplementIn};
use crate::api::payments::PaymentNotice;
use crate::api::training::AuditEvent;
use crate::client::{ClientError, DossierQuery, PortalClient};
use crate::domain::catalog::OnlineLevel;
use crate::domain::dossier_code::DossierCode;
use crate::domain::status::Status;
use crate::domain::workflow::{Action, DeliveryMethod};
use rand::Rng;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The password of every demo account (docs/portal.md).
pub const DEMO_PASSWORD: &str = "Motcua-demo-2026";
/// How long a "citizen" takes to scan a VietQR code and transfer.
pub const QR_PAY_DELAY: Duration = Duration::from_secs(3);
/// How long a citizen takes to answer a supplement request a trainee just made.
pub const SUPPLEMENT_DELAY: Duration = Duration::from_secs(30);
/// How often the journals are read for codes to pay.
const WATCH_EVERY: Duration = Duration::from_millis(1000);
/// The demo offices (quantri1 … quantri4 administer them).
const OFFICES: i64 = 4;

#[derive(Clone)]
pub struct Settings {
    /// The API's base URL (`http://127.0.0.1:PORT/api/v1`).
    pub url: String,
    /// Time between two rounds of citizen activity; `None`: citizens stay quiet (the
    /// bank still pays codes shown at the desk).
    pub pace: Option<Duration>,
    /// The gateway's shared secret (the portal's `payment_secret`).
    pub payment_secret: String,
    /// Where the sample scan the citizens attach is written.
    pub work_dir: PathBuf,
}

// Written out rather than derived so that the gateway's secret never reaches a log.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("url", &self.url)
            .field("pace", &self.pace)
            .field("work_dir", &self.work_dir)
            .finish_non_exhaustive()
    }
}

/// How often a payment the bank could not make is tried again, at most.
const PAY_ATTEMPTS: u32 = 5;

/// A sample scan: small, and a real PDF as far as the portal's signature check goes.
const SAMPLE_PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// One office as its administrator sees it: the journal, read from where it was left.
struct Office {
    admin: PortalClient,
    username: String,
    after: i64,
    code: Option<String>,
    /// Certification fee orders (`CT…`) whose QR its desk showed: a reference names no
    /// office, so the office is remembered from the journal that told.
    fee_orders: std::collections::BTreeSet<String>,
}

/// Runs until the task is dropped (the training sandbox aborts it on exit). Failures are
/// logged and tried again next round: the simulator must never stop the sandbox.
pub async fn run(settings: Settings) {
    let sample = settings.work_dir.join("ban-chup-mau.pdf");
    if let Err(e) = std::fs::create_dir_all(&settings.work_dir)
        .and_then(|()| std::fs::write(&sample, SAMPLE_PDF))
    {
        tracing::warn!("simulator: cannot write the sample scan: {e}");
    }
    let mut offices = Vec::new();
    for n in 1..=OFFICES {
        match PortalClient::builder(&settings.url).build() {
            Ok(admin) => offices.push(Office {
                admin,
                username: format!("quantri{n}"),
                after: 0,
                code: None,
                fee_orders: std::collections::BTreeSet::new(),
            }),
            Err(e) => {
                tracing::warn!("simulator: {e}");
                return;
            }
        }
    }
    // Code → (when to pay, attempts so far).
    let mut to_pay: BTreeMap<String, (Instant, u32)> = BTreeMap::new();
    let mut citizens = Citizens::default();
    let mut to_supplement: BTreeMap<String, Instant> = BTreeMap::new();
    let mut next_round = settings.pace.map(|p| Instant::now() + p);
    let mut round: u64 = 0;
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        for office in offices.iter_mut() {
            if let Err(e) = watch(office, &mut to_pay, &mut to_supplement).await {
                tracing::debug!("simulator: journal of {}: {e}", office.username);
            }
        }
        let due: Vec<(String, u32)> = to_pay
            .iter()
            .filter(|(_, (at, _))| at.elapsed() >= QR_PAY_DELAY)
            .map(|(code, (_, attempts))| (code.clone(), *attempts))
            .collect();
        for (code, attempts) in due {
            to_pay.remove(&code);
            let Some(i) = offices.iter().position(|o| owns(o, &code)) else {
                tracing::info!("simulator: no office known for {code}; it is not paid");
                continue;
            };
            if let Err(e) = pay_online(&mut offices[i], &code, &settings.payment_secret).await {
                // The code was shown once; the bank tries again rather than lose it.
                if attempts + 1 < PAY_ATTEMPTS {
                    to_pay.insert(code.clone(), (Instant::now(), attempts + 1));
                }
                tracing::info!("simulator: paying {code} (attempt {}): {e}", attempts + 1);
            }
        }
        // Quiet citizens (no pace) leave supplement requests alone.
        let asked: Vec<String> = to_supplement
            .iter()
            .filter(|(_, at)| settings.pace.is_some() && at.elapsed() >= SUPPLEMENT_DELAY)
            .map(|(code, _)| code.clone())
            .collect();
        for code in asked {
            to_supplement.remove(&code);
            if let Some(i) = offices.iter().position(|o| owns(o, &code))
                && let Err(e) =
                    supplement(&mut offices[i], &settings, &sample, &mut citizens, &code).await
            {
                tracing::info!("simulator: supplement for {code}: {e}");
            }
        }
        if let (Some(pace), Some(at)) = (settings.pace, next_round)
            && Instant::now() >= at
        {
            // Every other round is the first office's (the one the trainee is shown).
            let index = if round.is_multiple_of(2) {
                0
            } else {
                1 + ((round / 2) as usize % (offices.len() - 1))
            };
            if let Err(e) =
                citizens_act(&mut offices[index], &settings, &sample, &mut citizens).await
            {
                tracing::info!("simulator: round {round}: {e}");
            }
            round += 1;
            next_round = Some(Instant::now() + jitter(pace));
        }
    }
}

/// `pace` give or take a fifth, so the arrivals do not tick like a clock.
fn jitter(pace: Duration) -> Duration {
    let fifth = pace.as_millis() as u64 / 5;
    let delta = rand::rng().random_range(0..=2 * fifth);
    (pace + Duration::from_millis(delta)).saturating_sub(Duration::from_millis(fifth))
}

/// Logs the administrator in if needed (and again after the token died, or when the
/// office's code is still unknown: without it no code of that desk is paid).
async fn signed_in(office: &mut Office) -> Result<(), ClientError> {
    if office.admin.token().is_none() || office.code.is_none() {
        office.admin.login(&office.username, DEMO_PASSWORD).await?;
        let me = office.admin.me().await?;
        office.code = me.office.map(|o| o.code);
    }
    Ok(())
}

/// Retries once with a fresh login when the token was refused.
async fn as_admin<T, F, Fut>(office: &mut Office, call: F) -> Result<T, ClientError>
where
    F: Fn(PortalClient) -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    signed_in(office).await?;
    match call(office.admin.clone()).await {
        Err(e) if e.is_unauthorized() => {
            office.admin.set_token(None);
            signed_in(office).await?;
            call(office.admin.clone()).await
        }
        other => other,
    }
}

/// Reads the office's journal for VietQR codes staff showed and supplement requests
/// staff made.
async fn watch(
    office: &mut Office,
    to_pay: &mut BTreeMap<String, (Instant, u32)>,
    to_supplement: &mut BTreeMap<String, Instant>,
) -> Result<(), ClientError> {
    let after = office.after;
    let journal = as_admin(office, |c| async move { c.training_journal(after).await }).await?;
    office.after = journal.last_id;
    for e in journal.entries {
        let by_staff = e.username.as_deref() != Some(office.username.as_str())
            && crate::training::exercises::is_trainee(&e);
        let Some(code) = e.dossier_code.filter(|_| by_staff) else {
            continue;
        };
        let supplement_requested = e.detail.as_deref() == Some(Action::RequestSupplement.as_str());
        if e.event == AuditEvent::PaymentQrShown {
            if crate::api::certifications::fee_order_reference(&code).is_some() {
                office.fee_orders.insert(code.clone());
            }
            to_pay.entry(code).or_insert_with(|| (Instant::now(), 0));
        } else if e.event == AuditEvent::Transition && supplement_requested {
            to_supplement.entry(code).or_insert_with(Instant::now);
        }
    }
    Ok(())
}

fn owns(office: &Office, code: &str) -> bool {
    office.fee_orders.contains(code)
        || DossierCode::parse(code)
            .ok()
            .is_some_and(|c| office.code.as_deref() == Some(c.unit().as_str()))
}

/// The bank's signed notice that the fee of `code` (a dossier, or a certification's fee
/// order) arrived.
async fn pay_online(office: &mut Office, code: &str, secret: &str) -> Result<(), ClientError> {
    if office.fee_orders.contains(code) {
        return pay_fee_order(office, code, secret).await;
    }
    let owned = code.to_owned();
    let payment = as_admin(office, |c| {
        let code = owned.clone();
        async move { c.payment(&code).await }
    })
    .await?;
    if payment.vietqr.is_none() {
        return Ok(());
    }
    let notice = PaymentNotice {
        transaction_id: Some(format!("SIM{}", uuid::Uuid::new_v4().simple())),
        dossier_ref: Some(payment.code.clone()),
        amount: Some(payment.amount as i64),
        // The portal's time (its answer to the payment read just now set the client's
        // clock): a sandbox started with `--now` gets payments at its own hour.
        paid_at: Some(office.admin.clock().now().to_rfc3339()),
        bank_bin: Some(payment.bank_bin.clone()),
        account: Some(payment.account.clone()),
    };
    office.admin.notify_payment(&notice, secret).await.map(drop)
}

/// The bank's signed notice that a certification's fee order was paid.
async fn pay_fee_order(
    office: &mut Office,
    reference: &str,
    secret: &str,
) -> Result<(), ClientError> {
    let owned = reference.to_owned();
    let order = as_admin(office, |c| {
        let reference = owned.clone();
        async move { c.fee_order(&reference).await }
    })
    .await?;
    if order.vietqr.is_none() {
        office.fee_orders.remove(reference);
        return Ok(());
    }
    let notice = PaymentNotice {
        transaction_id: Some(format!("SIM{}", uuid::Uuid::new_v4().simple())),
        dossier_ref: Some(order.reference.clone()),
        amount: Some(order.amount as i64),
        paid_at: Some(office.admin.clock().now().to_rfc3339()),
        bank_bin: Some(order.bank_bin.clone()),
        account: Some(order.account.clone()),
    };
    office.admin.notify_payment(&notice, secret).await?;
    office.fee_orders.remove(reference);
    Ok(())
}

/// One round in one office: a new online dossier, one supplement sent, one fee paid.
async fn citizens_act(
    office: &mut Office,
    settings: &Settings,
    sample: &std::path::Path,
    known: &mut Citizens,
) -> Result<(), ClientError> {
    let citizens: Vec<Citizen> = as_admin(office, |c| async move { c.citizens("").await }).await?;
    if let Err(e) = submit_new(office, settings, sample, known, &citizens).await {
        tracing::info!("simulator: online submission: {e}");
    }
    if let Err(e) = answer_supplement(office, settings, sample, known).await {
        tracing::info!("simulator: supplement: {e}");
    }
    let waiting = as_admin(office, |c| async move {
        c.dossiers(&DossierQuery {
            status: Some(Status::AwaitingPayment),
            limit: Some(20),
            ..DossierQuery::default()
        })
        .await
    })
    .await?;
    if let Some(d) = waiting.items.first() {
        pay_online(office, &d.code, &settings.payment_secret).await?;
    }
    Ok(())
}

/// The citizens who could not log in with the demo password (accounts a trainee made
/// have their own): never tried again, since each failure counts against the loopback
/// address's login throttle, which the trainee's own logins share.
#[derive(Default)]
struct Citizens {
    locked_out: std::collections::BTreeSet<String>,
}

impl Citizens {
    /// A citizen's client, logged in with the demo password; `None` for a citizen whose
    /// password is not the demo one.
    async fn sign_in(&mut self, settings: &Settings, number: &str) -> Option<PortalClient> {
        if self.locked_out.contains(number) {
            return None;
        }
        let client = PortalClient::builder(&settings.url).build().ok()?;
        match client.login(number, DEMO_PASSWORD).await {
            Ok(_) => Some(client),
            Err(e) => {
                if e.is_unauthorized() {
                    self.locked_out.insert(number.to_owned());
                }
                None
            }
        }
    }
}

async fn attach(
    client: &PortalClient,
    sample: &std::path::Path,
    part: &str,
) -> Result<DocumentIn, ClientError> {
    let key = uuid::Uuid::new_v4().to_string();
    let uploaded = client.upload_file(&key, sample, |_| {}).await?;
    Ok(DocumentIn {
        part_id: part.to_owned(),
        originals: 0,
        copies: 1,
        upload_id: Some(uploaded.id),
        stored_document_id: None,
    })
}

async fn submit_new(
    office: &mut Office,
    settings: &Settings,
    sample: &std::path::Path,
    known: &mut Citizens,
    citizens: &[Citizen],
) -> Result<(), ClientError> {
    let citizens: Vec<&Citizen> = citizens
        .iter()
        .filter(|c| !known.locked_out.contains(&c.id_number))
        .collect();
    let Some(office_code) = office.code.clone() else {
        return Ok(());
    };
    let catalog = office.admin.procedures().await?;
    let online: Vec<_> = catalog
        .iter()
        .filter(|p| p.online_level != OnlineLevel::None)
        .collect();
    if online.is_empty() || citizens.is_empty() {
        return Ok(());
    }
    let (pick_p, pick_c) = {
        let mut rng = rand::rng();
        (
            rng.random_range(0..online.len()),
            rng.random_range(0..citizens.len()),
        )
    };
    let detail = office
        .admin
        .procedure(&online[pick_p].code)
        .await?
        .procedure;
    let Some(case) = detail.cases.first() else {
        return Ok(());
    };
    let Some(citizen) = known.sign_in(settings, &citizens[pick_c].id_number).await else {
        return Ok(());
    };
    let mut documents = Vec::new();
    for part in case.documents.iter().filter(|p| p.mandatory) {
        documents.push(attach(&citizen, sample, &part.id).await?);
    }
    let method = [
        DeliveryMethod::Online,
        DeliveryMethod::InPerson,
        DeliveryMethod::Postal,
    ]
    .into_iter()
    .find(|m| detail.delivery.contains(m))
    .unwrap_or(DeliveryMethod::InPerson);
    let submission = CitizenSubmission {
        office_code,
        procedure_code: detail.code.clone(),
        case_id: case.id.clone(),
        documents,
        delivery: Delivery {
            method,
            address: (method == DeliveryMethod::Postal).then(|| citizens[pick_c].address.clone()),
        },
        declaration_accepted: true,
        note: None,
        pages: Some(2),
        copies: Some(1),
    };
    let key = uuid::Uuid::new_v4().to_string();
    let dossier = citizen.submit_online(&key, &submission).await?;
    tracing::info!(
        "simulator: {} submitted {}",
        citizens[pick_c].id_number,
        dossier.code
    );
    let _ = citizen.logout().await;
    Ok(())
}

/// The oldest supplement request of the office gets its documents, from the citizen.
async fn answer_supplement(
    office: &mut Office,
    settings: &Settings,
    sample: &std::path::Path,
    known: &mut Citizens,
) -> Result<(), ClientError> {
    let asked = as_admin(office, |c| async move {
        c.dossiers(&DossierQuery {
            status: Some(Status::SupplementRequested),
            limit: Some(20),
            ..DossierQuery::default()
        })
        .await
    })
    .await?;
    // One dossier that keeps failing must not keep the office's others waiting.
    for summary in asked.items {
        match supplement(office, settings, sample, known, &summary.code).await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => tracing::info!("simulator: supplement for {}: {e}", summary.code),
        }
    }
    Ok(())
}

/// The citizen of `code` sends documents for the parts on file (two at most); `false`
/// when that citizen cannot log in (an account a trainee made has its own password) or
/// the dossier no longer waits for a supplement.
async fn supplement(
    office: &mut Office,
    settings: &Settings,
    sample: &std::path::Path,
    known: &mut Citizens,
    code: &str,
) -> Result<bool, ClientError> {
    let code = code.to_owned();
    let dossier = as_admin(office, |c| {
        let code = code.clone();
        async move { c.dossier(&code).await }
    })
    .await?;
    if dossier.status != Status::SupplementRequested {
        return Ok(false);
    }
    let Some(citizen) = known.sign_in(settings, &dossier.applicant.id_number).await else {
        return Ok(false);
    };
    let mut documents = Vec::new();
    for part in dossier.documents.iter().take(2) {
        documents.push(attach(&citizen, sample, &part.part_id).await?);
    }
    let body = SupplementIn {
        documents,
        note: Some("Bổ sung theo yêu cầu".into()),
    };
    let key = uuid::Uuid::new_v4().to_string();
    citizen
        .send_supplement(&dossier.code, dossier.version, &key, &body)
        .await?;
    tracing::info!("simulator: supplement sent for {}", dossier.code);
    let _ = citizen.logout().await;
    Ok(true)
}
