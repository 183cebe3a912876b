//! The sync screen: this store's standing with HQ, warnings, the export progress bar and
//! the last result; at HQ, the branches and their gaps.

use crate::app::App;
use crate::app::sync::{SyncPromptKind, SyncResult, SyncScreen};
use crate::i18n::I18n;
use crate::service::{HqStatus, Party, SyncView};
use crate::tui::kit::{FormBox, TO_THE_MINUTE, dim, plain, render_form_box, time_in};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph, Row, Table, Wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App, screen: &SyncScreen) {
    let i18n = app.i18n;
    let title = if screen.at_hq() {
        i18n.t("hq.view.title")
    } else {
        i18n.t("sync.view.title")
    };
    let block = Block::bordered()
        .title(format!(" {title} "))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(view) = &screen.view else {
        if screen.loading {
            frame.render_widget(
                Paragraph::new(Span::styled(i18n.t("status.loading").to_string(), dim())),
                inner,
            );
        }
        return;
    };
    let offset = *app.now.offset();
    match &view.hq {
        Some(hq) => {
            // HQ's views: the branches, or a report.
            let [views, body] =
                Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
            frame.render_widget(
                Paragraph::new(super::hq_reports::view_row(&screen.reports, i18n)),
                views,
            );
            if screen.reports.on_report() {
                super::hq_reports::render(frame, body, area, &screen.reports, i18n);
            } else {
                render_hq(frame, body, view, hq, i18n, offset);
            }
        }
        None => render_branch(frame, inner, screen, view, i18n, offset),
    }
    if let Some(prompt) = &screen.prompt {
        let intro = match prompt.kind {
            SyncPromptKind::Export => i18n.t("sync.view.export_prompt"),
            SyncPromptKind::Import => i18n.t("sync.view.import_prompt"),
        };
        let title = match prompt.kind {
            SyncPromptKind::Export => i18n.t("action.export_bundle"),
            SyncPromptKind::Import => i18n.t("action.import_reference"),
        };
        render_form_box(
            frame,
            area,
            FormBox {
                title,
                width: 74,
                intro: vec![plain(intro), plain("")],
                outro: Vec::new(),
            },
            &prompt.form,
            i18n,
        );
    }
}

fn label(text: &str) -> Span<'static> {
    Span::styled(
        format!("{text}  "),
        Style::new().add_modifier(Modifier::BOLD),
    )
}

