//! The survey screen (F5): fast entry of a response (digits answer a scale and move on,
//! Ctrl-S saves, the form is ready for the next one) and the statistics of a template.

use crate::app::StatusKind;
use crate::app::command::{Command, Context};
use crate::app::form::{Field, FieldValue, Form};
use crate::app::screen::{Back, Ctx, Handoff, Outcome, Screen, ScreenKeys, on_form};
use crate::app::screens::survey_responses::Responses;
use crate::app::tabs::Tab;
use crate::domain::branch::is_client_no;
use crate::domain::staff::Permission;
use crate::domain::survey::CHANNELS as SURVEY_CHANNELS;
use crate::domain::survey::{self, Answer, Answers, GroupBy, QuestionKind, Template};
use crate::error::Error;
use crate::i18n::I18n;
use crate::service::{Reply, Request, SessionInfo, SkippedTemplate, SurveyInput, SurveyStats};
use chrono::{Duration, NaiveDate};

/// The fields before the questions: template, client, channel.
pub const HEADER_FIELDS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyView {
    Entry,
    Stats,
    /// The responses behind the statistics, one by one.
    Responses,
}

/// A response being keyed in.
#[derive(Debug)]
pub struct SurveyEntry {
    pub template: Template,
    pub form: Form,
}

/// After a response whose comments read like a complaint: offer to register one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintOffer {
    pub client_no: String,
    pub text: String,
}

#[derive(Debug)]
pub struct SurveyScreen {
    pub templates: Vec<Template>,
    pub skipped: Vec<SkippedTemplate>,
    pub view: SurveyView,
    pub entry: Option<SurveyEntry>,
    pub stats: Option<SurveyStats>,
    pub stats_template: usize,
    pub stats_by: GroupBy,
    /// Which question's answers the statistics chart.
    pub stats_question: usize,
    pub loading: bool,
    pub offer: Option<ComplaintOffer>,
    /// Responses saved since the screen opened.
    pub saved: u32,
    /// A client to start the next entry with (from the client's record).
    pub client: Option<String>,
    /// For staff who read results but take no surveys (auditors): the statistics only.
    pub stats_only: bool,
    /// The responses of the template the statistics show.
    pub responses: Responses,
}

impl Default for SurveyScreen {
    fn default() -> Self {
        SurveyScreen {
            templates: Vec::new(),
            skipped: Vec::new(),
            view: SurveyView::Entry,
            entry: None,
            stats: None,
            stats_template: 0,
            stats_by: GroupBy::Month,
            stats_question: 0,
            loading: false,
            offer: None,
            saved: 0,
            client: None,
            stats_only: false,
            responses: Responses::default(),
        }
    }
}

/// The field for a question's answer.
fn answer_field(kind: QuestionKind, options: Vec<String>) -> Field {
    let with_unset = |codes: Vec<String>| {
        let mut all = vec![String::new()];
        all.extend(codes);
        all
    };
    match kind {
        QuestionKind::Nps => Field::scale("survey.answer", 0, 10),
        QuestionKind::Rating => Field::scale("survey.answer", 1, 5),
        QuestionKind::Single => Field::choice_with_codes("survey.answer", with_unset(options), 0),
        QuestionKind::Multi => Field::multi("survey.answer", options),
        QuestionKind::YesNo => Field::choice_with_codes(
            "survey.answer",
            with_unset(vec!["yes".into(), "no".into()]),
            0,
        ),
        QuestionKind::Text => Field::text("survey.answer", 500),
    }
}

impl SurveyScreen {
    /// Takes the templates in use and starts an entry with the first (or the one open).
    pub fn set_templates(
        &mut self,
        templates: Vec<Template>,
        skipped: Vec<SkippedTemplate>,
        today: NaiveDate,
    ) {
        self.templates = templates
            .into_iter()
            .filter(|t| t.valid_on(today))
            .collect();
        self.skipped = skipped;
        self.loading = false;
        // Keep the survey being entered; else the counter survey, the everyday one.
        let code = self
            .entry
            .as_ref()
            .map(|e| e.template.code.clone())
            .or_else(|| {
                self.templates
                    .iter()
                    .find(|t| t.code == "counter_visit")
                    .or(self.templates.first())
                    .map(|t| t.code.clone())
            });
        if let Some(code) = code {
            self.start_entry(&code, "counter");
        }
    }

