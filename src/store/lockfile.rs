use crate::error::{Error, Result};
use crate::store::StorePaths;
use std::fs::{File, OpenOptions, TryLockError};

/// An exclusive advisory lock on a store directory, held for as long as a process works on
/// the store. A second branchdesk on the same store is told that the store is in use.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    pub fn acquire(paths: &StorePaths) -> Result<StoreLock> {
        let path = paths.lock();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(StoreLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::InUse),
            Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }
}
