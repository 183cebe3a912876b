//! The frame around every screen: the header (who, where, the clock), the tab row, the
//! status line, the footer's key hints, the modals (help, quit, discard), and the one match
//! that picks the body's view. Everything here reads the app state and changes nothing.

use super::keymap::{Keymap, command_label};
use super::kit::{self, dim, popup};
use super::views;
use crate::app::{App, Command, Context, Modal, Phase, StatusKind, Tab};
use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(frame: &mut Frame, app: &App, keymap: &Keymap) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = app.i18n.fill(
            "ui.too_small",
            &[
                ("need", &format!("{MIN_WIDTH}×{MIN_HEIGHT}")),
                ("have", &format!("{}×{}", area.width, area.height)),
            ],
        );
        frame.render_widget(
            Paragraph::new(text)
                .alignment(Alignment::Center)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            area.centered_vertically(Constraint::Length(3)),
        );
        return;
    }
    let show_tabs = app.main().is_some_and(|m| m.lock.is_none());
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(show_tabs)),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    render_header(frame, header, app);
    if show_tabs {
        render_tabs(frame, tabs, app, keymap);
    }
    render_body(frame, body, app, keymap);
    render_status(frame, status, app);
    render_footer(frame, footer, app, keymap);
    render_modal(frame, area, app, keymap);
}

/// The body: the phase's form, the lock, or the screen in front.
fn render_body(frame: &mut Frame, area: Rect, app: &App, keymap: &Keymap) {
    let main = match &app.phase {
        Phase::Setup(form) => return views::login::render_setup(frame, area, app, form),
        Phase::Login(form) => return views::login::render_login(frame, area, app, form),
        Phase::Main(main) => main,
    };
    if let Some(lock) = &main.lock {
        return views::login::render_lock(frame, area, app, main, lock);
    }
    let s = &main.screens;
    match main.tab {
        Tab::Overview => views::overview::render(frame, area, app, main, keymap),
        Tab::Clients => views::clients::render(frame, area, app, &s.clients, keymap),
        Tab::Complaints => views::complaints::render(frame, area, app, main, &s.complaints),
        Tab::Care => views::care::render(frame, area, app, main, &s.care),
        Tab::Book => views::book::render(frame, area, app, &s.book),
        Tab::Risk => views::risk::render(frame, area, app, main.session.role, &s.risk),
        Tab::Survey => views::survey::render(frame, area, app, &s.surveys, keymap),
        Tab::Sync => views::sync::render(frame, area, app, &s.sync),
        Tab::Staff => views::staff::render(frame, area, app, &s.staff, keymap),
        Tab::Audit => views::audit::render(frame, area, app, &s.audit),
        Tab::Events => views::events::render(frame, area, app, &s.events, keymap),
    }
}

fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    let i18n = app.i18n;
    let bar = Style::new().bg(Color::Blue).fg(Color::White);
    // The right side (state and clock) is fixed; the left side gives way, branch name last.
    let mut right = Vec::new();
    if app.demo || app.main().is_some_and(|m| m.session.branch.demo) {
        right.push(Span::styled(
            format!(" {} ", i18n.t("ui.demo_tag")),
            Style::new().bg(Color::Yellow).fg(Color::Black),
        ));
    }
    if let Some(due) = app
        .main()
        .filter(|m| m.lock.is_none())
        .and_then(|m| m.session.care_due)
        .filter(|n| *n > 0)
    {
        right.push(Span::styled(
            format!(" {} ", i18n.fill("ui.care_due", &[("n", &due.to_string())])),
            Style::new().bg(Color::Magenta).fg(Color::White),
        ));
    }
    if let Some(overdue) = app
        .main()
        .filter(|m| m.lock.is_none())
        .and_then(|m| m.session.risk_overdue)
        .filter(|n| *n > 0)
    {
        right.push(Span::styled(
            format!(
                " {} ",
                i18n.fill("ui.risk_overdue", &[("n", &overdue.to_string())])
            ),
            Style::new().bg(Color::Red).fg(Color::White),
        ));
    }
    if app.main().is_some_and(|m| m.lock.is_some()) {
        right.push(Span::styled(
            format!(" {} ", i18n.t("ui.locked")),
            Style::new()
                .bg(Color::Red)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
        ));
    }
    let weekday_key = format!("weekday.{}", app.now.weekday().num_days_from_monday());
    right.push(Span::styled(
        format!(
            " {} {} {} ",
            app.now.format("%Y-%m-%d"),
            i18n.t(&weekday_key),
            app.now.format("%H:%M")
        ),
        bar,
    ));
    let right_width: usize = right.iter().map(|s| s.content.width()).sum();
    // The left side gives way by display width: the branch's name first, then the role
    // (the staff member knows it), never who is logged in or the branch code.
    let room = usize::from(area.width).saturating_sub(right_width + 1);
    let left = match &app.phase {
        Phase::Main(main) => {
            let s = &main.session;
            let (name, id, code) = (&s.name, &s.staff_id, &s.branch.code);
            let with_role = format!(" {name} {id} · {} │ {code} ", i18n.role(s.role));
            // A branch name cut to under three columns says nothing: the role goes instead.
            let who = if with_role.width() + 3 <= room {
                with_role
            } else {
                format!(" {name} {id} │ {code} ")
            };
            let branch = kit::fit(&s.branch.name, room.saturating_sub(who.width()));
            kit::fit(&format!("{who}{branch}"), room)
        }
        _ => kit::fit(&format!(" branchdesk │ {}", i18n.t("ui.subtitle")), room),
    };
    frame.render_widget(Paragraph::new("").style(bar), area);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(right_width as u16)])
            .areas(area);
    frame.render_widget(
        Paragraph::new(Span::styled(left, bar.add_modifier(Modifier::BOLD))),
        left_area,
    );
    frame.render_widget(Paragraph::new(Line::from(right)), right_area);
}

/// Where each tab sits on the tab row: (tab, first column, width, text). Shared by drawing
/// and by mouse clicks.
/// Where each tab sits on the tab row: (tab, x, width, text). Tabs are padded when the row
/// has room for that, and drawn tight when it does not, so all of them stay visible at 80
/// columns.
pub fn tab_layout(app: &App, keymap: &Keymap, row_width: u16) -> Vec<(Tab, u16, u16, String)> {
    let current = app.main().map(|m| m.tab);
    let room = usize::from(row_width);
    // A screen opened from another's context (events: F4 on the agenda) shows that key.
    let keyed = |tab: Tab| {
        tab.command().and_then(|c| {
            keymap
                .key_label(&[Context::Global], c)
                .or_else(|| keymap.key_label(&Context::ALL, c))
        })
    };
    let mut texts: Vec<(Tab, String)> = app
        .tabs()
        .into_iter()
        .map(|tab| {
            let label = app.i18n.t(tab.label_key());
            let text = match keyed(tab) {
                Some(key) => format!("{key} {label}"),
                None => label.to_string(),
            };
            (tab, text)
        })
        .collect();
    let wide = |texts: &[(Tab, String)]| texts.iter().map(|(_, t)| t.width() + 1).sum::<usize>();
    // A manager's nine screens do not fit 80 columns: the overview (Esc reaches it) gives
    // way first, then the other screens show only their keys.
    if wide(&texts) > room {
        texts.retain(|(tab, _)| *tab != Tab::Overview || Some(*tab) == current);
    }
    if wide(&texts) > room {
        for (tab, text) in &mut texts {
            if Some(*tab) != current
                && let Some(key) = keyed(*tab)
            {
                *text = key;
            }
        }
    }
    let bare = wide(&texts);
    let (left, right) = if bare + 2 * texts.len() <= room {
        (" ", " ")
    } else if bare + texts.len() <= room {
        ("", " ")
    } else {
        ("", "")
    };
    let mut x = 0u16;
    texts
        .into_iter()
        .map(|(tab, text)| {
            let text = format!("{left}{text}{right}");
            let width = text.width() as u16;
            let placed = (tab, x, width, text);
            x = x.saturating_add(width + 1);
            placed
        })
        .collect()
}

