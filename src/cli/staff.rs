//! `branchdesk user …` and `branchdesk audit …`: staff accounts (add, list, disable, new
//! passphrases, lifting lockouts) and the audit trail (verify the chain, list rows).

use super::*;

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Add a staff member (new passphrase from the terminal, --new-passphrase-file or
    /// BRANCHDESK_NEW_PASSPHRASE)
    Add {
        /// Staff ID, e.g. teller07
        id: String,
        #[arg(long)]
        name: String,
        /// teller, rm, manager, auditor or admin
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// List staff accounts
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a staff member: removes their key slot and rekeys the database
    Disable { id: String },
    /// Change your own passphrase, or (administrators) set a new one for ID
    Passwd {
        id: Option<String>,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Lift the lock that failed logins put on an account
    Unlock { id: String },
}

#[derive(Debug, Subcommand)]
pub(super) enum AuditCommand {
    /// Walk the hash chain and name the first row that does not fit; then hold the trail
    /// against its anchor beside the store (a trail cut short or replaced is named)
    Verify {
        #[arg(long)]
        json: bool,
        /// Administrators, after looking into a shortened or replaced trail: anchor the
        /// trail as it is now, recording what was found in it
        #[arg(long)]
        reanchor: bool,
    },
    /// Show audit rows, newest first
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only rows older than this row number
        #[arg(long)]
        before: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    s.parse()
        .map_err(|_| "expected one of: teller, rm, manager, auditor, admin".to_string())
}

pub(super) fn user_command(cx: &Context, action: UserCommand) -> Result<ExitCode> {
    let paths = cx.store_paths()?;
    let (mut session, current_passphrase) = cx.login_keeping_passphrase(&paths)?;
    match action {
        UserCommand::Add {
            id,
            name,
            role,
            new_passphrase_file,
        } => {
            session.require(crate::domain::staff::Permission::ManageStaff)?;
            let passphrase = secrets::new_passphrase(
                new_passphrase_file.as_deref(),
                secrets::NEW_PASSPHRASE_ENV,
                cx.i18n,
            )?;
            let staff = session.add_staff(&id, &name, role, &passphrase)?;
            cx.say(
                "cli.user_added",
                &[
                    ("id", staff.id.as_str()),
                    ("role", cx.i18n.role(staff.role)),
                ],
            );
        }
        UserCommand::List { json } => {
            let staff = session.list_staff()?;
            if json {
                print_json(&staff);
            } else {
                let i18n = cx.i18n;
                let rows: Vec<Vec<String>> = staff
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.clone(),
                            s.name.clone(),
                            i18n.role(s.role).to_string(),
                            i18n.staff_status(s.status).to_string(),
                            s.locked_until
                                .map(|t| {
                                    t.with_timezone(&chrono::Local).format("%H:%M").to_string()
                                })
                                .unwrap_or_default(),
                        ]
                    })
                    .collect();
                out!(
                    "{}",
                    table::render(
                        &[
                            i18n.t("col.staff_id"),
                            i18n.t("col.name"),
                            i18n.t("col.role"),
                            i18n.t("col.status"),
                            i18n.t("col.locked_until"),
                        ],
                        &rows
                    )
                );
            }
        }
        UserCommand::Disable { id } => {
            session.disable_staff(&id)?;
            cx.say("cli.user_disabled", &[("id", &id)]);
        }
        UserCommand::Passwd {
            id,
            new_passphrase_file,
        } => {
            let own = id
                .as_deref()
                .is_none_or(|id| id.eq_ignore_ascii_case(session.me().id.as_str()));
            if !own {
                session.require(crate::domain::staff::Permission::ManageStaff)?;
            }
            let new = secrets::new_passphrase(
                new_passphrase_file.as_deref(),
                secrets::NEW_PASSPHRASE_ENV,
                cx.i18n,
            )?;
            match id.filter(|_| !own) {
                Some(id) => {
                    session.reset_passphrase(&id, &new)?;
                    cx.say("cli.passphrase_reset", &[("id", &id)]);
                }
                None => {
                    // The current passphrase is the one this command logged in with.
                    session.change_own_passphrase(&current_passphrase, &new)?;
                    cx.say("cli.passphrase_changed", &[]);
                }
            }
        }
        UserCommand::Unlock { id } => {
            session.unlock_account(&id)?;
            cx.say("cli.user_unlocked", &[("id", &id)]);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn audit_command(cx: &Context, action: AuditCommand) -> Result<ExitCode> {
    let mut session = cx.login(&cx.store_paths()?)?;
    match action {
        AuditCommand::Verify { json, reanchor } => {
            let verdict = if reanchor {
                session.reanchor_audit()?
            } else {
                session.verify_audit()?
            };
            if json {
                print_json(&verdict);
            } else {
                outln!("{}", crate::error::verdict_message(cx.i18n, &verdict));
            }
            Ok(if verdict.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
        AuditCommand::List {
            limit,
            before,
            json,
        } => {
            let rows = session.list_audit(before, limit.min(10_000))?;
            if json {
                print_json(&rows);
            } else {
                let i18n = cx.i18n;
                let table_rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.id.to_string(),
                            local_time(&r.at),
                            r.actor.clone(),
                            i18n.audit_action(&r.action),
                            r.subject_text(i18n),
                            i18n.audit_detail(&r.detail),
                        ]
                    })
                    .collect();
                out!(
                    "{}",
                    table::render(
                        &[
                            "#",
                            i18n.t("col.time"),
                            i18n.t("col.actor"),
                            i18n.t("col.action"),
                            i18n.t("col.subject"),
                            i18n.t("col.detail"),
                        ],
                        &table_rows
                    )
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
