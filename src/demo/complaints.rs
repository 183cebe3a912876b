//! The complaints of the demo store: a branch's month of cases in every state, some of them
//! overdue, dated relative to the day the store is made.

use crate::domain::complaint::{IntakeInput, PauseReason, Step};
use chrono::{Duration, NaiveDate};

/// One demo case: who complains about what, and what has happened since.
#[derive(Debug, Clone)]
pub struct DemoCase {
    /// Which demo client complains (an index into the store's clients), or None for a
    /// walk-in.
    pub client: Option<u64>,
    pub intake: IntakeInput,
    /// Steps after registration, each dated this many days after receipt. A merge names
    /// the case it joins as `#n`, its index in this list.
    pub steps: Vec<(i64, Step, Option<String>)>,
}

struct Template {
    category: &'static str,
    channel: &'static str,
    severity: &'static str,
    request: (&'static str, &'static str),
    description: (&'static str, &'static str),
}

const TEMPLATES: &[Template] = &[
    Template {
        category: "fees",
        channel: "counter",
        severity: "normal",
        request: ("退还重复收取的年费", "Refund the annual fee charged twice"),
        description: (
            "客户称其借记卡本年度被收取两次年费，各 10 元。\n客户出示了手机银行截图。",
            "The client says the debit card annual fee (CNY 10) was charged twice this year.\nShowed screenshots from mobile banking.",
        ),
    },
    Template {
        category: "service_attitude",
        channel: "counter",
        severity: "normal",
        request: ("要求当班柜员道歉", "An apology from the teller on duty"),
        description: (
            "客户称办理挂失时柜员态度生硬，未解释所需材料。",
            "The client says the teller was curt while reporting a lost card and did not explain what was needed.",
        ),
    },
    Template {
        category: "mis_selling",
        channel: "letter",
        severity: "serious",
        request: (
            "撤销保险合同并全额退款",
            "Cancel the insurance policy and refund in full",
        ),
        description: (
            "客户称在办理存款时被告知所购为“存款产品”，后发现为分红型保险。\n要求调取当日录音录像。",
            "The client says a policy was sold as a \"deposit product\" while making a deposit; it is a participating insurance policy.\nAsks for the day's audio and video records.",
        ),
    },
    Template {
        category: "card_account",
        channel: "phone",
        severity: "urgent",
        request: ("解除账户止付", "Lift the hold on the account"),
        description: (
            "客户账户被风控止付，工资无法支取，影响生活。",
            "The account was put on hold by the risk system; the client cannot draw the salary paid into it.",
        ),
    },
    Template {
        category: "loan",
        channel: "online",
        severity: "normal",
        request: (
            "重新核算提前还款违约金",
            "Recalculate the early repayment charge",
        ),
        description: (
            "客户认为提前还款违约金计算有误，与合同约定不符。",
            "The client believes the early repayment charge does not follow the loan contract.",
        ),
    },
    Template {
        category: "wealth_product",
        channel: "regulator",
        severity: "serious",
        request: (
            "赔偿理财产品亏损",
            "Compensation for losses on a wealth product",
        ),
        description: (
            "监管转办：客户购买的 R3 级理财产品亏损 8%，称风险评估为 C2，购买时未提示风险不匹配。",
            "Forwarded by the regulator: an R3 wealth product lost 8%; the client's risk assessment was C2 and no mismatch warning was given.",
        ),
    },
    Template {
        category: "privacy",
        channel: "email",
        severity: "serious",
        request: (
            "停止营销来电并说明号码来源",
            "Stop marketing calls and say where the number came from",
        ),
        description: (
            "客户未同意营销，却多次接到理财推销电话。",
            "The client never agreed to marketing but keeps getting sales calls about wealth products.",
        ),
    },
    Template {
        category: "other",
        channel: "counter",
        severity: "normal",
        request: ("增加老年人专用窗口", "A counter for elderly clients"),
        description: (
            "客户反映排队时间超过一小时，无老年人优先安排。",
            "The client waited over an hour; there was no priority for elderly clients.",
        ),
    },
];

const WALK_INS: &[(&str, &str)] = &[
    ("赵敏", "13911112222"),
    ("孙立", "13722223333"),
    ("周婷", "18633334444"),
];

struct Planned {
    days_ago: i64,
    template: usize,
    walk_in: bool,
    /// The complaint is about teller01.
    about_teller: bool,
    steps: Vec<(i64, Step)>,
}

impl Planned {
    fn client(days_ago: i64, template: usize, steps: Vec<(i64, Step)>) -> Planned {
        Planned {
            days_ago,
            template,
            walk_in: false,
            about_teller: false,
            steps,
        }
    }

    fn walk_in(
        days_ago: i64,
        template: usize,
        about_teller: bool,
        steps: Vec<(i64, Step)>,
    ) -> Planned {
        Planned {
            days_ago,
            template,
            walk_in: true,
            about_teller,
            steps,
        }
    }
}

fn accept(handler: &str) -> Step {
    Step::Accepted {
        handler: handler.into(),
    }
}

