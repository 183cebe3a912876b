//! Reading client lists from CSV files: the way branches move in from spreadsheets and
//! core-banking extracts. UTF-8 (with or without BOM) or GBK/GB18030; Chinese or English
//! column names; every rejected line reported with its number and reasons.

use crate::domain::client::{ClientField, ClientInput, ClientRecord, FieldError, validate};
use crate::error::{FileProblem, Result};
use crate::store::Session;
use chrono::NaiveDate;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Utf8,
    Gbk,
}

impl Encoding {
    pub fn parse(s: &str) -> Option<Encoding> {
        match s.trim().to_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Some(Encoding::Gbk),
            _ => None,
        }
    }
}

/// Column names staff and systems use for each field.
const HEADERS: &[(ClientField, &[&str])] = &[
    (ClientField::Kind, &["kind", "type", "客户类型", "类型"]),
    (
        ClientField::Name,
        &["name", "姓名", "客户姓名", "客户名称", "名称", "户名"],
    ),
    (ClientField::Gender, &["gender", "sex", "性别"]),
    (
        ClientField::BirthDate,
        &[
            "birth_date",
            "birthday",
            "date of birth",
            "出生日期",
            "生日",
        ],
    ),
    (
        ClientField::BirthCalendar,
        &["birth_calendar", "calendar", "生日历法", "历法"],
    ),
    (
        ClientField::IdType,
        &["id_type", "document type", "证件类型"],
    ),
    (
        ClientField::IdNumber,
        &[
            "id_number",
            "id",
            "document number",
            "证件号码",
            "证件号",
            "身份证号",
            "身份证号码",
            "统一社会信用代码",
        ],
    ),
    (
        ClientField::IdExpiry,
        &["id_expiry", "expiry", "证件有效期", "有效期", "证件到期日"],
    ),
    (
        ClientField::Phone,
        &[
            "phone",
            "mobile",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "电话",
        ],
    ),
    (ClientField::Email, &["email", "e-mail", "邮箱", "电子邮箱"]),
    (
        ClientField::Address,
        &["address", "地址", "联系地址", "住址"],
    ),
    (ClientField::Occupation, &["occupation", "job", "职业"]),
    (ClientField::AssignedRm, &["assigned_rm", "rm", "客户经理"]),
    (ClientField::Tier, &["tier", "level", "客户等级", "等级"]),
    (
        ClientField::RiskLevel,
        &["risk_level", "risk", "风险等级", "风险评级"],
    ),
    (ClientField::Tags, &["tags", "标签"]),
    (
        ClientField::ConsentMarketing,
        &["consent_marketing", "consent", "营销同意", "同意营销"],
    ),
];

fn field_for(header: &str) -> Option<ClientField> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    HEADERS
        .iter()
        .find(|(_, names)| names.iter().any(|n| *n == h))
        .map(|(field, _)| *field)
}

/// Why a line was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum LineProblem {
    /// The line has another number of values than the header.
    Ragged { expected: usize, found: usize },
    /// Field rules broken.
    Invalid { errors: Vec<FieldError> },
    /// The same ID number appears on an earlier line of this file.
    RepeatedInFile { first_line: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub line: u64,
    #[serde(flatten)]
    pub problem: LineProblem,
}

/// A file read and checked, ready to load.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Parsed {
    pub encoding: Option<Encoding>,
    /// Rows that passed every rule, with their line numbers.
    #[serde(skip)]
    pub valid: Vec<(u64, ClientRecord)>,
    pub rejected: Vec<Rejected>,
    /// Columns that mean nothing to branchdesk (reported, not fatal).
    pub ignored_columns: Vec<String>,
    pub rows: u64,
}

/// Decodes the bytes of a file: a UTF-8 BOM is dropped; without `forced`, bytes that are
/// not valid UTF-8 are read as GB18030 (the superset of GBK that Chinese Excel writes).
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> (String, Encoding) {
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let encoding = forced.unwrap_or(match std::str::from_utf8(without_bom) {
        Ok(_) => Encoding::Utf8,
        Err(_) => Encoding::Gbk,
    });
    let text = match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(without_bom).into_owned(),
        Encoding::Gbk => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    };
    (text, encoding)
}

/// Reads `path` and checks every row.
pub fn read_file(path: &Path, forced: Option<Encoding>, today: NaiveDate) -> Result<Parsed> {
    let (text, encoding) = read_text(path, forced, crate::error::input::CLIENT_LIST)?;
    let mut parsed = parse(&text, today).map_err(|problem| problem.at(path))?;
    parsed.encoding = Some(encoding);
    Ok(parsed)
}

