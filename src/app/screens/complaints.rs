//! The complaints screen (F3): the board of cases by urgency, one case with its history,
//! the intake form, the next step, and the acknowledgement slip.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, Form};
use crate::app::list::Selection;
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys, on_form};
use crate::app::tabs::Tab;
use crate::domain::branch::is_client_no;
use crate::domain::complaint::{
    Category, Channel, IntakeError, IntakeInput, PauseReason, Severity, StepInput, build_step,
    intake_max_chars, next_steps, step_fields,
};
use crate::domain::staff::Permission;
use crate::error::{Error, intake_rule_text};
use crate::i18n::I18n;
use crate::service::{Board, ComplaintDetail, ComplaintRow, Reply, Request, SessionInfo};
use chrono::NaiveDate;

/// The intake form's fields, in order; each is `complaint.field.<name>`.
pub const INTAKE_FIELDS: [&str; 10] = [
    "client",
    "complainant_name",
    "complainant_phone",
    "channel",
    "category",
    "severity",
    "request",
    "description",
    "subject_staff",
    "received_on",
];

/// Rows the description takes on the intake form.
pub const DESCRIPTION_ROWS: u16 = 4;

/// Rows moved by PageUp/PageDown, and lines scrolled by them on a case.
const PAGE_ROWS: usize = 10;

/// The label key of a complaint field (forms keep labels as static keys).
pub fn field_label(name: &str) -> &'static str {
    match name {
        "client" => "complaint.field.client",
        "complainant_name" => "complaint.field.complainant_name",
        "complainant_phone" => "complaint.field.complainant_phone",
        "channel" => "complaint.field.channel",
        "category" => "complaint.field.category",
        "severity" => "complaint.field.severity",
        "request" => "complaint.field.request",
        "description" => "complaint.field.description",
        "subject_staff" => "complaint.field.subject_staff",
        "received_on" => "complaint.field.received_on",
        "handler" => "complaint.field.handler",
        "approved_by" => "complaint.field.approved_by",
        "complainant_told" => "complaint.field.complainant_told",
        "higher_office" => "complaint.field.higher_office",
        "decision" => "complaint.field.decision",
        "satisfied" => "complaint.field.satisfied",
        "into" => "complaint.field.into",
        "reason" => "complaint.field.reason",
        "note" => "complaint.field.note",
        "on" => "complaint.field.on",
        "step" => "complaint.field.step",
        _ => "complaint.field.details",
    }
}

/// A step being recorded: first which step, then its details.
#[derive(Debug)]
pub enum StepPrompt {
    Choose(Form),
    Details { code: &'static str, form: Form },
}

#[derive(Debug)]
pub struct ComplaintsScreen {
    pub board: Option<Board>,
    /// What the board is narrowed to: typed on the board, matched against every column.
    pub filter: Form,
    /// The board's rows the filter lets through (indexes, in the board's order).
    pub shown: Vec<usize>,
    /// The filter `shown` was worked out for.
    filtered_by: String,
    pub loading: bool,
    pub selected: Selection,
    /// The case open on screen, and how far its history is scrolled.
    pub case: Option<ComplaintDetail>,
    pub scroll: u16,
    pub intake: Option<Form>,
    pub step: Option<StepPrompt>,
    /// The case to select when the board comes back (the one just closed).
    pub reselect: Option<String>,
}

impl Default for ComplaintsScreen {
    fn default() -> Self {
        ComplaintsScreen {
            board: None,
            filter: Form::new(vec![Field::text("field.filter", 40)]),
            shown: Vec::new(),
            filtered_by: String::new(),
            loading: false,
            selected: Selection::default(),
            case: None,
            scroll: 0,
            intake: None,
            step: None,
            reselect: None,
        }
    }
}

/// Whether a board row matches every word of `filter` in one of its columns as shown
/// (receipt and client number, complainant, category, state, handler), ignoring case.
pub fn row_matches(row: &ComplaintRow, filter: &str, i18n: &I18n) -> bool {
    let columns = [
        row.receipt_no.clone(),
        row.client_no.clone().unwrap_or_default(),
        row.complainant.clone(),
        i18n.t_owned(format!("complaint.category.{}", row.category.code()))
            .to_string(),
        i18n.t_owned(format!("complaint.state.{}", row.state.code()))
            .to_string(),
        row.handler.clone().unwrap_or_default(),
    ]
    .map(|c| c.to_lowercase());
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| columns.iter().any(|c| c.contains(word)))
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| code(*v).to_string()).collect()
}