fn render_tabs(frame: &mut Frame, area: Rect, app: &App, keymap: &Keymap) {
    let current = app.main().map(|m| m.tab);
    let mut spans = Vec::new();
    for (tab, _, _, text) in tab_layout(app, keymap, area.width) {
        let style = if Some(tab) == current {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new().fg(Color::Cyan)
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(frame: &mut Frame, area: Rect, app: &App) {
    let Some(status) = &app.status else {
        return;
    };
    let i18n = app.i18n;
    let (prefix, style) = match status.kind {
        StatusKind::Info => (String::new(), Style::new()),
        StatusKind::Success => (
            format!("{} ", i18n.t("status.kind.success")),
            Style::new().fg(Color::Green),
        ),
        StatusKind::Warning => (
            format!("{} ", i18n.t("status.kind.warning")),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
        StatusKind::Error => (
            format!("{} ", i18n.t("status.kind.error")),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        StatusKind::Busy => {
            const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
            let tick = (app.now.timestamp_subsec_millis() / 250) as usize;
            (
                format!("{} ", FRAMES[tick % 4]),
                Style::new().fg(Color::Cyan),
            )
        }
    };
    frame.render_widget(
        Paragraph::new(format!(" {prefix}{}", status.text)).style(style),
        area,
    );
}

/// Commands the footer leaves to the help screen: editing and moving keys everyone knows.
fn obvious(command: Command) -> bool {
    matches!(
        command,
        Command::CursorLeft
            | Command::CursorRight
            | Command::CursorHome
            | Command::CursorEnd
            | Command::DeleteBack
            | Command::DeleteForward
            | Command::DeleteWord
            | Command::ClearField
            | Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::First
            | Command::Last
            | Command::ChoicePrev
            | Command::PrevField
    )
}

/// Key hints for the footer: help first, then the most specific context's keys. Screen
/// keys are left out while the tab row shows them.
pub fn hints(app: &App, keymap: &Keymap) -> Vec<(String, String)> {
    let contexts = app.contexts();
    let tabs_shown = app.main().is_some_and(|m| m.lock.is_none());
    let mut candidates: Vec<(Context, Command)> = Vec::new();
    if let Some(context) = contexts
        .iter()
        .find(|c| keymap.key_label(&[**c], Command::Help).is_some())
    {
        candidates.push((*context, Command::Help));
    }
    for context in &contexts {
        for binding in keymap.bindings().iter().filter(|b| b.context == *context) {
            candidates.push((*context, binding.command));
        }
    }
    let mut seen = Vec::new();
    let mut hints = Vec::new();
    for (context, command) in candidates {
        let on_tab_row = tabs_shown && Tab::opened_by(command).is_some();
        if obvious(command) || on_tab_row || seen.contains(&command) || !app.enabled(command) {
            continue;
        }
        let Some(key) = keymap.key_label(&[context], command) else {
            continue;
        };
        // A key a more specific context already claimed does something else here.
        if hints.iter().any(|(shown, _)| *shown == key) {
            continue;
        }
        seen.push(command);
        hints.push((key, command_label(app.i18n, context, command)));
    }
    hints
}

fn render_footer(frame: &mut Frame, area: Rect, app: &App, keymap: &Keymap) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    let room = area.width as usize;
    for (key, label) in hints(app, keymap) {
        let width = key.width() + label.width() + 3;
        if used + width > room {
            break;
        }
        used += width;
        spans.push(Span::styled(
            format!(" {key}"),
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        spans.push(Span::raw(format!(" {label} ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_modal(frame: &mut Frame, area: Rect, app: &App, keymap: &Keymap) {
    let i18n = app.i18n;
    match app.modal {
        Some(Modal::Quit) => {
            let question = match (app.main().is_some(), unsaved_work(app)) {
                (true, Some(work)) => i18n.fill("confirm.quit_unsaved", &[("work", &work)]),
                (true, None) => i18n.t("confirm.quit_logged_in").to_string(),
                (false, _) => i18n.t("confirm.quit").to_string(),
            };
            kit::confirm(frame, area, i18n, &question, &keymap.confirm_keys(i18n));
        }
        Some(Modal::Logout) => {
            let work = unsaved_work(app).unwrap_or_default();
            let question = i18n.fill("confirm.logout_unsaved", &[("work", &work)]);
            kit::confirm(frame, area, i18n, &question, &keymap.confirm_keys(i18n));
        }
        Some(Modal::Discard) => {
            let question = i18n.t("confirm.discard");
            kit::confirm(frame, area, i18n, question, &keymap.confirm_keys(i18n));
        }
        Some(Modal::Help { scroll }) => render_help(frame, area, app, keymap, scroll),
        None => {}
    }
}

/// The unsaved work, named in the UI language ("the survey being entered、…").
fn unsaved_work(app: &App) -> Option<String> {
    let names: Vec<&str> = app
        .unsaved_work()
        .into_iter()
        .map(|key| app.i18n.t(key))
        .collect();
    let separator = if app.i18n.lang == crate::i18n::Lang::Zh {
        "、"
    } else {
        "; "
    };
    (!names.is_empty()).then(|| names.join(separator))
}

/// One section of F1: where the keys apply, and what each does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSection {
    pub context: Context,
    pub entries: Vec<HelpEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub command: Command,
    /// As the footer writes them ("Ctrl-R").
    pub keys: Vec<String>,
    pub label: String,
}

/// F1's contents, from the same tables that decide what a key does: the keymap, the tab
/// table (which screens this staff member opens, and which contexts are each screen's),
/// and what is offered to this role (`App::offers`). Keys of screens the role cannot open,
/// and commands it may not use, are not listed; keys that need a moment (a masked record
/// for a reveal) are.
pub fn help_sections(app: &App, keymap: &Keymap) -> Vec<HelpSection> {
    let mut contexts = vec![
        Context::Global,
        Context::Form,
        Context::Field,
        Context::Choice,
        Context::List,
        Context::Lines,
    ];
    for tab in app.tabs() {
        contexts.extend(tab.contexts());
    }
    if app.main().is_some_and(|m| m.lock.is_some()) {
        contexts.push(Context::Lock);
    }
    contexts.push(Context::Confirm);
    contexts
        .into_iter()
        .map(|context| HelpSection {
            context,
            entries: keymap
                .bindings()
                .iter()
                .filter(|b| b.context == context && app.offers(b.command))
                .map(|b| HelpEntry {
                    command: b.command,
                    keys: b.keys.iter().map(|k| k.label()).collect(),
                    label: command_label(app.i18n, context, b.command),
                })
                .collect(),
        })
        .filter(|section| !section.entries.is_empty())
        .collect()
}

/// F1 drawn: the sections, each key with what it does.
pub fn help_lines(app: &App, keymap: &Keymap) -> Vec<Line<'static>> {
    let i18n = app.i18n;
    let mut lines = Vec::new();
    for section in help_sections(app, keymap) {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(
            i18n.t(&format!("context.{}", section.context.name()))
                .to_string(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )));
        for entry in section.entries {
            let keys = entry.keys.join(" / ");
            let pad = 20usize.saturating_sub(keys.width());
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {keys}"),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!("{}{}", " ".repeat(pad), entry.label)),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        i18n.t("help.typing").to_string(),
        dim(),
    )));
    lines
}

fn render_help(frame: &mut Frame, area: Rect, app: &App, keymap: &Keymap, scroll: u16) {
    let box_area = popup(area, 64, area.height.saturating_sub(2));
    kit::clear(frame, box_area);
    let lines = help_lines(app, keymap);
    let visible = box_area.height.saturating_sub(2);
    let max_scroll = (lines.len() as u16).saturating_sub(visible);
    let title = format!(" {} ", app.i18n.t("help.title"));
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .scroll((scroll.min(max_scroll), 0))
            .block(
                Block::bordered()
                    .title(title)
                    .padding(ratatui::widgets::Padding::horizontal(1)),
            ),
        box_area,
    );
}
