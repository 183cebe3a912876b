//! Logs and crash reports. Both go to `STORE/logs/`, both are plain text on disk, so neither
//! may ever hold personal data or secrets: log events name actions, staff IDs and error
//! kinds, never client fields, and a crash report has the location and backtrace but not the
//! panic message (which could quote data).

use crate::i18n::{I18n, Lang};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Keeps the log writer alive; drop it last.
pub struct LogGuard {
    _guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Starts daily-rotated logs in `logs_dir`, keeping two weeks. Logging is a convenience: if
/// the directory cannot be written, the program runs without it.
pub fn init(logs_dir: &Path) -> LogGuard {
    let built = crate::store::create_private_dir(logs_dir)
        .ok()
        .and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("branchdesk")
                .filename_suffix("log")
                .max_log_files(14)
                .build(logs_dir)
                .ok()
        });
    let Some(appender) = built else {
        return LogGuard { _guard: None };
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
    LogGuard {
        _guard: Some(guard),
    }
}

struct CrashContext {
    dir: Option<PathBuf>,
    lang: Lang,
}

static CRASH: Mutex<CrashContext> = Mutex::new(CrashContext {
    dir: None,
    lang: Lang::En,
});

/// Where crash reports go from now on (set once the store directory is known), and the
/// language of the sentence that announces one.
pub fn set_crash_context(dir: Option<&Path>, lang: Lang) {
    if let Ok(mut context) = CRASH.lock() {
        if let Some(dir) = dir {
            context.dir = Some(dir.to_path_buf());
        }
        context.lang = lang;
    }
}

/// Installs a panic hook that first runs `restore_terminal`, then writes a crash report and
/// prints one sentence saying where it is.
pub fn install_panic_hook(restore_terminal: fn()) {
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown".into());
        let backtrace = std::backtrace::Backtrace::force_capture();
        let report = format!(
            "branchdesk {} crashed at {location}\nthread: {}\n\n{backtrace}\n",
            env!("CARGO_PKG_VERSION"),
            std::thread::current().name().unwrap_or("unnamed"),
        );
        tracing::error!(%location, "crash");
        let (dir, lang) = CRASH
            .lock()
            .map(|c| (c.dir.clone(), c.lang))
            .unwrap_or((None, Lang::En));
        let i18n = I18n::for_lang(lang);
        let written = dir.and_then(|dir| {
            std::fs::create_dir_all(&dir).ok()?;
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let path = dir.join(format!("crash-{stamp}.txt"));
            std::fs::write(&path, report).ok()?;
            Some(path)
        });
        match written {
            Some(path) => eprintln!(
                "{}",
                i18n.fill(
                    "crash.with_report",
                    &[("path", &path.display().to_string())]
                )
            ),
            None => eprintln!("{}", i18n.t("crash.no_report")),
        }
    }));
}
