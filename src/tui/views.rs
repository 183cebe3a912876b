//! The body of each screen, the forms and the pop-ups.

use super::keymap::Keymap;
use crate::app::form::{FieldValue, Form};
use crate::app::{App, Command, Context, MainState, Modal, Phase, StaffOverlay, Tab};
use crate::i18n::I18n;
use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub(super) const TO_THE_MINUTE: &str = "%Y-%m-%d %H:%M";
const TO_THE_SECOND: &str = "%Y-%m-%d %H:%M:%S";

/// An RFC 3339 time in the terminal's time zone (the one the header clock shows).
pub(super) fn local_time(app: &App, rfc3339: &str, format: &str) -> String {
    time_in(*app.now.offset(), rfc3339, format)
}

/// An RFC 3339 time at `offset`, as `format`; the text as it is if it does not parse.
pub(super) fn time_in(offset: chrono::FixedOffset, rfc3339: &str, format: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&offset).format(format).to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

pub(super) fn plain(text: &str) -> (String, Style) {
    (text.to_string(), Style::new())
}

fn error_style() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub(super) fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// A centred rectangle of at most `width` × `height` inside `area`.
pub(super) fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Lines for a form, and where the cursor goes (row within the lines, column).
struct FormLines {
    lines: Vec<Line<'static>>,
    cursor: Option<(usize, u16)>,
}

fn form_lines(form: &Form, i18n: &I18n, width: u16) -> FormLines {
    let label_width = form
        .fields
        .iter()
        .map(|f| i18n.t(f.label).width())
        .max()
        .unwrap_or(0);
    let value_width = (width as usize).saturating_sub(label_width + 5).max(4);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (index, field) in form.fields.iter().enumerate() {
        let focused = index == form.focus;
        let label = i18n.t(field.label);
        let pad = " ".repeat(label_width - label.width());
        let marker = if focused { "> " } else { "  " };
        let label_style = if focused {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let prefix_width = 2 + label_width + 2;
        let (shown, cursor_col) = shown_value(field, focused, value_width, i18n);
        let padded = format!(
            "{shown}{}",
            " ".repeat(value_width.saturating_sub(shown.width()))
        );
        let value_style = if focused {
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        };
        if focused && field.is_text_like() {
            cursor = Some((lines.len(), (prefix_width + cursor_col) as u16));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{label}{pad}  "), label_style),
            Span::styled(padded, value_style),
        ]));
        if let Some(error) = &field.error {
            let room = (width as usize).saturating_sub(prefix_width).max(10);
            for part in wrap(error, room) {
                lines.push(Line::from(Span::styled(
                    format!("{}{part}", " ".repeat(prefix_width)),
                    error_style(),
                )));
            }
        }
    }
    if let Some(error) = &form.error {
        lines.push(Line::from(""));
        for part in wrap(error, width as usize) {
            lines.push(Line::from(Span::styled(part, error_style())));
        }
    }
    FormLines { lines, cursor }
}

/// What a field shows on its line, at most `width` columns, and where the cursor is in it.
/// Only the field being typed in scrolls to its cursor; the others show their beginning.
pub(super) fn shown_value(
    field: &crate::app::form::Field,
    focused: bool,
    width: usize,
    i18n: &I18n,
) -> (String, usize) {
    match &field.value {
        FieldValue::Text(input) => {
            let scroll = if focused {
                input.visual_scroll(width.saturating_sub(1))
            } else {
                0
            };
            let visible = skip_columns(input.value(), scroll, width);
            (visible, input.visual_cursor().saturating_sub(scroll))
        }
        FieldValue::Lines { text, .. } => {
            let first = text.lines().next().unwrap_or("");
            let more = if text.contains('\n') { " …" } else { "" };
            let shown = skip_columns(first, 0, width.saturating_sub(more.width()));
            (format!("{shown}{more}"), 0)
        }
        FieldValue::Secret(secret) => {
            let n = secret.chars().min(width.saturating_sub(1));
            ("*".repeat(n), n)
        }
        FieldValue::Scale { text, .. } | FieldValue::Multi { text, .. } => (text.clone(), 0),
        FieldValue::Choice {
            options,
            index,
            coded,
        } => {
            let option = options.get(*index).cloned().unwrap_or_default();
            let text = if *coded {
                let key = crate::app::clients::option_label_key(field.label, &option);
                i18n.t_owned(key).to_string()
            } else {
                option
            };
            (format!("< {text} >"), 0)
        }
    }
}

