//! `branchdesk survey …`: templates, a response from the command line, statistics, and
//! paper batches from CSV.

use super::{Context, print_json, table};
use crate::domain::survey::GroupBy;
use crate::domain::survey::Template;
use crate::error::{Error, Result};
use crate::i18n::{I18n, Lang};
use crate::store::{RESPONSES_MOST, ResponseRow, SurveyInput, SurveyStats};
use chrono::{Duration, NaiveDate};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// The survey templates in use (files that do not parse are named and skipped)
    Templates {
        #[arg(long)]
        json: bool,
    },
    /// Record one response: --answer QUESTION=VALUE for each answer
    Add {
        #[arg(long, value_name = "CODE")]
        template: String,
        /// Client number [default: anonymous]
        #[arg(long)]
        client: Option<String>,
        /// counter, phone, sms or paper
        #[arg(long, default_value = "counter")]
        channel: String,
        /// Day answered, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        /// e.g. --answer nps=9 --answer wait=2 --answer improve=1,3
        #[arg(long = "answer", value_name = "QUESTION=VALUE")]
        answers: Vec<String>,
        /// The id of an earlier response this one corrects
        #[arg(long, value_name = "ID")]
        corrects: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// NPS, CSAT and answer distributions over a period
    Stats {
        #[command(flatten)]
        results: Results,
        /// month, staff or channel
        #[arg(long, default_value = "month")]
        by: String,
        #[arg(long)]
        json: bool,
    },
    /// The responses one by one, newest first: every answer in full, the client masked as
    /// your role sees them (reading them is audited)
    Responses {
        #[command(flatten)]
        results: Results,
        /// Only responses with a written comment
        #[arg(long)]
        comments: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Paper forms from a CSV file: a column per question id, optional client/date/channel
    Import {
        file: PathBuf,
        #[arg(long, value_name = "CODE")]
        template: String,
        /// Check and report, save nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

/// Which survey's results, over which days.
#[derive(Debug, Args)]
pub struct Results {
    #[arg(long, value_name = "CODE", default_value = "counter_visit")]
    template: String,
    /// First day [default: a year before the last]
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day [default: today]
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
}

impl Results {
    /// The days asked for: by default the year to `today`.
    fn period(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
        let to = date_or(self.to.as_deref(), "to", today)?;
        let from = date_or(self.from.as_deref(), "from", to - Duration::days(364))?;
        Ok((from, to))
    }
}

fn bad_date(field: &str) -> Error {
    Error::SurveyInvalid {
        errors: vec![crate::domain::survey::AnswerError {
            question: field.to_string(),
            rule: "date",
        }],
    }
}

fn date_or(raw: Option<&str>, field: &str, default: NaiveDate) -> Result<NaiveDate> {
    match raw {
        None => Ok(default),
        Some(raw) => crate::domain::client::parse_date(raw).ok_or_else(|| bad_date(field)),
    }
}

pub fn run(cx: &Context, command: SurveyCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    let zh = i18n.lang == Lang::Zh;
    let set = session.survey_templates()?;
    for skipped in &set.skipped {
        super::say_error(&i18n.fill(
            "cli.survey_template_skipped",
            &[("file", &skipped.file), ("problem", &skipped.problem)],
        ));
    }
    match command {
        SurveyCommand::Templates { json } => {
            if json {
                print_json(&set);
            } else {
                let rows: Vec<Vec<String>> = set
                    .templates
                    .iter()
                    .map(|t| {
                        vec![
                            t.code.clone(),
                            t.version.to_string(),
                            t.title.get(zh).to_string(),
                            t.questions.len().to_string(),
                        ]
                    })
                    .collect();
                out!(
                    "{}",
                    table::render(
                        &[
                            i18n.t("survey.col.code"),
                            i18n.t("survey.col.version"),
                            i18n.t("survey.col.title"),
                            i18n.t("survey.col.questions"),
                        ],
                        &rows
                    )
                );
            }
        }
        SurveyCommand::Add {
            template,
            client,
            channel,
            on,
            answers,
            corrects,
            json,
        } => {
            let mut input = SurveyInput {
                template,
                client: client.unwrap_or_default(),
                channel,
                answered_on: on.unwrap_or_default(),
                supersedes: corrects.unwrap_or_default(),
                ..Default::default()
            };
            for pair in answers {
                let (id, value) = pair.split_once('=').ok_or_else(|| Error::SurveyInvalid {
                    errors: vec![crate::domain::survey::AnswerError {
                        question: pair.clone(),
                        rule: "unknown_question",
                    }],
                })?;
                input
                    .answers
                    .insert(id.trim().to_string(), value.to_string());
            }
            let recorded = session.record_survey(&input)?;
            if json {
                print_json(&recorded);
            } else {
                cx.say("cli.survey_recorded", &[("id", &recorded.id)]);
                if let Some(a) = &recorded.assessment {
                    cx.say(
                        "cli.assessment_added",
                        &[
                            ("client", input.client.trim()),
                            ("level", &a.level.to_string()),
                            ("until", &a.valid_until.to_string()),
                        ],
                    );
                }
                if let Some(reminder) = &recorded.follow_up {
                    cx.say("cli.survey_follow_up", &[("id", reminder)]);
                }
                if recorded.complaint_text.is_some() {
                    cx.say("cli.survey_complaint", &[]);
                }
            }
        }
        SurveyCommand::Stats { results, by, json } => {
            let (from, to) = results.period(session.today_local())?;
            let template = results.template;
            let by = GroupBy::parse(&by).ok_or_else(|| Error::SurveyInvalid {
                errors: vec![crate::domain::survey::AnswerError {
                    question: "by".into(),
                    rule: "unknown_option",
                }],
            })?;
            let stats = session.survey_stats(&template, from, to, by)?;
            if json {
                print_json(&stats);
            } else {
                out!("{}", stats_text(&stats, i18n));
            }
        }
        SurveyCommand::Responses {
            results,
            comments,
            limit,
            json,
        } => {
            let (from, to) = results.period(session.today_local())?;
            let template = results.template;
            let mut rows = session.survey_responses(&template, from, to, RESPONSES_MOST)?;
            if comments {
                rows.retain(ResponseRow::has_comment);
            }
            rows.truncate(limit as usize);
            if json {
                print_json(&rows);
            } else if rows.is_empty() {
                cx.say("cli.survey_no_responses", &[]);
            } else {
                let Some(template) = set.templates.iter().find(|t| t.code == template) else {
                    return Ok(ExitCode::SUCCESS);
                };
                for row in &rows {
                    out!("{}", response_text(row, template, i18n));
                }
            }
        }
        SurveyCommand::Import {
            file,
            template,
            dry_run,
            json,
        } => {
            let describe = |e: &Error| e.message(i18n);
            let report = session.import_surveys(&file, &template, dry_run, &describe)?;
            if json {
                print_json(&report);
            } else {
                for rejected in &report.rejected {
                    cx.say(
                        "import.line",
                        &[
                            ("line", &rejected.line.to_string()),
                            ("reason", &rejected.problem),
                        ],
                    );
                }
                cx.say_ignored_columns(&report.ignored_columns);
                cx.say(
                    if dry_run {
                        "cli.survey_import_checked"
                    } else {
                        "cli.survey_import_done"
                    },
                    &[
                        ("rows", &report.rows.to_string()),
                        ("added", &report.added.to_string()),
                        ("rejected", &report.rejected.len().to_string()),
                        ("follow_ups", &report.follow_ups.to_string()),
                    ],
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn stats_text(s: &SurveyStats, i18n: &I18n) -> String {
    let zh = i18n.lang == Lang::Zh;
    let st = &s.stats;
    let mut out = format!(
        "{} (v{})  {} – {}\n",
        s.template.title.get(zh),
        s.template.version,
        s.from,
        s.to
    );
    out.push_str(&i18n.fill(
        "survey.summary",
        &[
            ("n", &st.responses.to_string()),
            ("nps", &i18n.nps_text(st.nps.map(|n| n.nps))),
            ("csat", &i18n.csat_text(st.csat.map(|c| c.csat))),
        ],
    ));
    out.push('\n');
    if st.small_sample && st.responses > 0 {
        out.push_str(i18n.t("survey.small_sample"));
        out.push('\n');
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = st
        .groups
        .iter()
        .map(|g| {
            vec![
                i18n.survey_group(st.by, &g.key),
                g.responses.to_string(),
                i18n.nps_text(g.nps.map(|n| n.nps)),
                i18n.csat_text(g.csat.map(|c| c.csat)),
                if g.small_sample { "n<30" } else { "" }.to_string(),
            ]
        })
        .collect();
    out.push_str(&table::render(
        &[
            i18n.t_owned(format!("survey.by.{}", by_code(st.by))),
            i18n.t("survey.col.responses"),
            "NPS",
            "CSAT",
            "",
        ],
        &rows,
    ));
    for dist in &st.questions {
        let text = s
            .template
            .question(&dist.question)
            .map(|q| q.text.get(zh).to_string())
            .unwrap_or_default();
        out.push_str(&format!("\n{} ({})\n", text, dist.answered));
        let widest = dist
            .counts
            .iter()
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0)
            .max(1);
        for (key, n) in &dist.counts {
            let bar = "█".repeat((*n * 30 / widest) as usize);
            let label = i18n.survey_answer_label(&s.template, &dist.question, key);
            let pad = 12usize.saturating_sub(unicode_width::UnicodeWidthStr::width(label.as_str()));
            out.push_str(&format!("  {label}{} {bar} {n}\n", " ".repeat(pad)));
        }
    }
    out
}

/// One response for people: when, how, who took it and for whom, then each answer.
pub fn response_text(row: &ResponseRow, template: &Template, i18n: &I18n) -> String {
    let client = match (&row.client_no, &row.client_name) {
        (Some(no), Some(name)) => format!("{no} {name}"),
        _ => i18n.t("survey.view.anonymous").to_string(),
    };
    let channel = i18n.t_owned(format!("survey.channel.{}", row.channel));
    let mut out = format!(
        "{} · {channel} · {} · {client}  ({})\n",
        row.answered_on, row.staff_id, row.id
    );
    for question in &template.questions {
        if let Some(answer) = row.answers.get(&question.id) {
            let text = question.text.get(i18n.lang == Lang::Zh);
            let answer = i18n.survey_answer_text(template, &question.id, answer);
            out.push_str(&format!("  {text}: {answer}\n"));
        }
    }
    out
}

pub fn by_code(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Month => "month",
        GroupBy::Staff => "staff",
        GroupBy::Channel => "channel",
    }
}
