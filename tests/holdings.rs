//! HQ's holdings extract: every line checked against HQ's clients and the product
//! catalogue, bad lines listed with their line and reasons, good lines in one transaction,
//! the same extract twice adding nothing.

mod common;

use branchdesk::Error;
use branchdesk::domain::portfolio::holdings::HoldingProblem;
use branchdesk::domain::staff::Role;
use branchdesk::store::{Session, StorePaths};
use common::hq::*;
use common::*;

const PASS: &str = ADMIN_PASS;

const EXTRACT: &str = "客户号,产品代码,账号,余额,开户日期,到期日,月日均余额,备注
BJ0101-0000001,DEP-TIME-1Y,A001,\"200,000.00\",2025-12-18,2026-12-18,200000,
110101199003070011,fund-balanced,A002,50000.5,2024-03-01,,48000,身份证号也可
BJ0101-0000099,DEP-DEMAND,A003,100,2024-01-01,,,
BJ0101-0000001,CRYPTO-1,A004,100,2024-01-01,,,
BJ0101-0000002,DEP-DEMAND,A005,-20,2024-01-01,,,
BJ0101-0000002,DEP-DEMAND,A006,lots,2024-13-01,,,
BJ0101-0000002,DEP-DEMAND,A001,10,2024-01-01,,,
";

crate::hq_test! {
    fn every_line_is_checked_and_the_good_ones_go_in_once(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let file = dir.path().join("extract.csv");
        let (gbk, _, _) = encoding_rs::GBK.encode(EXTRACT);
        std::fs::write(&file, &gbk).unwrap();

        let dry = hq.hq_import_holdings(&file, "2026-11-30", true).unwrap();
        // A dry run says what would be added.
        assert_eq!((dry.rows, dry.added, dry.already), (7, 1, 0));
        let refused: Vec<(u64, Vec<&str>)> = dry
            .refused
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.problems.iter().map(HoldingProblem::code).collect(),
                )
            })
            .collect();
        assert_eq!(
            refused,
            [
                // An account on two lines: both refused, not the first kept.
                (2, vec!["repeated_account"]),
                (4, vec!["unknown_client"]),
                (5, vec!["unknown_product"]),
                (6, vec!["negative"]),
                (7, vec!["not_an_amount", "not_a_date"]),
                (8, vec!["repeated_account"]),
            ]
        );
        assert_eq!(dry.unknown_products, ["CRYPTO-1"]);
        // What is echoed of a client or an account is masked, as everywhere.
        assert_eq!(
            dry.refused[1].problems[0],
            HoldingProblem::UnknownClient {
                client: "BJ0*******0099".into()
            }
        );
        assert_eq!(dry.ignored_columns, ["备注"]);

        let first = hq.hq_import_holdings(&file, "2026-11-30", false).unwrap();
        assert_eq!((first.added, first.already), (1, 0));
        let again = hq.hq_import_holdings(&file, "2026-11-30", false).unwrap();
        assert_eq!(
            (again.added, again.already),
            (0, 1),
            "the same extract adds nothing"
        );
        // Another month's extract is another snapshot.
        let next = hq.hq_import_holdings(&file, "2026-10-31", false).unwrap();
        assert_eq!(next.added, 1);
    }
}

crate::hq_test! {
    fn an_extract_without_its_columns_or_a_day_to_come_is_refused_whole(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let file = dir.path().join("extract.csv");
        std::fs::write(&file, "客户号,余额\nBJ0101-0000001,100\n").unwrap();
        let error = hq
            .hq_import_holdings(&file, "2026-11-30", false)
            .unwrap_err();
        let en = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En);
        let sentence = error.message(en);
        assert!(
            sentence.contains("Product code, Account, Opened on"),
            "{sentence}"
        );
        std::fs::write(&file, EXTRACT).unwrap();
        assert!(matches!(
            hq.hq_import_holdings(&file, "2099-01-01", false),
            Err(Error::NotADay { .. })
        ));
        assert!(matches!(
            hq.hq_import_holdings(&file, "soon", false),
            Err(Error::NotADay { .. })
        ));
    }
}