impl ComplaintsScreen {
    /// The board (no case, form or prompt over it).
    pub fn on_board(&self) -> bool {
        self.case.is_none() && self.intake.is_none() && self.step.is_none()
    }

    pub fn load_board(&mut self) -> Request {
        self.loading = true;
        Request::ComplaintBoard
    }

    pub fn set_board(&mut self, board: Board, i18n: &I18n) {
        let selected = self.selected_row().map(|r| r.receipt_no.clone());
        self.board = Some(board);
        self.loading = false;
        // The case just closed, else the one that was selected, stays selected.
        let keep = self.reselect.take().or(selected);
        self.refilter(keep, i18n);
    }

    /// Works out the rows the filter lets through; the selection stays on `keep` when it is
    /// among them.
    fn refilter(&mut self, keep: Option<String>, i18n: &I18n) {
        let filter = self.filter.value(0);
        self.filtered_by = filter.to_string();
        self.shown = self.board.as_ref().map_or(Vec::new(), |board| {
            (0..board.rows.len())
                .filter(|i| row_matches(&board.rows[*i], filter, i18n))
                .collect()
        });
        let index =
            keep.and_then(|receipt_no| self.shown_rows().position(|r| r.receipt_no == receipt_no));
        match index {
            Some(index) => self.selected.index = index,
            None => self.selected.clamp(self.shown.len()),
        }
    }

    /// The board's rows the filter lets through, in the board's order.
    pub fn shown_rows(&self) -> impl Iterator<Item = &ComplaintRow> {
        let rows = self.board.as_ref().map_or(&[][..], |b| b.rows.as_slice());
        self.shown.iter().filter_map(|i| rows.get(*i))
    }

    /// The row selected on the board, among those shown.
    pub fn selected_row(&self) -> Option<&ComplaintRow> {
        let index = *self.shown.get(self.selected.index)?;
        self.board.as_ref()?.rows.get(index)
    }

    /// A new intake, for a client (their number) or a walk-in, perhaps already in their
    /// words.
    pub fn new_intake(
        &mut self,
        client_no: Option<&str>,
        description: Option<&str>,
        today: NaiveDate,
    ) {
        let choice =
            |name: &str, codes: Vec<String>| Field::choice_with_codes(field_label(name), codes, 0);
        let mut categories = vec![String::new()];
        categories.extend(codes(Category::ALL, Category::code));
        let mut form = Form::new(vec![
            Field::text(field_label("client"), 24).with_text(client_no.unwrap_or("")),
            Field::text(field_label("complainant_name"), 40),
            Field::text(field_label("complainant_phone"), 20),
            choice("channel", codes(Channel::ALL, Channel::code)),
            choice("category", categories),
            choice("severity", codes(Severity::ALL, Severity::code)),
            Field::text(field_label("request"), 500),
            Field::lines(field_label("description"), 4000, DESCRIPTION_ROWS)
                .with_text(description.unwrap_or("")),
            Field::text(field_label("subject_staff"), 32),
            Field::text(field_label("received_on"), 10).with_text(&today.to_string()),
        ]);
        // A client's complaint starts at what they complain about; a walk-in at their name.
        form.focus = if client_no.is_some() { 4 } else { 0 };
        self.intake = Some(form);
        self.case = None;
        self.step = None;
    }