    /// A fresh form for `code`, ready at its first question.
    pub fn start_entry(&mut self, code: &str, channel: &str) {
        let Some(template) = self.templates.iter().find(|t| t.code == code).cloned() else {
            return;
        };
        let codes: Vec<String> = self.templates.iter().map(|t| t.code.clone()).collect();
        let channels: Vec<String> = SURVEY_CHANNELS.iter().map(|c| c.to_string()).collect();
        let mut fields = vec![
            Field::choice_with_codes(
                "survey.field.template",
                codes.clone(),
                codes.iter().position(|c| c == code).unwrap_or(0),
            ),
            Field::text("survey.field.client", 24).with_text(self.client.as_deref().unwrap_or("")),
            Field::choice_with_codes(
                "survey.field.channel",
                channels.clone(),
                channels.iter().position(|c| c == channel).unwrap_or(0),
            ),
        ];
        fields.extend(
            template
                .questions
                .iter()
                .map(|q| answer_field(q.kind, q.options.iter().map(|o| o.code.clone()).collect())),
        );
        let mut form = Form::new(fields);
        form.quick = true;
        form.focus = HEADER_FIELDS;
        self.entry = Some(SurveyEntry { template, form });
        self.refresh_conditions();
    }

    /// The answers typed so far, read leniently (for deciding which questions apply).
    fn partial_answers(entry: &SurveyEntry) -> Answers {
        let mut answers = Answers::new();
        for (i, q) in entry.template.questions.iter().enumerate() {
            let field = &entry.form.fields[HEADER_FIELDS + i];
            // A 1 that may yet become 10 decides nothing.
            if matches!(field.value, FieldValue::Scale { pending: true, .. }) {
                continue;
            }
            if let (Some(_), Ok(score)) = (q.kind.scale(), field.value().parse::<u8>()) {
                answers.insert(q.id.clone(), Answer::Score(score));
            }
        }
        answers
    }

    /// Shows or hides the questions whose condition depends on a score.
    fn refresh_conditions(&mut self) {
        let Some(entry) = self.entry.as_mut() else {
            return;
        };
        let answers = Self::partial_answers(entry);
        let mut first_shown = None;
        for (i, q) in entry.template.questions.iter().enumerate() {
            let field = &mut entry.form.fields[HEADER_FIELDS + i];
            let hidden = !survey::applies(q, &answers);
            if field.hidden && !hidden {
                first_shown.get_or_insert(HEADER_FIELDS + i);
            }
            field.hidden = hidden;
        }
        // A digit that answered the question moved past its follow-up while that was still
        // hidden: the follow-up ("why?") is what comes next.
        if let Some(index) = first_shown.filter(|i| *i < entry.form.focus) {
            entry.form.focus = index;
        } else if entry.form.focused().is_some_and(|f| f.hidden) {
            // The question that had the focus is no longer asked.
            entry.form.next();
        }
    }

    /// After an edit of the form: another template rebuilds it; answers change what is asked.
    pub fn after_edit(&mut self) {
        let Some(entry) = &self.entry else {
            return;
        };
        let chosen = entry.form.value(0).to_string();
        if chosen != entry.template.code {
            let channel = entry.form.value(2).to_string();
            self.client = Some(entry.form.value(1).to_string()).filter(|c| !c.is_empty());
            self.start_entry(&chosen, &channel);
            return;
        }
        self.refresh_conditions();
    }

    /// Enter on the client field holding a name or phone number rather than a client
    /// number: what to find the client by.
    fn client_to_find(&self, save: bool) -> Option<String> {
        let entry = self.entry.as_ref().filter(|_| !save)?;
        let typed = entry.form.value(1).trim();
        let find = entry.form.focus == 1 && !typed.is_empty() && !is_client_no(typed);
        find.then(|| typed.to_string())
    }

