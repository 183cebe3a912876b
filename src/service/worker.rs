//! The store's thread: takes requests one at a time (a lookup that a newer keystroke
//! replaced is skipped), runs them on the logged-in session, and hands back replies.

use super::slip::SlipSettings;
use super::{Reply, Request, SessionInfo, SyncView};
use crate::domain::client::ClientView;
use crate::domain::clock::Clock;
use crate::domain::lockout::delay_after;
use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::i18n::I18n;
use crate::store::{Session, StoreOptions, StorePaths};
use secrecy::SecretString;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread;

/// The most clients a book screen lists at once (the segment's size is shown beside).
const BOOK_ROWS: u32 = 500;
/// The rows of a risk desk list a screen holds (the count says how many there are).
const DESK_ROWS: u32 = 200;

/// The UI's end of the worker.
pub struct ServiceHandle {
    requests: Sender<Request>,
    worker: Option<thread::JoinHandle<()>>,
}

impl ServiceHandle {
    /// Starts the worker. Each reply is passed to `deliver` (which typically forwards it into
    /// the UI's event channel).
    pub fn spawn(
        paths: StorePaths,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
        slips: SlipSettings,
        hq_database: Option<String>,
        deliver: impl Fn(Reply) + Send + 'static,
    ) -> ServiceHandle {
        let (requests, inbox) = mpsc::channel();
        let worker = Worker {
            paths,
            clock,
            options,
            slips,
            hq_database,
            session: None,
            warming: false,
        };
        // The worker ends when the handle (the only sender) is dropped.
        let worker = thread::Builder::new()
            .name("store".into())
            .spawn(move || worker.run(inbox, deliver))
            .ok();
        ServiceHandle { requests, worker }
    }

    /// Sends a request; false if the worker has stopped.
    pub fn send(&self, request: Request) -> bool {
        self.requests.send(request).is_ok()
    }
}

impl Drop for ServiceHandle {
    /// Ends the worker and waits for it: it records the logout and closes the store. A
    /// process that exited meanwhile would tear down the cipher library under the worker
    /// (seen as "double free or corruption" at exit, now and then).
    fn drop(&mut self) {
        let (closed, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.requests, closed));
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// A client's record with the newest entries of its contact log.
fn client_reply(session: &Session, view: ClientView) -> Result<Reply> {
    let log = session.interactions(&view.client_no, 20)?;
    let events = session.client_events(&view.client_no)?;
    Ok(Reply::Client {
        view: Box::new(view),
        log,
        events,
    })
}

/// Runs a passphrase check, first waiting out the pause that earlier failures impose
/// (telling the UI, which keeps drawing meanwhile).
fn after_pause<T>(deliver: &impl Fn(Reply), mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
    match attempt() {
        Err(Error::TooSoon { seconds }) => {
            deliver(Reply::Waiting { seconds });
            let longest = delay_after(u32::MAX).num_seconds().unsigned_abs();
            thread::sleep(std::time::Duration::from_secs(seconds.min(longest)));
            attempt()
        }
        other => other,
    }
}

struct Worker {
    paths: StorePaths,
    clock: Arc<dyn Clock>,
    options: StoreOptions,
    /// Where slips go and whether they are printed.
    slips: SlipSettings,
    /// At HQ: the consolidation database's address for this run (config or environment).
    hq_database: Option<String>,
    session: Option<Session>,
    /// The page cache is still being filled while idle.
    warming: bool,
}

impl Worker {
    fn run(mut self, inbox: Receiver<Request>, deliver: impl Fn(Reply)) {
        while let Some(first) = self.next_request(&inbox) {
            let mut waiting = vec![first];
            waiting.extend(inbox.try_iter());
            // Type-ahead: a lookup that a newer keystroke replaced is not worth running.
            let newest_search = waiting
                .iter()
                .rposition(|r| matches!(r, Request::Search { .. }));
            for (index, request) in waiting.into_iter().enumerate() {
                if matches!(request, Request::Search { .. }) && Some(index) != newest_search {
                    continue;
                }
                let reply = self.handle(request, &deliver);
                deliver(reply.unwrap_or_else(Reply::Failed));
            }
            // A new connection (a login, a rekey) starts cold; a warm one says so at once.
            self.warming = self.session.is_some();
        }
        if let Some(mut session) = self.session.take() {
            let _ = session.record_logout();
        }
    }