    fn intake_input(form: &Form) -> IntakeInput {
        let value = |name: &str| {
            INTAKE_FIELDS
                .iter()
                .position(|f| *f == name)
                .map_or(String::new(), |i| form.value(i).to_string())
        };
        IntakeInput {
            client: value("client"),
            complainant_name: value("complainant_name"),
            complainant_phone: value("complainant_phone"),
            channel: value("channel"),
            category: value("category"),
            severity: value("severity"),
            request: value("request"),
            description: value("description"),
            subject_staff: value("subject_staff"),
            received_on: value("received_on"),
        }
    }

    /// Marks each refused intake field on the form.
    pub fn refuse_intake(
        &mut self,
        errors: &[IntakeError],
        message: impl Fn(&IntakeError) -> String,
    ) {
        let Some(form) = self.intake.as_mut() else {
            return;
        };
        for error in errors.iter().rev() {
            if let Some(index) = INTAKE_FIELDS.iter().position(|f| *f == error.field) {
                form.refuse(index, message(error));
            }
        }
    }

    /// Refuses one intake field by name (an unknown client, an unknown staff ID).
    pub fn refuse_intake_field(&mut self, name: &str, message: String) {
        if let (Some(form), Some(index)) = (
            self.intake.as_mut(),
            INTAKE_FIELDS.iter().position(|f| *f == name),
        ) {
            form.refuse(index, message);
        }
    }

    /// Commands on an open case.
    fn on_case_command(&mut self, command: Command, may_manage: bool) {
        let Some(case) = &self.case else { return };
        match command {
            Command::Up => self.scroll = self.scroll.saturating_sub(1),
            Command::Down => self.scroll = self.scroll.saturating_add(1),
            Command::PageUp => self.scroll = self.scroll.saturating_sub(PAGE_ROWS as u16),
            Command::PageDown => self.scroll = self.scroll.saturating_add(PAGE_ROWS as u16),
            Command::First => self.scroll = 0,
            Command::AdvanceComplaint => {
                let steps: Vec<String> = next_steps(case.row.state)
                    .iter()
                    .filter(|code| may_manage || **code == "note")
                    .map(|code| code.to_string())
                    .collect();
                self.step = Some(StepPrompt::Choose(Form::new(vec![
                    Field::choice_with_codes(field_label("step"), steps, 0),
                ])));
            }
            _ => {}
        }
    }

    /// Enter or Ctrl-S on this screen's form or prompt: the request it makes, if any.
    fn submit_form(&mut self, save: bool, i18n: &I18n, today: NaiveDate) -> Option<Request> {
        let key = self.case.as_ref().map(|c| c.row.receipt_no.clone());
        match self.step.take() {
            Some(StepPrompt::Choose(form)) => {
                let chosen = form.value(0).to_string();
                let code = crate::domain::complaint::STEP_CODES
                    .into_iter()
                    .find(|c| *c == chosen)?;
                self.step = Some(StepPrompt::Details {
                    code,
                    form: step_form(code, today),
                });
                None
            }
            Some(StepPrompt::Details { code, mut form }) => {
                if !save && !form.on_last_field() {
                    form.next();
                    self.step = Some(StepPrompt::Details { code, form });
                    return None;
                }
                form.clear_errors();
                let request = details_request(code, &mut form, key?, i18n);
                self.step = Some(StepPrompt::Details { code, form });
                request
            }
            None => {
                let form = self.intake.as_mut()?;
                if !save && !form.on_last_field() {
                    form.next();
                    return None;
                }
                form.clear_errors();
                let input = Self::intake_input(form);
                Some(Request::RegisterComplaint {
                    input: Box::new(input),
                })
            }
        }
    }

    /// Enter on the intake's client field holding a name or phone number rather than a
    /// client number: what to find the client by.
    fn client_to_find(&self, save: bool) -> Option<String> {
        let form = self
            .intake
            .as_ref()
            .filter(|_| !save && self.form_is_intake())?;
        let typed = form.value(0).trim();
        let find = form.focus == 0 && !typed.is_empty() && !is_client_no(typed);
        find.then(|| typed.to_string())
    }

