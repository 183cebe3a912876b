//! From a keystroke in the lookup field to the redrawn 80x24 screen: the app turns it into
//! a lookup, the store answers, the app takes the answer, the screen is drawn.

use super::percentile;
use crate::error::Result;
use crate::store::Session;
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// What the workstation does on a keystroke in the lookup field: the app turns it into a
/// lookup, the store answers, the app takes the answer, the screen is drawn (80x24).
pub fn keystrokes(session: &Session, queries: &[String]) -> Result<Latency> {
    use crate::app::{Action, App, Command, Effect};
    use crate::service::{Reply, Request};
    let i18n = crate::i18n::I18n::for_lang(crate::i18n::Lang::Zh);
    let keymap =
        crate::tui::keymap::Keymap::load(&Default::default()).map_err(crate::Error::internal)?;
    let start = Instant::now();
    let wall = chrono::Local::now().fixed_offset();
    let mut app = App::new(
        i18n,
        "bench".into(),
        crate::store::StoreProbe::Present { demo: true },
        Duration::from_secs(300),
        start,
        wall,
    );
    let me = session.me();
    app.update(
        Action::Reply(Reply::LoggedIn(Box::new(crate::service::SessionInfo {
            staff_id: me.id.to_string(),
            name: me.name.clone(),
            role: me.role,
            branch: session.branch().clone(),
            failed_attempts_before: 0,
            previous_login: None,
            care_due: None,
            risk_overdue: None,
        }))),
        start,
        wall,
    );
    app.update(Action::Command(Command::ClientsScreen), start, wall);
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut terminal = ratatui::Terminal::new(backend).map_err(crate::Error::internal)?;
    let mut times = Vec::with_capacity(queries.len());
    for query in queries {
        app.update(Action::Command(Command::ClearField), start, wall);
        let mut chars = query.chars();
        let Some(last) = chars.next_back() else {
            continue;
        };
        app.update(Action::Paste(chars.as_str().to_string()), start, wall);
        let began = Instant::now();
        let effects = app.update(Action::Char(last), start, wall);
        for effect in effects {
            if let Effect::Send(Request::Search {
                query,
                generation,
                limit,
            }) = effect
            {
                let hits = session.search_clients(&query, limit)?;
                app.update(Action::Reply(Reply::Hits { generation, hits }), start, wall);
            }
        }
        terminal
            .draw(|frame| crate::tui::frame::render(frame, &app, &keymap))
            .map_err(crate::Error::internal)?;
        times.push(began.elapsed());
    }
    times.sort();
    Ok(Latency {
        queries: times.len(),
        p50_ms: percentile(&times, 0.50),
        p99_ms: percentile(&times, 0.99),
    })
}
