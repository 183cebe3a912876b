//! The points page of a client's record (Ctrl-D on the record): the balance, what can be
//! used today and what lapses within 90 days, the redemption catalogue with the balance
//! each item would leave, and the latest entries. Enter on an item asks to confirm the
//! redemption (its slip is written when it goes through); a manager reverses an entry
//! with a reason.

use crate::app::command::{Command, Context};
use crate::app::form::{Field, FieldValue, Form};
use crate::app::list::Selection;
use crate::app::screen::ScreenKeys;
use crate::i18n::I18n;
use crate::service::{CatalogueItem, PointsEntry, PointsView, Request};

/// What is being asked over the page.
#[derive(Debug)]
pub enum PointsAsk {
    /// Redeem the selected item? Enter goes ahead.
    Redeem,
    /// Which entry to reverse, and why; `entries` are the choice's entry IDs, in its order.
    Reverse { form: Form, entries: Vec<String> },
}

#[derive(Debug)]
pub struct PointsPage {
    pub view: PointsView,
    pub catalogue: Vec<CatalogueItem>,
    /// The catalogue item Enter redeems.
    pub selected: Selection,
    pub ask: Option<PointsAsk>,
    /// Points changed here: the record's points line is read again on the way back.
    pub changed: bool,
}

impl PointsPage {
    pub fn new(view: PointsView, catalogue: Vec<CatalogueItem>) -> PointsPage {
        PointsPage {
            view,
            catalogue,
            selected: Selection::default(),
            ask: None,
            changed: false,
        }
    }

    /// The same client's points read again (after a redemption or a reversal): the
    /// selection stays on its item.
    pub fn refreshed(self, view: PointsView, catalogue: Vec<CatalogueItem>) -> PointsPage {
        let was_on = self.selected_item().map(|c| c.item.code.clone());
        let mut page = PointsPage::new(view, catalogue);
        page.changed = self.changed;
        page.selected.index = was_on
            .and_then(|code| page.catalogue.iter().position(|c| c.item.code == code))
            .unwrap_or(0);
        page.selected.clamp(page.catalogue.len());
        page
    }

    pub fn selected_item(&self) -> Option<&CatalogueItem> {
        self.catalogue.get(self.selected.index)
    }

    /// Whether the selected item can be redeemed now: enough usable points, and stock.
    pub fn can_redeem(&self) -> bool {
        self.selected_item()
            .is_some_and(|c| c.item.points <= self.view.usable && c.stock_left != Some(0))
    }

    /// The entries a manager may still reverse, among those shown.
    pub fn reversible(&self) -> impl Iterator<Item = &PointsEntry> {
        self.view.recent.iter().filter(|e| e.reversible())
    }

    pub fn form(&self) -> Option<&Form> {
        match &self.ask {
            Some(PointsAsk::Reverse { form, .. }) => Some(form),
            _ => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.ask {
            Some(PointsAsk::Reverse { form, .. }) => Some(form),
            _ => None,
        }
    }

    pub fn keys(&self) -> ScreenKeys {
        match &self.ask {
            Some(PointsAsk::Redeem) => ScreenKeys::Confirm,
            Some(PointsAsk::Reverse { .. }) => ScreenKeys::Live(vec![Context::Form]),
            None => ScreenKeys::Live(vec![Context::Points, Context::List]),
        }
    }

    /// Whether a key of the page acts now (the footer shows only these).
    pub fn allows(&self, command: Command) -> bool {
        match command {
            Command::RedeemPoints => self.can_redeem(),
            Command::ReversePoints => self.reversible().next().is_some(),
            _ => true,
        }
    }

    /// A list key moves in the catalogue; Enter asks to confirm a redemption, the reversal
    /// key asks which entry and why.
    pub fn on_command(&mut self, command: Command, i18n: &I18n) {
        if self.selected.step(command, self.catalogue.len(), 5) {
            return;
        }
        match command {
            Command::RedeemPoints if self.can_redeem() => self.ask = Some(PointsAsk::Redeem),
            Command::ReversePoints => {
                let (labels, entries): (Vec<String>, Vec<String>) = self
                    .reversible()
                    .map(|e| (entry_label(e, i18n), e.id.clone()))
                    .unzip();
                if entries.is_empty() {
                    return;
                }
                let form = Form::new(vec![
                    Field::choice("points.field.entry", labels, 0),
                    Field::text("points.field.reason", 100),
                ]);
                self.ask = Some(PointsAsk::Reverse { form, entries });
            }
            _ => {}
        }
    }

    /// Enter over the page: the redemption confirmed, or the reversal keyed (its next
    /// field first).
    pub fn submit(&mut self, client_no: &str, i18n: &I18n) -> Option<Request> {
        match &mut self.ask {
            Some(PointsAsk::Redeem) => {
                self.ask = None;
                Some(Request::RedeemPoints {
                    key: client_no.to_string(),
                    item: self.selected_item()?.item.code.clone(),
                    lang: i18n.lang,
                })
            }
            Some(PointsAsk::Reverse { form, entries }) => {
                if !form.on_last_field() {
                    form.next();
                    return None;
                }
                form.clear_errors();
                let FieldValue::Choice { index, .. } = form.fields.first()?.value else {
                    return None;
                };
                Some(Request::ReversePoints {
                    entry: entries.get(index)?.clone(),
                    reason: form.value(1).trim().to_string(),
                })
            }
            None => None,
        }
    }

    /// Esc: what is asked closes; true if something did.
    pub fn back(&mut self) -> bool {
        self.ask.take().is_some()
    }
}

/// An entry in a line: its day, what it was, its points and the end of its ID (as the
/// slip's receipt number ends).
pub fn entry_label(entry: &PointsEntry, i18n: &I18n) -> String {
    let what = entry_what(entry, i18n);
    let skip = entry.id.chars().count().saturating_sub(6);
    let tail: String = entry.id.chars().skip(skip).collect();
    format!("{} {what} {:+} ·{tail}", entry.on, entry.points)
}

/// What an entry was: its kind, and the rule or item it names.
pub fn entry_what(entry: &PointsEntry, i18n: &I18n) -> String {
    let kind = i18n.t_owned(format!("points.kind.{}", entry.kind.code()));
    let name = i18n.pick(&entry.name_zh, &entry.name_en);
    match (name, entry.code.as_str()) {
        ("", "") => kind.to_string(),
        ("", code) => format!("{kind} {code}"),
        (name, _) => format!("{kind} {name}"),
    }
}
