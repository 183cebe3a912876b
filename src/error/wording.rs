//! The sentences for broken rules: a client field, a complaint intake or step, a care
//! action, a survey answer. Shared by the error messages, the forms and the CLI.

use crate::domain::client::FieldError;
use crate::i18n::I18n;

/// "Field: rule." in the UI language, e.g. "手机号：须为 11 位大陆手机号码。"
pub fn field_error_message(i18n: &I18n, error: &FieldError) -> String {
    let args: Vec<(&str, String)> = error.rule.args();
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    i18n.fill(
        "rule.client.sentence",
        &[
            ("field", i18n.t(&error.field.label_key())),
            ("rule", &i18n.fill(&error.rule.message_key(), &args)),
        ],
    )
}

/// What is wrong with a complaint field ("must be filled in.").
pub fn intake_rule_text(i18n: &I18n, error: &crate::domain::complaint::IntakeError) -> String {
    let max = crate::domain::complaint::intake_max_chars(error.field).unwrap_or(0);
    i18n.fill(
        &format!("rule.intake.{}", error.rule),
        &[("max", &max.to_string())],
    )
}

/// "Field: rule." for a complaint intake or step.
pub fn intake_error_message(i18n: &I18n, error: &crate::domain::complaint::IntakeError) -> String {
    i18n.fill(
        "rule.client.sentence",
        &[
            (
                "field",
                i18n.t_owned(format!("complaint.field.{}", error.field)),
            ),
            ("rule", &intake_rule_text(i18n, error)),
        ],
    )
}

/// Why a complaint step was refused, in one sentence.
pub fn complaint_rule_message(
    i18n: &I18n,
    rule: &crate::domain::complaint::ComplaintRule,
) -> String {
    use crate::domain::complaint::ComplaintRule as R;
    match rule {
        R::NotNow { state, step } => i18n.fill(
            "rule.complaint.not_now",
            &[
                ("step", i18n.t_owned(format!("complaint.step.{step}"))),
                (
                    "state",
                    i18n.t_owned(format!("complaint.state.{}", state.code())),
                ),
            ],
        ),
        R::HandlerIsSubject => i18n.t("rule.complaint.handler_is_subject").to_string(),
        R::ExtensionNeedsApproval => i18n
            .t("rule.complaint.extension_needs_approval")
            .to_string(),
        R::ExtensionNeedsHigherOffice => i18n
            .t("rule.complaint.extension_needs_higher_office")
            .to_string(),
        R::NoMoreExtensions => i18n.t("rule.complaint.no_more_extensions").to_string(),
        R::DateBeforePrevious => i18n.t("rule.complaint.date_before_previous").to_string(),
        R::DateInFuture => i18n.t("rule.complaint.date_in_future").to_string(),
        R::DecisionEmpty => i18n.t("rule.complaint.decision_empty").to_string(),
        R::TextEmpty => i18n.t("rule.complaint.text_empty").to_string(),
        R::MergeTarget => i18n.t("rule.complaint.merge_target").to_string(),
        R::HandlerNotStaff => i18n.t("rule.complaint.handler_not_staff").to_string(),
        R::ActorIsSubject => i18n.t("rule.complaint.actor_is_subject").to_string(),
    }
}

/// "Field: rule." for a care action or a life event.
pub fn care_error_message(i18n: &I18n, error: &crate::domain::care::CareError) -> String {
    i18n.fill(
        "rule.client.sentence",
        &[
            ("field", i18n.t_owned(format!("care.field.{}", error.field))),
            ("rule", i18n.t_owned(format!("rule.care.{}", error.rule))),
        ],
    )
}

/// "Question nps: is out of range." for a survey answer (or "Channel: …" for the rest).
pub fn survey_error_message(i18n: &I18n, error: &crate::domain::survey::AnswerError) -> String {
    let field_key = format!("survey.field.{}", error.question);
    let field = match i18n.t_owned(field_key) {
        "?" => i18n.fill("survey.question", &[("id", &error.question)]),
        label => label.to_string(),
    };
    i18n.fill(
        "rule.client.sentence",
        &[
            ("field", &field),
            ("rule", i18n.t_owned(format!("rule.survey.{}", error.rule))),
        ],
    )
}

/// What a walk of the audit trail found, in one sentence.
pub fn verdict_message(i18n: &I18n, verdict: &crate::domain::audit::ChainVerdict) -> String {
    use crate::domain::audit::{ChainBreak, ChainVerdict};
    let when = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|_| at.to_string())
    };
    match verdict {
        ChainVerdict::Intact { rows } => {
            i18n.fill("cli.audit_intact", &[("rows", &rows.to_string())])
        }
        ChainVerdict::Broken { row, reason } => {
            let reason = match reason {
                ChainBreak::ContentChanged => "audit.break.content_changed",
                ChainBreak::LinkBroken => "audit.break.link_broken",
                ChainBreak::Gap => "audit.break.gap",
            };
            i18n.fill(
                "cli.audit_broken",
                &[("row", &row.to_string()), ("reason", i18n.t(reason))],
            )
        }
        ChainVerdict::Shortened {
            rows,
            anchored_rows,
            anchored_at,
        } => i18n.fill(
            "cli.audit_shortened",
            &[
                ("rows", &rows.to_string()),
                ("anchored", &anchored_rows.to_string()),
                ("at", &when(anchored_at)),
            ],
        ),
        ChainVerdict::Replaced { row, anchored_at } => i18n.fill(
            "cli.audit_replaced",
            &[("row", &row.to_string()), ("at", &when(anchored_at))],
        ),
        ChainVerdict::AnchorLost { rows } => {
            i18n.fill("cli.audit_anchor_lost", &[("rows", &rows.to_string())])
        }
    }
}

