//! The audit trail, newest first: when, who, what (in words), and on what.

use crate::app::App;
use crate::app::audit::AuditScreen;
use crate::tui::kit::{self, TO_THE_SECOND, dim, header_row, selected_style, time_in, wrap};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

pub fn render(frame: &mut Frame, area: Rect, app: &App, screen: &AuditScreen) {
    let i18n = app.i18n;
    let rows: Vec<Row> = screen
        .rows
        .iter()
        .map(|r| {
            Row::new(vec![
                r.id.to_string(),
                time_in(*app.now.offset(), &r.at, TO_THE_SECOND),
                r.actor.clone(),
                i18n.audit_action(&r.action),
                r.subject_text(i18n),
            ])
        })
        .collect();
    let title = if screen.loading {
        format!(" {} ({}) ", i18n.t("tab.audit"), i18n.t("status.loading"))
    } else {
        format!(" {} ", i18n.t("tab.audit"))
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Under the list: what the selected row records beyond its action (a reveal's reason,
    // a step, a file), in words.
    let [list, detail] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
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
    .highlight_symbol("> ");
    let mut state = TableState::default()
        .with_selected((!screen.rows.is_empty()).then_some(screen.selected.index));
    frame.render_stateful_widget(table, list, &mut state);
    kit::table_scrollbar(frame, area, list, true, screen.rows.len(), &state);
    if let Some(row) = screen.rows.get(screen.selected.index) {
        let words = i18n.audit_detail(&row.detail);
        if !words.is_empty() {
            let text = format!("{}{words}", i18n.t("audit.detail_label"));
            let lines: Vec<Line> = wrap(&text, usize::from(detail.width).saturating_sub(1))
                .into_iter()
                .take(2)
                .map(|part| Line::from(Span::styled(format!(" {part}"), dim())))
                .collect();
            frame.render_widget(Paragraph::new(lines), detail);
        }
    }
}
