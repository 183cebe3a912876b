//! The client book HQ sends down with a holdings snapshot: a client registered at another
//! branch becomes findable here, a correction made elsewhere arrives, an edit made here
//! after HQ's copy stands, an edit here that a later one elsewhere replaced goes on the
//! review list, and every store converges on the row HQ holds.

mod common;

use branchdesk::domain::client::ClientField;
use branchdesk::domain::staff::Role;
use branchdesk::store::{Session, StorePaths};
use common::hq::*;
use common::*;

const PASS: &str = ADMIN_PASS;

/// HQ's row of 张伟.
fn zhang_wei_at_hq(hq: &Session) -> branchdesk::store::HqRow {
    hq.hq_rows("client")
        .unwrap()
        .into_iter()
        .find(|r| r.fields["client_no"] == "BJ0102-0000001")
        .unwrap()
}

/// An edit of 张伟 (BJ0102-0000001).
fn edit(session: &mut Session, field: ClientField, value: &str) {
    session
        .edit_client_fields("BJ0102-0000001", &[(field, value.into())])
        .unwrap();
}

fn revealed(session: &mut Session, client: &str) -> branchdesk::domain::client::ClientView {
    session.reveal_client(client, "核对总行名册").unwrap()
}

crate::hq_test! {
    fn a_client_registered_at_another_branch_arrives_and_so_does_a_correction_made_there(backend) {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let mut hq = zhang_wei_registered_at_bj0102(dir, backend);
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 10);
        assert!(bj0101.search_clients("张伟", 5).unwrap().is_empty());

        let applied = publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!(
            (
                applied.book.received,
                applied.book.added,
                applied.book.updated
            ),
            (3, 1, 0),
            "HQ's book holds BJ0101's two clients, unchanged, and 张伟, new here"
        );
        assert_eq!(applied.book.review, 0);
        assert_eq!(
            (applied.accounts, applied.unknown_clients),
            (2, 0),
            "张伟's holding has a client here now"
        );
        let hits = bj0101.search_clients("张伟", 5).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].client_no, "BJ0102-0000001");
        assert_eq!(hits[0].home_branch, "BJ0101");
        // A client brought down is this branch's: on its agenda, with its number from BJ0102.
        let portfolio = bj0101.client_portfolio("BJ0102-0000001").unwrap();
        assert_eq!(portfolio.holdings.len(), 1);
        // …and due for their AML rating here.
        let unrated = |session: &mut Session| -> Vec<String> {
            session
                .risk_desk(branchdesk::store::DeskList::Unrated, 10)
                .unwrap()
                .rows
                .into_iter()
                .map(|r| r.client_no)
                .collect()
        };
        assert!(unrated(&mut bj0101).contains(&"BJ0102-0000001".to_string()));

        // BJ0102 corrects the phone; the next snapshot brings it.
        let mut bj0102 = at(dir, "BJ0102", "mgr02", 11);
        edit(&mut bj0102, ClientField::Phone, "13900000002");
        send(&mut bj0102, &mut hq, dir);
        let applied = publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!(
            (
                applied.book.added,
                applied.book.updated,
                applied.book.review
            ),
            (0, 1, 0)
        );
        let view = revealed(&mut bj0101, "BJ0102-0000001");
        assert_eq!(view.phone.as_deref(), Some("13900000002"));
        // The desk's row was written again from the corrected copy.
        assert!(unrated(&mut bj0101).contains(&"BJ0102-0000001".to_string()));
        // A move recorded at BJ0102 asks this branch, the client's home, for an early review.
        edit(
            &mut bj0102,
            ClientField::Address,
            "上海市浦东新区世纪大道 100 号",
        );
        send(&mut bj0102, &mut hq, dir);
        publish_to(&mut bj0101, &mut hq, dir);
        let triggers: Vec<_> = bj0101
            .risk_show("BJ0102-0000001")
            .unwrap()
            .triggers
            .into_iter()
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            triggers,
            vec![branchdesk::domain::aml::Trigger::AddressChanged]
        );
        // Found by the new phone's tail, no longer by the old one.
        assert_eq!(bj0101.search_clients("13900000002", 5).unwrap().len(), 1);
        assert!(bj0101.search_clients("13800000001", 5).unwrap().is_empty());

        // The same book again changes nothing (each copy already applied is passed over).
        let file = published_for(&mut hq, dir, "BJ0101");
        let again = bj0101.import_holdings(&file).unwrap();
        assert_eq!((again.book.added, again.book.updated), (0, 0));
        // The same file twice: refused, saying which snapshot is in force.
        let refused = bj0101.import_holdings(&file).unwrap_err();
        assert!(matches!(
            &refused,
            branchdesk::Error::SyncFile {
                problem: branchdesk::error::SyncProblem::OlderSnapshot { .. },
                ..
            }
        ));
        let said = refused.message(branchdesk::i18n::I18n::for_lang(branchdesk::i18n::Lang::En));
        assert!(said.contains("is holdings snapshot"), "{said}");
    }
}