/// Pads a label to `width` columns, so values line up in both languages.
fn padded(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

fn render_branch(
    frame: &mut Frame,
    area: Rect,
    screen: &SyncScreen,
    view: &SyncView,
    i18n: &I18n,
    offset: chrono::FixedOffset,
) {
    let s = &view.status;
    let labels = [
        "sync.view.this_store",
        "sync.view.waiting",
        "sync.view.last_export",
        "sync.view.acked",
        "sync.view.reference",
    ];
    let width = labels
        .iter()
        .map(|k| unicode_width::UnicodeWidthStr::width(i18n.t(k)))
        .max()
        .unwrap_or(0);
    let row = |key: &str, value: Span<'static>| {
        Line::from(vec![label(&padded(i18n.t(key), width)), value])
    };
    let store = format!(
        "{} · {}  ·  {} {}",
        s.code,
        s.key_id.as_deref().unwrap_or("—"),
        i18n.t("sync.hq"),
        s.hq.clone()
            .unwrap_or_else(|| i18n.t("sync.view.no_hq").to_string())
    );
    let waiting = if s.pending_ops > 0 {
        Span::raw(i18n.fill(
            "sync.view.waiting_value",
            &[
                ("changes", &s.pending_ops.to_string()),
                ("from", &(s.acked_seq + 1).to_string()),
                ("to", &s.last_seq.to_string()),
                ("kib", &(s.outbox_bytes / 1024).max(1).to_string()),
            ],
        ))
    } else {
        Span::styled(i18n.t("sync.view.nothing_waiting").to_string(), dim())
    };
    let last_export = match &s.last_export {
        Some(e) => Span::raw(format!(
            "{} · {}",
            time_in(offset, &e.at, TO_THE_MINUTE),
            e.file
        )),
        None => Span::styled(i18n.t("sync.view.never").to_string(), dim()),
    };
    let mut lines = vec![
        row("sync.view.this_store", Span::raw(store)),
        Line::from(""),
        row("sync.view.waiting", waiting),
        row("sync.view.last_export", last_export),
        row(
            "sync.view.acked",
            Span::raw(i18n.fill(
                "sync.view.acked_value",
                &[("seq", &s.acked_seq.to_string())],
            )),
        ),
        row(
            "sync.view.reference",
            Span::raw(i18n.fill(
                "sync.view.reference_value",
                &[("version", &s.ref_version.to_string())],
            )),
        ),
        Line::from(""),
    ];
    for warning in &s.warnings {
        lines.push(Line::from(Span::styled(
            warning.message(i18n),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        )));
    }
    let [text, gauge, _, result] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(4),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    if let Some((done, total)) = screen.progress {
        let ratio = if screen.running {
            if total == 0 {
                0.0
            } else {
                (done as f64 / total as f64).clamp(0.0, 1.0)
            }
        } else {
            1.0
        };
        let key = match screen.running_kind() {
            Some(SyncPromptKind::Import) => "sync.view.applying",
            Some(SyncPromptKind::Export) => "sync.view.exporting",
            None => "sync.view.export_complete",
        };
        frame.render_widget(
            Gauge::default()
                .gauge_style(Style::new().fg(Color::Cyan))
                .ratio(ratio)
                .label(i18n.fill(
                    key,
                    &[("done", &done.to_string()), ("total", &total.to_string())],
                )),
            gauge,
        );
    }
    let outcome = match &screen.result {
        Some(SyncResult::Exported(report)) => match &report.file {
            Some(file) => i18n.fill(
                "sync.view.exported",
                &[
                    ("file", &file.display().to_string()),
                    ("changes", &report.changes.to_string()),
                    ("rows", &report.ops.to_string()),
                    ("from", &report.from_seq.to_string()),
                    ("to", &report.to_seq.to_string()),
                    ("kib", &(report.bundle_bytes / 1024).max(1).to_string()),
                ],
            ),
            None => i18n.fill(
                "sync.view.exported_nothing",
                &[("seq", &report.to_seq.to_string())],
            ),
        },
        Some(SyncResult::Applied(report)) => i18n.fill(
            "sync.view.applied",
            &[
                ("version", &report.version.to_string()),
                ("acked", &report.acked_seq.to_string()),
                ("pruned", &report.pruned.to_string()),
            ],
        ),
        Some(SyncResult::Holdings(applied)) => applied.summary(i18n),
        None => String::new(),
    };
    if !screen.running && !outcome.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(outcome, Style::new().fg(Color::Green)))
                .wrap(Wrap { trim: false }),
            result,
        );
    }
}

fn render_hq(
    frame: &mut Frame,
    area: Rect,
    view: &SyncView,
    hq: &HqStatus,
    i18n: &I18n,
    offset: chrono::FixedOffset,
) {
    let s = &view.status;
    debug_assert_eq!(s.party, Party::Hq);
    let [head, table, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(2),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            label(i18n.t("sync.hq")),
            Span::styled(
                format!("{} · {}", s.code, s.key_id.as_deref().unwrap_or("—")),
                dim(),
            ),
        ])),
        head,
    );
    let rows: Vec<Row> = hq
        .branches
        .iter()
        .map(|b| {
            let gaps = b
                .quarantined
                .iter()
                .map(|g| i18n.set_aside_range(g.missing_from, g.missing_to, &g.reason))
                .collect::<Vec<_>>()
                .join(", ");
            let style = if gaps.is_empty() {
                Style::new()
            } else {
                Style::new().fg(Color::Yellow)
            };
            Row::new(vec![
                format!("{} {}", b.code, b.name),
                b.high_water.to_string(),
                b.last_import
                    .as_deref()
                    .map(|t| time_in(offset, t, TO_THE_MINUTE))
                    .unwrap_or_default(),
                gaps,
            ])
            .style(style)
        })
        .collect();
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Percentage(34),
                Constraint::Length(12),
                Constraint::Length(17),
                Constraint::Min(8),
            ],
        )
        .header(
            Row::new(vec![
                i18n.t("sync.view.col_branch"),
                i18n.t("sync.view.col_high_water"),
                i18n.t("sync.view.col_last"),
                i18n.t("sync.view.col_gaps"),
            ])
            .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)),
        ),
        table,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            i18n.fill(
                "sync.view.hq_rows",
                &[
                    ("rows", &hq.rows.to_string()),
                    ("review", &hq.review.to_string()),
                ],
            ),
            dim(),
        ))
        .wrap(Wrap { trim: false }),
        foot,
    );
}
