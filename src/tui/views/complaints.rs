//! The complaints screen: the board (counts by state, ageing, cases by urgency), one case
//! with its history, the intake form, and the step and slip prompts.

mod case;

pub use case::{Steps, case_lines};

use crate::app::complaints::{ComplaintsScreen, StepPrompt};
use crate::app::form::{FieldValue, Form};
use crate::app::{App, MainState};
use crate::domain::complaint::State;
use crate::i18n::I18n;
use crate::service::{Board, ComplaintRow};
use crate::tui::kit::{
    self, FormBox, dim, field_label, form_notes, plain, render_form_box, shown_value,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Row, Table, TableState};
use unicode_width::UnicodeWidthStr;

/// Days left at or under which a case is flagged.
pub const WARN_DAYS: i64 = 3;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    main: &MainState,
    screen: &ComplaintsScreen,
) {
    let i18n = app.i18n;
    if let Some(form) = &screen.intake {
        render_intake(frame, area, form, i18n);
    } else if let Some(case) = &screen.case {
        let steps = Steps::for_session(&main.session);
        case::render(frame, area, case, screen.scroll, steps, i18n);
    } else {
        let focused = app.modal.is_none();
        render_board(frame, area, screen, i18n, focused);
    }
    let receipt_no = screen
        .case
        .as_ref()
        .map(|c| c.row.receipt_no.as_str())
        .unwrap_or_default();
    match &screen.step {
        Some(StepPrompt::Choose(form)) => {
            let intro = vec![plain(i18n.t("complaints.step_choose")), plain("")];
            step_box(frame, area, i18n, receipt_no, intro, form);
        }
        Some(StepPrompt::Details { code, form }) => {
            let intro = vec![
                (
                    i18n.t_owned(format!("complaint.step.{code}")).to_string(),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                plain(i18n.t_owned(format!("complaints.step_help.{code}"))),
                plain(""),
            ];
            step_box(frame, area, i18n, receipt_no, intro, form);
        }
        None => {}
    }
}

fn step_box(
    frame: &mut Frame,
    area: Rect,
    i18n: &I18n,
    receipt_no: &str,
    intro: Vec<(String, Style)>,
    form: &Form,
) {
    let title = i18n.fill("complaints.step_title", &[("receipt_no", receipt_no)]);
    render_form_box(
        frame,
        area,
        FormBox {
            title: &title,
            width: 72,
            intro,
            outro: Vec::new(),
        },
        form,
        i18n,
    );
}

pub(super) fn state_label(i18n: &I18n, state: State) -> &str {
    i18n.t_owned(format!("complaint.state.{}", state.code()))
}

/// "3 d", "5 d over", "paused", or "—", with the colour that goes with it.
pub(super) fn days_cell(i18n: &I18n, row: &ComplaintRow) -> (String, Style) {
    match row.days_left {
        _ if row.state == State::Waiting => (i18n.t("complaints.paused").to_string(), dim()),
        Some(days) if row.overdue => (
            i18n.fill("complaints.overdue_by", &[("n", &(-days).to_string())]),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Some(days) => {
            let style = if days <= WARN_DAYS {
                Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            (
                i18n.fill("complaints.days_left", &[("n", &days.to_string())]),
                style,
            )
        }
        None => ("—".into(), dim()),
    }
}

fn summary_line(board: &Board, i18n: &I18n) -> Line<'static> {
    let open = board.rows.iter().filter(|r| r.state.open()).count();
    let soon = board
        .rows
        .iter()
        .filter(|r| !r.overdue && r.state.clock_runs())
        .filter(|r| r.days_left.is_some_and(|d| d <= WARN_DAYS))
        .count();
    let count_style = |n: usize, color: Color| {
        if n > 0 {
            Style::new().fg(color).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    };
    let mut spans = vec![
        Span::raw(i18n.fill("complaints.open", &[("n", &open.to_string())])),
        Span::raw(" · "),
        Span::styled(
            i18n.fill("complaints.overdue", &[("n", &board.overdue.to_string())]),
            count_style(board.overdue as usize, Color::Red),
        ),
        Span::raw(" · "),
        Span::styled(
            i18n.fill(
                "complaints.due_soon",
                &[("n", &soon.to_string()), ("days", &WARN_DAYS.to_string())],
            ),
            count_style(soon, Color::Yellow),
        ),
    ];
    if let Some(year) = board.calendar_missing {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            i18n.fill(
                "complaints.calendar_missing",
                &[("year", &year.to_string())],
            ),
            Style::new().fg(Color::Yellow),
        ));
    }
    Line::from(spans)
}

fn render_board(
    frame: &mut Frame,
    area: Rect,
    screen: &ComplaintsScreen,
    i18n: &I18n,
    focused: bool,
) {
    let block = Block::bordered().title(format!(" {} ", i18n.t("tab.complaints")));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(board) = &screen.board else {
        let text = if screen.loading {
            i18n.t("status.loading")
        } else {
            ""
        };
        frame.render_widget(Paragraph::new(Span::styled(text, dim())), inner);
        return;
    };
    let [summary, charts, filter, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(summary_line(board, i18n)), summary);

    // Counts by state (three columns) and the ageing of open cases.
    let [counts, ageing] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    let mut count_lines = vec![Line::from(Span::styled(
        i18n.t("complaints.by_state").to_string(),
        Style::new().add_modifier(Modifier::BOLD),
    ))];
    // Three to a line where the words are short (Chinese), two where they are long.
    let widest = board
        .by_state
        .iter()
        .map(|(state, n)| state_label(i18n, *state).width() + 1 + n.to_string().width())
        .max()
        .unwrap_or(0)
        + 1;
    let per_line = if widest * 3 <= counts.width as usize {
        3
    } else {
        2
    };
    let cell_width = counts.width as usize / per_line;
    for chunk in board.by_state.chunks(per_line) {
        let mut spans = Vec::new();
        for (state, n) in chunk {
            let label = state_label(i18n, *state);
            let number = n.to_string();
            let pad = cell_width.saturating_sub(label.width() + 1 + number.width());
            let style = if *n > 0 { Style::new() } else { dim() };
            spans.push(Span::styled(format!("{label} "), style));
            spans.push(Span::styled(number, style.add_modifier(Modifier::BOLD)));
            spans.push(Span::raw(" ".repeat(pad)));
        }
        count_lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(count_lines), counts);

    let [ageing_title, ageing_bars] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(5)]).areas(ageing);
    frame.render_widget(
        Paragraph::new(Span::styled(
            i18n.t("complaints.ageing").to_string(),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        ageing_title,
    );
    let bars: Vec<Bar> = board
        .ageing
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let color = match i {
                0 | 1 => Color::Green,
                2 => Color::Yellow,
                _ => Color::Red,
            };
            Bar::with_label(i18n.t_owned(format!("complaints.age.{i}")).to_string(), *n)
                .style(Style::new().fg(color))
                .text_value(n.to_string())
        })
        .collect();
    frame.render_widget(
        BarChart::horizontal(bars).bar_width(1).bar_gap(0),
        ageing_bars,
    );

    // Typing narrows the board; how many cases are left says the filter is on.
    let filtering = !screen.filter.value(0).trim().is_empty();
    let count = filtering.then(|| {
        let text = i18n.fill(
            "complaints.filtered",
            &[
                ("shown", &screen.shown.len().to_string()),
                ("all", &board.rows.len().to_string()),
            ],
        );
        Span::styled(format!(" {text} "), dim())
    });
    kit::render_line_field(
        frame,
        filter,
        i18n.t("field.filter"),
        &screen.filter.fields[0],
        focused,
        count,
    );
    if screen.shown.is_empty() {
        let key = if filtering {
            "complaints.no_match"
        } else {
            "complaints.empty"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(i18n.t(key).to_string(), dim())),
            list,
        );
        return;
    }
    // Each row's cells, then columns as wide as they need (within limits) and the rest for
    // the category: at 80 columns every word counts.
    let cells: Vec<[(String, Style); 7]> = screen
        .shown_rows()
        .map(|r| {
            let plain = |text: String| (text, Style::new());
            [
                plain(r.receipt_no.clone()),
                plain(r.complainant.clone()),
                plain(
                    i18n.t_owned(format!("complaint.category.{}", r.category.code()))
                        .to_string(),
                ),
                plain(state_label(i18n, r.state).to_string()),
                plain(
                    r.due_on
                        .map(|d| d.format("%m-%d").to_string())
                        .unwrap_or_default(),
                ),
                days_cell(i18n, r),
                plain(r.handler.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let headers: Vec<String> = [
        "receipt_no",
        "complainant_name",
        "category",
        "state",
        "due_on",
        "days_left",
        "handler",
    ]
    .iter()
    .map(|name| i18n.t_owned(format!("complaint.field.{name}")).to_string())
    .collect();
    let fit = |column: usize, cap: u16| -> u16 {
        let widest = cells
            .iter()
            .map(|row| row[column].0.width())
            .chain([headers[column].width()])
            .max()
            .unwrap_or(0);
        (widest as u16).min(cap)
    };
    let widths = [
        Constraint::Length(fit(0, 19)),
        Constraint::Length(fit(1, 8)),
        Constraint::Min(6),
        Constraint::Length(fit(3, 11)),
        Constraint::Length(fit(4, 8)),
        Constraint::Length(fit(5, 10)),
        Constraint::Length(fit(6, 10)),
    ];
    // Every cell in its column's width, with "…" where a word must give (the table would
    // cut it silently). The first column is the selection marker's.
    let columns = Layout::horizontal(widths).spacing(1).split(Rect::new(
        0,
        0,
        list.width.saturating_sub(1),
        1,
    ));
    let fitted = |column: usize, text: &str| {
        kit::fit(
            text,
            columns.get(column).map_or(0, |c| usize::from(c.width)),
        )
    };
    let rows: Vec<Row> = cells
        .into_iter()
        .map(|row| {
            let mut column = 0;
            Row::new(row.map(|(text, style)| {
                let cell = Span::styled(fitted(column, &text), style);
                column += 1;
                cell
            }))
        })
        .collect();
    let headers: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(column, text)| fitted(column, text))
        .collect();
    let table = Table::new(rows, widths)
        .header(
            Row::new(headers)
                .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)),
        )
        .column_spacing(1)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol(">");
    let mut state = TableState::default().with_selected(Some(screen.selected.index));
    frame.render_stateful_widget(table, list, &mut state);
    kit::table_scrollbar(frame, area, list, true, screen.shown.len(), &state);
}

