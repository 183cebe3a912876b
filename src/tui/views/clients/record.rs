//! A client's record: who they are, their documents and contacts (masked unless revealed),
//! life events, and the newest entries of the contact log.

use crate::app::App;
use crate::app::clients::ClientPanel;
use crate::domain::client::ExpiryStanding;
use crate::domain::mask::Visibility;
use crate::i18n::I18n;
use crate::service::ClientEvent;
use crate::tui::kit::{TO_THE_MINUTE, dim, time_in};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

fn label(i18n: &I18n, key: &str) -> Span<'static> {
    Span::styled(
        format!("{} ", i18n.t(key)),
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    )
}

pub fn render(frame: &mut Frame, area: Rect, panel: &ClientPanel, app: &App) {
    let (view, log) = (&panel.view, panel.log.as_slice());
    let i18n = app.i18n;
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let t = |key: String| i18n.t_owned(key).to_string();
    let kind = t(format!("kind.{}", view.kind.code()));
    let mut title = vec![Span::styled(
        format!(" {} · {} · {kind} ", view.name, view.client_no),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if view.visibility == Visibility::Masked {
        title.push(Span::styled(
            format!(" {} ", i18n.t("clients.masked")),
            Style::new().fg(Color::Yellow),
        ));
    } else {
        title.push(Span::styled(
            format!(" {} ", i18n.t("clients.full")),
            Style::new().fg(Color::Green),
        ));
    }
    let block = Block::bordered()
        .title(Line::from(title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let gender = view
        .gender
        .map(|g| t(format!("gender.{}", g.code())))
        .unwrap_or_else(|| "—".into());
    // A lunar-calendar client's birthday is shown as they keep it: 农历八月十五.
    let lunar_birthday = (view.birth_calendar == crate::domain::client::BirthCalendar::Lunar)
        .then(|| view.birth_date.as_deref()?.parse().ok())
        .flatten()
        .and_then(crate::domain::lunar::to_lunar)
        .map(|l| {
            let md = crate::domain::care::LunarMonthDay {
                month: l.month,
                leap: l.leap,
                day: l.day,
            };
            i18n.fill("clients.lunar_birth", &[("lunar", &i18n.lunar_text(md))])
        });
    let birth = match &view.birth_date {
        Some(date) => i18n.fill(
            "clients.birth",
            &[
                ("date", date),
                (
                    "calendar",
                    &lunar_birthday
                        .unwrap_or_else(|| t(format!("calendar.{}", view.birth_calendar.code()))),
                ),
            ],
        ),
        None => "—".into(),
    };
    let risk = view
        .risk_level
        .map(|r| format!("C{r}"))
        .unwrap_or_else(|| "—".into());
    let tags = if view.tags.is_empty() {
        "—".to_string()
    } else {
        view.tags.join("、")
    };
    let consent = t(format!(
        "yes_no.{}",
        if view.consent_marketing { "yes" } else { "no" }
    ));
    // Unknown, expiring and expired documents stand out: they need doing something about.
    let standing = ExpiryStanding::of(view.id_expiry.as_deref(), app.now.date_naive());
    let expiry_style = match standing {
        ExpiryStanding::Expired(_) => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ExpiryStanding::Soon(..) | ExpiryStanding::Unknown => Style::new().fg(Color::Yellow),
        _ => Style::new(),
    };
    let expiry = Span::styled(i18n.id_expiry_text(standing), expiry_style);
    let lines = vec![
        Line::from(vec![
            label(i18n, "client.field.gender"),
            Span::raw(format!("{gender}   ")),
            label(i18n, "client.field.birth_date"),
            Span::raw(birth),
        ]),
        Line::from(vec![
            label(i18n, "client.field.tier"),
            Span::raw(format!("{}   ", t(format!("tier.{}", view.tier.code())))),
            label(i18n, "client.field.risk_level"),
            Span::raw(format!("{risk}   ")),
            label(i18n, "client.field.assigned_rm"),
            Span::raw(format!("{}   ", text(&view.assigned_rm))),
            label(i18n, "col.branch"),
            Span::raw(view.home_branch.clone()),
        ]),
        Line::from(vec![label(i18n, "client.field.tags"), Span::raw(tags)]),
        Line::from(vec![
            label(i18n, "clients.events"),
            Span::raw(events_text(&panel.events, i18n)),
        ]),
        Line::from(""),
        Line::from(vec![
            label(i18n, "client.field.id_type"),
            Span::raw(format!(
                "{}  ",
                t(format!("id_type.{}", view.id_type.code()))
            )),
            Span::raw(format!("{}   ", view.id_number)),
            label(i18n, "client.field.id_expiry"),
            expiry,
        ]),
        Line::from(vec![
            label(i18n, "client.field.phone"),
            Span::raw(format!("{}   ", text(&view.phone))),
            label(i18n, "client.field.email"),
            Span::raw(text(&view.email)),
        ]),
        Line::from(vec![
            label(i18n, "client.field.address"),
            Span::raw(text(&view.address)),
        ]),
        Line::from(vec![
            label(i18n, "client.field.occupation"),
            Span::raw(format!("{}   ", text(&view.occupation))),
            label(i18n, "client.field.consent_marketing"),
            Span::raw(consent),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            i18n.t("clients.contact_log").to_string(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )),
    ];
    let top = lines.len() as u16;
    frame.render_widget(Paragraph::new(lines), inner);
    let log_area = Rect {
        y: inner.y + top,
        height: inner.height.saturating_sub(top),
        ..inner
    };
    let log_lines: Vec<Line> = if log.is_empty() {
        vec![Line::from(Span::styled(
            i18n.t("clients.no_contacts").to_string(),
            dim(),
        ))]
    } else {
        log.iter()
            .map(|entry| {
                let at = time_in(*app.now.offset(), &entry.at, TO_THE_MINUTE);
                Line::from(format!(
                    "{at}  {}  {}  {}",
                    entry.staff_id,
                    t(format!("channel.{}", entry.channel)),
                    entry.note
                ))
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(log_lines), log_area);
}

/// "结婚纪念日 1996-12-20 · 乔迁 2026-12-20（一次）", or a dash.
fn events_text(events: &[ClientEvent], i18n: &I18n) -> String {
    if events.is_empty() {
        return "—".into();
    }
    events
        .iter()
        .map(|e| {
            let what = e.label.clone().unwrap_or_else(|| {
                i18n.t_owned(format!("care.event.{}", e.kind.code()))
                    .to_string()
            });
            let once = if e.yearly {
                ""
            } else {
                i18n.t("clients.event_once")
            };
            format!("{what} {}{once}", e.date)
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