fn extend(higher: Option<&str>) -> Step {
    Step::Extended {
        approved_by: "manager01".into(),
        complainant_told: true,
        higher_office: higher.map(str::to_string),
    }
}

fn decide(zh: bool) -> Step {
    Step::Decided {
        decision: if zh {
            "经核实情况属实，已按规定处理并向客户说明。".into()
        } else {
            "Found to be as described; put right and explained to the client.".into()
        },
    }
}

/// The demo cases, in order of receipt. `today` dates them; `zh` picks the language of
/// their text; `clients` says how many clients there are to complain.
pub fn demo_complaints(today: NaiveDate, zh: bool, clients: u64) -> Vec<(NaiveDate, DemoCase)> {
    use Step::*;
    let paused = |reason| Paused { reason };
    // Received so many days ago, from a template, by a client or a walk-in, and then…
    let plan = [
        Planned::client(
            60,
            0,
            vec![
                (1, accept("rm01")),
                (2, Started),
                (6, decide(zh)),
                (9, Feedback { satisfied: true }),
                (10, Closed),
            ],
        ),
        Planned::client(
            50,
            4,
            vec![
                (1, accept("rm01")),
                (3, Started),
                (12, decide(zh)),
                (14, Feedback { satisfied: false }),
                (45, Reopened),
            ],
        ),
        Planned::client(
            45,
            5,
            vec![
                (1, accept("manager01")),
                (2, Started),
                (12, extend(None)),
                (28, extend(Some("分行消费者权益保护部"))),
                (30, paused(PauseReason::Appraisal)),
                (38, Resumed),
            ],
        ),
        Planned::client(40, 2, vec![(2, accept("rm01")), (3, Started)]),
        Planned::walk_in(
            35,
            1,
            true,
            vec![
                (1, accept("rm01")),
                (2, Started),
                (5, decide(zh)),
                (8, Feedback { satisfied: true }),
                (9, Closed),
            ],
        ),
        Planned::client(
            30,
            6,
            vec![(1, accept("manager01")), (2, Started), (20, decide(zh))],
        ),
        Planned::walk_in(25, 7, false, vec![]),
        Planned::client(
            20,
            3,
            vec![(0, accept("rm01")), (1, Started), (10, extend(None))],
        ),
        Planned::client(18, 0, vec![(1, accept("teller01")), (2, Started)]),
        Planned::client(13, 4, vec![(1, accept("rm01"))]),
        Planned::walk_in(12, 1, true, vec![(1, accept("rm01")), (2, Started)]),
        Planned::client(10, 2, vec![(2, Withdrawn)]),
        Planned::client(9, 0, vec![(1, Merged { into: "#8".into() })]),
        Planned::client(
            5,
            5,
            vec![
                (1, accept("manager01")),
                (2, Started),
                (3, paused(PauseReason::Information)),
            ],
        ),
        Planned::client(3, 6, vec![(1, accept("rm01")), (2, Started)]),
        Planned::client(1, 3, vec![(1, accept("rm01"))]),
        Planned::walk_in(0, 7, false, vec![]),
        Planned::client(0, 0, vec![]),
    ];
    let pick = |(zh_text, en_text): (&str, &str)| if zh { zh_text } else { en_text }.to_string();
    let mut walk_ins = WALK_INS.iter().cycle();
    plan.into_iter()
        .enumerate()
        .map(|(i, planned)| {
            let Planned {
                days_ago,
                template,
                walk_in,
                about_teller,
                steps,
            } = planned;
            let received = today - Duration::days(days_ago);
            let t = &TEMPLATES[template];
            let client = (!walk_in && clients > 0).then(|| (i as u64 * 7_919 + 11) % clients);
            let (name, phone) = if client.is_none() {
                let (name, phone) = walk_ins.next().copied().unwrap_or(("赵敏", ""));
                (name.to_string(), phone.to_string())
            } else {
                (String::new(), String::new())
            };
            let intake = IntakeInput {
                client: String::new(),
                complainant_name: name,
                complainant_phone: phone,
                channel: t.channel.into(),
                category: t.category.into(),
                severity: t.severity.into(),
                request: pick(t.request),
                description: pick(t.description),
                subject_staff: if about_teller {
                    "teller01".into()
                } else {
                    String::new()
                },
                received_on: received.to_string(),
            };
            let steps = steps
                .into_iter()
                .map(|(after, step)| (after, step, None))
                .collect();
            (
                received,
                DemoCase {
                    client,
                    intake,
                    steps,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_dated_in_order_and_not_after_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let cases = demo_complaints(today, true, 2_000);
        assert!(cases.len() >= 15);
        for (received, case) in &cases {
            assert!(*received <= today);
            let mut last = 0;
            for (after, _, _) in &case.steps {
                assert!(*after >= last, "steps out of order");
                assert!(*received + Duration::days(*after) <= today);
                last = *after;
            }
            assert!(case.client.is_none_or(|c| c < 2_000));
        }
        let walk_ins = cases.iter().filter(|(_, c)| c.client.is_none()).count();
        assert!(walk_ins >= 2);
        assert!(
            demo_complaints(today, false, 0)
                .iter()
                .all(|(_, c)| c.client.is_none())
        );
    }
}
