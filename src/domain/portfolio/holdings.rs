//! A line of HQ's holdings extract (持仓明细), checked on its own: which client (client
//! number or ID number), which product, which account or contract, the balance in CNY, the
//! day it was opened, and optionally when it matures, its monthly-average balance and, for a
//! loan, its days past due and five-category classification. The columns are found by their
//! Chinese or English names.

use super::credit::LoanClass;
use chrono::NaiveDate;
use serde::Serialize;

/// What a column of the extract holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Client,
    Product,
    Account,
    Balance,
    OpenedOn,
    MaturesOn,
    AvgBalance,
    DaysPastDue,
    LoanClass,
}

impl Column {
    /// The column a header names, in Chinese or English.
    pub fn named(header: &str) -> Option<Column> {
        let name = header.trim().to_lowercase().replace([' ', '-'], "_");
        Some(match name.as_str() {
            "client" | "client_no" | "id_number" | "客户号" | "客户编号" | "证件号码" => {
                Column::Client
            }
            "product" | "product_code" | "产品代码" | "产品" => Column::Product,
            "account" | "contract" | "account_no" | "账号" | "合约号" | "账户" => {
                Column::Account
            }
            "balance" | "余额" => Column::Balance,
            "opened_on" | "opened" | "开户日期" | "起息日" => Column::OpenedOn,
            "matures_on" | "maturity" | "到期日" => Column::MaturesOn,
            "avg_balance" | "monthly_average" | "月日均" | "月日均余额" => {
                Column::AvgBalance
            }
            "days_past_due" | "dpd" | "overdue_days" | "逾期天数" => Column::DaysPastDue,
            "loan_class" | "classification" | "five_category" | "五级分类" | "风险分类" => {
                Column::LoanClass
            }
            _ => return None,
        })
    }

    /// The columns an extract must have.
    pub const REQUIRED: [Column; 5] = [
        Column::Client,
        Column::Product,
        Column::Account,
        Column::Balance,
        Column::OpenedOn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Column::Client => "client",
            Column::Product => "product",
            Column::Account => "account",
            Column::Balance => "balance",
            Column::OpenedOn => "opened_on",
            Column::MaturesOn => "matures_on",
            Column::AvgBalance => "avg_balance",
            Column::DaysPastDue => "days_past_due",
            Column::LoanClass => "loan_class",
        }
    }
}

/// A line as typed, by column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawHolding {
    pub client: String,
    pub product: String,
    pub account: String,
    pub balance: String,
    pub opened_on: String,
    pub matures_on: String,
    pub avg_balance: String,
    pub days_past_due: String,
    pub loan_class: String,
}

/// A checked line. Amounts are in fen (分), so that no balance is rounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldingLine {
    /// A client number or an ID number, as the extract gives it.
    pub client: String,
    pub product: String,
    pub account: String,
    pub balance_fen: i64,
    pub opened_on: NaiveDate,
    pub matures_on: Option<NaiveDate>,
    pub avg_balance_fen: Option<i64>,
    /// A loan's days past due (0: current), as the extract gives it.
    pub days_past_due: Option<u32>,
    pub loan_class: Option<LoanClass>,
}

/// What is wrong with a line (`holdings.problem.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum HoldingProblem {
    Missing {
        column: &'static str,
    },
    NotAnAmount {
        column: &'static str,
    },
    Negative {
        column: &'static str,
    },
    NotADate {
        column: &'static str,
    },
    MaturesBeforeOpened,
    /// Not a whole number of days.
    NotADayCount {
        column: &'static str,
    },
    NotALoanClass,
    UnknownClient {
        client: String,
    },
    /// An ID number two of HQ's clients carry: it names no one for sure.
    AmbiguousClient {
        client: String,
    },
    UnknownProduct {
        product: String,
    },
    /// The same account twice in one extract.
    RepeatedAccount {
        account: String,
    },
}

impl HoldingProblem {
    pub fn code(&self) -> &'static str {
        match self {
            HoldingProblem::Missing { .. } => "missing",
            HoldingProblem::NotAnAmount { .. } => "not_an_amount",
            HoldingProblem::Negative { .. } => "negative",
            HoldingProblem::NotADate { .. } => "not_a_date",
            HoldingProblem::MaturesBeforeOpened => "matures_before_opened",
            HoldingProblem::NotADayCount { .. } => "not_a_day_count",
            HoldingProblem::NotALoanClass => "not_a_loan_class",
            HoldingProblem::UnknownClient { .. } => "unknown_client",
            HoldingProblem::AmbiguousClient { .. } => "ambiguous_client",
            HoldingProblem::UnknownProduct { .. } => "unknown_product",
            HoldingProblem::RepeatedAccount { .. } => "repeated_account",
        }
    }
}

/// A CNY amount as an extract writes it (`200000`, `200,000.50`, `¥1234.5`) in fen; none
/// for anything else, or more than two decimals.
pub fn parse_amount(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fen: i64 = format!("{fraction:0<2}").parse().ok()?;
    let total = yuan.checked_mul(100)?.checked_add(fen)?;
    Some(if negative { -total } else { total })
}

