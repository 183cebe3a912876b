//! `branchdesk points …`: a client's loyalty points on the command line — the balance with
//! what lapses soon and the latest entries, earning by rule, redeeming a catalogue item,
//! a manager's reversal and adjustment, and the expiry run.

use super::progress::Progress;
use super::*;
use crate::store::{PointsEntry, PointsView};

#[derive(Debug, Subcommand)]
pub enum PointsCommand {
    /// A client's balance, what can be used today, what lapses within 90 days, the latest
    /// entries
    Show {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// Credit the points an earn rule gives (times the client's tier percentage)
    Earn {
        client: String,
        #[arg(long)]
        rule: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        json: bool,
    },
    /// Redeem a catalogue item: its points, soonest-lapsing first
    Redeem {
        client: String,
        #[arg(long)]
        item: String,
        #[arg(long)]
        json: bool,
    },
    /// Managers: reverse an entry (an earn not yet spent, a redemption, an adjustment)
    Reverse {
        entry: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Managers: credit (positive) or debit (negative) a client's points, with a reason
    Adjust {
        client: String,
        #[arg(long, allow_hyphen_values = true)]
        points: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// A redemption's receipt slip, into the print folder (a reprint is a numbered copy) or
    /// to standard output
    Slip {
        entry: String,
        /// Write to standard output instead
        #[arg(long)]
        stdout: bool,
        /// Also hand the file to the system's `lp` (as `[slips] print = true` does)
        #[arg(long, conflicts_with = "stdout")]
        print: bool,
    },
    /// Managers: write off every point whose last day has passed (run again, nothing more)
    Expire {
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cx: &Context, command: PointsCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    let i18n = cx.i18n;
    match command {
        PointsCommand::Show { client, json } => {
            let view = session.points_show(&client)?;
            if json {
                print_json(&view);
            } else {
                out(&view_text(i18n, &view));
            }
        }
        PointsCommand::Earn {
            client,
            rule,
            note,
            json,
        } => {
            let entry = session.points_earn(&client, &rule, &note)?;
            said(cx, &entry, json);
        }
        PointsCommand::Redeem { client, item, json } => {
            let done = session.points_redeem(&client, &item)?;
            if json {
                print_json(&done);
            } else {
                cx.say(
                    "cli.points_redeemed",
                    &[
                        ("item", i18n.pick(&done.item.name_zh, &done.item.name_en)),
                        ("points", &done.item.points.to_string()),
                        ("balance", &done.balance_after.to_string()),
                        ("entry", &done.entry.id),
                    ],
                );
            }
        }
        PointsCommand::Reverse {
            entry,
            reason,
            json,
        } => {
            let entry = session.points_reverse(&entry, &reason)?;
            said(cx, &entry, json);
        }
        PointsCommand::Adjust {
            client,
            points,
            reason,
            json,
        } => {
            let entry = session.points_adjust(&client, points, &reason)?;
            said(cx, &entry, json);
        }
        PointsCommand::Slip {
            entry,
            stdout,
            print,
        } => {
            if stdout {
                let slip = session.points_slip(&entry)?;
                out(&crate::service::slip::render_redemption(&slip, i18n));
                return Ok(ExitCode::SUCCESS);
            }
            let (path, printed) = crate::service::slip::write_redemption(
                &mut session,
                &entry,
                i18n,
                &cx.config.slips,
                print,
            )?;
            let shown = path.display().to_string();
            match printed {
                Some(_) => cx.say("cli.slip_printed", &[("path", &shown)]),
                None => cx.say("cli.slip_written", &[("path", &shown)]),
            }
        }
        PointsCommand::Expire { dry_run, json } => {
            let bar = Progress::new(0, i18n.t("progress.points_expire"));
            let report =
                session.points_expire(dry_run, &mut |done, total| bar.show(done, total))?;
            bar.finish();
            if json {
                print_json(&report);
            } else {
                cx.say(
                    if dry_run {
                        "cli.points_would_expire"
                    } else {
                        "cli.points_expired"
                    },
                    &[
                        ("clients", &report.clients.to_string()),
                        ("points", &report.points.to_string()),
                    ],
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn said(cx: &Context, entry: &PointsEntry, json: bool) {
    if json {
        print_json(entry);
    } else {
        outln!("{}", entry_line(cx.i18n, entry));
    }
}

/// One entry in words: the day, what it was (its rule or item), the points (signed), the id.
fn entry_line(i18n: &I18n, entry: &PointsEntry) -> String {
    i18n.fill(
        "points.entry",
        &[
            ("on", &entry.on.to_string()),
            ("what", &crate::app::points::entry_what(entry, i18n)),
            ("points", &format!("{:+}", entry.points)),
            ("id", &entry.id),
        ],
    )
}

fn view_text(i18n: &I18n, view: &PointsView) -> String {
    let mut text = i18n.fill(
        "points.balance",
        &[
            ("client", &view.client_no),
            ("balance", &view.balance.to_string()),
            ("usable", &view.usable.to_string()),
        ],
    );
    text.push('\n');
    if view.lapsing > 0 {
        text.push_str(&i18n.fill(
            "points.lapsing",
            &[
                ("points", &view.lapsing.to_string()),
                ("until", &view.lapsing_until.to_string()),
            ],
        ));
        text.push('\n');
    }
    for entry in &view.recent {
        text.push_str(&entry_line(i18n, entry));
        text.push('\n');
    }
    text
}