/// What goes under a long form: what is wrong with the focused field, how many fields need
/// attention, the store's answer — or, when all is well, `hint`.
pub(super) fn form_notes(form: &Form, i18n: &I18n, width: usize, hint: &str) -> Vec<Line<'static>> {
    let red = Style::new().fg(Color::Red);
    let mut notes: Vec<Line> = Vec::new();
    if let Some(field) = form.focused()
        && let Some(error) = &field.error
    {
        let sentence = i18n.fill(
            "rule.client.sentence",
            &[("field", i18n.t(field.label)), ("rule", error)],
        );
        for part in wrap(&sentence, width) {
            notes.push(Line::from(Span::styled(part, red)));
        }
    }
    let broken = form.fields.iter().filter(|f| f.error.is_some()).count();
    if broken > 0 {
        notes.push(Line::from(Span::styled(
            i18n.fill("clients.fields_to_fix", &[("count", &broken.to_string())]),
            red.add_modifier(Modifier::BOLD),
        )));
    }
    if let Some(error) = &form.error {
        for part in wrap(error, width) {
            notes.push(Line::from(Span::styled(part, red)));
        }
    }
    if notes.is_empty() {
        for part in wrap(hint, width) {
            notes.push(Line::from(Span::styled(part, dim())));
        }
    }
    notes
}

/// Splits `text` into lines of at most `width` columns (see [`crate::text::wrap`]); each
/// of its own lines starts a new one. Nothing for empty text.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.lines()
        .flat_map(|line| crate::text::wrap(line, width))
        .collect()
}

/// The part of `text` from display column `skip`, at most `width` columns wide.
pub(super) fn skip_columns(text: &str, skip: usize, width: usize) -> String {
    let mut column = 0;
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if column < skip {
            column += w;
            continue;
        }
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

/// A bordered box with some text, a form, and more text.
pub(super) struct FormBox<'a> {
    pub title: &'a str,
    pub width: u16,
    pub intro: Vec<(String, Style)>,
    pub outro: Vec<(String, Style)>,
}

