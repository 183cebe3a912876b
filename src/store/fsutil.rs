//! Small file-system helpers: every file we write appears whole or not at all.

use crate::error::{Error, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Where a test can make the process die as a kill -9 would (no unwinding, nothing flushed)
/// to see what a crash at that point leaves: `BRANCHDESK_CRASH_AT=<name>`. Debug builds only;
/// a release binary has no such points.
#[inline]
pub fn crash_point(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("BRANCHDESK_CRASH_AT").is_ok_and(|at| at == name) {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}

/// Where a test can make the disk full at a moment a shell cannot pick:
/// `BRANCHDESK_DISK_FULL_AT=<name>` fails there with the error SQLite gives on a full disk,
/// mapped as that one is. Debug builds only. The one point is `audit:<action>`, HQ's audit
/// row of a write on PostgreSQL (after the login, before the database commits); HQ's own
/// store and the branches are tested on a file system that really fills.
#[inline]
pub fn disk_full_point(name: &str) -> Result<()> {
    #[cfg(debug_assertions)]
    if std::env::var("BRANCHDESK_DISK_FULL_AT").is_ok_and(|at| at == name) {
        let full = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL);
        return Err(rusqlite::Error::SqliteFailure(full, None).into());
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
    Ok(())
}

/// Writes `bytes` to a temporary sibling, flushes it to disk and renames it over `path`, so a
/// crash or a pulled USB stick leaves either the old file or the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    // Problems are said of the file asked for (or its folder), never of the temporary name.
    let result = (|| {
        let mut file = open_private(&tmp).map_err(|e| Error::creating(path, e))?;
        file.write_all(bytes).map_err(|e| Error::io(path, e))?;
        file.sync_all().map_err(|e| Error::io(path, e))?;
        fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        sync_parent(path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates (or truncates) a file readable only by its owner.
pub fn create_private(path: &Path) -> Result<File> {
    open_private(path).map_err(|e| Error::creating(path, e))
}

fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates a directory (and parents) that only its owner can enter.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    restrict_to_owner(dir, 0o700)
}

pub fn restrict_to_owner(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Makes a rename inside `path`'s directory durable.
pub fn sync_parent(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        let dir = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

pub fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

pub fn sync_file(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(path, e))
}