    /// The next request; while none waits and the page cache is not yet warm, the lookup's
    /// structures are read into it a few thousand rows at a time (a step takes milliseconds,
    /// so a keystroke never waits for more than one).
    fn next_request(&mut self, inbox: &Receiver<Request>) -> Option<Request> {
        loop {
            if !self.warming {
                return inbox.recv().ok();
            }
            match inbox.try_recv() {
                Ok(request) => return Some(request),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {
                    self.warming = match self.session.as_mut().map(Session::warm_cache_step) {
                        Some(Ok(more)) => more,
                        Some(Err(error)) => {
                            // A warm cache is a nicety; the lookups work without it.
                            tracing::warn!(%error, "warming the page cache stopped");
                            false
                        }
                        None => false,
                    };
                }
            }
        }
    }

    fn session(&mut self) -> Result<&mut Session> {
        self.session.as_mut().ok_or(Error::WrongCredentials)
    }

    fn handle(&mut self, request: Request, deliver: &impl Fn(Reply)) -> Result<Reply> {
        match request {
            Request::CreateStore(setup) => {
                let session =
                    Session::create(&self.paths, setup, self.clock.clone(), self.options)?;
                Ok(self.logged_in(session))
            }
            Request::Login {
                staff_id,
                passphrase,
            } => {
                self.session = None;
                let session = self.login_waiting(&staff_id, &passphrase, deliver)?;
                tracing::info!(staff = %session.me().id, role = %session.me().role, "login");
                Ok(self.logged_in(session))
            }
            Request::Unlock { passphrase } => {
                let session = self.session()?;
                after_pause(deliver, || session.verify_passphrase(&passphrase))?;
                Ok(Reply::Unlocked)
            }
            Request::RecordLock { idle } => {
                self.session()?
                    .record_lock(if idle { "idle" } else { "staff" })?;
                Ok(Reply::Done)
            }
            Request::Logout => {
                if let Some(mut session) = self.session.take() {
                    session.record_logout()?;
                }
                Ok(Reply::LoggedOut)
            }
            Request::ListStaff => Ok(Reply::Staff(self.session()?.list_staff()?)),
            Request::AddStaff {
                id,
                name,
                role,
                passphrase,
            } => {
                self.session()?.add_staff(&id, &name, role, &passphrase)?;
                Ok(Reply::StaffChanged)
            }
            Request::DisableStaff { id } => {
                self.session()?.disable_staff(&id)?;
                Ok(Reply::StaffChanged)
            }
            Request::ResetPassphrase { id, passphrase } => {
                self.session()?.reset_passphrase(&id, &passphrase)?;
                Ok(Reply::StaffChanged)
            }
            Request::UnlockAccount { id } => {
                self.session()?.unlock_account(&id)?;
                Ok(Reply::StaffChanged)
            }
            Request::AuditPage { before, limit } => Ok(Reply::AuditPage {
                before,
                rows: self.session()?.list_audit(before, limit)?,
            }),
            Request::VerifyAudit => Ok(Reply::AuditVerdict(self.session()?.verify_audit()?)),
            Request::Search {
                query,
                generation,
                limit,
            } => Ok(Reply::Hits {
                generation,
                hits: self.session()?.search_clients(&query, limit)?,
            }),
            Request::OpenClient { key } => {
                let session = self.session()?;
                let view = session.open_client(&key)?;
                Ok(client_reply(session, view)?)
            }
            Request::RevealClient { key, reason } => {
                let session = self.session()?;
                let view = session.reveal_client(&key, &reason)?;
                Ok(client_reply(session, view)?)
            }
            Request::SaveClient { key, input } => {
                let session = self.session()?;
                let client_no = match key {
                    Some(key) => {
                        session.update_client(&key, &input)?;
                        key
                    }
                    None => session.create_client(&input)?.client_no,
                };
                Ok(Reply::ClientSaved { client_no })
            }
            Request::AddNote { key, channel, note } => {
                let session = self.session()?;
                session.add_interaction(&key, &channel, "contact", &note)?;
                let view = session.open_client(&key)?;
                Ok(client_reply(session, view)?)
            }
            Request::ImportClients { path } => {
                let session = self.session()?;
                let report = session.import_clients(&path, None, false, &mut |rows, _| {
                    deliver(Reply::ImportProgress { rows })
                })?;
                Ok(Reply::Imported(Box::new(report)))
            }
            Request::AddEvent { key, input } => {
                let session = self.session()?;
                session.add_client_event(&key, &input)?;
                let view = session.open_client(&key)?;
                Ok(client_reply(session, view)?)
            }
            Request::ComplaintBoard => Ok(Reply::ComplaintBoard(Box::new(
                self.session()?.complaint_board()?,
            ))),
            Request::OpenComplaint { key } => Ok(Reply::Complaint(Box::new(
                self.session()?.open_complaint(&key)?,
            ))),
            Request::RegisterComplaint { input } => Ok(Reply::ComplaintRegistered(
                self.session()?.register_complaint(&input)?,
            )),
            Request::AdvanceComplaint {
                key,
                step,
                on,
                note,
            } => {
                let session = self.session()?;
                let code = step.code();
                session.advance_complaint(&key, step, on, note)?;
                Ok(Reply::ComplaintAdvanced {
                    step: code,
                    detail: Box::new(session.case_after_step(&key)?),
                })
            }
            Request::CareAgenda { from, to, scope } => Ok(Reply::CareAgenda(Box::new(
                self.session()?.care_agenda(from, to, scope)?,
            ))),
            Request::Portfolio { key } => {
                let session = self.session()?;
                let portfolio = session.client_portfolio(&key)?;
                let offers = session.client_offers(&key)?;
                Ok(Reply::Portfolio {
                    portfolio: Box::new(portfolio),
                    offers,
                })
            }
            Request::RecordOffer {
                key,
                product,
                outcome,
                channel,
            } => Ok(Reply::OfferRecorded(Box::new(
                self.session()?
                    .record_offer(&key, &product, outcome, &channel)?,
            ))),
            Request::Points { key } => {
                let session = self.session()?;
                let view = session.points_show(&key)?;
                let catalogue = session.points_catalogue()?;
                Ok(Reply::Points {
                    view: Box::new(view),
                    catalogue,
                })
            }
            Request::RedeemPoints { key, item, lang } => {
                let settings = self.slips.clone();
                let session = self.session()?;
                let redemption = session.points_redeem(&key, &item)?;
                let slip = super::slip::write_redemption(
                    session,
                    &redemption.entry.id,
                    I18n::for_lang(lang),
                    &settings,
                    false,
                );
                Ok(Reply::PointsRedeemed {
                    redemption: Box::new(redemption),
                    slip,
                })
            }
            Request::Events => {
                let session = self.session()?;
                let today = session.today_local();
                Ok(Reply::Events(session.event_list(Some(today))?))
            }
            Request::EventShow { key } => {
                Ok(Reply::Event(Box::new(self.session()?.event_show(&key)?)))
            }
            Request::EventReply {
                key,
                client,
                reply,
                channel,
            } => Ok(Reply::EventAnswered(Box::new(
                self.session()?
                    .event_reply(&key, &client, reply, &channel)?,
            ))),
            Request::EventAttend { key, client } => Ok(Reply::EventAttended(Box::new(
                self.session()?.event_attend(&key, &client)?,
            ))),
            Request::ReversePoints { entry, reason } => Ok(Reply::PointsReversed(Box::new(
                self.session()?.points_reverse(&entry, &reason)?,
            ))),
            Request::Book { rm, segment } => Ok(Reply::Book(Box::new(self.session()?.book(
                rm.as_deref(),
                &segment,
                BOOK_ROWS,
            )?))),
            Request::RiskDesk { list } => Ok(Reply::RiskDesk(Box::new(
                self.session()?.risk_desk(list, DESK_ROWS)?,
            ))),
            Request::RiskShow { key } => {
                Ok(Reply::Risk(Box::new(self.session()?.risk_show(&key)?)))
            }
            Request::RiskDecide {
                key,
                outcome,
                level,
                note,
                approval,
            } => {
                let session = self.session()?;
                let view = match outcome {
                    None => session.risk_rate(
                        &key,
                        &crate::store::RateRequest {
                            level,
                            note,
                            approval,
                        },
                    )?,
                    Some(outcome) => session.risk_review(
                        &key,
                        &crate::store::ReviewRequest {
                            outcome,
                            level,
                            note,
                            approval,
                        },
                    )?,
                };
                Ok(Reply::RiskRecorded(Box::new(view)))
            }
            Request::LiftRestriction { key, reason } => {
                let session = self.session()?;
                let on = session.lift_restriction(&key, &reason)?;
                Ok(Reply::RestrictionLifted { client_no: key, on })
            }
            Request::SyncStatus => {
                let exports_dir = self.paths.exports();
                let session = self.session()?;
                let status = session.sync_status()?;
                let hq = match status.party {
                    crate::sync::keys::Party::Hq => Some(session.hq_status()?),
                    crate::sync::keys::Party::Branch => None,
                };
                Ok(Reply::SyncStatus(Box::new(SyncView {
                    status,
                    hq,
                    exports_dir,
                })))
            }
            Request::HqComplaints { from, to } => Ok(Reply::HqComplaints(Box::new(
                self.session()?.hq_complaint_report(from, to, None)?,
            ))),
            Request::HqSatisfaction { from, to } => Ok(Reply::HqSatisfaction(Box::new(
                self.session()?
                    .hq_satisfaction_report(from, to, None, None)?,
            ))),
            Request::ExportBundle { dir } => {
                let report = self.session()?.export_bundle(&dir, &mut |done, total| {
                    deliver(Reply::ExportProgress { done, total })
                })?;
                Ok(Reply::Exported(Box::new(report)))
            }
            // HQ sends reference data (.bdr) and each branch's holdings snapshot (.bdh).
            Request::ImportReference { path } if path.extension().is_some_and(|e| e == "bdh") => {
                let applied = self
                    .session()?
                    .import_holdings_with(&path, &mut |done, total| {
                        deliver(Reply::ApplyProgress { done, total })
                    })?;
                Ok(Reply::HoldingsApplied(Box::new(applied)))
            }
            Request::ImportReference { path } => Ok(Reply::ReferenceApplied(Box::new(
                self.session()?.import_reference(&path)?,
            ))),
            Request::SurveyTemplates => Ok(Reply::SurveyTemplates(Box::new(
                self.session()?.survey_templates()?,
            ))),
            Request::RecordSurvey { input } => Ok(Reply::SurveyRecorded(Box::new(
                self.session()?.record_survey(&input)?,
            ))),
            Request::SurveyStats { code, from, to, by } => Ok(Reply::SurveyStats(Box::new(
                self.session()?.survey_stats(&code, from, to, by)?,
            ))),
            Request::SurveyResponses { code, from, to } => Ok(Reply::SurveyResponses(
                self.session()?
                    .survey_responses(&code, from, to, crate::store::RESPONSES_MOST)?,
            )),
            Request::CareDone { id, channel, note } => {
                self.session()?.care_done(&id, &channel, &note)?;
                Ok(Reply::CareActed {
                    id,
                    action: crate::domain::care::Action::Done,
                    until: None,
                })
            }
            Request::CareSnooze { id, until } => {
                let until = self.session()?.care_snooze(&id, &until)?;
                Ok(Reply::CareActed {
                    id,
                    action: crate::domain::care::Action::Snoozed,
                    until: Some(until),
                })
            }
            Request::CareDismiss { id, why } => {
                self.session()?.care_dismiss(&id, &why)?;
                Ok(Reply::CareActed {
                    id,
                    action: crate::domain::care::Action::Dismissed,
                    until: None,
                })
            }
            Request::PrintSlip { key, lang } => {
                let folder = self.slips.folder_or(self.paths.slips());
                let (print, printer) = (self.slips.print, self.slips.printer.clone());
                let session = self.session()?;
                let slip = session.complaint_slip(&key)?;
                let text = super::slip::render(&slip, I18n::for_lang(lang));
                let path = super::slip::save_in_folder(&folder, &slip.receipt_no, &text)?;
                let printed = if print {
                    let result = super::printer::print_file(&path, printer.as_deref());
                    // The slip exists either way, so it is in the trail either way.
                    let sent_to = result.is_ok().then(|| printer.clone().unwrap_or_default());
                    session.record_slip_printed(&key, Some(&path), sent_to.as_deref())?;
                    result?;
                    sent_to
                } else {
                    session.record_slip_printed(&key, Some(&path), None)?;
                    None
                };
                Ok(Reply::SlipWritten { path, printed })
            }
        }
    }

    fn login_waiting(
        &self,
        staff_id: &str,
        passphrase: &SecretString,
        deliver: &impl Fn(Reply),
    ) -> Result<Session> {
        after_pause(deliver, || {
            let mut session = Session::unlock(
                &self.paths,
                staff_id,
                passphrase,
                self.clock.clone(),
                self.options,
            )?;
            session.use_hq_database(self.hq_database.clone());
            Ok(session)
        })
    }

    fn logged_in(&mut self, session: Session) -> Reply {
        let history = session.login_history().unwrap_or_default();
        let me = session.me();
        let info = SessionInfo {
            staff_id: me.id.to_string(),
            name: me.name.clone(),
            role: me.role,
            branch: session.branch().clone(),
            failed_attempts_before: history.failed_attempts_before,
            previous_login: history.previous_login,
            care_due: me
                .role
                .can(Permission::ViewCare)
                .then(|| session.care_due_count().ok())
                .flatten(),
            risk_overdue: me
                .role
                .can(Permission::ViewRisk)
                .then(|| session.risk_overdue_count().ok())
                .flatten(),
        };
        self.session = Some(session);
        Reply::LoggedIn(Box::new(info))
    }
}