    /// The form Ctrl-S saves: a step, or the intake.
    fn work_form(&self) -> Option<&Form> {
        match &self.step {
            Some(StepPrompt::Choose(form) | StepPrompt::Details { form, .. }) => Some(form),
            None => self.intake.as_ref(),
        }
    }

    fn work_form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.step {
            Some(StepPrompt::Choose(form) | StepPrompt::Details { form, .. }) => Some(form),
            None => self.intake.as_mut(),
        }
    }

    /// The client of the open case, or of the case selected on the board.
    fn client_in_view(&self) -> Option<String> {
        let row = match &self.case {
            Some(case) => Some(&case.row),
            None => self.selected_row(),
        };
        row?.client_no.clone()
    }

    /// The intake is the form in front (no step over it).
    fn form_is_intake(&self) -> bool {
        self.step.is_none()
    }

    /// Leaves the open case for the board (with the case still selected there).
    pub fn close_case(&mut self) -> Option<Request> {
        let case = self.case.take()?;
        self.reselect = Some(case.row.receipt_no);
        Some(self.load_board())
    }

    /// Esc: closes what is on top. True when something closed.
    pub fn close_top(&mut self) -> bool {
        self.step.take().is_some()
    }

    pub fn show_case(&mut self, detail: ComplaintDetail) {
        let same = self
            .case
            .as_ref()
            .is_some_and(|c| c.row.receipt_no == detail.row.receipt_no);
        if !same {
            self.scroll = 0;
        }
        self.case = Some(detail);
        self.step = None;
        self.intake = None;
    }
}

impl Screen for ComplaintsScreen {
    fn keys(&self) -> ScreenKeys {
        ScreenKeys::Live(if self.work_form().is_some() {
            vec![Context::Form]
        } else if self.case.is_some() {
            vec![Context::Complaint, Context::List]
        } else {
            vec![Context::Complaints, Context::List]
        })
    }

    /// The form being filled in, or on the board the filter (typing narrows the board).
    fn form(&self) -> Option<&Form> {
        match self.work_form() {
            Some(form) => Some(form),
            None if self.on_board() => Some(&self.filter),
            None => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        if self.on_board() {
            return Some(&mut self.filter);
        }
        self.work_form_mut()
    }

    fn saves(&self) -> bool {
        self.work_form().is_some()
    }

    /// The board comes (back) behind whatever the screen opens with.
    fn on_open(&mut self, handoff: Handoff, cx: &mut Ctx) -> Outcome {
        match handoff {
            Handoff::Complaint {
                client_no,
                description,
            } => self.new_intake(client_no.as_deref(), description.as_deref(), cx.today),
            Handoff::Picked { client_no } => {
                // Back from finding the client: on to what they complain about.
                if let Some(form) = self.intake.as_mut() {
                    form.fill(0, &client_no);
                    form.focus = 4;
                }
            }
            _ => {}
        }
        Outcome::Load(self.load_board())
    }

    /// A client's record is one key away from a client's complaint (not a walk-in's).
    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        command != Command::ClientRecord || self.client_in_view().is_some()
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        if command == Command::PrintSlip
            && let Some(case) = &self.case
        {
            // Into the print folder at once (a reprint is a numbered copy), and to the
            // printer where one is set up.
            return Outcome::Send(Request::PrintSlip {
                key: case.row.receipt_no.clone(),
                lang: cx.i18n.lang,
            });
        }
        if command == Command::ClientRecord {
            return self.client_in_view().map_or(Outcome::None, |client_no| {
                Outcome::Open(Tab::Clients, Handoff::Client { client_no })
            });
        }
        if self.case.is_some() {
            self.on_case_command(command, cx.can(Permission::ManageComplaints));
            return Outcome::None;
        }
        if self.selected.step(command, self.shown.len(), PAGE_ROWS) {
            return Outcome::None;
        }
        match command {
            Command::NewComplaint => self.new_intake(None, None, cx.today),
            Command::Refresh => return Outcome::Load(self.load_board()),
            Command::OpenComplaint => {
                if let Some(row) = self.selected_row() {
                    return Outcome::Send(Request::OpenComplaint {
                        key: row.receipt_no.clone(),
                    });
                }
            }
            _ => {}
        }
        Outcome::None
    }

