//! The portfolio page of a client's record (Ctrl-P on the record): what the client holds
//! and when it matures, AUM by month, the tier and why, the assessment and how long it
//! holds, the value with its parts, and the offers with why. Enter on an offer asks what
//! the client made of it (offered, accepted, declined, later) and how they were reached.

use crate::app::command::{Command, Context};
use crate::app::form::{Field, Form};
use crate::app::list::Selection;
use crate::app::screen::ScreenKeys;
use crate::domain::contact::CHANNELS;
use crate::service::{Offer, OfferOutcome, Portfolio, Request};

#[derive(Debug)]
pub struct PortfolioPage {
    pub portfolio: Portfolio,
    pub offers: Vec<Offer>,
    /// The offer Enter acts on.
    pub selected: Selection,
    /// What the client made of the selected offer, being keyed.
    pub prompt: Option<Form>,
    /// An outcome was recorded here: the record's contact log is to be read again.
    pub recorded: bool,
}

impl PortfolioPage {
    pub fn new(portfolio: Portfolio, offers: Vec<Offer>) -> PortfolioPage {
        PortfolioPage {
            portfolio,
            offers,
            selected: Selection::default(),
            prompt: None,
            recorded: false,
        }
    }

    /// The same client's portfolio read again: the selection stays on the product it was
    /// on, and an outcome being keyed for it stays, when that product is still offered.
    pub fn refreshed(self, portfolio: Portfolio, offers: Vec<Offer>) -> PortfolioPage {
        let was_on = self.selected_offer().map(|o| o.product.clone());
        let found = was_on.and_then(|p| offers.iter().position(|o| o.product == p));
        let mut page = PortfolioPage::new(portfolio, offers);
        page.recorded = self.recorded;
        page.selected.index = found.unwrap_or(0);
        page.prompt = found.and(self.prompt);
        page.selected.clamp(page.offers.len());
        page
    }

    pub fn selected_offer(&self) -> Option<&Offer> {
        self.offers.get(self.selected.index)
    }

    pub fn keys(&self) -> ScreenKeys {
        if self.prompt.is_some() {
            ScreenKeys::Live(vec![Context::Form])
        } else {
            ScreenKeys::Live(vec![Context::Portfolio, Context::List])
        }
    }

    /// A list key moves between the offers; Enter asks for the outcome of the one selected.
    pub fn on_command(&mut self, command: Command) {
        if self.selected.step(command, self.offers.len(), 5) {
            return;
        }
        if command == Command::RecordOffer && self.selected_offer().is_some() {
            let outcomes = OfferOutcome::ALL
                .iter()
                .map(|o| o.code().to_string())
                .collect();
            self.prompt = Some(Form::new(vec![
                Field::choice_with_codes("field.offer_outcome", outcomes, 0),
                Field::choice_with_codes(
                    "field.channel",
                    CHANNELS.iter().map(|c| c.to_string()).collect(),
                    0,
                ),
            ]));
        }
    }

    /// Enter in the prompt: on to the next field, or the outcome to record.
    pub fn submit(&mut self, client_no: &str) -> Option<Request> {
        let product = self.selected_offer()?.product.clone();
        let form = self.prompt.as_mut()?;
        if !form.on_last_field() {
            form.next();
            return None;
        }
        form.clear_errors();
        Some(Request::RecordOffer {
            key: client_no.to_string(),
            product,
            outcome: OfferOutcome::parse(form.value(0))?,
            channel: form.value(1).to_string(),
        })
    }
}
