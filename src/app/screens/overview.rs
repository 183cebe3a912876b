//! The overview: who is logged in, where, and which screens they have (all drawn from the
//! session). Nothing to do here but leave; Esc here asks to quit.

use crate::app::screen::Screen;

#[derive(Debug, Default)]
pub struct OverviewScreen;

impl Screen for OverviewScreen {}
