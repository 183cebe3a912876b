//! The acknowledgement slip a teller prints for a complainant: plain text in the UI
//! language, lines no wider than a receipt printer's 64 columns. The only personal data on
//! it is the complainant's own name and a masked phone number. Slips go to a print folder
//! (the store's `slips/` unless configured), a reprint as a numbered copy, and to the
//! system's `lp` when asked.

use crate::error::{Error, Result};
use crate::i18n::I18n;
use crate::store::Slip;
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthStr;

/// Display columns of a slip line.
pub const WIDTH: usize = 64;

/// Where slips go and whether they are printed: the `[slips]` table of `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlipSettings {
    /// The print folder [default: the store's `slips/` folder].
    pub folder: Option<PathBuf>,
    /// Hand every slip to the system's `lp` as well.
    pub print: bool,
    /// `lp`'s destination (`lp -d`) [default: the system's default printer].
    pub printer: Option<String>,
}

impl SlipSettings {
    /// The print folder, given the store's own `slips/` folder.
    pub fn folder_or(&self, store_slips: PathBuf) -> PathBuf {
        self.folder.clone().unwrap_or(store_slips)
    }
}

/// The most copies of one slip the print folder keeps apart (`…-2.txt` to `…-99.txt`).
const MOST_COPIES: u32 = 99;

/// Writes a case's slip into the print folder as `RECEIPT.txt`, or — printed before — as
/// the next numbered copy `RECEIPT-2.txt`, `RECEIPT-3.txt`…; returns where it went. The
/// folder is made, private to its owner, if it is not there.
pub fn save_in_folder(folder: &Path, receipt_no: &str, text: &str) -> Result<PathBuf> {
    if !folder.is_dir() {
        std::fs::create_dir_all(folder).map_err(|e| Error::creating(folder, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io(folder, e))?;
        }
    }
    for copy in 1..=MOST_COPIES {
        let name = match copy {
            1 => format!("{receipt_no}.txt"),
            n => format!("{receipt_no}-{n}.txt"),
        };
        match save(&folder.join(name), text) {
            Err(Error::FileExists { .. }) => continue,
            other => return other,
        }
    }
    Err(Error::FileExists {
        path: folder.join(format!("{receipt_no}-{MOST_COPIES}.txt")),
    })
}

/// A redemption's slip written into the print folder and, when `print` (or the settings)
/// say so, handed to `lp`: where it went and the printer it was sent to.
pub fn write_redemption(
    session: &mut crate::store::Session,
    entry: &str,
    i18n: &I18n,
    settings: &SlipSettings,
    print: bool,
) -> Result<(PathBuf, Option<String>)> {
    let slip = session.points_slip(entry)?;
    let text = render_redemption(&slip, i18n);
    let folder = settings.folder_or(session.paths().slips());
    let path = save_in_folder(&folder, &slip.receipt_no, &text)?;
    if !(print || settings.print) {
        return Ok((path, None));
    }
    let printer = settings.printer.clone();
    super::printer::print_file(&path, printer.as_deref())?;
    Ok((path, Some(printer.unwrap_or_default())))
}

/// A redemption's receipt slip: the branch, the client, the item, the points taken and the
/// balance after, the date and who served them, a line to sign.
pub fn render_redemption(slip: &crate::store::PointsSlip, i18n: &I18n) -> String {
    let date = |d: NaiveDate| d.format(i18n.t("format.date_long")).to_string();
    let mut out = Vec::new();
    let title = i18n.t("points.slip.title");
    out.push(format!(
        "{}{title}",
        " ".repeat(WIDTH.saturating_sub(title.width()) / 2)
    ));
    out.push("=".repeat(WIDTH));
    let facts: Vec<(&str, String)> = vec![
        (
            i18n.t("complaint.slip.branch"),
            format!("{} ({})", slip.branch_name, slip.branch_code),
        ),
        (i18n.t("points.slip.receipt_no"), slip.receipt_no.clone()),
        (i18n.t("points.slip.on"), date(slip.on)),
        (
            i18n.t("points.slip.client"),
            format!("{} ({})", slip.client_name, slip.client_no),
        ),
        (
            i18n.t("points.slip.item"),
            i18n.pick(&slip.item_zh, &slip.item_en).to_string(),
        ),
        (i18n.t("points.slip.points"), slip.points.to_string()),
        (
            i18n.t("points.slip.balance"),
            slip.balance_after.to_string(),
        ),
    ];
    let label_width = facts.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
    for (label, value) in &facts {
        let lead = format!("{label}{}  ", " ".repeat(label_width - label.width()));
        push_wrapped(&mut out, &lead, value);
    }
    out.push("-".repeat(WIDTH));
    push_wrapped(&mut out, "", i18n.t("points.slip.keep"));
    finish(
        out,
        i18n,
        "points.slip.signature",
        &date(slip.printed_on),
        &slip.printed_by,
    )
}

