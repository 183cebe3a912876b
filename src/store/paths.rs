use std::path::{Path, PathBuf};

/// The files of one store directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePaths {
    dir: PathBuf,
}

impl StorePaths {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The platform's data directory for branchdesk (e.g. `~/.local/share/branchdesk`).
    pub fn platform_data_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "branchdesk").map(|p| p.data_dir().to_path_buf())
    }

    /// Where the real store lives unless `--store` or `BRANCHDESK_STORE` says otherwise.
    pub fn default_store_dir() -> Option<PathBuf> {
        Self::platform_data_dir().map(|d| d.join("store"))
    }

    /// The demo store, kept apart from the real one.
    pub fn default_demo_dir() -> Option<PathBuf> {
        Self::platform_data_dir().map(|d| d.join("demo"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn db(&self) -> PathBuf {
        self.dir.join("branchdesk.db")
    }

    pub fn db_sidecar(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("branchdesk.db-{suffix}"))
    }

    pub fn keyslots(&self) -> PathBuf {
        self.dir.join("keyslots.json")
    }

    pub fn logins(&self) -> PathBuf {
        self.dir.join("logins.json")
    }

    /// How far the store's numbering has reached (see `store::reached`).
    pub fn reached(&self) -> PathBuf {
        self.dir.join("reached.json")
    }

    /// The audit trail's anchor (see `store::anchor`).
    pub fn audit_anchor(&self) -> PathBuf {
        self.dir.join("audit-anchor.json")
    }

    pub fn lock(&self) -> PathBuf {
        self.dir.join("branchdesk.lock")
    }

    pub fn logs(&self) -> PathBuf {
        self.dir.join("logs")
    }

    /// Survey templates added to (or replacing) the shipped ones: `*.toml`.
    pub fn surveys(&self) -> PathBuf {
        self.dir.join("surveys")
    }

    /// HQ's own reference files (`holidays.toml`, `products.toml`) that replace the shipped
    /// ones in what it publishes.
    pub fn reference(&self) -> PathBuf {
        self.dir.join("reference")
    }

    /// Acknowledgement slips for printing (unless `[slips] folder` says elsewhere).
    pub fn slips(&self) -> PathBuf {
        self.dir.join("slips")
    }

    pub fn exports(&self) -> PathBuf {
        self.dir.join("exports")
    }

    pub fn swap_journal(&self) -> PathBuf {
        self.dir.join("swap.json")
    }

    /// Where a replacement for `file` is prepared before it is swapped in.
    pub fn staged(file: &Path) -> PathBuf {
        let mut name = file.file_name().unwrap_or_default().to_os_string();
        name.push(".staged");
        file.with_file_name(name)
    }

    /// True when this directory holds (part of) a store.
    pub fn exists(&self) -> bool {
        self.db().exists() || self.keyslots().exists()
    }
}