#[test]
fn a_branch_does_not_import_holdings() {
    let dir = tempfile::tempdir().unwrap();
    let mut branch = create_store(&StorePaths::new(dir.path().join("BJ0101")), "BJ0101");
    let file = dir.path().join("extract.csv");
    std::fs::write(&file, EXTRACT).unwrap();
    assert!(
        branch
            .hq_import_holdings(&file, "2026-11-30", false)
            .is_err()
    );
}

crate::hq_test! {
    /// HQ's own tables travel in its reference data: the branch's rules become HQ's (here,
    /// private banking from 800万, as ICBC has it); a table that does not read is refused at
    /// HQ, named, before anything is published.
    fn hq_sets_the_rules_its_branches_apply(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let branch = StorePaths::new(dir.path().join("BJ0101"));
        let manager = || Session::unlock(&branch, "mgr01", &secret(PASS), clock(), options()).unwrap();
        let shipped = manager().portfolio_rules().unwrap();
        let private = |rules: &branchdesk::sync::reference::PortfolioRules| {
            let tiers = rules.tiers.tiers();
            tiers[tiers.len() - 1].min_aum
        };
        assert_eq!(private(&shipped), 6_000_000);

        let reference = dir.path().join("HQ").join("reference");
        std::fs::create_dir_all(&reference).unwrap();
        std::fs::write(
            reference.join("offers.toml"),
            branchdesk::assets::OFFERS.replace("INS-ANNUITY", "INS-UNKNOWN"),
        )
        .unwrap();
        let out = dir.path().join("published");
        std::fs::create_dir_all(&out).unwrap();
        let refused = hq.publish_reference(&out).unwrap_err();
        let en = branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En);
        let sentence = refused.message(en);
        assert!(
            sentence.contains("offers.toml") && sentence.contains("INS-UNKNOWN"),
            "{sentence}"
        );

        std::fs::remove_file(reference.join("offers.toml")).unwrap();
        std::fs::write(
            reference.join("tiers.toml"),
            branchdesk::assets::TIERS.replace("6_000_000", "8_000_000"),
        )
        .unwrap();
        let published = hq.publish_reference(&out).unwrap();
        manager().import_reference(&published.file).unwrap();
        assert_eq!(private(&manager().portfolio_rules().unwrap()), 8_000_000);
    }
}