/// The intake form: one line per field, the description several lines high, and under it
/// what is wrong with the focused field.
fn render_intake(frame: &mut Frame, area: Rect, form: &Form, i18n: &I18n) {
    let block = Block::bordered()
        .title(format!(" {} ", i18n.t("complaints.intake_title")))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    kit::clear(frame, area);
    frame.render_widget(block, area);
    let label_width = form
        .fields
        .iter()
        .map(|f| i18n.t(f.label).width())
        .max()
        .unwrap_or(8);
    let client_given = !form.value(0).trim().is_empty();
    let mut y = inner.y;
    let mut cursor = None;
    for (index, field) in form.fields.iter().enumerate() {
        let focused = index == form.focus;
        let (prefix, label_style) = field_label(field, focused, label_width, i18n);
        let value_x = inner.x + prefix.width() as u16;
        let value_width = inner.right().saturating_sub(value_x + 1);
        let rows = match &field.value {
            FieldValue::Lines { rows, .. } => *rows,
            _ => 1,
        };
        if y + rows > inner.bottom() {
            break;
        }
        frame.render_widget(
            Paragraph::new(Span::styled(prefix.clone(), label_style)),
            Rect::new(inner.x, y, prefix.width() as u16, 1),
        );
        let value_area = Rect::new(value_x, y, value_width, rows);
        let underlined = Style::new().add_modifier(Modifier::UNDERLINED);
        match &field.value {
            FieldValue::Lines {
                area: text_area, ..
            } => {
                frame.render_widget(&**text_area, value_area);
                if focused {
                    let at = text_area.screen_cursor();
                    let (top, left) = text_area.scroll_offset();
                    let row = (at.row as u16).saturating_sub(top);
                    let col = (at.col as u16).saturating_sub(left);
                    cursor = Some(Position::new(
                        value_x + col.min(value_width.saturating_sub(1)),
                        y + row.min(rows - 1),
                    ));
                }
            }
            _ => {
                let (shown, cursor_col) = shown_value(field, focused, value_width as usize, i18n);
                let placeholder = index == 1 && client_given && shown.is_empty();
                let (text, style) = if placeholder {
                    (
                        i18n.t("complaints.name_from_client").to_string(),
                        dim().add_modifier(Modifier::UNDERLINED),
                    )
                } else {
                    (shown, underlined)
                };
                let pad = (value_width as usize).saturating_sub(text.width());
                frame.render_widget(
                    Paragraph::new(Span::styled(format!("{text}{}", " ".repeat(pad)), style)),
                    value_area,
                );
                if focused && field.is_text_like() {
                    cursor = Some(Position::new(value_x + cursor_col as u16, y));
                }
            }
        }
        y += rows;
    }
    let notes_top = y + 1;
    let notes = form_notes(
        form,
        i18n,
        inner.width as usize,
        // On the client field, how to find the client; elsewhere, what saving does.
        i18n.t(if form.focus == 0 {
            "complaints.client_hint"
        } else {
            "complaints.intake_hint"
        }),
    );
    if notes_top < inner.bottom() {
        frame.render_widget(
            Paragraph::new(notes),
            Rect::new(inner.x, notes_top, inner.width, inner.bottom() - notes_top),
        );
    }
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}