/// Why the points ledger refuses an entry, in one sentence.
pub fn points_refusal(i18n: &I18n, refusal: &crate::domain::loyalty::Refusal) -> String {
    use crate::domain::loyalty::Refusal as R;
    let key = format!("loyalty.refused.{}", refusal.code());
    match refusal {
        R::Insufficient { usable, asked } => i18n.fill(
            &key,
            &[
                ("usable", &usable.to_string()),
                ("asked", &asked.to_string()),
            ],
        ),
        R::PartlySpent { spent } => i18n.fill(&key, &[("spent", &spent.to_string())]),
        R::UnknownRule { code } | R::UnknownItem { code } | R::OutOfStock { code } => {
            i18n.fill(&key, &[("code", code)])
        }
        R::CapReached { times, per } => {
            let per = i18n.t_owned(format!(
                "loyalty.period.{}",
                serde_json::to_value(per)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ));
            i18n.fill(&key, &[("times", &times.to_string()), ("per", per)])
        }
        R::NotPositive | R::NothingToReverse | R::ReasonMissing | R::NotARedemption => {
            i18n.t(&key).to_string()
        }
    }
}

/// What is wrong with a line of a holdings extract, in one sentence.
pub fn holding_problem_text(
    i18n: &I18n,
    problem: &crate::domain::portfolio::holdings::HoldingProblem,
) -> String {
    use crate::domain::portfolio::holdings::HoldingProblem as P;
    let column = |c: &str| i18n.t_owned(format!("holdings.column.{c}")).to_string();
    let (key, args): (&str, Vec<(&str, String)>) = match problem {
        P::Missing { column: c } => ("holdings.problem.missing", vec![("column", column(c))]),
        P::NotAnAmount { column: c } => (
            "holdings.problem.not_an_amount",
            vec![("column", column(c))],
        ),
        P::Negative { column: c } => ("holdings.problem.negative", vec![("column", column(c))]),
        P::NotADate { column: c } => ("holdings.problem.not_a_date", vec![("column", column(c))]),
        P::MaturesBeforeOpened => ("holdings.problem.matures_before_opened", vec![]),
        P::NotADayCount { column: c } => (
            "holdings.problem.not_a_day_count",
            vec![("column", column(c))],
        ),
        P::NotALoanClass => ("holdings.problem.not_a_loan_class", vec![]),
        P::UnknownClient { client } => (
            "holdings.problem.unknown_client",
            vec![("client", client.clone())],
        ),
        P::AmbiguousClient { client } => (
            "holdings.problem.ambiguous_client",
            vec![("client", client.clone())],
        ),
        P::UnknownProduct { product } => (
            "holdings.problem.unknown_product",
            vec![("product", product.clone())],
        ),
        P::RepeatedAccount { account } => (
            "holdings.problem.repeated_account",
            vec![("account", account.clone())],
        ),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    i18n.fill(key, &args)
}

/// An event's broken rules, in one sentence (each rule's words, joined).
pub fn event_problems(i18n: &I18n, problems: &[crate::domain::events::EventProblem]) -> String {
    use crate::domain::events::EventProblem as P;
    let words: Vec<String> = problems
        .iter()
        .map(|problem| {
            let key = format!("rule.event.{}", problem.code());
            match problem {
                P::UnknownKind { kind: code }
                | P::NotADay { text: code }
                | P::Capacity { text: code }
                | P::UnknownTier { tier: code }
                | P::Ages { text: code }
                | P::UnknownCategory { category: code }
                | P::UnknownRule { rule: code }
                | P::UnknownSurvey { survey: code } => i18n.fill(&key, &[("code", code)]),
                P::DayPassed { on } => i18n.fill(&key, &[("on", &on.to_string())]),
                P::TooLong { field, most } => i18n.fill(
                    &key,
                    &[
                        ("field", i18n.t_owned(format!("events.field.{field}"))),
                        ("most", &most.to_string()),
                    ],
                ),
                P::Unprintable { field } => i18n.fill(
                    &key,
                    &[("field", i18n.t_owned(format!("events.field.{field}")))],
                ),
                P::TitleMissing | P::PlaceMissing => i18n.t(&key).to_string(),
            }
        })
        .collect();
    i18n.fill(
        "err.event_invalid",
        &[("problems", &words.join(i18n.t("clients.list_separator")))],
    )
}

/// Why an event refuses a reply, an attendance or an invitation.
pub fn event_refusal(i18n: &I18n, refusal: &crate::domain::events::EventRefusal) -> String {
    use crate::domain::events::EventRefusal as R;
    let key = format!("events.refused.{}", refusal.code());
    match refusal {
        R::Full { capacity } => i18n.fill(&key, &[("capacity", &capacity.to_string())]),
        R::NotYet { on } | R::Over { on } => i18n.fill(&key, &[("on", &on.to_string())]),
        R::NotInvited | R::NoOneToInvite | R::NoSurvey => i18n.t(&key).to_string(),
    }
}