    /// Enter or Ctrl-S: the response to record (Enter on a question moves on; on the last
    /// one the screen says Ctrl-S saves).
    fn submit_entry(&mut self, save: bool) -> Option<Request> {
        let entry = self.entry.as_mut()?;
        if !save && !entry.form.on_last_field() {
            entry.form.next();
            return None;
        }
        entry.form.clear_errors();
        let mut input = SurveyInput {
            template: entry.template.code.clone(),
            client: entry.form.value(1).trim().to_string(),
            channel: entry.form.value(2).to_string(),
            ..Default::default()
        };
        for (i, q) in entry.template.questions.iter().enumerate() {
            let field = &entry.form.fields[HEADER_FIELDS + i];
            if !field.hidden && !field.value().trim().is_empty() {
                input
                    .answers
                    .insert(q.id.clone(), field.value().to_string());
            }
        }
        Some(Request::RecordSurvey {
            input: Box::new(input),
        })
    }

    /// The store's refusals, each on its question.
    pub fn refuse(&mut self, errors: &[survey::AnswerError], i18n: &I18n) {
        let Some(entry) = self.entry.as_mut() else {
            return;
        };
        for error in errors.iter().rev() {
            let index = match error.question.as_str() {
                "client" => Some(1),
                "channel" => Some(2),
                id => entry
                    .template
                    .questions
                    .iter()
                    .position(|q| q.id == id)
                    .map(|i| HEADER_FIELDS + i),
            };
            let rule = i18n
                .t_owned(format!("rule.survey.{}", error.rule))
                .to_string();
            match index {
                Some(index) => entry.form.refuse(index, rule),
                None => entry.form.error = Some(crate::error::survey_error_message(i18n, error)),
            }
        }
    }

    /// After a response was recorded: the next one starts (same survey and channel).
    pub fn recorded(&mut self, complaint: Option<ComplaintOffer>) {
        self.saved += 1;
        self.client = None;
        self.offer = complaint;
        if let Some(entry) = &self.entry {
            let (code, channel) = (entry.template.code.clone(), entry.form.value(2).to_string());
            self.start_entry(&code, &channel);
        }
    }

    /// Switches between entry and statistics; the statistics are asked for afresh.
    pub fn toggle_view(&mut self, today: NaiveDate) -> Option<Request> {
        self.view = match self.view {
            SurveyView::Entry => SurveyView::Stats,
            SurveyView::Stats | SurveyView::Responses => SurveyView::Entry,
        };
        if self.view == SurveyView::Stats
            && let Some(entry) = &self.entry
            && let Some(index) = self
                .templates
                .iter()
                .position(|t| t.code == entry.template.code)
        {
            // The results of the survey being keyed in come first.
            self.stats_template = index;
            self.stats_question = 0;
        }
        (self.view == SurveyView::Stats).then(|| self.load_stats(today))?
    }

    pub fn load_stats(&mut self, today: NaiveDate) -> Option<Request> {
        let template = self.templates.get(self.stats_template)?;
        self.loading = true;
        let (from, to) = results_period(today);
        Some(Request::SurveyStats {
            code: template.code.clone(),
            from,
            to,
            by: self.stats_by,
        })
    }

    /// The responses behind the statistics on screen (same survey, same period).
    fn load_responses(&mut self, today: NaiveDate) -> Option<Request> {
        let template = self.templates.get(self.stats_template)?;
        let (from, to) = results_period(today);
        self.responses = Responses::loading();
        Some(Request::SurveyResponses {
            code: template.code.clone(),
            from,
            to,
        })
    }

    /// The statistics, when they are what is shown and not there yet.
    fn stats_if_wanted(&mut self, today: NaiveDate) -> Outcome {
        if self.view == SurveyView::Stats && self.stats.is_none() {
            return self.load_stats(today).map_or(Outcome::None, Outcome::Load);
        }
        Outcome::None
    }