crate::hq_test! {
    /// HQ imports an extract → publishes → the branch applies its part: its holdings and each
    /// client's monthly AUM (deposits, wealth, funds and insurance; not loans), month by month;
    /// a snapshot no newer than the one in force is refused.
    fn a_branch_applies_its_part_of_hqs_extract_month_by_month(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let branch = StorePaths::new(dir.path().join("BJ0101"));
        let manager = || Session::unlock(&branch, "mgr01", &secret(PASS), clock(), options()).unwrap();
        let extract = dir.path().join("extract.csv");
        let out = dir.path().join("published");
        std::fs::create_dir_all(&out).unwrap();
        let mut publish = |csv: &str, day: &str| {
            std::fs::write(&extract, csv).unwrap();
            hq.hq_import_holdings(&extract, day, false).unwrap();
            hq.publish_reference(&out).unwrap();
            let published = hq.publish_holdings(&out).unwrap();
            assert_eq!(published.len(), 1);
            published[0].file.clone()
        };
        let october = publish(
            "客户号,产品代码,账号,余额,开户日期,月日均余额\n\
             BJ0101-0000001,DEP-TIME-1Y,A1,100000,2025-12-18,90000\n\
             BJ0101-0000001,LOAN-MORTGAGE,L1,800000,2020-01-01,800000\n\
             110101199003070011,FUND-BALANCED,A2,50000,2024-03-01,\n",
            "2026-10-31",
        );
        let applied = manager().import_holdings(&october).unwrap();
        assert_eq!(
            (applied.accounts, applied.clients, applied.unknown_clients),
            (3, 2, 0)
        );
        let november = publish(
            "客户号,产品代码,账号,余额,开户日期,月日均余额\n\
             BJ0101-0000001,DEP-TIME-1Y,A1,100000,2025-12-18,100000\n\
             BJ0101-0000001,WM-FIXED-180,A3,60000,2026-11-02,30000\n",
            "2026-11-30",
        );
        manager().import_holdings(&november).unwrap();
        let months: Vec<(String, i64)> = manager()
            .client_aum_history("BJ0101-0000001")
            .unwrap()
            .into_iter()
            .map(|(m, fen)| (m.to_string(), fen / 100))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-10".to_string(), 90_000),
                ("2026-11".to_string(), 130_000)
            ],
            "the loan is not an asset; the monthly average is used where HQ gives one"
        );
        assert_eq!(
            manager().holdings_as_of().unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        );
        // The October snapshot again: refused, the November one stays in force.
        assert!(manager().import_holdings(&october).is_err());
        assert_eq!(
            manager()
                .client_aum_history("BJ0101-0000001")
                .unwrap()
                .len(),
            2
        );
        // 李娜's fund is gone from November's extract: she holds nothing that month.
        let li: Vec<i64> = manager()
            .client_aum_history("BJ0101-0000002")
            .unwrap()
            .into_iter()
            .map(|(_, fen)| fen)
            .collect();
        assert_eq!(li, [5_000_000, 0]);

        // The portfolio: November's holdings (soonest maturity first, then by account; accounts
        // masked), the months, and the tier the first month's 90,000 reached (金卡), kept in
        // November.
        let portfolio = manager().client_portfolio("BJ0101-0000001").unwrap();
        let accounts: Vec<(&str, &str)> = portfolio
            .holdings
            .iter()
            .map(|h| (h.account.as_str(), h.product.as_str()))
            .collect();
        assert_eq!(
            accounts,
            [("****A1", "DEP-TIME-1Y"), ("****A3", "WM-FIXED-180")]
        );
        let tier = portfolio.tier.unwrap();
        assert_eq!(
            (tier.code.as_str(), tier.name_zh.as_str()),
            ("gold", "金卡")
        );
        assert!(tier.changes.is_empty());
        // Tellers see no balances.
        let mut admin = Session::unlock(&branch, "admin01", &secret(PASS), clock(), options()).unwrap();
        admin
            .add_staff(
                "teller01",
                "柜员",
                branchdesk::domain::staff::Role::Teller,
                &secret(PASS),
            )
            .unwrap();
        drop(admin);
        let mut teller =
            Session::unlock(&branch, "teller01", &secret(PASS), clock(), options()).unwrap();
        assert!(matches!(
            teller.client_portfolio("BJ0101-0000001"),
            Err(Error::PermissionDenied { .. })
        ));
    }
}

crate::hq_test! {
    /// Offers from the portfolio and the record: only to a client who consented to marketing,
    /// only what needs no assessment while none is recorded, each with its facts.
    fn offers_follow_the_portfolio_consent_and_suitability(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let manager = || at_branch(dir.path(), "mgr01");
        consents(dir.path(), "BJ0101-0000002");
        deliver(
            &mut hq,
            dir.path(),
            "客户号,产品代码,账号,余额,开户日期\n\
             BJ0101-0000001,DEP-DEMAND,A1,80000,2020-01-01\n\
             BJ0101-0000002,FUND-BALANCED,A2,60000,2024-03-01\n",
            "2026-11-30",
        );

        // 王芳 gave no consent: service, not offers.
        assert!(
            manager()
                .client_offers("BJ0101-0000001")
                .unwrap()
                .is_empty()
        );
        // 李娜, 36, holds a fund and no card: the card (R1) is offered, with why; the fund
        // offer does not apply (she holds one), and nothing above R1 without an assessment.
        let offers = manager().client_offers("BJ0101-0000002").unwrap();
        let rules: Vec<&str> = offers.iter().map(|o| o.rule.as_str()).collect();
        assert_eq!(rules, ["young_card"]);
        assert!(
            offers[0]
                .because
                .contains(&branchdesk::domain::portfolio::offers::Because::Age { years: 36 })
        );
    }
}

