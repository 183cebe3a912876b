//! Replacing two files together (the database and its key slots) so that a crash at any
//! point leaves a store that opens.
//!
//! The new files are written beside the old ones as `*.staged` and flushed. Then a journal
//! (`swap.json`) naming the moves is written atomically: that is the commit point. The moves
//! are plain renames, and replaying them is harmless, so recovery after a crash simply rolls
//! a committed swap forward; staged files without a journal are thrown away.

use crate::error::{Error, Result};
use crate::store::StorePaths;
use crate::store::fsutil;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::Path;

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// (from, to) file names inside the store directory.
    moves: Vec<(String, String)>,
}

/// What [`recover`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Recovery {
    Clean,
    RolledForward,
    RolledBack,
}

/// Commits the moves (file names relative to the store directory). Each `from` must already
/// be durable on disk.
pub fn commit(paths: &StorePaths, moves: &[(&str, &str)]) -> Result<()> {
    let journal = Journal {
        moves: moves
            .iter()
            .map(|(from, to)| (from.to_string(), to.to_string()))
            .collect(),
    };
    let bytes = serde_json::to_vec(&journal).map_err(Error::internal)?;
    fsutil::write_atomic(&paths.swap_journal(), &bytes)?;
    fsutil::crash_point("swap:committed");
    replay(paths, &journal)
}

fn replay(paths: &StorePaths, journal: &Journal) -> Result<()> {
    for (from, to) in &journal.moves {
        let from = paths.dir().join(from);
        let to = paths.dir().join(to);
        if from.exists() {
            fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
        }
    }
    fsutil::sync_parent(&paths.swap_journal())?;
    fsutil::remove_if_exists(&paths.swap_journal())?;
    fsutil::sync_parent(&paths.swap_journal())
}

/// Finishes or undoes a swap that a crash interrupted. Call with the store lock held, before
/// opening anything.
pub fn recover(paths: &StorePaths) -> Result<Recovery> {
    let journal_path = paths.swap_journal();
    if journal_path.exists() {
        let bytes =
            crate::error::input::read_limited(&journal_path, crate::error::input::SMALL_FILE)?;
        // write_atomic means a journal is whole or absent; an unreadable one was never ours.
        let journal: Journal = serde_json::from_slice(&bytes).map_err(|_| Error::Internal {
            detail: "swap journal unreadable".into(),
        })?;
        replay(paths, &journal)?;
        // What SQLite left beside a staged copy (its journal, its WAL) is of no use now.
        remove_staged(paths)?;
        return Ok(Recovery::RolledForward);
    }
    Ok(if remove_staged(paths)? {
        Recovery::RolledBack
    } else {
        Recovery::Clean
    })
}

/// Removes staged files and what SQLite left beside them; true if there were any.
fn remove_staged(paths: &StorePaths) -> Result<bool> {
    let mut found = false;
    for entry in fs::read_dir(paths.dir()).map_err(|e| Error::io(paths.dir(), e))? {
        let entry = entry.map_err(|e| Error::io(paths.dir(), e))?;
        if is_staged(&entry.path()) {
            fsutil::remove_if_exists(&entry.path())?;
            found = true;
        }
    }
    Ok(found)
}

/// `*.staged`, and SQLite's `*.staged-journal`, `*.staged-wal` and `*.staged-shm`.
fn is_staged(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name.ends_with(".staged")
        || ["-journal", "-wal", "-shm"]
            .iter()
            .any(|sidecar| name.ends_with(&format!(".staged{sidecar}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, StorePaths) {
        let dir = tempfile::tempdir().unwrap();
        let paths = StorePaths::new(dir.path());
        (dir, paths)
    }

    fn write(paths: &StorePaths, name: &str, text: &str) {
        fs::write(paths.dir().join(name), text).unwrap();
    }

    fn read(paths: &StorePaths, name: &str) -> String {
        fs::read_to_string(paths.dir().join(name)).unwrap()
    }

    #[test]
    fn commit_moves_both_files() {
        let (_t, paths) = store();
        write(&paths, "a", "old a");
        write(&paths, "b", "old b");
        write(&paths, "a.staged", "new a");
        write(&paths, "b.staged", "new b");
        commit(&paths, &[("a.staged", "a"), ("b.staged", "b")]).unwrap();
        assert_eq!(
            (read(&paths, "a"), read(&paths, "b")),
            ("new a".into(), "new b".into())
        );
        assert!(!paths.swap_journal().exists());
        assert_eq!(recover(&paths).unwrap(), Recovery::Clean);
    }

    #[test]
    fn a_crash_after_the_journal_rolls_forward() {
        let (_t, paths) = store();
        write(&paths, "a", "old a");
        write(&paths, "b", "old b");
        write(&paths, "b.staged", "new b");
        // Crash after the first rename: a is new, b is still staged.
        write(&paths, "a", "new a");
        let journal = Journal {
            moves: vec![
                ("a.staged".into(), "a".into()),
                ("b.staged".into(), "b".into()),
            ],
        };
        fs::write(paths.swap_journal(), serde_json::to_vec(&journal).unwrap()).unwrap();
        assert_eq!(recover(&paths).unwrap(), Recovery::RolledForward);
        assert_eq!(
            (read(&paths, "a"), read(&paths, "b")),
            ("new a".into(), "new b".into())
        );
        assert!(!paths.swap_journal().exists());
    }

    #[test]
    fn a_crash_before_the_journal_rolls_back() {
        let (_t, paths) = store();
        write(&paths, "a", "old a");
        write(&paths, "a.staged", "half written");
        // What SQLite leaves beside a staged copy killed mid-write goes with it.
        for sidecar in [
            "a.staged-wal",
            "a.staged-shm",
            "backup-copy.db.staged-journal",
        ] {
            write(&paths, sidecar, "left over");
        }
        write(&paths, "keep.stagedfile", "not ours to remove");
        assert_eq!(recover(&paths).unwrap(), Recovery::RolledBack);
        assert_eq!(read(&paths, "a"), "old a");
        for gone in [
            "a.staged",
            "a.staged-wal",
            "a.staged-shm",
            "backup-copy.db.staged-journal",
        ] {
            assert!(!paths.dir().join(gone).exists(), "{gone}");
        }
        assert_eq!(read(&paths, "keep.stagedfile"), "not ours to remove");
    }
}
