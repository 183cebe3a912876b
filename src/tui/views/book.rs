//! The book screen: whose book and how old the snapshot is, the segments with their sizes
//! down the left (the one shown marked), and the clients of that segment on the right with
//! their tier, AUM, value and what is worth acting on (the selected one's in full below).

use crate::app::App;
use crate::app::book::BookScreen;
use crate::i18n::{Lang, yuan};
use crate::tui::kit::{self, dim, fit, header_row, selected_style};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

/// The width of the segment column.
const SEGMENTS_WIDTH: u16 = 20;

pub fn render(frame: &mut Frame, area: Rect, app: &App, screen: &BookScreen) {
    let i18n = app.i18n;
    let zh = i18n.lang == Lang::Zh;
    let Some(book) = &screen.book else {
        let block = Block::bordered().title(format!(" {} ", i18n.t("tab.book")));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if screen.loading {
            i18n.t("status.loading")
        } else {
            ""
        };
        frame.render_widget(Paragraph::new(Span::styled(text, dim())), inner);
        return;
    };
    let title = book.heading(i18n);
    let block = Block::bordered().title(Span::styled(
        format!(" {title} "),
        Style::new().add_modifier(Modifier::BOLD),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [left, right] =
        Layout::horizontal([Constraint::Length(SEGMENTS_WIDTH), Constraint::Min(20)]).areas(inner);

    let segments: Vec<Line> = book
        .segments
        .iter()
        .map(|s| {
            kit::counted_line(
                &book.segment_name(i18n, &s.segment),
                s.clients,
                SEGMENTS_WIDTH,
                s.segment == book.segment,
                Style::new(),
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(segments), left);

    let [heading, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(right);
    let showing = i18n.fill(
        "book.showing",
        &[
            ("segment", &book.segment_name(i18n, &book.segment)),
            ("shown", &book.clients.len().to_string()),
            ("total", &book.total.to_string()),
        ],
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            fit(&showing, usize::from(heading.width)),
            Style::new().fg(Color::Cyan),
        )),
        heading,
    );
    if book.clients.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(i18n.t("book.empty").to_string(), dim())),
            list,
        );
        return;
    }
    let rows: Vec<Row> = book
        .clients
        .iter()
        .map(|c| {
            Row::new(vec![
                c.name.clone(),
                book.tier_name(&c.tier, zh).to_string(),
                yuan(c.aum),
                c.value.to_string(),
                c.note(i18n, &book.segment),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(if zh { 8 } else { 9 }),
            Constraint::Length(14),
            Constraint::Length(4),
            Constraint::Min(8),
        ],
    )
    .header(header_row(vec![
        i18n.t("book.col.name"),
        i18n.t("book.col.tier"),
        i18n.t("book.col.aum"),
        i18n.t("book.col.value_short"),
        i18n.t("book.col.note"),
    ]))
    .column_spacing(1)
    .row_highlight_style(selected_style())
    .highlight_symbol(">");
    let mut state = TableState::default().with_selected(Some(screen.selected.index));
    let total = book.clients.len();
    frame.render_stateful_widget(table, list, &mut state);
    kit::table_scrollbar(frame, area, list, true, total, &state);
    // The selected client in full: the column above is narrow at 80 columns.
    if let Some(client) = screen.selected_client() {
        let text = format!(
            "{} · {}",
            client.client_no,
            client.note(i18n, &book.segment)
        );
        frame.render_widget(
            Paragraph::new(Span::styled(
                fit(text.trim_end_matches(" · "), usize::from(detail.width)),
                Style::new().fg(Color::Cyan),
            )),
            detail,
        );
    }
}
