//! The client screen: lookup list, client record, client form, prompts and import report.

mod points;
mod portfolio;
mod record;

use crate::app::App;
use crate::app::clients::{ClientsScreen, FORM_FIELDS, Over, PromptKind};
use crate::app::form::Form;
use crate::app::record_page::RecordPage;
use crate::domain::lookup::MatchedOn;
use crate::i18n::I18n;
use crate::service::{ImportReport, LineProblem};
use crate::tui::keymap::Keymap;
use crate::tui::kit::{
    self, FormBox, confirm, dim, field_label, form_notes, plain, popup, render_form_box,
    shown_value,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::UnicodeWidthStr;

pub fn render(frame: &mut Frame, area: Rect, app: &App, screen: &ClientsScreen, keymap: &Keymap) {
    let i18n = app.i18n;
    match (&screen.form, &screen.record) {
        (Some(form), _) => {
            let title = match &form.editing {
                Some(client_no) => i18n.fill("clients.edit_title", &[("client_no", client_no)]),
                None => i18n.t("clients.new_title").to_string(),
            };
            render_client_form(frame, area, &title, &form.form, i18n);
        }
        (None, Some(record)) => match &record.page {
            Some(RecordPage::Portfolio(page)) => {
                portfolio::render(frame, area, &record.view.name, page, app)
            }
            Some(RecordPage::Points(page)) => {
                points::render(frame, area, &record.view.name, page, app, keymap)
            }
            None => record::render(frame, area, record, app),
        },
        (None, None) => render_lookup(frame, area, screen, app),
    }
    match &screen.over {
        Some(Over::Prompt(prompt)) => {
            let (title, intro) = match prompt.kind {
                PromptKind::Reveal { .. } => ("clients.reveal_title", "clients.reveal_intro"),
                PromptKind::Note => ("clients.note_title", "clients.note_intro"),
                PromptKind::Event => ("clients.event_title", "clients.event_intro"),
                PromptKind::Import => ("clients.import_title", "clients.import_intro"),
            };
            let spec = FormBox {
                title: i18n.t(title),
                width: 72,
                intro: vec![plain(i18n.t(intro)), plain("")],
                outro: Vec::new(),
            };
            render_form_box(frame, area, spec, &prompt.form, i18n);
        }
        Some(Over::Duplicate(client_no)) => {
            let question = i18n.fill("clients.duplicate", &[("client_no", client_no)]);
            confirm(frame, area, i18n, &question, &keymap.confirm_keys(i18n));
        }
        Some(Over::Importing { rows }) => {
            let text = i18n.fill("clients.importing", &[("rows", &rows.to_string())]);
            let box_area = popup(area, 50, 5);
            kit::clear(frame, box_area);
            frame.render_widget(
                Paragraph::new(text).block(
                    Block::bordered().title(format!(" {} ", i18n.t("clients.import_title"))),
                ),
                box_area,
            );
        }
        Some(Over::Imported(report)) => render_import_report(frame, area, report, i18n),
        None => {}
    }
}

/// What an import did: counts, and the first rejected lines with their reasons.
fn render_import_report(frame: &mut Frame, area: Rect, report: &ImportReport, i18n: &I18n) {
    let mut lines = vec![i18n.fill(
        "cli.import_done",
        &[
            ("rows", &report.rows.to_string()),
            ("added", &report.added.to_string()),
            ("registered", &report.already_registered.len().to_string()),
            ("rejected", &report.rejected.len().to_string()),
        ],
    )];
    for rejected in report.rejected.iter().take(6) {
        let reason = match &rejected.problem {
            LineProblem::Invalid { errors } => errors
                .iter()
                .map(|e| crate::error::field_error_message(i18n, e))
                .collect::<Vec<_>>()
                .join(" "),
            LineProblem::Ragged { expected, found } => i18n.fill(
                "import.ragged",
                &[
                    ("expected", &expected.to_string()),
                    ("found", &found.to_string()),
                ],
            ),
            LineProblem::RepeatedInFile { first_line } => {
                i18n.fill("import.repeated", &[("line", &first_line.to_string())])
            }
        };
        lines.push(i18n.fill(
            "import.line",
            &[("line", &rejected.line.to_string()), ("reason", &reason)],
        ));
    }
    if report.rejected.len() > 6 {
        lines.push(i18n.fill(
            "clients.more_rejected",
            &[("count", &(report.rejected.len() - 6).to_string())],
        ));
    }
    let box_area = popup(area, 76, (lines.len() as u16 * 2 + 4).min(area.height));
    kit::clear(frame, box_area);
    let text: Vec<Line> = lines.into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .title(format!(" {} ", i18n.t("clients.import_title")))
                .padding(ratatui::widgets::Padding::horizontal(1)),
        ),
        box_area,
    );
}

fn matched_label(i18n: &I18n, matched: MatchedOn) -> &str {
    match matched {
        MatchedOn::Name => i18n.t("clients.matched.name"),
        MatchedOn::Pinyin => i18n.t("clients.matched.pinyin"),
        MatchedOn::Phone => i18n.t("clients.matched.phone"),
        MatchedOn::IdNumber => i18n.t("clients.matched.id_number"),
        MatchedOn::ClientNo => i18n.t("clients.matched.client_no"),
    }
}

