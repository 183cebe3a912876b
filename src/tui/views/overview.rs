//! The overview: who is logged in, at which branch, when they last logged in, how the lock
//! works, and the screens their role opens.

use crate::app::{App, Command, Context, MainState, Tab};
use crate::tui::keymap::Keymap;
use crate::tui::kit::{TO_THE_SECOND, dim, time_in};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App, main: &MainState, keymap: &Keymap) {
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
                &[("at", &time_in(*app.now.offset(), at, TO_THE_SECOND))],
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
