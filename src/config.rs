//! The user's configuration file (`config.toml` in the platform config directory, or
//! `--config FILE`). Every key is optional.
//!
//! ```toml
//! language = "zh"            # or "en"; default follows LANG
//! idle_lock_minutes = 5      # 1–15
//! store = "/srv/branchdesk"  # default store directory
//! page_cache_mib = 1024      # default: half the store, within the machine's memory
//! earliest_complaint_date = 1995-06-01   # default: 1990-01-01
//! [keymap]                   # action = ["key", ...], see assets/keymap.toml
//! lock = ["Ctrl-L", "Ctrl-Q"]
//! [slips]
//! folder = "/srv/print/slips"  # default: the store's slips/ folder
//! print = true               # also hand each slip to the system's lp
//! printer = "counter1"       # lp -d; default: the system's default printer
//! ```

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 5;
/// PCI DSS 8.2.8: sessions idle for more than 15 minutes must require re-authentication.
pub const MAX_IDLE_LOCK_MINUTES: u32 = 15;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub language: Option<String>,
    pub idle_lock_minutes: u32,
    pub store: Option<PathBuf>,
    pub keymap: BTreeMap<String, Vec<String>>,
    /// When F6 and `sync status` warn.
    pub sync: crate::store::SyncLimits,
    /// Where acknowledgement slips go, and whether they are printed.
    pub slips: crate::service::slip::SlipSettings,
    /// The store's page cache in MiB [default: sized from the store and the machine].
    pub page_cache_mib: Option<u32>,
    /// The earliest day a complaint can have been received [default: 1990-01-01].
    pub earliest_complaint_date: Option<chrono::NaiveDate>,
    /// HQ only: where the consolidated data lives.
    pub hq: HqSettings,
}

/// The `[hq]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HqSettings {
    /// The PostgreSQL address of HQ's consolidation (`postgres://user@host/db`; the
    /// password from PGPASSWORD or ~/.pgpass) [default: the one `hq init --database` kept].
    pub database: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            language: None,
            idle_lock_minutes: DEFAULT_IDLE_LOCK_MINUTES,
            store: None,
            keymap: BTreeMap::new(),
            sync: crate::store::SyncLimits::default(),
            slips: crate::service::slip::SlipSettings::default(),
            page_cache_mib: None,
            earliest_complaint_date: None,
            hq: HqSettings::default(),
        }
    }
}

impl Config {
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "branchdesk")
            .map(|dirs| dirs.config_dir().join("config.toml"))
    }

    /// Reads `path`; a missing file means all defaults.
    pub fn load(path: &Path) -> Result<Config> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let text = crate::error::input::read_text_limited(path, crate::error::input::SMALL_FILE)?;
        Config::parse(&text).map_err(|detail| Error::Config {
            path: path.to_path_buf(),
            detail,
        })
    }

    /// Parses the file's text; the error names the line.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            match line {
                Some(line) => format!("line {line}: {}", e.message()),
                None => e.message().to_string(),
            }
        })?;
        if !(1..=MAX_IDLE_LOCK_MINUTES).contains(&config.idle_lock_minutes) {
            return Err(format!(
                "idle_lock_minutes must be between 1 and {MAX_IDLE_LOCK_MINUTES}"
            ));
        }
        if let Some(lang) = &config.language
            && crate::i18n::Lang::parse(lang).is_none()
        {
            return Err("language must be \"zh\" or \"en\"".into());
        }
        let cache = crate::store::PAGE_CACHE_MIB;
        if let Some(mib) = config.page_cache_mib
            && !cache.contains(&mib)
        {
            return Err(format!(
                "page_cache_mib must be between {} and {}",
                cache.start(),
                cache.end()
            ));
        }
        Ok(config)
    }

    /// The store options this configuration asks for.
    pub fn store_options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            sync: self.sync,
            cache_mib: self.page_cache_mib,
            earliest_receipt: self
                .earliest_complaint_date
                .unwrap_or_else(crate::domain::complaint::earliest_receipt),
            ..Default::default()
        }
    }

    /// HQ's consolidation database for this run: `BRANCHDESK_HQ_DATABASE`, else `[hq]
    /// database` (None: the one `hq init` kept, if any).
    pub fn hq_database(&self) -> Option<String> {
        std::env::var("BRANCHDESK_HQ_DATABASE")
            .ok()
            .filter(|url| !url.is_empty())
            .or_else(|| self.hq.database.clone())
    }

    pub fn idle_lock(&self) -> Duration {
        Duration::from_secs(u64::from(self.idle_lock_minutes) * 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_all_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert_eq!(Config::default().idle_lock(), Duration::from_secs(300));
    }

    #[test]
    fn values_are_read() {
        let config = Config::parse(
            "language = \"en\"\nidle_lock_minutes = 15\n[keymap]\nlock = [\"F12\"]\n",
        )
        .unwrap();
        assert_eq!(config.language.as_deref(), Some("en"));
        assert_eq!(config.idle_lock_minutes, 15);
        assert_eq!(config.keymap["lock"], ["F12"]);
    }

    #[test]
    fn sync_limits_are_read_and_a_misspelt_one_is_named() {
        let config = Config::parse("[sync]\nexport_due_days = 3\n").unwrap();
        assert_eq!(config.sync.export_due_days, 3);
        assert_eq!(
            config.sync.outbox_warn_mib, 256,
            "the others keep their defaults"
        );
        assert_eq!(config.store_options().sync, config.sync);
        let err = Config::parse("[sync]\nexport_due = 3\n").unwrap_err();
        assert!(err.contains("unknown field `export_due`"), "{err}");
    }

    #[test]
    fn slip_settings_are_read_and_a_misspelt_one_is_named() {
        let config =
            Config::parse("[slips]\nfolder = \"/srv/print\"\nprint = true\nprinter = \"c1\"\n")
                .unwrap();
        assert_eq!(
            config.slips.folder_or("/store/slips".into()),
            PathBuf::from("/srv/print")
        );
        assert!(config.slips.print);
        assert_eq!(config.slips.printer.as_deref(), Some("c1"));
        assert_eq!(
            Config::default().slips.folder_or("/store/slips".into()),
            PathBuf::from("/store/slips")
        );
        let err = Config::parse("[slips]\nprinter_name = \"c1\"\n").unwrap_err();
        assert!(err.contains("printer_name"), "{err}");
    }

    #[test]
    fn a_page_cache_size_is_read_within_its_bounds() {
        let config = Config::parse("page_cache_mib = 2048\n").unwrap();
        assert_eq!(config.store_options().cache_mib, Some(2048));
        assert_eq!(Config::default().store_options().cache_mib, None);
        let err = Config::parse("page_cache_mib = 4\n").unwrap_err();
        assert!(err.contains("between 16 and 65536"), "{err}");
    }

    #[test]
    fn errors_name_the_line_and_the_rule() {
        let err = Config::parse("language = \"en\"\nidle_lock_minutes = \"five\"\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        let err = Config::parse("idle_lock_minutes = 30\n").unwrap_err();
        assert!(err.contains("between 1 and 15"), "{err}");
        let err = Config::parse("colour = \"red\"\n").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        let err = Config::parse("language = \"fr\"\n").unwrap_err();
        assert!(err.contains("zh"), "{err}");
    }
}
