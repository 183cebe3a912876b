//! The portfolio page of a record and the book screen, at 80x24 in Chinese and English,
//! and the keys that drive them: Ctrl-P asks for the portfolio, Enter on an offer asks what
//! the client made of it and sends that; Left and Right page through the book's segments
//! and Enter opens a client's record.

mod common;

use branchdesk::app::{Action, Command, Tab};
use branchdesk::domain::mask::Visibility;
use branchdesk::domain::staff::Role;
use branchdesk::i18n::Lang;
use branchdesk::service::{OfferOutcome, Reply, Request, Segment};
use common::portfolio::*;
use common::*;
use insta::assert_snapshot;

/// An RM with 王芳's record open and Ctrl-P pressed: the portfolio asked for and shown.
fn portfolio_page(lang: Lang) -> Harness {
    let mut h = Harness::logged_in(lang, session_info("rm01", "李娜", Role::Rm));
    h.command(Command::ClientsScreen);
    h.act(Action::Reply(Reply::Client {
        view: Box::new(wang_fang(Visibility::Full)),
        log: Vec::new(),
        events: Vec::new(),
    }));
    let effects = h.command(Command::Portfolio);
    assert!(
        matches!(sent(&effects)[..], [Request::Portfolio { key }] if key == "BJ0101-0000001"),
        "{effects:?}"
    );
    h.act(Action::Reply(Reply::Portfolio {
        portfolio: Box::new(portfolio()),
        offers: offers(),
    }));
    h
}

#[test]
fn portfolio_page_zh() {
    assert_snapshot!(portfolio_page(Lang::Zh).screen());
}

#[test]
fn portfolio_page_en() {
    assert_snapshot!(portfolio_page(Lang::En).screen());
}

#[test]
fn an_offers_outcome_is_asked_for_and_sent() {
    let mut h = portfolio_page(Lang::Zh);
    h.command(Command::RecordOffer);
    assert_snapshot!(h.screen());
    h.command(Command::ChoiceNext);
    h.command(Command::Submit);
    let effects = h.command(Command::Submit);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::RecordOffer { key, product, outcome: OfferOutcome::Accepted, channel }]
                if key == "BJ0101-0000001" && product == "WM-FIXED-180" && channel == "counter"
        ),
        "{effects:?}"
    );
    // Esc closes the prompt, then the page, back to the profile.
    h.command(Command::Back);
    h.command(Command::Back);
    assert!(h.screen().contains("联系记录"));
}

fn book_screen(lang: Lang) -> Harness {
    let mut h = Harness::logged_in(lang, session_info("rm01", "李娜", Role::Rm));
    let effects = h.command(Command::BookScreen);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::Book {
                rm: None,
                segment: Segment::All
            }]
        ),
        "{effects:?}"
    );
    h.act(Action::Reply(Reply::Book(Box::new(book()))));
    h
}

#[test]
fn book_zh() {
    assert_snapshot!(book_screen(Lang::Zh).screen());
}

#[test]
fn book_en() {
    assert_snapshot!(book_screen(Lang::En).screen());
}

#[test]
fn the_book_pages_through_segments_and_opens_a_record() {
    let mut h = book_screen(Lang::En);
    let effects = h.command(Command::NextSegment);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::Book {
                segment: Segment::Upgraded,
                ..
            }]
        ),
        "{effects:?}"
    );
    // Keys run ahead of the replies: the next press goes on from the one asked for.
    let effects = h.command(Command::NextSegment);
    assert!(
        matches!(
            sent(&effects)[..],
            [Request::Book {
                segment: Segment::Downgraded,
                ..
            }]
        ),
        "{effects:?}"
    );
    // Back from the first segment wraps to the last tier.
    let mut h = book_screen(Lang::En);
    let effects = h.command(Command::PrevSegment);
    assert!(
        matches!(&sent(&effects)[..], [Request::Book { segment: Segment::Tier(code), .. }] if code == "private"),
        "{effects:?}"
    );
    let mut h = book_screen(Lang::En);
    h.command(Command::Down);
    let effects = h.command(Command::ClientRecord);
    assert!(
        matches!(&sent(&effects)[..], [Request::OpenClient { key }] if key == "BJ0101-0000002"),
        "{effects:?}"
    );
    assert_eq!(h.app.main().unwrap().tab, Tab::Clients);
}

#[test]
fn a_teller_has_no_book_and_no_portfolio_key() {
    let mut h = Harness::logged_in(Lang::En, session_info("teller01", "王芳", Role::Teller));
    assert!(sent(&h.command(Command::BookScreen)).is_empty());
    h.command(Command::ClientsScreen);
    h.act(Action::Reply(Reply::Client {
        view: Box::new(wang_fang(Visibility::Masked)),
        log: Vec::new(),
        events: Vec::new(),
    }));
    assert!(sent(&h.command(Command::Portfolio)).is_empty());
}

#[test]
fn a_manager_goes_from_the_branchs_book_through_each_rms() {
    let mut h = Harness::logged_in(Lang::Zh, session_info("manager01", "张伟", Role::Manager));
    h.command(Command::BookScreen);
    let mut branch = book();
    branch.rm = None;
    branch.rms = vec!["rm01".into(), "rm02".into()];
    h.act(Action::Reply(Reply::Book(Box::new(branch.clone()))));
    let mut asked = Vec::new();
    for _ in 0..3 {
        let effects = h.command(Command::NextBook);
        let [Request::Book { rm, .. }] = &sent(&effects)[..] else {
            panic!("{effects:?}");
        };
        asked.push(rm.clone());
    }
    assert_eq!(
        asked,
        [Some("rm01".to_string()), Some("rm02".to_string()), None]
    );
    // An RM has no such key.
    let mut h = book_screen(Lang::Zh);
    assert!(sent(&h.command(Command::NextBook)).is_empty());
}

#[test]
fn a_portfolio_arriving_after_the_page_closed_opens_nothing() {
    let mut h = portfolio_page(Lang::Zh);
    h.command(Command::Back);
    assert!(h.screen().contains("联系记录"), "back on the profile");
    h.act(Action::Reply(Reply::Portfolio {
        portfolio: Box::new(portfolio()),
        offers: offers(),
    }));
    assert!(
        h.screen().contains("联系记录"),
        "a late reply does not reopen the page:\n{}",
        h.screen()
    );
}
