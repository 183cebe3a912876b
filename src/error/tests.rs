//! Every OS error a store can meet becomes one sentence in the UI language, about the file
//! or folder the staff member named — never a temporary name or the OS's English words.

use super::*;
use crate::i18n::Lang;
use std::io::ErrorKind;

fn sentence(error: &Error, lang: Lang) -> String {
    error.message(I18n::for_lang(lang))
}

#[test]
fn each_kind_of_file_problem_has_its_own_sentence() {
    let path = Path::new("/media/usb/BJ0101-1-722.bdx");
    let cases = [
        (ErrorKind::NotFound, "/media/usb", "不存在"),
        (
            ErrorKind::PermissionDenied,
            "/media/usb/BJ0101-1-722.bdx",
            "无权使用",
        ),
        (
            ErrorKind::ReadOnlyFilesystem,
            "/media/usb/BJ0101-1-722.bdx",
            "只读",
        ),
        (ErrorKind::NotADirectory, "/media/usb", "不是文件夹"),
        (ErrorKind::StorageFull, "", "磁盘已满"),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (kind, named, words) in cases {
        let error = Error::creating(path, std::io::Error::from(kind));
        let zh = sentence(&error, Lang::Zh);
        let en = sentence(&error, Lang::En);
        assert!(
            zh.contains(named) && en.contains(named),
            "{kind:?}: {zh} / {en}"
        );
        assert!(zh.contains(words), "{kind:?}: {zh}");
        for text in [&zh, &en] {
            assert!(
                !text.contains(".tmp") && !text.contains("os error"),
                "{text}"
            );
        }
        assert!(!zh.contains("entity") && !zh.contains("denied"), "{zh}");
        seen.insert(zh);
    }
    assert_eq!(seen.len(), cases.len(), "one sentence per kind");
}

#[test]
fn a_missing_file_is_named_as_a_file_and_other_errors_keep_the_os_words_out() {
    let error = Error::io(
        "/srv/in/clients.csv",
        std::io::Error::from(ErrorKind::NotFound),
    );
    assert!(sentence(&error, Lang::En).starts_with("There is no file /srv/in/clients.csv"));
    let odd = Error::io("/srv/in", std::io::Error::other("entity not found"));
    let zh = sentence(&odd, Lang::Zh);
    assert!(zh.contains("/srv/in") && !zh.contains("entity"), "{zh}");
}