    fn submit(&mut self, save: bool, cx: &mut Ctx) -> Outcome {
        if let Some(query) = self.client_to_find(save)
            && cx.can(Permission::ViewClients)
        {
            let back_to = Tab::Complaints;
            return Outcome::Open(Tab::Clients, Handoff::PickClient { query, back_to });
        }
        Outcome::sending(self.submit_form(save, cx.i18n, cx.today))
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        if self.close_top() {
            return Back::Done(Outcome::None);
        }
        if let Some(form) = &self.intake {
            if form.dirty {
                return Back::AskDiscard;
            }
            self.intake = None;
            return Back::Done(Outcome::None);
        }
        // Back on the board, which the step may have changed.
        match self.close_case() {
            Some(request) => Back::Done(Outcome::Load(request)),
            None => Back::Leave,
        }
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        let i18n = cx.i18n;
        match reply {
            Reply::ComplaintBoard(board) => {
                self.set_board(*board, i18n);
                cx.clear_busy();
            }
            Reply::Complaint(detail) => {
                cx.clear_busy();
                self.show_case(*detail);
            }
            Reply::ComplaintRegistered(registered) => {
                let text = i18n.fill(
                    "cli.complaint_registered",
                    &[
                        ("receipt_no", &registered.receipt_no),
                        ("due", &registered.due_on.to_string()),
                    ],
                );
                cx.say(StatusKind::Success, text);
                self.intake = None;
                return Ok(Outcome::Send(Request::OpenComplaint {
                    key: registered.receipt_no,
                }));
            }
            Reply::ComplaintAdvanced { step, detail } => {
                let text = i18n.fill(
                    "cli.complaint_advanced",
                    &[
                        ("receipt_no", &detail.row.receipt_no),
                        ("step", i18n.t_owned(format!("complaint.step.{step}"))),
                        (
                            "state",
                            i18n.t_owned(format!("complaint.state.{}", detail.row.state.code())),
                        ),
                    ],
                );
                cx.say(StatusKind::Success, text);
                self.show_case(*detail);
            }
            Reply::SlipWritten { path, printed } => {
                let text = slip_written(&path, printed.as_deref(), i18n);
                cx.say(StatusKind::Success, text);
            }
            other => return Err(other),
        }
        Ok(Outcome::None)
    }

    /// A refused intake marks its fields; a refused step says why on its prompt; a slip that
    /// could not be written or printed says why on the status line.
    fn refused(&mut self, error: &Error, message: String, cx: &mut Ctx) -> Option<String> {
        let on_intake = self.form_is_intake() && self.intake.is_some();
        match error {
            Error::ComplaintIntake { errors } if on_intake => {
                self.refuse_intake(errors, |e| intake_rule_text(cx.i18n, e));
                None
            }
            Error::ClientNotFound { .. } if on_intake => {
                self.refuse_intake_field("client", message);
                None
            }
            Error::StaffNotFound { .. } if on_intake => {
                self.refuse_intake_field("subject_staff", message);
                None
            }
            _ => on_form(self.work_form_mut(), message),
        }
    }

    /// Typing on the board narrows it; the selected case stays selected while it is shown.
    fn after_input(&mut self, cx: &mut Ctx) -> Outcome {
        if self.on_board() && self.filter.value(0) != self.filtered_by {
            let keep = self.selected_row().map(|r| r.receipt_no.clone());
            self.selected = Selection::default();
            self.refilter(keep, cx.i18n);
        }
        Outcome::None
    }