/// Parses and checks CSV text (header line first).
pub fn parse(text: &str, today: NaiveDate) -> Result<Parsed, FileProblem> {
    if text.trim().is_empty() {
        return Err(FileProblem::Empty);
    }
    let mut reader = csv_reader(text);
    let headers = reader
        .headers()
        .map_err(|_| FileProblem::NotCsv { line: 1 })?
        .clone();
    if headers.iter().any(|h| h.contains('\u{fffd}')) {
        return Err(FileProblem::WrongEncoding { line: 1 });
    }
    let columns: Vec<Option<ClientField>> = headers.iter().map(field_for).collect();
    let missing: Vec<ClientField> = [ClientField::Name, ClientField::IdNumber]
        .into_iter()
        .filter(|required| !columns.contains(&Some(*required)))
        .collect();
    if !missing.is_empty() {
        return Err(FileProblem::MissingColumns(missing));
    }
    let mut parsed = Parsed {
        ignored_columns: headers
            .iter()
            .zip(&columns)
            .filter(|(h, c)| c.is_none() && !h.trim().is_empty())
            .map(|(h, _)| h.trim().to_string())
            .collect(),
        ..Default::default()
    };
    let mut seen: std::collections::HashMap<(String, String), u64> = Default::default();
    for (line, record) in records(text, &mut reader)? {
        parsed.rows += 1;
        if record.len() != headers.len() {
            parsed.rejected.push(Rejected {
                line,
                problem: LineProblem::Ragged {
                    expected: headers.len(),
                    found: record.len(),
                },
            });
            continue;
        }
        let mut input = ClientInput::default();
        for (value, column) in record.iter().zip(&columns) {
            if let Some(field) = column {
                *input.field_mut(*field) = value.to_string();
            }
        }
        match validate(&input, today) {
            Ok(client) => {
                let key = (client.id_type.code().to_string(), client.id_number.clone());
                if let Some(first_line) = seen.get(&key) {
                    parsed.rejected.push(Rejected {
                        line,
                        problem: LineProblem::RepeatedInFile {
                            first_line: *first_line,
                        },
                    });
                } else {
                    seen.insert(key, line);
                    parsed.valid.push((line, client));
                }
            }
            Err(errors) => parsed.rejected.push(Rejected {
                line,
                problem: LineProblem::Invalid { errors },
            }),
        }
    }
    Ok(parsed)
}

/// The non-blank records of a CSV text after its header, each with the line it starts on
/// (counted as an editor counts them, blank lines included).
pub fn records(
    text: &str,
    reader: &mut csv::Reader<&[u8]>,
) -> Result<Vec<(u64, Vec<String>)>, FileProblem> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |byte: u64| -> u64 {
        // A record's position is where the reader started, before any blank lines it skipped.
        let bytes = text.as_bytes();
        let mut at = byte as usize;
        while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
            at += 1;
        }
        line_starts.partition_point(|start| *start <= at) as u64
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FileProblem::NotCsv {
            line: e.position().map_or(0, |p| line_of(p.byte())),
        })?;
        let line = record.position().map_or(0, |p| line_of(p.byte()));
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if record.iter().any(|v| v.contains('\u{fffd}')) {
            return Err(FileProblem::WrongEncoding { line });
        }
        out.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(out)
}

/// A CSV reader over `text` as branchdesk reads every file: a header line, values trimmed,
/// rows of any length (a short row is reported, not fatal).
pub fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

/// A line of a CSV file: its number and its values.
pub type Line = (u64, Vec<String>);

/// A CSV file of at most `limit` bytes (UTF-8 or GBK), read whole: its column names
/// (trimmed) and its lines with their numbers. An empty file or one that is not CSV is
/// refused whole.
pub fn read_table(path: &Path, limit: u64) -> Result<(Vec<String>, Vec<Line>)> {
    let (text, _) = read_text(path, None, limit)?;
    if text.trim().is_empty() {
        return Err(FileProblem::Empty.at(path));
    }
    let mut reader = csv_reader(&text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| FileProblem::NotCsv { line: 1 }.at(path))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let rows = records(&text, &mut reader).map_err(|p| p.at(path))?;
    Ok((headers, rows))
}

