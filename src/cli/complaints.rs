//! `branchdesk complaint …`: intake, the case list and board, one case with its history,
//! the next step, the acknowledgement slip. `branchdesk branch …`: the branch's details.

use super::{Context, print_json, table};
use crate::domain::complaint::{IntakeInput, State, StepInput, build_step};
use crate::error::{Error, Result};
use crate::i18n::I18n;
use crate::store::{ComplaintDetail, ComplaintRow};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ComplaintCommand {
    /// Register a complaint from a client (--client) or a walk-in (--name, --phone)
    New {
        #[command(flatten)]
        intake: IntakeArgs,
        #[arg(long)]
        json: bool,
    },
    /// List complaints, most urgent first
    List {
        /// registered, accepted, in_progress, waiting, decided, feedback, closed, withdrawn
        /// or merged
        #[arg(long, value_parser = parse_state)]
        state: Option<State>,
        /// Only cases past their due date
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show one complaint with its history (recorded in the audit trail)
    Show {
        /// Receipt number, e.g. BJ0101-20261130-001
        receipt_no: String,
        #[arg(long)]
        json: bool,
    },
    /// Take a case one step further
    Advance {
        receipt_no: String,
        /// accept, start, pause, resume, extend, decide, feedback, close, withdraw, merge,
        /// reopen or note (or the state it leads to: accepted, closed…)
        #[arg(long, value_name = "STEP")]
        to: String,
        #[command(flatten)]
        details: StepArgs,
        /// The day it happened, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the acknowledgement slip into the print folder (a reprint is a numbered copy),
    /// to FILE, or to standard output
    Slip {
        receipt_no: String,
        /// Write to FILE instead; an existing file is not overwritten
        #[arg(long, value_name = "FILE", conflicts_with = "stdout")]
        out: Option<PathBuf>,
        /// Write to standard output instead
        #[arg(long)]
        stdout: bool,
        /// Also hand the file to the system's `lp` (as `[slips] print = true` or --printer do)
        #[arg(long, conflicts_with = "stdout")]
        print: bool,
        /// The printer for `lp -d` [default: `[slips] printer`, else the system's default]
        #[arg(long, value_name = "NAME", conflicts_with = "stdout")]
        printer: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct IntakeArgs {
    /// Client number of the complainant
    #[arg(long)]
    client: Option<String>,
    /// The complainant's name (walk-ins; defaults to the client's name)
    #[arg(long)]
    name: Option<String>,
    /// The complainant's mobile number
    #[arg(long)]
    phone: Option<String>,
    /// counter, phone, letter, email, online or regulator [default: counter]
    #[arg(long)]
    channel: Option<String>,
    /// service_attitude, fees, mis_selling, card_account, loan, wealth_product, privacy or
    /// other
    #[arg(long)]
    category: String,
    /// normal, serious or urgent [default: normal]
    #[arg(long)]
    severity: Option<String>,
    /// What the complainant asks for
    #[arg(long)]
    request: String,
    /// What happened (several lines allowed)
    #[arg(long)]
    description: String,
    /// Staff ID of the staff member complained about
    #[arg(long, value_name = "STAFF_ID")]
    about: Option<String>,
    /// Day of receipt, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "DATE")]
    received: Option<String>,
}

#[derive(Debug, Args)]
pub struct StepArgs {
    /// accept: staff ID of the handler
    #[arg(long, value_name = "STAFF_ID")]
    handler: Option<String>,
    /// extend: staff ID of the approving manager
    #[arg(long, value_name = "STAFF_ID")]
    approved_by: Option<String>,
    /// extend: the complainant has been told of the extension
    #[arg(long)]
    told: bool,
    /// extend (second time): who at the higher office approved
    #[arg(long, value_name = "WHO")]
    higher_office: Option<String>,
    /// decide: what was decided
    #[arg(long)]
    decision: Option<String>,
    /// feedback: yes or no
    #[arg(long, value_name = "YES|NO")]
    satisfied: Option<String>,
    /// merge: receipt number of the earlier case
    #[arg(long, value_name = "RECEIPT_NO")]
    into: Option<String>,
    /// pause: information or appraisal
    #[arg(long)]
    reason: Option<String>,
}

fn parse_state(raw: &str) -> std::result::Result<State, String> {
    State::parse(&raw.to_ascii_lowercase().replace('-', "_")).ok_or_else(|| {
        let codes: Vec<&str> = State::ALL.iter().map(|s| s.code()).collect();
        format!("expected one of: {}", codes.join(", "))
    })
}

pub fn run(cx: &Context, command: ComplaintCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        ComplaintCommand::New { intake, json } => {
            let input = IntakeInput {
                client: intake.client.unwrap_or_default(),
                complainant_name: intake.name.unwrap_or_default(),
                complainant_phone: intake.phone.unwrap_or_default(),
                channel: intake.channel.unwrap_or_default(),
                category: intake.category,
                severity: intake.severity.unwrap_or_default(),
                request: intake.request,
                description: intake.description,
                subject_staff: intake.about.unwrap_or_default(),
                received_on: intake.received.unwrap_or_default(),
            };
            let registered = session.register_complaint(&input)?;
            if json {
                print_json(&registered);
            } else {
                cx.say(
                    "cli.complaint_registered",
                    &[
                        ("receipt_no", &registered.receipt_no),
                        ("due", &registered.due_on.to_string()),
                    ],
                );
            }
        }
        ComplaintCommand::List {
            state,
            overdue,
            json,
        } => {
            let rows = session.list_complaints(state, overdue)?;
            if json {
                print_json(&rows);
            } else if rows.is_empty() {
                cx.say("cli.no_complaints", &[]);
            } else {
                out!("{}", list_table(&rows, i18n));
            }
        }
        ComplaintCommand::Show { receipt_no, json } => {
            let detail = session.open_complaint(&receipt_no)?;
            if json {
                print_json(&detail);
            } else {
                out!("{}", detail_text(&detail, i18n));
            }
        }
        ComplaintCommand::Advance {
            receipt_no,
            to,
            details,
            on,
            note,
            json,
        } => {
            let input = StepInput {
                handler: details.handler.unwrap_or_default(),
                approved_by: details.approved_by.unwrap_or_default(),
                complainant_told: details.told,
                higher_office: details.higher_office.unwrap_or_default(),
                decision: details.decision.unwrap_or_default(),
                satisfied: details.satisfied.unwrap_or_default(),
                into: details.into.unwrap_or_default(),
                reason: details.reason.unwrap_or_default(),
            };
            let step =
                build_step(&to, &input).map_err(|errors| Error::ComplaintIntake { errors })?;
            let on = match on.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(raw) => Some(crate::domain::client::parse_date(raw).ok_or_else(|| {
                    Error::ComplaintIntake {
                        errors: vec![crate::domain::complaint::IntakeError {
                            field: "on",
                            rule: "date",
                        }],
                    }
                })?),
            };
            let code = step.code();
            let row = session.advance_complaint(&receipt_no, step, on, note)?;
            if json {
                print_json(&row);
            } else {
                cx.say(
                    "cli.complaint_advanced",
                    &[
                        ("receipt_no", &row.receipt_no),
                        ("step", i18n.t_owned(format!("complaint.step.{code}"))),
                        ("state", state_label(i18n, row.state)),
                    ],
                );
            }
        }
        ComplaintCommand::Slip {
            receipt_no,
            out,
            stdout,
            print,
            printer,
        } => {
            let slip = session.complaint_slip(&receipt_no)?;
            let text = crate::service::slip::render(&slip, i18n);
            if stdout {
                out!("{text}");
                session.record_slip_printed(&receipt_no, None, None)?;
                return Ok(ExitCode::SUCCESS);
            }
            let settings = &cx.config.slips;
            let path = match out {
                Some(path) => crate::service::slip::save(&path, &text)?,
                None => {
                    let folder = settings.folder_or(session.paths().slips());
                    crate::service::slip::save_in_folder(&folder, &slip.receipt_no, &text)?
                }
            };
            let shown = path.display().to_string();
            if !(print || settings.print || printer.is_some()) {
                session.record_slip_printed(&receipt_no, Some(&path), None)?;
                cx.say("cli.slip_written", &[("path", &shown)]);
                return Ok(ExitCode::SUCCESS);
            }
            let printer = printer.or_else(|| settings.printer.clone());
            let printed = crate::service::printer::print_file(&path, printer.as_deref());
            let sent_to = printed.is_ok().then(|| printer.clone().unwrap_or_default());
            session.record_slip_printed(&receipt_no, Some(&path), sent_to.as_deref())?;
            printed?;
            match printer {
                Some(printer) => cx.say(
                    "cli.slip_printed_on",
                    &[("path", &shown), ("printer", &printer)],
                ),
                None => cx.say("cli.slip_printed", &[("path", &shown)]),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn state_label(i18n: &I18n, state: State) -> &str {
    i18n.t_owned(format!("complaint.state.{}", state.code()))
}

fn list_table(rows: &[ComplaintRow], i18n: &I18n) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.receipt_no.clone(),
                r.complainant.clone(),
                i18n.t_owned(format!("complaint.category.{}", r.category.code()))
                    .to_string(),
                state_label(i18n, r.state).to_string(),
                r.received_on.to_string(),
                r.due_on.map(|d| d.to_string()).unwrap_or_default(),
                r.days_left.map(|d| d.to_string()).unwrap_or_default(),
                r.handler.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let headers = [
        i18n.t("complaint.field.receipt_no"),
        i18n.t("complaint.field.complainant_name"),
        i18n.t("complaint.field.category"),
        i18n.t("complaint.field.state"),
        i18n.t("complaint.field.received_on"),
        i18n.t("complaint.field.due_on"),
        i18n.t("complaint.field.days_left"),
        i18n.t("complaint.field.handler"),
    ];
    table::render(&headers, &cells)
}

fn detail_text(detail: &ComplaintDetail, i18n: &I18n) -> String {
    let row = &detail.row;
    let label = |key: &str| i18n.t_owned(format!("complaint.field.{key}")).to_string();
    let coded = |section: &str, code: &str| {
        i18n.t_owned(format!("complaint.{section}.{code}"))
            .to_string()
    };
    let facts: Vec<Vec<String>> = [
        ("receipt_no", row.receipt_no.clone()),
        ("state", state_label(i18n, row.state).to_string()),
        ("complainant_name", row.complainant.clone()),
        (
            "complainant_phone",
            detail.complainant_phone.clone().unwrap_or_default(),
        ),
        ("client", row.client_no.clone().unwrap_or_default()),
        ("channel", coded("channel", detail.channel.code())),
        ("category", coded("category", row.category.code())),
        ("severity", coded("severity", row.severity.code())),
        ("received_on", row.received_on.to_string()),
        (
            "due_on",
            row.due_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "days_left",
            row.days_left.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("limit_days", detail.limit_days.to_string()),
        ("handler", row.handler.clone().unwrap_or_default()),
        (
            "subject_staff",
            detail.subject_staff.clone().unwrap_or_default(),
        ),
        ("request", detail.request.clone()),
    ]
    .into_iter()
    .map(|(key, value)| vec![label(key), value])
    .collect();
    let mut out = table::render(&["", ""], &facts)
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    out.push_str(&format!("\n{}\n", label("description")));
    for line in detail.description.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    out.push_str(&format!("\n{}\n", label("history")));
    let history: Vec<Vec<String>> = detail
        .history
        .iter()
        .map(|h| {
            vec![
                h.on.to_string(),
                h.by.clone(),
                coded("step", h.step.code()),
                i18n.step_details(&h.step),
                h.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    out.push_str(&table::render(
        &[
            &label("on"),
            &label("by"),
            &label("step"),
            &label("details"),
            &label("note"),
        ],
        &history,
    ));
    out
}

#[derive(Debug, Subcommand)]
pub enum BranchCommand {
    /// Show the branch's code, name and the contact printed on complaint slips
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Set the contact line printed on complaint slips (phone, hours, address)
    Contact { text: String },
}

pub fn run_branch(cx: &Context, command: BranchCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    match command {
        BranchCommand::Show { json } => {
            let branch = session.branch();
            if json {
                print_json(&serde_json::json!({
                    "code": branch.code,
                    "name": branch.name,
                    "contact": branch.contact,
                    "demo": branch.demo,
                }));
            } else {
                outln!("{} {}", branch.code, branch.name);
                if let Some(contact) = &branch.contact {
                    outln!("{contact}");
                }
            }
        }
        BranchCommand::Contact { text } => {
            let contact = session.set_branch_contact(&text)?;
            cx.say("cli.branch_contact_set", &[("contact", &contact)]);
        }
    }
    Ok(ExitCode::SUCCESS)
}
