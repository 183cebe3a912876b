//! Everything in `assets/`, embedded so that the binary is the only file a counter terminal
//! needs. HQ reference data may supersede some of it later.

pub const I18N_EN: &str = include_str!("../assets/i18n/en.toml");
pub const I18N_ZH: &str = include_str!("../assets/i18n/zh.toml");
pub const KEYMAP: &str = include_str!("../assets/keymap.toml");
pub const HOLIDAYS: &str = include_str!("../assets/holidays.toml");
pub const FESTIVALS: &str = include_str!("../assets/festivals.toml");
