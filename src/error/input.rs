//! Reading what comes from outside (client lists, survey batches, bundles, reference data,
//! templates, key and passphrase files) within a size bound: checked before reading (a file
//! that says it is larger) and while reading (a pipe or a device, such as `/dev/zero`, that
//! says nothing), so that no input can make the process grow without end.

use super::{Error, Result};
use std::io::Read;
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// The most a client list may be: a million clients are about 150 MiB of CSV.
pub const CLIENT_LIST: u64 = 256 * MIB;
/// HQ's holdings extract: three million accounts are about 300 MiB of CSV.
pub const HOLDINGS_EXTRACT: u64 = 1024 * MIB;
/// A batch of paper surveys.
pub const SURVEY_BATCH: u64 = 64 * MIB;
/// A bundle of a branch's changes, as read and as decompressed.
pub const BUNDLE: u64 = 2048 * MIB;
/// HQ's reference data, as read and as decompressed.
pub const REFERENCE: u64 = 256 * MIB;
/// A branch's holdings snapshot with its client book, as read and as decompressed: a
/// million clients with three accounts each are about 1.3 GiB of JSON.
pub const HOLDINGS_SNAPSHOT: u64 = 2048 * MIB;
/// A survey template, a key file, a passphrase file, the configuration, the store's own
/// small files.
pub const SMALL_FILE: u64 = MIB;

/// The file at `path`, if it is at most `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let told = file.metadata().map(|m| m.is_file().then_some(m.len()));
    if let Ok(Some(len)) = told
        && len > limit
    {
        return Err(too_large(path, limit));
    }
    read_stream_limited(file, path, limit)
}

/// The file at `path` as text (UTF-8), if it is at most `limit` bytes.
pub fn read_text_limited(path: &Path, limit: u64) -> Result<String> {
    let bytes = read_limited(path, limit)?;
    String::from_utf8(bytes).map_err(|_| Error::NotText {
        path: path.to_path_buf(),
    })
}

/// All of `reader` (said to come from `path`), if it yields at most `limit` bytes.
pub fn read_stream_limited(reader: impl Read, path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64) -> Error {
    Error::TooLarge {
        path: path.to_path_buf(),
        limit_mib: limit.div_ceil(MIB),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_without_end_is_cut_off_at_the_limit() {
        if cfg!(unix) {
            let zero = Path::new("/dev/zero");
            assert!(matches!(
                read_limited(zero, SMALL_FILE),
                Err(Error::TooLarge { limit_mib: 1, .. })
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("two-mib");
        std::fs::write(&file, vec![b'x'; 2 * MIB as usize]).unwrap();
        assert!(matches!(
            read_limited(&file, SMALL_FILE),
            Err(Error::TooLarge { .. })
        ));
        assert_eq!(
            read_limited(&file, 2 * MIB).unwrap().len(),
            2 * MIB as usize
        );
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            read_text_limited(&file, SMALL_FILE),
            Err(Error::NotText { .. })
        ));
    }
}