    /// Keys on the statistics view.
    fn on_stats_command(&mut self, command: Command, today: NaiveDate) -> Option<Request> {
        let count = self.templates.len().max(1);
        let questions = self
            .stats
            .as_ref()
            .map_or(1, |s| s.stats.questions.len().max(1));
        match command {
            Command::NextTemplate | Command::PrevTemplate => {
                let step = if command == Command::NextTemplate {
                    1
                } else {
                    count - 1
                };
                self.stats_template = (self.stats_template + step) % count;
                self.stats_question = 0;
                self.load_stats(today)
            }
            Command::CycleGroup => {
                self.stats_by = match self.stats_by {
                    GroupBy::Month => GroupBy::Staff,
                    GroupBy::Staff => GroupBy::Channel,
                    GroupBy::Channel => GroupBy::Month,
                };
                self.load_stats(today)
            }
            Command::Down => {
                self.stats_question = (self.stats_question + 1) % questions;
                None
            }
            Command::Up => {
                self.stats_question = (self.stats_question + questions - 1) % questions;
                None
            }
            Command::Refresh => self.load_stats(today),
            Command::ShowResponses => {
                self.view = SurveyView::Responses;
                self.load_responses(today)
            }
            _ => None,
        }
    }
}

/// The period results cover: the year to today.
fn results_period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today - Duration::days(364), today)
}

impl Screen for SurveyScreen {
    /// Switching between entry and results is for staff who do both.
    fn offers(&self, command: Command, session: &SessionInfo) -> bool {
        command != Command::ToggleSurveyView || session.can(Permission::EnterSurvey)
    }