fn render_lookup(frame: &mut Frame, area: Rect, screen: &ClientsScreen, app: &App) {
    let i18n = app.i18n;
    // Finding a client for another screen says which, and how to go back.
    let for_screen = screen.picking_for.map(|tab| i18n.t(tab.label_key()));
    let title = match for_screen {
        Some(name) => i18n.fill("clients.pick_title", &[("screen", name)]),
        None => i18n.t("tab.clients").to_string(),
    };
    let block = Block::bordered().title(format!(" {title} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [field, status, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);

    kit::render_line_field(
        frame,
        field,
        i18n.t("field.lookup"),
        &screen.lookup.fields[0],
        app.modal.is_none() && screen.over.is_none(),
        None,
    );

    let query = screen.query().trim();
    let note = if query.is_empty() {
        i18n.t("clients.hint").to_string()
    } else if screen.searching && screen.hits.is_empty() {
        i18n.t("clients.searching").to_string()
    } else if screen.hits.is_empty() && for_screen.is_some() {
        i18n.t("clients.no_match_pick").to_string()
    } else if screen.hits.is_empty() {
        i18n.t("clients.no_match").to_string()
    } else if let Some(name) = for_screen {
        i18n.fill("clients.pick_hint", &[("screen", name)])
    } else {
        let count = screen.hits.len().to_string();
        let key = match (screen.more, screen.pages_on()) {
            (true, true) => "clients.found_more",
            (true, false) => "clients.found_cap",
            (false, _) => "clients.found",
        };
        i18n.fill(key, &[("count", &count)])
    };
    let note = kit::fit(&note, usize::from(status.width).saturating_sub(1));
    frame.render_widget(
        Paragraph::new(Span::styled(format!(" {note}"), dim())),
        status,
    );

    let rows: Vec<Row> = screen
        .hits
        .iter()
        .map(|hit| {
            Row::new(vec![
                hit.client_no.clone(),
                hit.name.clone(),
                hit.phone.clone().unwrap_or_default(),
                hit.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                hit.home_branch.clone(),
                matched_label(i18n, hit.matched_on).to_string(),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(15),
            Constraint::Length(20),
            Constraint::Length(12),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Min(6),
        ],
    )
    .header(
        Row::new(vec![
            i18n.t("col.client_no").to_string(),
            i18n.t("client.field.name").to_string(),
            i18n.t("client.field.phone").to_string(),
            i18n.t("col.birth_year").to_string(),
            i18n.t("col.branch").to_string(),
            i18n.t("col.matched").to_string(),
        ])
        .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)),
    )
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .highlight_symbol("> ");
    let mut state = TableState::default()
        .with_selected((!screen.hits.is_empty()).then_some(screen.selected.index));
    frame.render_stateful_widget(table, list, &mut state);
    kit::table_scrollbar(frame, area, list, true, screen.hits.len(), &state);
}

/// The client form in two columns (seventeen fields fit an 80x24 screen that way); the
/// focused field's problem is spelled out underneath.
fn render_client_form(frame: &mut Frame, area: Rect, title: &str, form: &Form, i18n: &I18n) {
    let block = Block::bordered()
        .title(format!(" {title} "))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    kit::clear(frame, area);
    frame.render_widget(block, area);
    let half = FORM_FIELDS.len().div_ceil(2);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    // Each column as wide as its own longest label.
    let label_width = |range: std::ops::Range<usize>| {
        FORM_FIELDS[range]
            .iter()
            .map(|f| i18n.t_owned(f.label_key()).width())
            .max()
            .unwrap_or(8)
    };
    let widths = [label_width(0..half), label_width(half..FORM_FIELDS.len())];
    let mut cursor = None;
    for (index, field) in form.fields.iter().enumerate() {
        let (column, row, label_width) = if index < half {
            (left, index, widths[0])
        } else {
            (right, index - half, widths[1])
        };
        let focused = index == form.focus;
        let (prefix, label_style) = field_label(field, focused, label_width, i18n);
        let value_width = (column.width as usize).saturating_sub(prefix.width() + 1);
        let (shown, cursor_col) = shown_value(field, focused, value_width, i18n);
        let y = column.y + row as u16;
        if y >= column.bottom() {
            continue;
        }
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prefix.clone(), label_style),
                Span::styled(
                    format!(
                        "{shown}{}",
                        " ".repeat(value_width.saturating_sub(shown.width()))
                    ),
                    Style::new().add_modifier(Modifier::UNDERLINED),
                ),
            ])),
            Rect {
                y,
                height: 1,
                ..column
            },
        );
        if focused && field.is_text_like() {
            cursor = Some(Position::new(
                column.x + (prefix.width() + cursor_col) as u16,
                y,
            ));
        }
    }
    // Under the fields: what is wrong with the focused one, or how many need attention.
    let notes_top = inner.y + half as u16 + 1;
    let notes = form_notes(
        form,
        i18n,
        inner.width as usize,
        i18n.t("clients.form_hint"),
    );
    frame.render_widget(
        Paragraph::new(notes),
        Rect {
            y: notes_top,
            height: inner.bottom().saturating_sub(notes_top),
            ..inner
        },
    );
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}