/// Reads a file of at most `limit` bytes as text (UTF-8 or GBK).
pub fn read_text(path: &Path, forced: Option<Encoding>, limit: u64) -> Result<(String, Encoding)> {
    let bytes = crate::error::input::read_limited(path, limit)?;
    Ok(decode(&bytes, forced))
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub encoding: Option<Encoding>,
    pub rows: u64,
    pub added: u64,
    pub already_registered: Vec<Registered>,
    pub rejected: Vec<Rejected>,
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub line: u64,
    pub client_no: String,
}

impl Session {
    /// Imports `path` into the store in one transaction (or only checks it, with
    /// `dry_run`). `progress` hears (rows written, rows to write).
    pub fn import_clients(
        &mut self,
        path: &Path,
        encoding: Option<Encoding>,
        dry_run: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportReport> {
        let session = self;
        session.require(crate::domain::staff::Permission::ImportClients)?;
        let today = session.today_local();
        let parsed = read_file(path, encoding, today)?;
        let lines: Vec<u64> = parsed.valid.iter().map(|(line, _)| *line).collect();
        let (added, registered) = if dry_run {
            let registered = session.registered_documents(parsed.valid.iter().map(|(_, c)| c))?;
            ((parsed.valid.len() - registered.len()) as u64, registered)
        } else {
            let branch = session.branch().code.clone();
            let source = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut rows = parsed
                .valid
                .iter()
                .map(|(_, client)| (client.clone(), branch.clone()));
            let total = parsed.valid.len() as u64;
            let summary =
                session.load_clients(&mut rows, &source, &mut |done| progress(done, total))?;
            (summary.added, summary.already_registered)
        };
        Ok(ImportReport {
            dry_run,
            encoding: parsed.encoding,
            rows: parsed.rows,
            added,
            already_registered: registered
                .into_iter()
                .map(|(index, client_no)| Registered {
                    line: lines.get(index).copied().unwrap_or(0),
                    client_no,
                })
                .collect(),
            rejected: parsed.rejected,
            ignored_columns: parsed.ignored_columns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn chinese_headers_and_line_numbers() {
        let text = "姓名,身份证号,手机号,备注\n\
                    王芳,11010519491231002X,13812345678,老客户\n\
                    李四,11010519491231002Y,13812345679,\n\
                    \n\
                    张三,44011320141005001X,1381234567,\n\
                    赵六,44011320141005001X\n";
        let parsed = parse(text, today()).unwrap();
        assert_eq!(parsed.rows, 4);
        assert_eq!(parsed.valid.len(), 1);
        assert_eq!(parsed.valid[0].0, 2);
        assert_eq!(parsed.ignored_columns, ["备注"]);
        let lines: Vec<u64> = parsed.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 5, 6]);
        assert!(matches!(
            parsed.rejected[2].problem,
            LineProblem::Ragged {
                expected: 4,
                found: 2
            }
        ));
    }

    #[test]
    fn repeated_rows_in_one_file_are_reported() {
        let text = "name,id_number\n王芳,11010519491231002X\n王芳,11010519491231002x\n";
        let parsed = parse(text, today()).unwrap();
        assert_eq!(parsed.valid.len(), 1);
        assert_eq!(
            parsed.rejected[0].problem,
            LineProblem::RepeatedInFile { first_line: 2 }
        );
    }

    #[test]
    fn file_level_problems() {
        assert_eq!(parse("", today()).unwrap_err(), FileProblem::Empty);
        assert_eq!(
            parse("姓名,手机\n王芳,13812345678\n", today()).unwrap_err(),
            FileProblem::MissingColumns(vec![ClientField::IdNumber])
        );
    }

    #[test]
    fn gbk_and_bom_are_read() {
        let utf8 = "\u{feff}姓名,证件号码\n王芳,11010519491231002X\n";
        let (text, encoding) = decode(utf8.as_bytes(), None);
        assert_eq!(encoding, Encoding::Utf8);
        assert!(text.starts_with("姓名"));
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,证件号码\n王芳,11010519491231002X\n");
        let (text, encoding) = decode(&gbk, None);
        assert_eq!(encoding, Encoding::Gbk);
        assert_eq!(parse(&text, today()).unwrap().valid.len(), 1);
        // GBK read as UTF-8 by force shows replacement characters: reported, not imported.
        let (wrong, _) = decode(&gbk, Some(Encoding::Utf8));
        assert!(matches!(
            parse(&wrong, today()).unwrap_err(),
            FileProblem::WrongEncoding { .. }
        ));
    }
}