/// Draws the box centred in `within`, as tall as its content, and puts the terminal cursor
/// in the focused field (where an input method shows what is being composed).
pub(super) fn render_form_box(
    frame: &mut Frame,
    within: Rect,
    spec: FormBox,
    form: &Form,
    i18n: &I18n,
) {
    let width = spec.width.min(within.width);
    let inner_width = width.saturating_sub(4);
    let body = form_lines(form, i18n, inner_width);
    let wrapped = |texts: Vec<(String, Style)>| -> Vec<Line<'static>> {
        texts
            .into_iter()
            .flat_map(|(text, style)| {
                let parts = if text.is_empty() {
                    vec![String::new()]
                } else {
                    wrap(&text, inner_width as usize)
                };
                parts
                    .into_iter()
                    .map(move |part| Line::from(Span::styled(part, style)))
            })
            .collect()
    };
    let mut lines = wrapped(spec.intro);
    let form_top = lines.len();
    lines.extend(body.lines);
    lines.extend(wrapped(spec.outro));
    let area = popup(within, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(format!(" {} ", spec.title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if let Some((row, col)) = body.cursor {
        let y = inner.y + (form_top + row) as u16;
        if y < inner.bottom() {
            frame.set_cursor_position(Position::new(inner.x + col.min(inner.width), y));
        }
    }
}

pub fn render_body(frame: &mut Frame, area: Rect, app: &App, keymap: &Keymap) {
    let i18n = app.i18n;
    match &app.phase {
        Phase::Setup(form) => {
            let intro = vec![
                plain(i18n.t("setup.intro")),
                (i18n.fill("ui.store_at", &[("dir", &app.store_dir)]), dim()),
                plain(i18n.t("setup.rule")),
                plain(""),
            ];
            render_form_box(
                frame,
                area,
                FormBox {
                    title: i18n.t("setup.title"),
                    width: 74,
                    intro,
                    outro: Vec::new(),
                },
                form,
                i18n,
            );
        }
        Phase::Login(form) => {
            let intro = vec![
                plain(i18n.t("login.intro")),
                (i18n.fill("ui.store_at", &[("dir", &app.store_dir)]), dim()),
                plain(""),
            ];
            let mut outro = Vec::new();
            if app.demo {
                let note = Style::new().fg(Color::Yellow);
                let hint = i18n.fill(
                    "login.demo_hint",
                    &[("passphrase", crate::domain::staff::DEMO_PASSPHRASE)],
                );
                outro.push(plain(""));
                outro.push((hint, note));
                outro.push((i18n.t("login.demo_warning").to_string(), note));
            }
            render_form_box(
                frame,
                area,
                FormBox {
                    title: i18n.t("login.title"),
                    width: 66,
                    intro,
                    outro,
                },
                form,
                i18n,
            );
        }
        Phase::Main(main) => match &main.lock {
            Some(lock) => {
                let who = i18n.fill(
                    "lock.who",
                    &[("name", &main.session.name), ("id", &main.session.staff_id)],
                );
                let why = if lock.idle {
                    "lock.idle"
                } else {
                    "lock.manual"
                };
                let intro = vec![
                    (who, Style::new()),
                    plain(i18n.t(why)),
                    plain(""),
                    plain(i18n.t("lock.prompt")),
                ];
                render_form_box(
                    frame,
                    area,
                    FormBox {
                        title: i18n.t("lock.title"),
                        width: 60,
                        intro,
                        outro: Vec::new(),
                    },
                    &lock.form,
                    i18n,
                );
            }
            None => match main.tab {
                Tab::Overview => render_overview(frame, area, app, main, keymap),
                Tab::Staff => render_staff(frame, area, app, main, keymap),
                Tab::Audit => render_audit(frame, area, app, main),
                Tab::Clients => super::clients_view::render(frame, area, app, main, keymap),
                Tab::Complaints => super::complaints_view::render(frame, area, app, main, keymap),
                Tab::Care => super::care_view::render(frame, area, app, main),
                Tab::Survey => super::survey_view::render(frame, area, app, main, keymap),
                Tab::Sync => super::sync_view::render(frame, area, app, main),
            },
        },
    }
}

fn render_overview(frame: &mut Frame, area: Rect, app: &App, main: &MainState, keymap: &Keymap) {
    let i18n = app.i18n;
    let s = &main.session;
    let role = i18n.role(s.role);
    let mut lines = vec![
        Line::from(Span::styled(
            i18n.fill(
                "overview.welcome",
                &[("name", &s.name), ("id", &s.staff_id), ("role", role)],
            ),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Line::from(i18n.fill(
            "overview.branch",
            &[("code", &s.branch.code), ("name", &s.branch.name)],
        )),
        Line::from(match &s.previous_login {
            Some(at) => i18n.fill(
                "overview.previous_login",
                &[("at", &local_time(app, at, TO_THE_SECOND))],
            ),
            None => i18n.t("overview.first_login").to_string(),
        }),
    ];
    if s.failed_attempts_before > 0 {
        lines.push(Line::from(Span::styled(
            i18n.fill(
                "status.failed_attempts",
                &[("count", &s.failed_attempts_before.to_string())],
            ),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        )));
    }
    lines.push(Line::from(Span::styled(
        i18n.fill("ui.store_at", &[("dir", &app.store_dir)]),
        dim(),
    )));
    let lock_key = keymap
        .key_label(&[Context::Global], Command::Lock)
        .unwrap_or_default();
    lines.push(Line::from(i18n.fill(
        "overview.idle_lock",
        &[
            ("minutes", &(app.idle_limit.as_secs() / 60).to_string()),
            ("key", &lock_key),
        ],
    )));
    if s.branch.demo {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            i18n.t("login.demo_warning").to_string(),
            Style::new().fg(Color::Yellow),
        )));
    }
    let screens: Vec<Tab> = app
        .tabs()
        .into_iter()
        .filter(|t| *t != Tab::Overview)
        .collect();
    if !screens.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(i18n.t("overview.screens")));
        for tab in screens {
            let key = tab
                .command()
                .and_then(|c| keymap.key_label(&[Context::Global], c))
                .unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {key:<4}"),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!(
                    "{} — {}",
                    i18n.t(tab.label_key()),
                    i18n.t(tab.about_key())
                )),
            ]));
        }
    }
    let block = Block::bordered()
        .title(format!(" {} ", i18n.t("tab.overview")))
        .padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn header_row(cells: Vec<&str>) -> Row<'static> {
    Row::new(cells.into_iter().map(str::to_string).collect::<Vec<_>>())
        .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED))
}

