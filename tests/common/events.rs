//! Branch events as the store would give them to the screens: two upcoming events and the
//! first one's invitation list.

use super::date;
use branchdesk::domain::events::{Audience, EventKind, Reply};
use branchdesk::service::{EventDetail, EventRow, Invitation};
use branchdesk::store::EventFigures;

/// A seminar on 12-19 (40 places, 23 yes of 61 invited) and an appreciation evening on
/// 12-28 not yet invited.
pub fn upcoming() -> Vec<EventRow> {
    vec![
        EventRow {
            id: "0193-e1".into(),
            code: "BJ0101-E0001".into(),
            title: "2027 年资产配置讲座".into(),
            kind: EventKind::Seminar,
            on: date("2026-12-19"),
            place: "西单支行三楼多功能厅".into(),
            capacity: 40,
            audience: Audience {
                tiers: vec!["wealth".into(), "private".into()],
                ..Audience::default()
            },
            points_rule: Some("event_attended".into()),
            survey: Some("event_follow_up".into()),
            created_by: "rm01".into(),
            figures: EventFigures {
                invited: 61,
                accepted: 23,
                declined: 9,
                no_answer: 29,
                attended: 0,
                surveyed: 0,
                nps: None,
            },
        },
        EventRow {
            id: "0193-e2".into(),
            code: "BJ0101-E0002".into(),
            title: "迎新春客户答谢会".into(),
            kind: EventKind::Appreciation,
            on: date("2026-12-28"),
            place: "西单支行大堂".into(),
            capacity: 80,
            audience: Audience::default(),
            points_rule: None,
            survey: None,
            created_by: "manager01".into(),
            figures: EventFigures::default(),
        },
    ]
}

/// The seminar's page: three invitations (no answer, yes, no).
pub fn seminar_page() -> EventDetail {
    let invitation = |no: &str, name: &str, reply| Invitation {
        client_no: no.into(),
        name: name.into(),
        rm: Some("rm01".into()),
        reply,
        attended: false,
        survey_sent: false,
    };
    EventDetail {
        event: upcoming().remove(0),
        invitations: vec![
            invitation("BJ0101-0000003", "张伟", Reply::None),
            invitation("BJ0101-0000001", "王芳", Reply::Yes),
            invitation("BJ0101-0000002", "李*", Reply::No),
        ],
    }
}