    fn unsaved(&self) -> bool {
        self.intake.as_ref().is_some_and(|f| f.dirty)
    }

    fn discard(&mut self) {
        self.intake = None;
    }

    fn unsaved_work(&self) -> Option<&'static str> {
        match (&self.step, &self.intake) {
            (Some(StepPrompt::Details { form, .. }), _) if form.dirty => {
                Some("unsaved.complaint_step")
            }
            (_, Some(intake)) if intake.dirty => Some("unsaved.complaint"),
            _ => None,
        }
    }

    /// The board is read again: deadlines move with the day, colleagues take steps.
    fn on_unlock(&mut self, _cx: &mut Ctx) -> Outcome {
        Outcome::Load(self.load_board())
    }
}

/// The details a step asks for, then its date and a note.
fn step_form(code: &str, today: NaiveDate) -> Form {
    let yes_no = |name: &str, first: &str, second: &str| {
        Field::choice_with_codes(field_label(name), vec![first.into(), second.into()], 0)
    };
    let mut fields: Vec<Field> = step_fields(code)
        .iter()
        .map(|name| match *name {
            "complainant_told" => yes_no(name, "no", "yes"),
            "satisfied" => yes_no(name, "yes", "no"),
            "reason" => Field::choice_with_codes(
                field_label(name),
                codes(PauseReason::ALL, PauseReason::code),
                0,
            ),
            "decision" | "higher_office" => {
                Field::text(field_label(name), intake_max_chars(name).unwrap_or(500))
            }
            _ => Field::text(field_label(name), 32),
        })
        .collect();
    fields.push(Field::text(field_label("on"), 10).with_text(&today.to_string()));
    fields.push(Field::text(
        field_label("note"),
        intake_max_chars("note").unwrap_or(500),
    ));
    Form::new(fields)
}

/// Checks what was typed for a step; refusals go on their fields.
fn details_request(
    code: &'static str,
    form: &mut Form,
    key: String,
    i18n: &I18n,
) -> Option<Request> {
    let names = step_fields(code);
    let value = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .map_or(String::new(), |i| form.value(i).to_string())
    };
    let input = StepInput {
        handler: value("handler"),
        approved_by: value("approved_by"),
        complainant_told: value("complainant_told") == "yes",
        higher_office: value("higher_office"),
        decision: value("decision"),
        satisfied: value("satisfied"),
        into: value("into"),
        reason: value("reason"),
    };
    let on_index = names.len();
    let note_index = names.len() + 1;
    let on = match form.value(on_index).trim() {
        "" => None,
        raw => match crate::domain::client::parse_date(raw) {
            Some(date) => Some(date),
            None => {
                let error = IntakeError {
                    field: "on",
                    rule: "date",
                };
                form.refuse(on_index, intake_rule_text(i18n, &error));
                return None;
            }
        },
    };
    let note = Some(form.value(note_index).trim().to_string()).filter(|n| !n.is_empty());
    match build_step(code, &input) {
        Ok(step) => Some(Request::AdvanceComplaint {
            key,
            step,
            on,
            note,
        }),
        Err(errors) => {
            for error in errors.iter().rev() {
                if let Some(index) = names.iter().position(|n| *n == error.field) {
                    form.refuse(index, intake_rule_text(i18n, error));
                }
            }
            None
        }
    }
}

/// Where a slip went, in a sentence: the print folder, and the printer if it was sent to one
/// (empty: the system's default).
pub fn slip_written(path: &std::path::Path, printed: Option<&str>, i18n: &I18n) -> String {
    let path = path.display().to_string();
    match printed {
        None => i18n.fill("cli.slip_written", &[("path", &path)]),
        Some("") => i18n.fill("cli.slip_printed", &[("path", &path)]),
        Some(printer) => i18n.fill(
            "cli.slip_printed_on",
            &[("path", &path), ("printer", printer)],
        ),
    }
}
