//! Pure rules and types. Nothing in here touches the disk, the network, the terminal or the
//! system clock: time comes in through [`clock::Clock`].

pub mod aml;
pub mod audit;
pub mod branch;
pub mod calendar;
pub mod care;
pub mod client;
pub mod clock;
pub mod complaint;
pub mod contact;
pub mod events;
pub mod hlc;
pub mod ids;
pub mod lockout;
pub mod lookup;
pub mod loyalty;
pub mod lunar;
pub mod mask;
pub mod names;
pub mod portfolio;
pub mod staff;
pub mod survey;
pub mod text;