/// Checks one line; every problem at once.
pub fn check_line(raw: &RawHolding) -> Result<HoldingLine, Vec<HoldingProblem>> {
    let mut problems = Vec::new();
    let mut required = |column: Column, value: &str| {
        if value.trim().is_empty() {
            problems.push(HoldingProblem::Missing {
                column: column.code(),
            });
        }
        value.trim().to_string()
    };
    let client = required(Column::Client, &raw.client);
    let product = required(Column::Product, &raw.product).to_uppercase();
    let account = required(Column::Account, &raw.account);
    let amount = |column: Column, text: &str, problems: &mut Vec<HoldingProblem>| {
        if text.trim().is_empty() {
            return None;
        }
        match parse_amount(text) {
            Some(fen) if fen < 0 => {
                problems.push(HoldingProblem::Negative {
                    column: column.code(),
                });
                None
            }
            Some(fen) => Some(fen),
            None => {
                problems.push(HoldingProblem::NotAnAmount {
                    column: column.code(),
                });
                None
            }
        }
    };
    let balance = amount(Column::Balance, &raw.balance, &mut problems);
    if raw.balance.trim().is_empty() {
        problems.push(HoldingProblem::Missing {
            column: Column::Balance.code(),
        });
    }
    let avg_balance = amount(Column::AvgBalance, &raw.avg_balance, &mut problems);
    let date = |column: Column, text: &str, problems: &mut Vec<HoldingProblem>| {
        if text.trim().is_empty() {
            return None;
        }
        let parsed = crate::domain::client::parse_date(text);
        if parsed.is_none() {
            problems.push(HoldingProblem::NotADate {
                column: column.code(),
            });
        }
        parsed
    };
    let opened_on = date(Column::OpenedOn, &raw.opened_on, &mut problems);
    if raw.opened_on.trim().is_empty() {
        problems.push(HoldingProblem::Missing {
            column: Column::OpenedOn.code(),
        });
    }
    let matures_on = date(Column::MaturesOn, &raw.matures_on, &mut problems);
    if let (Some(opened), Some(matures)) = (opened_on, matures_on)
        && matures < opened
    {
        problems.push(HoldingProblem::MaturesBeforeOpened);
    }
    let days_past_due = match raw.days_past_due.trim() {
        "" => None,
        text => {
            let days = text.parse::<u32>().ok();
            if days.is_none() {
                problems.push(HoldingProblem::NotADayCount {
                    column: Column::DaysPastDue.code(),
                });
            }
            days
        }
    };
    let loan_class = match raw.loan_class.trim() {
        "" => None,
        text => {
            let class = LoanClass::parse(text);
            if class.is_none() {
                problems.push(HoldingProblem::NotALoanClass);
            }
            class
        }
    };
    match (balance, opened_on) {
        (Some(balance_fen), Some(opened_on)) if problems.is_empty() => Ok(HoldingLine {
            client,
            product,
            account,
            balance_fen,
            opened_on,
            matures_on,
            avg_balance_fen: avg_balance,
            days_past_due,
            loan_class,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawHolding {
        RawHolding {
            client: "BJ0101-0000001".into(),
            product: "dep-time-1y".into(),
            account: "6222020200012345678".into(),
            balance: "200,000.50".into(),
            opened_on: "2025/12/18".into(),
            matures_on: "2026-12-18".into(),
            avg_balance: String::new(),
            days_past_due: String::new(),
            loan_class: String::new(),
        }
    }

    #[test]
    fn amounts_are_read_to_the_fen() {
        assert_eq!(parse_amount("200000"), Some(20_000_000));
        assert_eq!(parse_amount("200,000.5"), Some(20_000_050));
        assert_eq!(parse_amount("¥1234.56"), Some(123_456));
        assert_eq!(parse_amount("-3"), Some(-300));
        for bad in ["", "12.345", "1e5", "abc", "12.3.4", "--1", "."] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_good_line_is_read_and_each_bad_field_is_named() {
        let line = check_line(&raw()).unwrap();
        assert_eq!(line.product, "DEP-TIME-1Y");
        assert_eq!(line.balance_fen, 20_000_050);
        assert_eq!(line.matures_on, NaiveDate::from_ymd_opt(2026, 12, 18));

        let bad = RawHolding {
            client: " ".into(),
            balance: "-5".into(),
            opened_on: "2025-13-01".into(),
            avg_balance: "lots".into(),
            ..raw()
        };
        let problems: Vec<&str> = check_line(&bad)
            .unwrap_err()
            .iter()
            .map(HoldingProblem::code)
            .collect();
        assert_eq!(
            problems,
            ["missing", "negative", "not_an_amount", "not_a_date"]
        );

        let backwards = RawHolding {
            matures_on: "2025-01-01".into(),
            ..raw()
        };
        assert_eq!(
            check_line(&backwards).unwrap_err(),
            [HoldingProblem::MaturesBeforeOpened]
        );
    }

    #[test]
    fn columns_are_found_by_chinese_or_english_names() {
        assert_eq!(Column::named("客户号"), Some(Column::Client));
        assert_eq!(Column::named("Product Code"), Some(Column::Product));
        assert_eq!(Column::named("月日均余额"), Some(Column::AvgBalance));
        assert_eq!(Column::named("备注"), None);
        assert_eq!(Column::named("逾期天数"), Some(Column::DaysPastDue));
        assert_eq!(Column::named("五级分类"), Some(Column::LoanClass));
    }

    #[test]
    fn a_loan_line_carries_its_days_past_due_and_class() {
        let loan = RawHolding {
            product: "LOAN-BIZ".into(),
            days_past_due: "45".into(),
            loan_class: "关注".into(),
            ..raw()
        };
        let line = check_line(&loan).unwrap();
        assert_eq!(line.days_past_due, Some(45));
        assert_eq!(line.loan_class, Some(LoanClass::SpecialMention));
        assert_eq!(check_line(&raw()).unwrap().loan_class, None);

        let bad = RawHolding {
            days_past_due: "-3".into(),
            loan_class: "坏".into(),
            ..raw()
        };
        let problems: Vec<&str> = check_line(&bad)
            .unwrap_err()
            .iter()
            .map(HoldingProblem::code)
            .collect();
        assert_eq!(problems, ["not_a_day_count", "not_a_loan_class"]);
    }
}
