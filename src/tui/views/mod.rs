//! One view per screen: each draws its screen's state into the body's area with the kit.

pub mod audit;
pub mod book;
pub mod care;
pub mod clients;
pub mod complaints;
pub mod events;
pub mod hq_reports;
pub mod login;
pub mod overview;
pub mod risk;
pub mod staff;
pub mod survey;
pub mod survey_responses;
pub mod sync;
