//! The terminal side: raw mode, the event loop, keys to actions, drawing.

pub mod frame;
pub mod keymap;
pub mod kit;
pub mod views;

pub use frame::{HelpEntry, HelpSection, help_lines, help_sections};

use crate::app::{Action, App, Context, Effect};
use crate::config::Config;
use crate::domain::clock::Clock;
use crate::error::{Error, Result};
use crate::i18n::{I18n, Lang};
use crate::service::{ServiceHandle, StorePaths, StoreProbe};
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// What the workstation starts with.
pub struct Launch {
    pub paths: StorePaths,
    pub probe: StoreProbe,
    pub lang: Lang,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
}

enum Event2 {
    Terminal(Event),
    Reply(crate::service::Reply),
}

/// Puts the terminal back as we found it. Safe to call more than once (the panic hook does).
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = crossterm::execute!(
        stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

fn setup_terminal() -> std::io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    crossterm::execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Turns a terminal event into an action for the app, via the keymap.
pub fn translate(app: &App, keymap: &Keymap, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) => translate_key(app, keymap, key),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) if mouse.row == 1 => {
                let width = crossterm::terminal::size().map_or(80, |(width, _)| width);
                frame::tab_layout(app, keymap, width)
                    .into_iter()
                    .find(|(_, x, width, _)| mouse.column >= *x && mouse.column < x + width)
                    .map(|(tab, ..)| Action::ClickTab(tab))
            }
            MouseEventKind::ScrollUp => Some(Action::Scroll(-1)),
            MouseEventKind::ScrollDown => Some(Action::Scroll(1)),
            _ => None,
        },
        _ => None,
    }
}

fn translate_key(app: &App, keymap: &Keymap, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let contexts = app.contexts();
    if let Some(command) = keymap.lookup(&contexts, &key) {
        return Some(Action::Command(command));
    }
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        // A choice or a scale takes digits (and y/n) as answers.
        event::KeyCode::Char(c)
            if plain
                && (contexts.contains(&Context::Field) || contexts.contains(&Context::Choice)) =>
        {
            Some(Action::Char(c))
        }
        _ => None,
    }
}

fn wall_clock(clock: &dyn Clock) -> chrono::DateTime<chrono::FixedOffset> {
    clock.now().with_timezone(&chrono::Local).fixed_offset()
}

/// Runs the workstation until the staff member quits.
pub fn run(launch: Launch) -> Result<()> {
    let i18n = I18n::for_lang(launch.lang);
    let keymap = Keymap::load(&launch.config.keymap).map_err(|detail| Error::Config {
        path: Config::default_path().unwrap_or_default(),
        detail,
    })?;
    let (events, inbox) = mpsc::channel::<Event2>();

    let replies = events.clone();
    let service = ServiceHandle::spawn(
        launch.paths.clone(),
        launch.clock.clone(),
        launch.config.store_options(),
        launch.config.slips.clone(),
        launch.config.hq_database(),
        move |reply| {
            let _ = replies.send(Event2::Reply(reply));
        },
    );
    let mut app = App::new(
        i18n,
        launch.paths.dir().display().to_string(),
        launch.probe,
        launch.config.idle_lock(),
        Instant::now(),
        wall_clock(launch.clock.as_ref()),
    );

    let mut terminal = setup_terminal().map_err(|e| Error::io("terminal", e))?;
    // Terminal input is read on its own thread so that replies and ticks are never stuck
    // behind a blocking read.
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(event) = event::read() {
                if events.send(Event2::Terminal(event)).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| Error::io("input thread", e))?;

    let result = (|| -> Result<()> {
        loop {
            terminal
                .draw(|frame| frame::render(frame, &app, &keymap))
                .map_err(|e| Error::io("terminal", e))?;
            let action = match inbox.recv_timeout(Duration::from_millis(250)) {
                Ok(Event2::Terminal(event)) => translate(&app, &keymap, event),
                Ok(Event2::Reply(reply)) => Some(Action::Reply(reply)),
                Err(RecvTimeoutError::Timeout) => Some(Action::Tick),
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            };
            let Some(action) = action else { continue };
            let effects = app.update(action, Instant::now(), wall_clock(launch.clock.as_ref()));
            for effect in effects {
                match effect {
                    Effect::Send(request) => {
                        service.send(request);
                    }
                    Effect::Quit => return Ok(()),
                }
            }
        }
    })();
    restore_terminal();
    drop(service);
    result
}
