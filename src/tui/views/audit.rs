//! The audit trail, newest first: when, who, what (in words), and on what.

use crate::app::App;
use crate::app::audit::AuditScreen;
use crate::i18n::I18n;
use crate::tui::kit::{TO_THE_SECOND, header_row, selected_style, time_in};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Row, Table, TableState};

fn audit_action_label(i18n: &I18n, action: &str) -> String {
    let key = format!("audit.action.{action}");
    let label = i18n.t(&key);
    if label == key {
        action.to_string()
    } else {
        label.to_string()
    }
}

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
    let mut state = TableState::default()
        .with_selected((!screen.rows.is_empty()).then_some(screen.selected.index));
    frame.render_stateful_widget(table, area, &mut state);
}