crate::hq_test! {
    fn an_edit_here_stands_against_an_older_one_and_a_replaced_edit_is_listed_for_review(backend) {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let mut hq = zhang_wei_registered_at_bj0102(dir, backend);
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 10);
        publish_to(&mut bj0101, &mut hq, dir);
        drop(bj0101);

        // 12:00 BJ0101 changes the address (not yet sent); 13:00 BJ0102 changes it too, and
        // its e-mail; 14:00 BJ0101 changes the phone.
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 12);
        edit(&mut bj0101, ClientField::Address, "西单北大街 1 号");
        drop(bj0101);
        let mut bj0102 = at(dir, "BJ0102", "mgr02", 13);
        edit(&mut bj0102, ClientField::Address, "金融街 9 号");
        edit(&mut bj0102, ClientField::Email, "zw@example.cn");
        edit(&mut bj0102, ClientField::Phone, "13700000003");
        send(&mut bj0102, &mut hq, dir);
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 14);
        edit(&mut bj0101, ClientField::Phone, "13600000004");

        let applied = publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!((applied.book.updated, applied.book.review), (1, 1));
        let view = revealed(&mut bj0101, "BJ0102-0000001");
        // The later edit of each field wins, here as it will at HQ.
        assert_eq!(view.address.as_deref(), Some("金融街 9 号"));
        assert_eq!(view.email.as_deref(), Some("zw@example.cn"));
        assert_eq!(
            view.phone.as_deref(),
            Some("13600000004"),
            "an edit made here after HQ's copy is not overwritten"
        );
        let review = bj0101.client_review().unwrap();
        assert_eq!(review.len(), 1);
        let entry = &review[0];
        assert_eq!(
            (
                entry.client_no.as_str(),
                entry.field.as_str(),
                entry.kept.as_str(),
                entry.kept_branch.as_str(),
                entry.lost.as_str(),
                entry.lost_branch.as_str()
            ),
            (
                "BJ0102-0000001",
                "address",
                "金融街 9 号",
                "BJ0102",
                "西单北大街 1 号",
                "BJ0101"
            )
        );

        // BJ0101's edits reach HQ: HQ's row and BJ0101's agree, and the next book changes
        // nothing here.
        send(&mut bj0101, &mut hq, dir);
        let row = zhang_wei_at_hq(&hq);
        assert_eq!(row.fields["phone"], "13600000004");
        assert_eq!(row.fields["address"], "金融街 9 号");
        let again = publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!((again.book.updated, again.book.review), (0, 0));

        // A manager takes the entry off the list once the record is right; tellers cannot.
        assert!(matches!(
            bj0101.resolve_client_review("BJ0102-0000001", "phone"),
            Err(branchdesk::Error::NothingToReview { .. })
        ));
        bj0101
            .resolve_client_review("BJ0102-0000001", "address")
            .unwrap();
        assert!(bj0101.client_review().unwrap().is_empty());
    }
}

crate::hq_test! {
    fn a_client_of_hqs_with_a_document_registered_here_is_listed_not_brought_in(backend) {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let mut hq = hq_with_clients(dir, backend);
        second_branch(dir, &mut hq);
        // BJ0102 registers 李娜's ID number again, for BJ0101.
        let mut bj0102 = at(dir, "BJ0102", "mgr02", 9);
        let record = record("李娜娜", "110101199003070011", "");
        bj0102
            .load_clients(
                &mut std::iter::once((record, "BJ0101".to_string())),
                "test",
                &mut |_| {},
            )
            .unwrap();
        send(&mut bj0102, &mut hq, dir);
        let extract = dir.join("extract.csv");
        std::fs::write(
            &extract,
            "客户号,产品代码,账号,余额,开户日期\nBJ0101-0000001,DEP-DEMAND,A001,1000,2024-01-01\n",
        )
        .unwrap();
        hq.hq_import_holdings(&extract, "2026-11-29", false)
            .unwrap();
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 10);
        let applied = publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!((applied.book.added, applied.book.review), (0, 1));
        assert!(bj0101.search_clients("李娜娜", 5).unwrap().is_empty());
        let review = bj0101.client_review().unwrap();
        assert_eq!(
            (
                review[0].client_no.as_str(),
                review[0].field.as_str(),
                review[0].lost.as_str(),
                review[0].lost_branch.as_str()
            ),
            ("BJ0101-0000002", "duplicate", "BJ0102-0000001", "BJ0101")
        );
        // Resolving it without correcting either client does not make it go away: the next
        // book lists it again.
        bj0101
            .resolve_client_review("BJ0101-0000002", "duplicate")
            .unwrap();
        assert!(bj0101.client_review().unwrap().is_empty());
        let again = publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!((again.book.added, again.book.review), (0, 1));
        assert_eq!(bj0101.client_review().unwrap().len(), 1);
        drop(bj0101);
        let teller_dir = StorePaths::new(dir.join("BJ0101"));
        let mut admin = Session::unlock(&teller_dir, ADMIN, &secret(PASS), clock(), options()).unwrap();
        admin
            .add_staff("teller01", "柜员", Role::Teller, &secret(PASS))
            .unwrap();
        drop(admin);
        let mut teller = at(dir, "BJ0101", "teller01", 11);
        assert!(
            teller.client_review().is_err(),
            "the review list is managers'"
        );
    }
}

crate::hq_test! {
    fn an_edit_made_after_the_book_arrived_wins_even_with_this_clock_behind(backend) {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let mut hq = zhang_wei_registered_at_bj0102(dir, backend);
        // BJ0102's clock is ahead: its correction is stamped 23:00.
        let mut bj0102 = at(dir, "BJ0102", "mgr02", 23);
        edit(&mut bj0102, ClientField::Phone, "13900000023");
        send(&mut bj0102, &mut hq, dir);
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 10);
        publish_to(&mut bj0101, &mut hq, dir);
        assert_eq!(
            revealed(&mut bj0101, "BJ0102-0000001").phone.as_deref(),
            Some("13900000023")
        );
        drop(bj0101);
        // At 10:00 here, after a restart, the client tells the counter a newer number.
        let mut bj0101 = at(dir, "BJ0101", "mgr01", 10);
        edit(&mut bj0101, ClientField::Phone, "13600000010");
        send(&mut bj0101, &mut hq, dir);
        let row = zhang_wei_at_hq(&hq);
        assert_eq!(
            row.fields["phone"], "13600000010",
            "the edit made after seeing BJ0102's stamps after them"
        );
    }
}