    /// A response's client is one key away, when the response names one.
    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        match command {
            Command::ClientRecord => {
                self.view == SurveyView::Responses && self.responses.client_no().is_some()
            }
            Command::ReadResponse => self.responses.selected_row().is_some(),
            _ => true,
        }
    }

    fn keys(&self) -> ScreenKeys {
        if self.offer.is_some() {
            return ScreenKeys::Confirm;
        }
        ScreenKeys::Live(match self.view {
            SurveyView::Entry => vec![Context::Survey, Context::Form],
            SurveyView::Stats => vec![Context::Survey, Context::SurveyStats],
            SurveyView::Responses => vec![Context::Survey, Context::SurveyResponses, Context::List],
        })
    }

    fn form(&self) -> Option<&Form> {
        match (self.view, &self.offer) {
            (SurveyView::Entry, None) => self.entry.as_ref().map(|e| &e.form),
            _ => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match (self.view, &self.offer) {
            (SurveyView::Entry, None) => self.entry.as_mut().map(|e| &mut e.form),
            _ => None,
        }
    }

    fn saves(&self) -> bool {
        self.form().is_some()
    }

    fn on_open(&mut self, handoff: Handoff, cx: &mut Ctx) -> Outcome {
        self.stats_only = !cx.can(Permission::EnterSurvey);
        if self.stats_only {
            self.view = SurveyView::Stats;
        }
        match handoff {
            Handoff::Survey { client_no } => {
                // From a client's record: their survey, at the counter.
                self.client = Some(client_no);
                self.view = SurveyView::Entry;
                if let Some(code) = self.entry.as_ref().map(|e| e.template.code.clone()) {
                    self.start_entry(&code, "counter");
                }
            }
            Handoff::Picked { client_no } => {
                // Back from finding the client: the rest of the form as it was.
                if let Some(entry) = self.entry.as_mut() {
                    entry.form.fill(1, &client_no);
                }
            }
            _ => {}
        }
        if self.templates.is_empty() {
            self.loading = true;
            return Outcome::Load(Request::SurveyTemplates);
        }
        self.stats_if_wanted(cx.today)
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        let request = match command {
            Command::ToggleSurveyView => self.toggle_view(cx.today),
            _ if self.view == SurveyView::Stats => self.on_stats_command(command, cx.today),
            Command::Refresh if self.view == SurveyView::Responses => self.load_responses(cx.today),
            _ if self.view == SurveyView::Responses => {
                return self.responses.on_command(command);
            }
            _ => None,
        };
        request.map_or(Outcome::None, Outcome::Load)
    }

    fn submit(&mut self, save: bool, cx: &mut Ctx) -> Outcome {
        if let Some(offer) = self.offer.take() {
            // Yes: the complaint form, for this client, with their words.
            return Outcome::Open(
                Tab::Complaints,
                Handoff::Complaint {
                    client_no: Some(offer.client_no),
                    description: Some(offer.text),
                },
            );
        }
        if let Some(query) = self.client_to_find(save)
            && cx.can(Permission::ViewClients)
        {
            let back_to = Tab::Survey;
            return Outcome::Open(Tab::Clients, Handoff::PickClient { query, back_to });
        }
        // Enter past the last question does not save: a response is recorded on purpose.
        if !save && self.entry.as_ref().is_some_and(|e| e.form.on_last_field()) {
            let text = cx.i18n.t("survey.view.save_with_ctrl_s").to_string();
            cx.say(StatusKind::Info, text);
            return Outcome::None;
        }
        Outcome::sending(self.submit_entry(save))
    }

    /// A survey answer may change which questions are asked (or the survey itself).
    fn after_input(&mut self, _cx: &mut Ctx) -> Outcome {
        self.after_edit();
        Outcome::None
    }

    fn back(&mut self, _cx: &mut Ctx) -> Back {
        if self.offer.take().is_some() {
            return Back::Done(Outcome::None);
        }
        if self.view == SurveyView::Responses {
            if !self.responses.back() {
                self.view = SurveyView::Stats;
            }
            return Back::Done(Outcome::None);
        }
        if self.view == SurveyView::Stats && !self.stats_only {
            self.view = SurveyView::Entry;
            return Back::Done(Outcome::None);
        }
        if self.entry.as_ref().is_some_and(|e| e.form.dirty) {
            return Back::AskDiscard;
        }
        Back::Leave
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        let i18n = cx.i18n;
        match reply {
            Reply::SurveyTemplates(set) => {
                cx.clear_busy();
                let skipped = set.skipped.clone();
                self.set_templates(set.templates, set.skipped, cx.today);
                if let Some(first) = skipped.first() {
                    let text = i18n.fill(
                        "cli.survey_template_skipped",
                        &[("file", &first.file), ("problem", &first.problem)],
                    );
                    cx.say(StatusKind::Warning, text);
                }
                return Ok(self.stats_if_wanted(cx.today));
            }
            Reply::SurveyRecorded(recorded) => {
                let mut text = i18n.t("survey.view.recorded").to_string();
                if recorded.follow_up.is_some() {
                    text.push_str(i18n.t("survey.view.follow_up"));
                }
                if let Some(a) = &recorded.assessment {
                    text.push_str(&i18n.fill(
                        "survey.view.assessed",
                        &[
                            ("level", &a.level.to_string()),
                            ("until", &a.valid_until.to_string()),
                        ],
                    ));
                }
                cx.say(StatusKind::Success, text);
                let client = self
                    .entry
                    .as_ref()
                    .map(|e| e.form.value(1).trim().to_string())
                    .filter(|c| !c.is_empty());
                let offer = client
                    .zip(recorded.complaint_text.clone())
                    .map(|(client_no, text)| ComplaintOffer { client_no, text });
                self.recorded(offer);
            }
            Reply::SurveyResponses(rows) => {
                cx.clear_busy();
                self.responses.set(rows);
            }
            Reply::SurveyStats(stats) => {
                cx.clear_busy();
                self.loading = false;
                self.stats_question = self
                    .stats_question
                    .min(stats.stats.questions.len().saturating_sub(1));
                self.stats = Some(*stats);
            }
            other => return Err(other),
        }
        Ok(Outcome::None)
    }

    /// Refused answers are marked on their questions; nothing typed is lost.
    fn refused(&mut self, error: &Error, message: String, cx: &mut Ctx) -> Option<String> {
        match error {
            Error::SurveyInvalid { errors } => {
                self.refuse(errors, cx.i18n);
                None
            }
            Error::ClientNotFound { .. } => {
                if let Some(entry) = self.entry.as_mut() {
                    entry.form.refuse(1, message);
                }
                None
            }
            _ => on_form(self.form_mut(), message),
        }
    }

    /// A survey form starts again empty (same survey and channel).
    fn discard(&mut self) {
        if let Some(entry) = &self.entry {
            let (code, channel) = (entry.template.code.clone(), entry.form.value(2).to_string());
            self.start_entry(&code, &channel);
        }
    }

    fn unsaved_work(&self) -> Option<&'static str> {
        self.entry
            .as_ref()
            .is_some_and(|e| e.form.dirty)
            .then_some("unsaved.survey")
    }
}