pub fn render(slip: &Slip, i18n: &I18n) -> String {
    let date = |d: NaiveDate| d.format(i18n.t("format.date_long")).to_string();
    let mut out = Vec::new();
    let title = i18n.t("complaint.slip.title");
    out.push(format!(
        "{}{title}",
        " ".repeat(WIDTH.saturating_sub(title.width()) / 2)
    ));
    out.push("=".repeat(WIDTH));

    let branch = format!("{} ({})", slip.branch_name, slip.branch_code);
    let mut facts: Vec<(&str, String)> = vec![
        (i18n.t("complaint.slip.branch"), branch),
        (i18n.t("complaint.slip.receipt_no"), slip.receipt_no.clone()),
        (i18n.t("complaint.slip.received_on"), date(slip.received_on)),
        (
            i18n.t("complaint.slip.complainant"),
            slip.complainant_name.clone(),
        ),
    ];
    if let Some(phone) = &slip.complainant_phone {
        facts.push((i18n.t("complaint.slip.phone"), phone.clone()));
    }
    facts.extend([
        (
            i18n.t("complaint.slip.category"),
            i18n.t_owned(format!("complaint.category.{}", slip.category.code()))
                .to_string(),
        ),
        (
            i18n.t("complaint.slip.channel"),
            i18n.t_owned(format!("complaint.channel.{}", slip.channel.code()))
                .to_string(),
        ),
        (i18n.t("complaint.slip.request"), slip.request.clone()),
    ]);
    let label_width = facts.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
    for (label, value) in &facts {
        let lead = format!("{label}{}  ", " ".repeat(label_width - label.width()));
        push_wrapped(&mut out, &lead, value);
    }

    out.push("-".repeat(WIDTH));
    out.push(i18n.t("complaint.slip.next").to_string());
    let mut next = Vec::new();
    match slip.due_on {
        Some(due) => {
            next.push(i18n.fill("complaint.slip.due", &[("due", &date(due))]));
            next.push(i18n.t("complaint.slip.extend").to_string());
            next.push(i18n.t("complaint.slip.pause").to_string());
        }
        None => next.push(i18n.fill(
            "complaint.slip.stopped",
            &[(
                "state",
                i18n.t_owned(format!("complaint.state.{}", slip.state.code())),
            )],
        )),
    }
    next.push(i18n.t("complaint.slip.keep").to_string());
    next.push(i18n.t("complaint.slip.escalate").to_string());
    for paragraph in next {
        push_wrapped(&mut out, "", &paragraph);
    }
    let contact = match &slip.branch_contact {
        Some(contact) => contact.clone(),
        None => i18n.fill(
            "complaint.slip.contact_counter",
            &[("branch", &slip.branch_name)],
        ),
    };
    push_wrapped(
        &mut out,
        &i18n.fill("complaint.slip.contact", &[("contact", "")]),
        &contact,
    );

    out.push("-".repeat(WIDTH));
    finish(
        out,
        i18n,
        "complaint.slip.signature",
        &date(slip.printed_on),
        &slip.printed_by,
    )
}

