//! Pure rules and types. Nothing in here touches the disk, the network, the terminal or the
//! system clock: time comes in through [`clock::Clock`].

pub mod audit;
pub mod branch;
pub mod clock;
pub mod hlc;
pub mod lockout;
pub mod staff;