fn selected_style() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

fn render_staff(frame: &mut Frame, area: Rect, app: &App, main: &MainState, keymap: &Keymap) {
    let i18n = app.i18n;
    let screen = &main.staff;
    let rows: Vec<Row> = screen
        .rows
        .iter()
        .map(|s| {
            Row::new(vec![
                s.id.clone(),
                s.name.clone(),
                i18n.role(s.role).to_string(),
                i18n.staff_status(s.status).to_string(),
                s.locked_until
                    .map(|t| {
                        let local = t.with_timezone(&app.now.timezone());
                        i18n.fill(
                            "staff.locked_until",
                            &[("time", &local.format("%H:%M").to_string())],
                        )
                    })
                    .unwrap_or_default(),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Length(14),
            Constraint::Length(21),
            Constraint::Length(9),
            Constraint::Min(8),
        ],
    )
    .header(header_row(vec![
        i18n.t("col.staff_id"),
        i18n.t("col.name"),
        i18n.t("col.role"),
        i18n.t("col.status"),
        i18n.t("col.locked_until"),
    ]))
    .row_highlight_style(selected_style())
    .highlight_symbol("> ")
    .block(Block::bordered().title(format!(
        " {} ({}) ",
        i18n.t("tab.staff"),
        screen.rows.len()
    )));
    let mut state =
        TableState::default().with_selected((!screen.rows.is_empty()).then_some(screen.selected));
    frame.render_stateful_widget(table, area, &mut state);

    match &screen.overlay {
        Some(StaffOverlay::Add(form)) => {
            let intro = vec![plain(i18n.t("staff.add_intro")), plain("")];
            render_form_box(
                frame,
                area,
                FormBox {
                    title: i18n.t("staff.add_title"),
                    width: 72,
                    intro,
                    outro: Vec::new(),
                },
                form,
                i18n,
            );
        }
        Some(StaffOverlay::Reset { id, form }) => {
            let intro = vec![
                (i18n.fill("staff.reset_intro", &[("id", id)]), Style::new()),
                plain(""),
            ];
            render_form_box(
                frame,
                area,
                FormBox {
                    title: i18n.t("staff.reset_title"),
                    width: 72,
                    intro,
                    outro: Vec::new(),
                },
                form,
                i18n,
            );
        }
        Some(StaffOverlay::ConfirmDisable(id)) => {
            render_confirm(
                frame,
                area,
                i18n,
                keymap,
                &i18n.fill("staff.confirm_disable", &[("id", id)]),
            );
        }
        Some(StaffOverlay::ConfirmUnlock(id)) => {
            render_confirm(
                frame,
                area,
                i18n,
                keymap,
                &i18n.fill("staff.confirm_unlock", &[("id", id)]),
            );
        }
        None => {}
    }
}

fn audit_action_label(i18n: &I18n, action: &str) -> String {
    let key = format!("audit.action.{action}");
    let label = i18n.t(&key);
    if label == key {
        action.to_string()
    } else {
        label.to_string()
    }
}

fn render_audit(frame: &mut Frame, area: Rect, app: &App, main: &MainState) {
    let i18n = app.i18n;
    let screen = &main.audit;
    let rows: Vec<Row> = screen
        .rows
        .iter()
        .map(|r| {
            Row::new(vec![
                r.id.to_string(),
                local_time(app, &r.at, TO_THE_SECOND),
                r.actor.clone(),
                audit_action_label(i18n, &r.action),
                if r.entity == "store" {
                    i18n.t("audit.this_store").to_string()
                } else {
                    r.entity_id.clone()
                },
            ])
        })
        .collect();
    let title = if screen.loading {
        format!(" {} ({}) ", i18n.t("tab.audit"), i18n.t("status.loading"))
    } else {
        format!(" {} ", i18n.t("tab.audit"))
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(19),
            Constraint::Length(11),
            Constraint::Length(17),
            Constraint::Min(8),
        ],
    )
    .header(header_row(vec![
        "#",
        i18n.t("col.time"),
        i18n.t("col.actor"),
        i18n.t("col.action"),
        i18n.t("col.subject"),
    ]))
    .row_highlight_style(selected_style())
    .highlight_symbol("> ")
    .block(Block::bordered().title(title));
    let mut state =
        TableState::default().with_selected((!screen.rows.is_empty()).then_some(screen.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

pub(super) fn render_confirm(
    frame: &mut Frame,
    area: Rect,
    i18n: &I18n,
    keymap: &Keymap,
    question: &str,
) {
    let box_area = popup(area, 56, 7);
    frame.render_widget(Clear, box_area);
    let keys: Vec<String> = [Command::Confirm, Command::Back]
        .into_iter()
        .filter_map(|command| {
            let key = keymap.key_label(&[Context::Confirm], command)?;
            Some(format!(
                "{key} {}",
                super::ui::command_label(i18n, Context::Confirm, command)
            ))
        })
        .collect();
    let lines = vec![
        Line::from(question.to_string()),
        Line::from(""),
        Line::from(Span::styled(keys.join(" · "), dim())),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .title(format!(" {} ", i18n.t("confirm.title")))
                .padding(ratatui::widgets::Padding::horizontal(1)),
        ),
        box_area,
    );
}

pub fn render_modal(frame: &mut Frame, area: Rect, app: &App, keymap: &Keymap) {
    let i18n = app.i18n;
    match app.modal {
        Some(Modal::Quit) => {
            let question = if app.main().is_some() {
                i18n.t("confirm.quit_logged_in")
            } else {
                i18n.t("confirm.quit")
            };
            render_confirm(frame, area, i18n, keymap, question);
        }
        Some(Modal::Discard) => {
            render_confirm(frame, area, i18n, keymap, i18n.t("confirm.discard"))
        }
        Some(Modal::Help { scroll }) => render_help(frame, area, app, keymap, scroll),
        None => {}
    }
}

/// F1: every live binding, grouped by where it applies, straight from the keymap.
pub fn help_lines(app: &App, keymap: &Keymap) -> Vec<Line<'static>> {
    let i18n = app.i18n;
    let order = [
        Context::Global,
        Context::Form,
        Context::Field,
        Context::Choice,
        Context::List,
        Context::Lines,
        Context::Lookup,
        Context::Client,
        Context::Complaints,
        Context::Complaint,
        Context::Care,
        Context::Survey,
        Context::SurveyStats,
        Context::Staff,
        Context::Audit,
        Context::Lock,
        Context::Confirm,
    ];
    let mut lines = Vec::new();
    for context in order {
        let entries: Vec<(String, String)> = keymap
            .bindings()
            .iter()
            .filter(|b| b.context == context && app.enabled(b.command))
            .filter(|_| match context {
                Context::Staff => app.tabs().contains(&Tab::Staff),
                Context::Audit => app.tabs().contains(&Tab::Audit),
                Context::Lookup | Context::Client => app.tabs().contains(&Tab::Clients),
                Context::Complaints | Context::Complaint => app.tabs().contains(&Tab::Complaints),
                _ => true,
            })
            .map(|b| {
                let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
                (
                    keys.join(" / "),
                    super::ui::command_label(i18n, context, b.command),
                )
            })
            .collect();
        if entries.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(
            i18n.t(&format!("context.{}", context.name())).to_string(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )));
        for (keys, label) in entries {
            let pad = 20usize.saturating_sub(keys.width());
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {keys}"),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!("{}{label}", " ".repeat(pad))),
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
    frame.render_widget(Clear, box_area);
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

#[cfg(test)]
mod tests {
    use super::wrap;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn wrap_breaks_english_at_spaces_and_chinese_anywhere() {
        let en = wrap("Passphrase: at least twelve characters long", 20);
        assert_eq!(en, ["Passphrase: at least", "twelve characters", "long"]);
        let zh = wrap("员工号：3–32 个字母、数字", 10);
        assert!(zh.iter().all(|l| l.width() <= 10), "{zh:?}");
        assert_eq!(zh.concat().replace(' ', ""), "员工号：3–32个字母、数字");
    }
}
