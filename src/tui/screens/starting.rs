//! Before the first session check answers ("Opening the vault…"): an empty body, no key but
//! the app's own (the UI is busy), and the login's footer, which is what comes next unless a
//! session is open.

use super::{Info, Page, login};
use crate::tui::app::Model;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};

#[derive(Debug)]
pub struct Starting;

pub const INFO: Info = Info {
    title: "",
    authenticated: false,
    admin: false,
    hashes_password: false,
    layers: &[],
    help: login::INFO.help,
    footer: login::INFO.footer,
};

impl Page for Starting {
    fn view(&self, _: &Model, _: &mut Frame, _: Rect) -> Option<Position> {
        None
    }
}
