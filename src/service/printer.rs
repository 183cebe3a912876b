//! Handing a file to the system's print spooler (`lp`, as CUPS and its predecessors
//! provide), where the terminal has one.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The print command this looks for on the `PATH`.
pub const LP: &str = "lp";

/// Prints `file` with `lp` (to `printer`, or the system's default). The file stays where it
/// is; a terminal without `lp`, or a printer that refuses the job, is one sentence naming
/// the file so it can be printed another way.
pub fn print_file(file: &Path, printer: Option<&str>) -> Result<()> {
    let Some(lp) = find_on_path(LP) else {
        return Err(Error::NoPrintCommand {
            path: file.to_path_buf(),
        });
    };
    let mut command = Command::new(lp);
    if let Some(printer) = printer.filter(|p| !p.trim().is_empty()) {
        command.arg("-d").arg(printer.trim());
    }
    let output = command
        .arg("--")
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io(file, e))?;
    if output.status.success() {
        return Ok(());
    }
    // What lp said is for the log (it may be in any language); the staff member gets a
    // sentence in theirs.
    tracing::warn!(
        status = ?output.status,
        stderr = %String::from_utf8_lossy(&output.stderr),
        "lp refused a slip"
    );
    Err(Error::PrintFailed {
        path: file.to_path_buf(),
        printer: printer.map(str::to_string),
    })
}

/// The first executable called `name` in the `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}