/// A slip's foot — a line to sign (`signature`: whose), the day printed and by whom — and
/// the slip as text.
fn finish(
    mut out: Vec<String>,
    i18n: &I18n,
    signature: &str,
    printed_on: &str,
    printed_by: &str,
) -> String {
    out.push(String::new());
    out.push(i18n.fill(signature, &[("line", "______________________")]));
    out.push(String::new());
    out.push(i18n.fill(
        "complaint.slip.printed",
        &[("date", printed_on), ("staff", printed_by)],
    ));
    let mut text = out.join("\n");
    text.push('\n');
    // A printer obeys control characters as a terminal does; a slip is printed as written.
    crate::domain::text::printable(&text, true).into_owned()
}

/// Writes a slip to a new file, readable by its owner only; returns where it went. An
/// existing file is never overwritten, and a slip that could not be written whole is
/// removed (a half slip is worse than none).
pub fn save(path: &Path, text: &str) -> Result<PathBuf> {
    let path = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::FileExists { path: path.clone() },
        _ => Error::io(&path, e),
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| {
            let _ = std::fs::remove_file(&path);
            Error::io(&path, e)
        })?;
    Ok(path)
}

/// Appends `lead` + `text`, wrapped to [`WIDTH`] with continuation lines indented under
/// the text. Breaks at spaces in Latin text and between any two Chinese characters.
fn push_wrapped(out: &mut Vec<String>, lead: &str, text: &str) {
    let indent = lead.width();
    let room = WIDTH.saturating_sub(indent).max(16);
    let mut first = true;
    for source_line in text.lines() {
        for piece in crate::text::wrap(source_line, room) {
            let prefix = if first {
                lead.to_string()
            } else {
                " ".repeat(indent)
            };
            first = false;
            out.push(format!("{prefix}{piece}").trim_end().to_string());
        }
    }
    if first {
        out.push(lead.trim_end().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::complaint::{Category, Channel, State};
    use crate::i18n::Lang;

    fn slip() -> Slip {
        Slip {
            receipt_no: "BJ0101-20261130-001".into(),
            received_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            category: Category::Fees,
            channel: Channel::Counter,
            complainant_name: "张伟".into(),
            complainant_phone: Some("139****1111".into()),
            request: "退还多收的年费，并说明收费依据。".repeat(4),
            due_on: NaiveDate::from_ymd_opt(2026, 12, 15),
            branch_code: "BJ0101".into(),
            branch_name: "北京西单支行".into(),
            branch_contact: None,
            printed_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            printed_by: "teller01".into(),
            state: State::Registered,
        }
    }

    #[test]
    fn a_chinese_slip_says_what_happens_next_within_the_printer_width() {
        let text = render(&slip(), I18n::for_lang(Lang::Zh));
        assert!(text.contains("投诉受理回执"));
        assert!(text.contains("回执编号  BJ0101-20261130-001"), "{text}");
        assert!(text.contains("2026年12月15日前"), "{text}");
        assert!(text.contains("张伟") && text.contains("139****1111"));
        assert!(text.contains("请到北京西单支行任一柜台咨询"));
        assert!(text.contains("12378"));
        for line in text.lines() {
            assert!(line.width() <= WIDTH, "too wide: {line}");
        }
        // The long request wraps under its text, not under the label.
        let request_lines: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("您的诉求"))
            .take(3)
            .collect();
        assert!(
            request_lines[1].starts_with("          收"),
            "{request_lines:?}"
        );
    }

    #[test]
    fn an_english_slip_wraps_at_spaces_and_a_decided_case_says_so() {
        let mut decided = slip();
        decided.due_on = None;
        decided.state = State::Decided;
        decided.branch_contact = Some("010-6655 1234, weekdays 9:00-17:00".into());
        let text = render(&decided, I18n::for_lang(Lang::En));
        assert!(text.contains("This case is decided."), "{text}");
        assert!(!text.contains("tell you our decision by"));
        assert!(text.contains("Contact: 010-6655 1234, weekdays 9:00-17:00"));
        assert!(text.contains("Received on     30 November 2026"), "{text}");
        for line in text.lines() {
            assert!(line.width() <= WIDTH, "too wide: {line}");
            assert!(!line.ends_with(' '));
        }
        let escalate: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("If you are not satisfied"))
            .take(2)
            .collect();
        assert_eq!(
            escalate,
            [
                "If you are not satisfied with our decision you may ask us to",
                "review it, or call the financial consumer hotline 12378."
            ]
        );
    }
}
