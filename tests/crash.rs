//! A crash restores the terminal first, then writes a report without the panic message
//! (which could quote personal data) to the store's log directory.

use std::sync::atomic::{AtomicBool, Ordering};

static RESTORED: AtomicBool = AtomicBool::new(false);

fn restore() {
    RESTORED.store(true, Ordering::SeqCst);
}

#[test]
fn a_panic_writes_a_report_without_its_message() {
    let dir = tempfile::tempdir().unwrap();
    branchdesk::logging::install_panic_hook(restore);
    branchdesk::logging::set_crash_context(Some(dir.path()), branchdesk::i18n::Lang::En);
    let result = std::panic::catch_unwind(|| {
        panic!("client 欧阳娜娜 phone 13812345678");
    });
    let _ = std::panic::take_hook();
    assert!(result.is_err());
    assert!(
        RESTORED.load(Ordering::SeqCst),
        "the terminal is restored first"
    );
    let reports: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(report.contains("crashed at tests/crash.rs"), "{report}");
    assert!(!report.contains("欧阳娜娜") && !report.contains("13812345678"));
}
