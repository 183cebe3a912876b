//! HQ finds a client across every branch's consolidated rows by ID number or phone, through
//! the rows' lookup columns (the keyed blind index on PostgreSQL, where the values are
//! sealed): the same answers on both back ends, masked, and audited without the value.

mod common;

use branchdesk::store::{FindBy, FoundClient};
use common::hq::zhang_wei_registered_at_bj0102;

crate::hq_test! {
    fn hq_finds_a_client_by_id_number_or_phone_masked_and_audited(backend) {
        let dir = tempfile::tempdir().unwrap();
        // 王芳 and 李娜 at BJ0101; 张伟 registered at BJ0102 (home BJ0101, 13800000001).
        let mut hq = zhang_wei_registered_at_bj0102(dir.path(), backend);

        // Spaces and letter case are set aside, as the branches set them aside.
        let found = hq
            .hq_find_clients(FindBy::IdNumber, " 110101 198001010010 ")
            .unwrap();
        let zhang_wei = FoundClient {
            row_id: found[0].row_id.clone(),
            branch: "BJ0102".into(),
            client_no: "BJ0102-0000001".into(),
            home_branch: "BJ0101".into(),
            name: "张*".into(),
            id_number: "110***********0010".into(),
            phone: "138****0001".into(),
            deleted: false,
        };
        assert_eq!(found, vec![zhang_wei.clone()]);
        assert_eq!(
            hq.hq_find_clients(FindBy::Phone, "138 0000 0001").unwrap(),
            vec![zhang_wei]
        );
        let wang_fang = hq
            .hq_find_clients(FindBy::IdNumber, "11010519491231002x")
            .unwrap();
        assert_eq!(wang_fang.len(), 1);
        assert_eq!(
            (wang_fang[0].branch.as_str(), wang_fang[0].name.as_str()),
            ("BJ0101", "王*")
        );
        // An ID number no branch sent, a phone nobody gave, nothing at all.
        assert!(hq.hq_find_clients(FindBy::IdNumber, "110101199901010000").unwrap().is_empty());
        assert!(hq.hq_find_clients(FindBy::Phone, "13900000000").unwrap().is_empty());
        assert!(hq.hq_find_clients(FindBy::Phone, "  ").unwrap().is_empty());

        // Each lookup is in the trail: how, and how many; never the value.
        let trail = hq.list_audit(None, 20).unwrap();
        let lookups: Vec<serde_json::Value> = trail
            .iter()
            .filter(|r| r.action == "hq.find_client")
            .map(|r| {
                assert!(!r.detail.contains("198001010010") && !r.detail.contains("13800000001"));
                serde_json::from_str(&r.detail).unwrap()
            })
            .collect();
        let newest_first = serde_json::json!([
            { "by": "phone", "found": 0 },
            { "by": "phone", "found": 0 },
            { "by": "id_number", "found": 0 },
            { "by": "id_number", "found": 1 },
            { "by": "phone", "found": 1 },
            { "by": "id_number", "found": 1 },
        ]);
        assert_eq!(serde_json::Value::Array(lookups), newest_first);
    }
}