crate::hq_test! {
    /// A client who closed everything counts 0 every month after, not "missing" (which would
    /// keep them in their tier for good); another RM's client's balances stay hidden.
    fn a_client_who_closed_everything_counts_nothing_month_after_month(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let branch = StorePaths::new(dir.path().join("BJ0101"));
        let manager = || at_branch(dir.path(), "mgr01");
        let both = "客户号,产品代码,账号,余额,开户日期\n\
                    BJ0101-0000001,DEP-DEMAND,A1,1000,2020-01-01\n\
                    BJ0101-0000002,DEP-DEMAND,A2,7000000,2020-01-01\n";
        let one = "客户号,产品代码,账号,余额,开户日期\n\
                   BJ0101-0000001,DEP-DEMAND,A1,1000,2020-01-01\n";
        for (csv, day) in [
            (both, "2026-09-30"),
            (one, "2026-10-31"),
            (one, "2026-11-30"),
        ] {
            deliver(&mut hq, dir.path(), csv, day);
        }
        let li: Vec<i64> = manager()
            .client_aum_history("BJ0101-0000002")
            .unwrap()
            .into_iter()
            .map(|(_, fen)| fen / 100)
            .collect();
        assert_eq!(li, [7_000_000, 0, 0]);

        let mut admin = Session::unlock(&branch, "admin01", &secret(PASS), clock(), options()).unwrap();
        admin
            .add_staff("rm02", "客户经理", Role::Rm, &secret(PASS))
            .unwrap();
        drop(admin);
        let mut rm = Session::unlock(&branch, "rm02", &secret(PASS), clock(), options()).unwrap();
        assert!(matches!(
            rm.client_portfolio("BJ0101-0000002"),
            Err(Error::PermissionDenied { .. })
        ));
    }
}

crate::hq_test! {
    /// An assessment unlocks what the client's level allows: 王芳, consenting, with a time
    /// deposit maturing within the month, is offered the fixed-income product (R2) once
    /// assessed; a changed result needs her confirmation, and a third assessment in a day is
    /// refused.
    fn an_assessment_bounds_the_offers_and_is_limited(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        let manager = || at_branch(dir.path(), "mgr01");
        consents(dir.path(), "BJ0101-0000001");
        deliver(
            &mut hq,
            dir.path(),
            "客户号,产品代码,账号,余额,开户日期,到期日\n\
             BJ0101-0000001,DEP-TIME-1Y,A1,200000,2025-12-18,2026-12-18\n",
            "2026-11-30",
        );
        let rules = |s: &mut Session| -> Vec<String> {
            s.client_offers("BJ0101-0000001")
                .unwrap()
                .into_iter()
                .map(|o| o.rule)
                .collect()
        };
        assert!(!rules(&mut manager()).contains(&"reinvest_maturing_deposit".to_string()));

        use branchdesk::store::Filled;
        let record = manager()
            .add_assessment("BJ0101-0000001", 3, None, Filled::ClientPad, false)
            .unwrap();
        assert_eq!(
            record.valid_until,
            chrono::NaiveDate::from_ymd_opt(2027, 11, 29).unwrap()
        );
        assert!(rules(&mut manager()).contains(&"reinvest_maturing_deposit".to_string()));

        assert!(matches!(
            manager().add_assessment("BJ0101-0000001", 4, None, Filled::ReadOut, false),
            Err(Error::AssessmentUnconfirmed {
                previous: 3,
                level: 4
            })
        ));
        manager()
            .add_assessment("BJ0101-0000001", 4, None, Filled::ReadOut, true)
            .unwrap();
        assert!(matches!(
            manager().add_assessment("BJ0101-0000001", 4, None, Filled::ReadOut, false),
            Err(Error::AssessmentLimit { .. })
        ));
    }
}
