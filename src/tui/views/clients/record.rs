//! A client's record: who they are, their documents and contacts (masked unless revealed),
//! life events, and the newest entries of the contact log.

use crate::app::App;
use crate::app::clients::ClientPanel;
use crate::domain::client::ExpiryStanding;
use crate::domain::mask::Visibility;
use crate::i18n::I18n;
use crate::service::ClientEvent;
use crate::tui::kit::{TO_THE_MINUTE, dim, fit, flow, time_in};
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
    // The tier HQ's snapshot gives and the recorded assessment, where there are ones.
    let tier = match &view.tier_now {
        Some(tier) if i18n.lang == crate::i18n::Lang::Zh => tier.name_zh.clone(),
        Some(tier) => tier.name_en.clone(),
        None => t(format!("tier.{}", view.tier.code())),
    };
    let risk = match view.assessed {
        Some((level, until)) if until >= app.now.date_naive() => i18n.fill(
            "clients.assessed",
            &[("level", &level.to_string()), ("until", &until.to_string())],
        ),
        Some((level, until)) => i18n.fill(
            "clients.assessment_lapsed",
            &[("level", &level.to_string()), ("until", &until.to_string())],
        ),
        None => i18n.t("clients.not_assessed").to_string(),
    };
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
    let item = |key: &str, value: String| vec![label(i18n, key), Span::raw(value)];
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    // What may not be done for the client comes first, in red, for whoever serves them.
    lines.extend(banner(&view.aml, i18n, width));
    let mut add = |items: Vec<Vec<Span<'static>>>| lines.extend(flow(items, width));
    add(vec![
        item("client.field.gender", gender),
        item("client.field.birth_date", birth),
    ]);
    add(vec![
        item("client.field.tier", tier),
        item("client.field.risk_level", risk),
        item("client.field.assigned_rm", text(&view.assigned_rm)),
        item("col.branch", view.home_branch.clone()),
    ]);
    if let Some(aml) = aml_text(&view.aml, i18n) {
        add(vec![item("clients.aml", aml)]);
    }
    if let Some(points) = &view.points {
        add(vec![item("clients.points", points_text(points, i18n))]);
    }
    add(vec![item("client.field.tags", tags)]);
    add(vec![item(
        "clients.events",
        events_text(&panel.events, i18n),
    )]);
    add(vec![vec![Span::raw("")]]);
    add(vec![
        item(
            "client.field.id_type",
            format!(
                "{}  {}",
                t(format!("id_type.{}", view.id_type.code())),
                view.id_number
            ),
        ),
        vec![label(i18n, "client.field.id_expiry"), expiry],
    ]);
    add(vec![
        item("client.field.phone", text(&view.phone)),
        item("client.field.email", text(&view.email)),
    ]);
    add(vec![item("client.field.address", text(&view.address))]);
    add(vec![
        item("client.field.occupation", text(&view.occupation)),
        item("client.field.consent_marketing", consent),
    ]);
    add(vec![vec![Span::raw("")]]);
    lines.push(Line::from(Span::styled(
        i18n.t("clients.contact_log").to_string(),
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    )));
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
                let entry = format!(
                    "{at}  {}  {}  {}",
                    entry.staff_id,
                    t(format!("channel.{}", entry.channel)),
                    entry.note.replace('\n', " ")
                );
                Line::from(fit(&entry, width))
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(log_lines), log_area);
}

/// The restriction or the end of the relationship, as a line of its own.
fn banner(aml: &crate::domain::aml::RiskLine, i18n: &I18n, width: usize) -> Vec<Line<'static>> {
    let red = Style::new()
        .bg(Color::Red)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD);
    let (text, style) = match (aml.closed_on, aml.restricted_since) {
        (Some(on), _) => (
            i18n.fill("clients.closed_banner", &[("on", &on.to_string())]),
            Style::new().bg(Color::DarkGray).fg(Color::White),
        ),
        (None, Some(since)) if aml.lifted_today => (
            i18n.fill(
                "clients.restricted_lifted",
                &[("since", &since.to_string())],
            ),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
        (None, Some(since)) => (
            i18n.fill(
                "clients.restricted_banner",
                &[("since", &since.to_string())],
            ),
            red,
        ),
        (None, None) => return Vec::new(),
    };
    crate::tui::kit::wrap(&text, width)
        .into_iter()
        .map(|part| Line::from(Span::styled(part, style)))
        .collect()
}

/// "中风险 · 复评 2027-06-01 · 现金交易较多 +8、非面对面 +10", for staff who see ratings.
fn aml_text(aml: &crate::domain::aml::RiskLine, i18n: &I18n) -> Option<String> {
    let (kind, on) = aml.due.as_ref()?;
    let level = match &aml.level {
        Some(level) => i18n.pick(&level.name_zh, &level.name_en).to_string(),
        None => i18n.t("risk.unrated").to_string(),
    };
    let mut parts = vec![
        level,
        format!("{} {on}", i18n.t_owned(format!("risk.due.{kind}"))),
    ];
    if !aml.factors.is_empty() {
        parts.push(
            aml.factors
                .iter()
                .map(|(f, points)| format!("{} +{points}", i18n.pick(&f.name_zh, &f.name_en)))
                .collect::<Vec<_>>()
                .join(i18n.t("clients.list_separator")),
        );
    }
    Some(parts.join(" · "))
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

/// The points line: the balance, and what lapses within 90 days if anything does.
fn points_text(points: &crate::domain::loyalty::PointsLine, i18n: &I18n) -> String {
    let mut text = points.balance.to_string();
    if points.lapsing > 0 {
        text.push_str(&i18n.fill(
            "clients.points_lapsing",
            &[
                ("points", &points.lapsing.to_string()),
                ("until", &points.lapsing_until.to_string()),
            ],
        ));
    }
    text
}
