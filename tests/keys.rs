//! What the screen claims about keys is true: for every role, on every screen it opens (and
//! on a record, a case, the statistics, the lock), F1 lists exactly what this role may use,
//! every key that acts is in F1 for what it does, and every footer hint is in F1.

mod common;

use branchdesk::app::{Action, Command, Tab};
use branchdesk::domain::mask::Visibility;
use branchdesk::domain::staff::Role;
use branchdesk::i18n::Lang;
use branchdesk::service::Reply;
use branchdesk::tui::frame::hints;
use branchdesk::tui::help_sections;
use branchdesk::tui::keymap::Keymap;
use common::*;

/// Checks one state; `what` names it in failures.
fn check(h: &Harness, keymap: &Keymap, what: &str) {
    let help = help_sections(&h.app, keymap);
    let tabs = h.app.tabs();
    for section in &help {
        if let Some(tab) = Tab::ALL
            .iter()
            .find(|t| t.contexts().contains(&section.context))
        {
            assert!(
                tabs.contains(tab),
                "{what}: F1 lists {:?} keys of a screen this role cannot open",
                section.context
            );
        }
        for entry in &section.entries {
            assert!(
                h.app.offers(entry.command),
                "{what}: F1 lists {:?}, which this role may not use",
                entry.command
            );
        }
    }
    let listed = |command: Command, key: &str| {
        help.iter().any(|s| {
            s.entries
                .iter()
                .any(|e| e.command == command && e.keys.iter().any(|k| k == key))
        })
    };
    let contexts = h.app.contexts();
    let mut acting = 0;
    for binding in keymap
        .bindings()
        .iter()
        .filter(|b| contexts.contains(&b.context))
    {
        for key in &binding.keys {
            let acts = keymap.lookup(&contexts, &key.event()) == Some(binding.command)
                && h.app.enabled(binding.command);
            if acts {
                acting += 1;
                assert!(
                    listed(binding.command, &key.label()),
                    "{what}: {} ({:?}) acts here but F1 does not list it",
                    key.label(),
                    binding.command
                );
            }
        }
    }
    assert!(acting > 0, "{what}: no key acts at all");
    for (key, label) in hints(&h.app, keymap) {
        let in_help = help.iter().any(|s| {
            s.entries
                .iter()
                .any(|e| e.label == label && e.keys.contains(&key))
        });
        assert!(
            in_help,
            "{what}: the footer shows {key} {label}, F1 does not"
        );
    }
}

/// Opens `tab` and gives it what the store would answer.
fn open(h: &mut Harness, tab: Tab) {
    h.act(Action::ClickTab(tab));
    let reply = match tab {
        Tab::Clients | Tab::Overview => return,
        Tab::Complaints => Reply::ComplaintBoard(Box::new(complaint_board())),
        Tab::Care => Reply::CareAgenda(Box::new(care_agenda())),
        Tab::Book => Reply::Book(Box::new(common::portfolio::book())),
        Tab::Risk => Reply::RiskDesk(Box::new(common::risk::overdue_page())),
        Tab::Survey => Reply::SurveyTemplates(Box::new(survey_templates())),
        Tab::Sync => Reply::SyncStatus(Box::new(sync_view(Vec::new()))),
        Tab::Staff => Reply::Staff(Vec::new()),
        Tab::Audit => Reply::AuditPage {
            before: None,
            rows: Vec::new(),
        },
        Tab::Events => Reply::Events(common::events::upcoming()),
    };
    h.act(Action::Reply(reply));
}

#[test]
fn help_footer_and_the_keys_that_act_agree_for_every_role_on_every_screen() {
    let keymap = keymap();
    for role in Role::ALL {
        for lang in [Lang::Zh, Lang::En] {
            let mut h = Harness::logged_in(lang, session_info("staff01", "王芳", role));
            check(&h, &keymap, &format!("{role:?} on the overview"));
            for tab in h.app.tabs() {
                open(&mut h, tab);
                check(&h, &keymap, &format!("{role:?} on {tab:?}"));
                match tab {
                    Tab::Clients => {
                        h.act(Action::Reply(Reply::Client {
                            view: Box::new(wang_fang(Visibility::Masked)),
                            log: Vec::new(),
                            events: Vec::new(),
                        }));
                        check(&h, &keymap, &format!("{role:?} on a masked record"));
                        if role.can(branchdesk::domain::staff::Permission::ViewPortfolio) {
                            h.command(Command::Portfolio);
                            h.act(Action::Reply(Reply::Portfolio {
                                portfolio: Box::new(common::portfolio::portfolio()),
                                offers: common::portfolio::offers(),
                            }));
                            check(&h, &keymap, &format!("{role:?} on a portfolio"));
                            h.command(Command::Back);
                        }
                        h.command(Command::Back);
                    }
                    Tab::Events => {
                        h.act(Action::Reply(Reply::Event(Box::new(
                            common::events::seminar_page(),
                        ))));
                        check(&h, &keymap, &format!("{role:?} on an event"));
                        h.command(Command::Back);
                    }
                    Tab::Complaints => {
                        h.act(Action::Reply(Reply::Complaint(
                            Box::new(complaint_detail()),
                        )));
                        check(&h, &keymap, &format!("{role:?} on a case"));
                        h.command(Command::Back);
                    }
                    Tab::Survey if h.app.enabled(Command::ToggleSurveyView) => {
                        h.command(Command::ToggleSurveyView);
                        h.act(Action::Reply(Reply::SurveyStats(Box::new(survey_stats(
                            40,
                            branchdesk::domain::survey::GroupBy::Month,
                        )))));
                        check(&h, &keymap, &format!("{role:?} on survey results"));
                        h.command(Command::Back);
                    }
                    _ => {}
                }
            }
            h.command(Command::Lock);
            check(&h, &keymap, &format!("{role:?} locked"));
        }
    }
}

#[test]
fn f1_lists_the_reveal_and_the_managers_export_and_no_screen_a_teller_lacks() {
    let keymap = keymap();
    let commands = |h: &Harness| -> Vec<Command> {
        help_sections(&h.app, &keymap)
            .into_iter()
            .flat_map(|s| s.entries.into_iter().map(|e| e.command))
            .collect()
    };
    let teller = Harness::logged_in(
        Lang::En,
        session_info("teller01", "Wang Fang", Role::Teller),
    );
    let listed = commands(&teller);
    assert!(listed.contains(&Command::Reveal), "from any screen");
    for other in [
        Command::ActOnReminder,
        Command::ExportBundle,
        Command::NewStaff,
        Command::VerifyAudit,
        Command::ToggleSurveyView,
    ] {
        assert!(!listed.contains(&other), "a teller is offered {other:?}");
    }
    let manager = Harness::logged_in(
        Lang::En,
        session_info("manager01", "Zhang Wei", Role::Manager),
    );
    let listed = commands(&manager);
    for wanted in [
        Command::ExportBundle,
        Command::ImportReference,
        Command::Reveal,
    ] {
        assert!(
            listed.contains(&wanted),
            "a manager is not told of {wanted:?}"
        );
    }
    // At HQ there is nothing to export, and F1 does not say otherwise.
    let mut hq = Harness::logged_in(
        Lang::En,
        session_info("manager01", "Zhang Wei", Role::Manager),
    );
    hq.command(Command::SyncScreen);
    hq.act(Action::Reply(Reply::SyncStatus(Box::new(hq_view()))));
    assert!(!commands(&hq).contains(&Command::ExportBundle));
}
