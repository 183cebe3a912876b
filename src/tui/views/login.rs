//! Before and around the screens: the first-run wizard, the login form, the lock screen.

use crate::app::form::Form;
use crate::app::{App, LockState, MainState};
use crate::domain::staff::DEMO_PASSPHRASE;
use crate::tui::kit::{FormBox, dim, plain, render_form_box};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};

pub fn render_setup(frame: &mut Frame, area: Rect, app: &App, form: &Form) {
    let i18n = app.i18n;
    let intro = vec![
        plain(i18n.t("setup.intro")),
        (i18n.fill("ui.store_at", &[("dir", &app.store_dir)]), dim()),
        plain(i18n.t("setup.rule")),
        plain(""),
    ];
    let spec = FormBox {
        title: i18n.t("setup.title"),
        width: 74,
        intro,
        outro: Vec::new(),
    };
    render_form_box(frame, area, spec, form, i18n);
}

pub fn render_login(frame: &mut Frame, area: Rect, app: &App, form: &Form) {
    let i18n = app.i18n;
    let intro = vec![
        plain(i18n.t("login.intro")),
        (i18n.fill("ui.store_at", &[("dir", &app.store_dir)]), dim()),
        plain(""),
    ];
    let mut outro = Vec::new();
    if app.demo {
        let note = Style::new().fg(Color::Yellow);
        let hint = i18n.fill("login.demo_hint", &[("passphrase", DEMO_PASSPHRASE)]);
        outro.push(plain(""));
        outro.push((hint, note));
        outro.push((i18n.t("login.demo_warning").to_string(), note));
    }
    let spec = FormBox {
        title: i18n.t("login.title"),
        width: 66,
        intro,
        outro,
    };
    render_form_box(frame, area, spec, form, i18n);
}

/// The lock screen: who is away, and their passphrase to come back. Nothing of the screen
/// behind it is drawn.
pub fn render_lock(frame: &mut Frame, area: Rect, app: &App, main: &MainState, lock: &LockState) {
    let i18n = app.i18n;
    let who = i18n.fill(
        "lock.who",
        &[("name", &main.session.name), ("id", &main.session.staff_id)],
    );
    let why = if lock.idle {
        "lock.idle"
    } else {
        "lock.manual"
    };
    let intro = vec![
        (who, Style::new()),
        plain(i18n.t(why)),
        plain(""),
        plain(i18n.t("lock.prompt")),
    ];
    let spec = FormBox {
        title: i18n.t("lock.title"),
        width: 60,
        intro,
        outro: Vec::new(),
    };
    render_form_box(frame, area, spec, &lock.form, i18n);
}
