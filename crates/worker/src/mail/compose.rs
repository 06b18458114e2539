//! What each notification says, in its recipient's language: a subject and a body, as plain text
//! and as simple HTML. Texts come from the translation files (`mail.ftl`); what users typed (names,
//! purposes, reasons) is only ever an argument, escaped for HTML and kept out of headers.

use super::MailError;
use vmportal_core::{
    error_id,
    lease::NoticeKind,
    machine::Machine,
    notification::{NotificationKind, Pending},
    request::{MachineRequest, RequestState},
    store::{MAX_PER_PAGE, Page, RequestQuery, Store, StoreError},
    user::Role,
};
use vmportal_i18n::Tr;

pub struct Letter {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub enum Composed {
    Letter(Letter),
    /// Not to be sent, and why (for the outbox record).
    Dropped(&'static str),
}

/// Paragraphs and one link, written both ways.
struct Body {
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
}

impl Body {
    fn text(&self, tr: &Tr) -> String {
        let mut out = self.paragraphs.join("\n\n");
        if let Some((label, url)) = &self.link {
            out.push_str(&format!("\n\n{label}: {url}"));
        }
        out.push_str(&format!("\n\n-- \n{}\n", tr.t("mail-footer")));
        out
    }

    fn html(&self, tr: &Tr) -> String {
        let mut out = format!("<!doctype html>\n<html lang=\"{}\"><body>\n", tr.lang());
        for p in &self.paragraphs {
            out.push_str(&format!("<p>{}</p>\n", escape(p).replace('\n', "<br>\n")));
        }
        if let Some((label, url)) = &self.link {
            out.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>\n",
                escape(url),
                escape(label)
            ));
        }
        out.push_str(&format!(
            "<p style=\"color:#666;font-size:small\">{}</p>\n</body></html>\n",
            escape(&tr.t("mail-footer"))
        ));
        out
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A subject is one line: whatever a user typed cannot start another header.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

async fn request(store: &dyn Store, n: &Pending) -> Result<Option<MachineRequest>, MailError> {
    Ok(match n.about.request {
        Some(id) => store.request(id).await?,
        None => None,
    })
}

async fn machine(store: &dyn Store, n: &Pending) -> Result<Option<Machine>, MailError> {
    Ok(match n.about.machine {
        Some(id) => store.machine(id).await?,
        None => None,
    })
}

pub async fn compose(store: &dyn Store, base: &str, n: &Pending) -> Result<Composed, MailError> {
    let Some(user) = store.user(n.recipient).await? else {
        return Ok(Composed::Dropped("the recipient is gone"));
    };
    let Some(address) = user.email.clone().filter(|e| !e.is_empty()) else {
        return Ok(Composed::Dropped("the recipient has no e-mail address"));
    };
    if user.disabled {
        return Ok(Composed::Dropped("the recipient's account is disabled"));
    }
    let prefs = store.preferences(user.id).await?;
    if !n.kind.wanted(&prefs.notifications) {
        return Ok(Composed::Dropped("the recipient turned this mail off"));
    }
    let tr = Tr::new(prefs.language.unwrap_or_default());
    let (subject, body) = match n.kind {
        NotificationKind::NewRequest => {
            let Some(r) = request(store, n).await? else {
                return Ok(Composed::Dropped("the request is gone"));
            };
            if r.state != RequestState::Pending {
                return Ok(Composed::Dropped("the request was decided already"));
            }
            let subject = tr.t2(
                "mail-new-request-subject",
                "name",
                r.name.as_str(),
                "user",
                r.username.as_str(),
            );
            let body = Body {
                paragraphs: vec![
                    tr.t3(
                        "mail-new-request-body",
                        "user",
                        r.username.as_str(),
                        "name",
                        r.name.as_str(),
                        "template",
                        r.template_name.as_str(),
                    ),
                    tr.t3(
                        "size",
                        "cpus",
                        r.resources.cpus,
                        "memory",
                        r.resources.memory_mib,
                        "disk",
                        r.resources.disk_gib,
                    ),
                    tr.t1("mail-purpose", "purpose", r.purpose.as_str()),
                ],
                link: Some((tr.t("mail-decide"), format!("{base}/admin/requests"))),
            };
            (subject, body)
        }
        NotificationKind::DailyDigest => {
            // The first page (the oldest waiting first is the list's default order) and the count.
            let query = RequestQuery {
                page: Page::new(None, Some(MAX_PER_PAGE)).map_err(StoreError::from)?,
                state: Some(RequestState::Pending),
                ..Default::default()
            };
            let listed = store.requests(&query).await?;
            let pending = listed.items;
            if pending.is_empty() {
                return Ok(Composed::Dropped("nothing is pending any more"));
            }
            let mut paragraphs = vec![tr.t1("mail-digest-body", "count", listed.total)];
            paragraphs.push(
                pending
                    .iter()
                    .map(|r| {
                        format!(
                            "• {} ({}, {}) — {}",
                            r.name,
                            r.username,
                            r.template_name,
                            tr.datetime(r.created_at)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            let body = Body {
                paragraphs,
                link: Some((tr.t("mail-decide"), format!("{base}/admin/requests"))),
            };
            (tr.t1("mail-digest-subject", "count", listed.total), body)
        }
        NotificationKind::Decision => {
            let Some(r) = request(store, n).await? else {
                return Ok(Composed::Dropped("the request is gone"));
            };
            let name = r.name.as_str();
            let (subject, mut paragraphs) = match r.state {
                RequestState::Approved => (
                    tr.t1("mail-approved-subject", "name", name),
                    vec![tr.t1("mail-approved-body", "name", name)],
                ),
                RequestState::Rejected => (
                    tr.t1("mail-rejected-subject", "name", name),
                    vec![tr.t1("mail-rejected-body", "name", name)],
                ),
                _ => return Ok(Composed::Dropped("the request is not decided")),
            };
            if let Some(reason) = r.reason.as_deref().filter(|s| !s.is_empty()) {
                paragraphs.push(tr.t1("mail-reason", "reason", reason));
            }
            let body = Body {
                paragraphs,
                link: Some((tr.t("mail-open-portal"), format!("{base}/"))),
            };
            (subject, body)
        }
        NotificationKind::MachineReady => {
            let Some(m) = machine(store, n).await? else {
                return Ok(Composed::Dropped("the machine is gone"));
            };
            let mut paragraphs = vec![tr.t1("mail-ready-body", "name", m.name.as_str())];
            if let Some(address) = &m.address {
                paragraphs.push(tr.t1("mail-ready-address", "address", address.as_str()));
            }
            // The password stays on the machine's page, behind the sign-in.
            paragraphs.push(tr.t("mail-ready-credentials"));
            let body = Body {
                paragraphs,
                link: Some((
                    tr.t("mail-open-machine"),
                    format!("{base}/machines/{}", m.id),
                )),
            };
            (tr.t1("mail-ready-subject", "name", m.name.as_str()), body)
        }
        NotificationKind::JobFailed => {
            let Some(m) = machine(store, n).await? else {
                return Ok(Composed::Dropped("the machine is gone"));
            };
            let job = match n.about.job {
                Some(id) => store.job(id).await?,
                None => None,
            };
            let action = job.as_ref().map(|j| j.kind.label());
            let error = job.and_then(|j| j.error).unwrap_or_default();
            let mut paragraphs = vec![match action {
                Some(a) => tr.t2("mail-failed-body", "name", m.name.as_str(), "action", a),
                None => tr.t2("mail-failed-body", "name", m.name.as_str(), "action", "?"),
            }];
            // Administrators read the detail; others an id to quote (issue 17).
            if !error.is_empty() && user.role == Role::Admin {
                paragraphs.push(tr.t1("mail-failed-error", "error", error));
            } else if !error.is_empty() {
                paragraphs.push(tr.t1("mail-failed-error-id", "id", error_id(&error)));
            }
            paragraphs.push(tr.t("mail-failed-next"));
            let body = Body {
                paragraphs,
                link: Some((
                    tr.t("mail-open-machine"),
                    format!("{base}/machines/{}", m.id),
                )),
            };
            (tr.t1("mail-failed-subject", "name", m.name.as_str()), body)
        }
        NotificationKind::Lease => {
            let Some(m) = machine(store, n).await? else {
                return Ok(Composed::Dropped("the machine is gone"));
            };
            let notice = match n.about.notice {
                Some(id) => store.notices(m.id).await?.into_iter().find(|x| x.id == id),
                None => None,
            };
            // A notice about a lease since extended is not shown any more, nor mailed.
            let Some(notice) = notice else {
                return Ok(Composed::Dropped("the notice is no longer current"));
            };
            let name = m.name.as_str();
            let end = notice
                .expires_at
                .map(|e| tr.datetime(e))
                .unwrap_or_default();
            let deleted = m.delete_after.map(|d| tr.datetime(d));
            let (subject, mut paragraphs) = match notice.kind {
                NoticeKind::Warning => (
                    tr.t2(
                        "mail-lease-warning-subject",
                        "name",
                        name,
                        "end",
                        end.as_str(),
                    ),
                    vec![tr.t2("mail-lease-warning-body", "name", name, "end", end.as_str())],
                ),
                NoticeKind::Expired => (
                    tr.t1("mail-lease-expired-subject", "name", name),
                    vec![tr.t2("mail-lease-expired-body", "name", name, "end", end.as_str())],
                ),
                NoticeKind::Deleting => (
                    tr.t1("mail-lease-deleting-subject", "name", name),
                    vec![tr.t1("mail-lease-deleting-body", "name", name)],
                ),
                NoticeKind::IdleStop => (
                    tr.t1("mail-idle-stop-subject", "name", name),
                    vec![tr.t1("mail-idle-stop-body", "name", name)],
                ),
            };
            if let (Some(d), NoticeKind::Warning | NoticeKind::Expired) = (&deleted, notice.kind) {
                paragraphs.push(tr.t1("mail-lease-deleted-on", "when", d.as_str()));
            }
            if notice.kind != NoticeKind::Deleting {
                paragraphs.push(tr.t("mail-lease-extend"));
            }
            let body = Body {
                paragraphs,
                link: Some((
                    tr.t("mail-open-machine"),
                    format!("{base}/machines/{}", m.id),
                )),
            };
            (subject, body)
        }
    };
    Ok(Composed::Letter(Letter {
        to_name: one_line(&user.display_name),
        to_address: address,
        subject: one_line(&subject),
        text: body.text(&tr),
        html: body.html(&tr),
    }))
}
