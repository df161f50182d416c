//! The keymap, as data: every [`Action`] the UI knows, and the default [`BINDINGS`] (which key,
//! in which [`Layer`], does what). The app finds a key's action here and nowhere else. The
//! footer ([`Hint`]) and the help ([`Row`]) never name a key themselves: they point at
//! bindings by layer and action, and show the names of the keys bound there. So a key the
//! footer or the help shows is a key that works, and `tests/tui.rs` checks the converse:
//! every binding a screen answers is in its help.

use super::strings as s;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

/// What a key (or a paste) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the UI (the session, if any, stays).
    Quit,
    /// Clear the terminal and draw everything again.
    Redraw,
    /// Open or close the help.
    Help,
    CloseHelp,
    /// The answers to a question (the confirm dialog).
    Yes,
    No,
    /// End the session.
    Logout,
    /// To the signup form.
    Signup,
    /// To the change-password form.
    ChangePassword,
    /// Back where the screen came from.
    Back,
    /// Submit the form (a screen may go on to the next field instead).
    Submit,
    NextField,
    PrevField,
    /// Show / hide the password fields.
    Reveal,
    /// Edit the focused field.
    Edit(InputRequest),
    /// A line break in a field of several lines (the notes).
    NewLine,
    /// The row above / below in a field of several lines (at the first / last: the field
    /// above / below).
    LineUp,
    LineDown,
    /// Pasted text goes into the focused field.
    Paste,
    /// From the login screen to the reset form (a reset or first-login code).
    Reset,
    /// From the dashboard to the list of one's sessions.
    Sessions,
    /// From the dashboard to one's recent events.
    History,
    /// From the dashboard to the dialog that deletes one's own account.
    DeleteAccount,
    /// End the selected session (asks first).
    Revoke,
    /// End every session but this one (asks first).
    RevokeOthers,
    /// To the administration (the dashboard, for administrators).
    OpenAdmin,
    /// Move the selection in a table: a row, a page, to the first or the last page.
    RowUp,
    RowDown,
    PageUp,
    PageDown,
    FirstPage,
    LastPage,
    /// The next / previous tab.
    NextTab,
    PrevTab,
    /// Type a filter for the table.
    Filter,
    /// The table's next sort order.
    Sort,
    /// Do something to the account of the selected row.
    OnRow(RowAction),
    /// Lock the vault (the session stays).
    Lock,
    /// From the vault to the account's panel, and back.
    Account,
    ToVault,
    /// The vault's entries: add, edit, delete the selected one, show its password.
    NewEntry,
    EditEntry,
    DeleteEntry,
    RevealEntry,
    /// Copy a field of the selected entry to the clipboard (OSC 52).
    Copy(CopyWhat),
    /// A generated passphrase in the entry form's password field.
    Generate,
    /// The sealed vault's other form (recover / discard).
    SwitchForm,
}

/// Which field of an entry is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyWhat {
    Password,
    Username,
    Totp,
}

/// What an administrator does to the selected account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    Disable,
    Enable,
    Unlock,
    Promote,
    Demote,
    Expire,
    ResetCode,
    Delete,
}

/// Bindings that apply together. The app asks them in this order: `Always`; then, unless the
/// worker is busy or the terminal too small, `Confirm` alone while a question is asked;
/// `Common` (and `NoTextFocus` where no text field has focus); `Help` alone while the help is
/// open; `Session` on screens behind a login; then the screen's own layers, in the order the
/// screen lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Everywhere, even while busy or below the minimum size.
    Always,
    /// While a question is asked: only its answers (and `Always`).
    Confirm,
    /// Every screen.
    Common,
    /// Where no text field has focus: printable keys are shortcuts only there.
    NoTextFocus,
    /// While the help is open: only what closes it (and `Always`, `Common`, `NoTextFocus`).
    Help,
    /// Screens behind a login.
    Session,
    /// The login screen.
    Login,
    /// Screens that go back where they came from.
    Back,
    /// The dashboard.
    Dashboard,
    /// The dashboard's keys for administrators only.
    DashboardAdmin,
    /// The administration's tables: moving, tabs, the filter.
    Admin,
    /// The accounts table: sort, and the actions on the selected account.
    AdminAccounts,
    /// A dialog (or the filter being typed): Enter does what it offers.
    Dialog,
    /// A dialog with buttons: moving between them.
    Choice,
    /// Forms: focus, submit, show passwords.
    Form,
    /// Lists with a selection: move it.
    List,
    /// The sessions list: end the selected session, or all others.
    Sessions,
    /// The vault's tab key (to the account) and quitting, also when it shows no list.
    VaultTab,
    /// The vault's list: moving, filter, the entry's actions, lock.
    Vault,
    /// The vault's filter being typed: the selection still moves.
    VaultFilter,
    /// The entry form: the generator.
    EntryForm,
    /// A sealed vault: the other form.
    Sealed,
    /// A field of several lines (the notes) in place of `Form`: Enter breaks the line and
    /// ↑ / ↓ move between lines; Tab / Shift-Tab and F2 as in forms.
    Lines,
    /// The focused field of a form: editing keys, and paste. (The last layer: the tables
    /// below count up to it, and a layer after it fails to compile until they do.)
    Field,
}

/// Which modifiers a binding takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mods {
    /// Exactly these.
    Exactly(KeyModifiers),
    /// These, and any others too.
    AtLeast(KeyModifiers),
    /// None but Shift: printable keys (`?` arrives with Shift on some terminals).
    Plain,
    /// None but Shift, and a letter in either case (Caps Lock does not change an answer).
    PlainAnyCase,
    /// Whatever is held.
    Any,
}

/// What sets a binding off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Key(KeyCode, Mods),
    /// A paste (bracketed paste: one event, whatever its length).
    Paste,
}

impl Trigger {
    pub fn matches(&self, key: &KeyEvent) -> bool {
        let Trigger::Key(code, mods) = *self else {
            return false;
        };
        // The key first: most bindings differ from a key in it, and every key typed is
        // matched against a few layers.
        if key.code != code {
            let (Mods::PlainAnyCase, KeyCode::Char(typed), KeyCode::Char(bound)) =
                (mods, key.code, code)
            else {
                return false;
            };
            if typed.to_ascii_lowercase() != bound {
                return false;
            }
        }
        match mods {
            Mods::Exactly(m) => key.modifiers == m,
            Mods::AtLeast(m) => key.modifiers.contains(m),
            Mods::Plain | Mods::PlainAnyCase => {
                key.modifiers.difference(KeyModifiers::SHIFT).is_empty()
            }
            Mods::Any => true,
        }
    }

    /// The name the footer and the help give it: "Ctrl-N", "Shift-Tab", "←", "paste".
    pub fn name(&self) -> String {
        let Trigger::Key(code, mods) = *self else {
            return s::KEY_PASTE.to_owned();
        };
        let held = match mods {
            Mods::Exactly(m) | Mods::AtLeast(m) => m,
            Mods::Plain | Mods::PlainAnyCase | Mods::Any => KeyModifiers::NONE,
        };
        let mut name = String::new();
        if held.contains(KeyModifiers::CONTROL) {
            name.push_str(s::KEY_CTRL);
        }
        if held.contains(KeyModifiers::ALT) {
            name.push_str(s::KEY_ALT);
        }
        if held.contains(KeyModifiers::SHIFT) && code != KeyCode::BackTab {
            name.push_str(s::KEY_SHIFT);
        }
        match code {
            KeyCode::Char(c) if held.contains(KeyModifiers::CONTROL) => {
                name.extend(c.to_uppercase())
            }
            KeyCode::Char(c) => name.push(c),
            KeyCode::F(n) => name.push_str(&format!("F{n}")),
            KeyCode::Enter => name.push_str(s::KEY_ENTER),
            KeyCode::Esc => name.push_str(s::KEY_ESC),
            KeyCode::Tab => name.push_str(s::KEY_TAB),
            KeyCode::BackTab => name.push_str(s::KEY_BACKTAB),
            KeyCode::Left => name.push_str(s::KEY_LEFT),
            KeyCode::Right => name.push_str(s::KEY_RIGHT),
            KeyCode::Up => name.push_str(s::KEY_UP),
            KeyCode::Down => name.push_str(s::KEY_DOWN),
            KeyCode::Home => name.push_str(s::KEY_HOME),
            KeyCode::End => name.push_str(s::KEY_END),
            KeyCode::Backspace => name.push_str(s::KEY_BACKSPACE),
            KeyCode::Delete => name.push_str(s::KEY_DELETE),
            KeyCode::PageUp => name.push_str(s::KEY_PAGE_UP),
            KeyCode::PageDown => name.push_str(s::KEY_PAGE_DOWN),
            other => name.push_str(&format!("{other:?}")),
        }
        name
    }
}

/// One binding: in `layer`, `on` does `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub layer: Layer,
    pub on: Trigger,
    pub action: Action,
    /// Another key for what a shown one does: named in the text of its help row ("↓ / ↑
    /// too"), not in the key column nor in the footer.
    pub alias: bool,
}

const fn bind(layer: Layer, on: Trigger, action: Action) -> Binding {
    Binding {
        layer,
        on,
        action,
        alias: false,
    }
}

const fn alias(layer: Layer, on: Trigger, action: Action) -> Binding {
    Binding {
        layer,
        on,
        action,
        alias: true,
    }
}

/// A key with no modifier.
const fn key(code: KeyCode) -> Trigger {
    Trigger::Key(code, Mods::Exactly(KeyModifiers::NONE))
}
/// A key with Ctrl alone.
const fn ctrl(code: KeyCode) -> Trigger {
    Trigger::Key(code, Mods::Exactly(KeyModifiers::CONTROL))
}
/// A letter with Ctrl alone.
const fn ctrl_char(c: char) -> Trigger {
    ctrl(KeyCode::Char(c))
}
/// A key whatever modifiers are held.
const fn any(code: KeyCode) -> Trigger {
    Trigger::Key(code, Mods::Any)
}
/// A printable key (with Shift at most).
const fn plain(c: char) -> Trigger {
    Trigger::Key(KeyCode::Char(c), Mods::Plain)
}

use Action as A;
use InputRequest as E;
use KeyCode as K;
use Layer as L;

/// The default bindings.
pub const BINDINGS: &[Binding] = &[
    // Ctrl-C quits from anywhere, at once, whatever else is held.
    bind(
        L::Always,
        Trigger::Key(K::Char('c'), Mods::AtLeast(KeyModifiers::CONTROL)),
        A::Quit,
    ),
    bind(L::Always, ctrl_char('l'), A::Redraw),
    bind(
        L::Confirm,
        Trigger::Key(K::Char('y'), Mods::PlainAnyCase),
        A::Yes,
    ),
    bind(
        L::Confirm,
        Trigger::Key(K::Char('n'), Mods::PlainAnyCase),
        A::No,
    ),
    bind(L::Confirm, Trigger::Key(K::Esc, Mods::Plain), A::No),
    bind(L::Common, any(K::F(1)), A::Help),
    bind(L::NoTextFocus, plain('?'), A::Help),
    bind(L::Help, Trigger::Key(K::Esc, Mods::Plain), A::CloseHelp),
    bind(L::Help, plain('q'), A::CloseHelp),
    bind(L::Session, ctrl_char('o'), A::Logout),
    bind(L::Login, ctrl_char('n'), A::Signup),
    bind(L::Login, ctrl_char('r'), A::Reset),
    bind(L::Back, any(K::Esc), A::Back),
    bind(L::Dashboard, plain('p'), A::ChangePassword),
    bind(L::Dashboard, plain('l'), A::Logout),
    bind(L::Dashboard, plain('q'), A::Quit),
    bind(L::Dashboard, plain('s'), A::Sessions),
    bind(L::Dashboard, plain('h'), A::History),
    bind(L::Dashboard, plain('d'), A::DeleteAccount),
    bind(L::Dashboard, key(K::Tab), A::ToVault),
    bind(L::DashboardAdmin, plain('a'), A::OpenAdmin),
    bind(L::Admin, key(K::Up), A::RowUp),
    bind(L::Admin, key(K::Down), A::RowDown),
    bind(L::Admin, key(K::PageUp), A::PageUp),
    bind(L::Admin, key(K::PageDown), A::PageDown),
    bind(L::Admin, key(K::Home), A::FirstPage),
    bind(L::Admin, any(K::Tab), A::NextTab),
    bind(L::Admin, any(K::BackTab), A::PrevTab),
    bind(L::Admin, plain('/'), A::Filter),
    bind(L::AdminAccounts, key(K::End), A::LastPage),
    bind(L::AdminAccounts, plain('o'), A::Sort),
    bind(L::AdminAccounts, plain('d'), A::OnRow(RowAction::Disable)),
    bind(L::AdminAccounts, plain('e'), A::OnRow(RowAction::Enable)),
    bind(L::AdminAccounts, plain('u'), A::OnRow(RowAction::Unlock)),
    bind(L::AdminAccounts, plain('+'), A::OnRow(RowAction::Promote)),
    bind(L::AdminAccounts, plain('-'), A::OnRow(RowAction::Demote)),
    bind(L::AdminAccounts, plain('x'), A::OnRow(RowAction::Expire)),
    bind(L::AdminAccounts, plain('r'), A::OnRow(RowAction::ResetCode)),
    bind(
        L::AdminAccounts,
        key(K::Delete),
        A::OnRow(RowAction::Delete),
    ),
    bind(L::Dialog, any(K::Enter), A::Submit),
    bind(L::Choice, any(K::Tab), A::NextField),
    bind(L::Choice, any(K::BackTab), A::PrevField),
    alias(L::Choice, key(K::Right), A::NextField),
    alias(L::Choice, key(K::Left), A::PrevField),
    bind(L::Form, any(K::Tab), A::NextField),
    bind(L::Form, any(K::BackTab), A::PrevField),
    alias(L::Form, any(K::Down), A::NextField),
    alias(L::Form, any(K::Up), A::PrevField),
    bind(L::Form, any(K::Enter), A::Submit),
    bind(L::Form, any(K::F(2)), A::Reveal),
    bind(L::List, key(K::Down), A::RowDown),
    bind(L::List, key(K::Up), A::RowUp),
    bind(L::List, key(K::PageDown), A::PageDown),
    bind(L::List, key(K::PageUp), A::PageUp),
    bind(L::Sessions, plain('r'), A::Revoke),
    bind(L::Sessions, plain('o'), A::RevokeOthers),
    bind(L::VaultTab, key(K::Tab), A::Account),
    bind(L::VaultTab, plain('q'), A::Quit),
    bind(L::Vault, key(K::Up), A::RowUp),
    bind(L::Vault, key(K::Down), A::RowDown),
    bind(L::Vault, key(K::PageUp), A::PageUp),
    bind(L::Vault, key(K::PageDown), A::PageDown),
    bind(L::Vault, key(K::Home), A::FirstPage),
    bind(L::Vault, key(K::End), A::LastPage),
    bind(L::Vault, plain('/'), A::Filter),
    bind(L::Vault, plain('n'), A::NewEntry),
    bind(L::Vault, plain('e'), A::EditEntry),
    alias(L::Vault, key(K::Enter), A::EditEntry),
    bind(L::Vault, key(K::Delete), A::DeleteEntry),
    bind(L::Vault, plain('v'), A::RevealEntry),
    bind(L::Vault, plain('c'), A::Copy(CopyWhat::Password)),
    bind(L::Vault, plain('u'), A::Copy(CopyWhat::Username)),
    bind(L::Vault, plain('t'), A::Copy(CopyWhat::Totp)),
    bind(L::Vault, plain('L'), A::Lock),
    bind(L::VaultFilter, key(K::Up), A::RowUp),
    bind(L::VaultFilter, key(K::Down), A::RowDown),
    bind(L::EntryForm, ctrl_char('g'), A::Generate),
    bind(L::Sealed, ctrl_char('d'), A::SwitchForm),
    bind(L::Lines, any(K::Tab), A::NextField),
    bind(L::Lines, any(K::BackTab), A::PrevField),
    bind(L::Lines, any(K::Enter), A::NewLine),
    bind(L::Lines, any(K::Up), A::LineUp),
    bind(L::Lines, any(K::Down), A::LineDown),
    bind(L::Lines, any(K::F(2)), A::Reveal),
    bind(L::Field, key(K::Left), A::Edit(E::GoToPrevChar)),
    bind(L::Field, key(K::Right), A::Edit(E::GoToNextChar)),
    bind(L::Field, ctrl(K::Left), A::Edit(E::GoToPrevWord)),
    bind(L::Field, ctrl(K::Right), A::Edit(E::GoToNextWord)),
    bind(L::Field, key(K::Home), A::Edit(E::GoToStart)),
    bind(L::Field, key(K::End), A::Edit(E::GoToEnd)),
    alias(L::Field, ctrl_char('a'), A::Edit(E::GoToStart)),
    alias(L::Field, ctrl_char('e'), A::Edit(E::GoToEnd)),
    bind(L::Field, key(K::Backspace), A::Edit(E::DeletePrevChar)),
    bind(L::Field, key(K::Delete), A::Edit(E::DeleteNextChar)),
    bind(L::Field, ctrl_char('w'), A::Edit(E::DeletePrevWord)),
    bind(L::Field, ctrl_char('u'), A::Edit(E::DeleteLine)),
    bind(L::Field, ctrl_char('k'), A::Edit(E::DeleteTillEnd)),
    bind(L::Field, Trigger::Paste, A::Paste),
];

/// How many layers there are.
const LAYERS: usize = Layer::Field as usize + 1;

/// Where each layer's bindings are in [`BINDINGS`], computed when compiling: every key typed
/// looks in a few layers, and a 300 KB paste typed as keys must not wait on the keymap.
const RANGES: [(usize, usize); LAYERS] = ranges();

const fn ranges() -> [(usize, usize); LAYERS] {
    let mut ranges = [(0, 0); LAYERS];
    let mut seen = [false; LAYERS];
    let mut i = 0;
    while i < BINDINGS.len() {
        let l = BINDINGS[i].layer as usize;
        if !seen[l] {
            seen[l] = true;
            ranges[l].0 = i;
        } else if ranges[l].1 != i {
            panic!("the bindings of a layer are written together in BINDINGS");
        }
        ranges[l].1 = i + 1;
        i += 1;
    }
    ranges
}

/// Which layers bind a printable key with no modifier but Shift (most do not), so that the
/// text typed into a field skips them.
const TAKES_TEXT: [bool; LAYERS] = takes_text();

const fn takes_text() -> [bool; LAYERS] {
    let shift = KeyModifiers::SHIFT.bits();
    let mut takes = [false; LAYERS];
    let mut i = 0;
    while i < BINDINGS.len() {
        let b = &BINDINGS[i];
        if let Trigger::Key(KeyCode::Char(_), mods) = b.on {
            let text = match mods {
                Mods::Exactly(m) | Mods::AtLeast(m) => m.bits() & !shift == 0,
                Mods::Plain | Mods::PlainAnyCase | Mods::Any => true,
            };
            if text {
                takes[b.layer as usize] = true;
            }
        }
        i += 1;
    }
    takes
}

/// The bindings of `layer`.
pub fn bindings(layer: Layer) -> &'static [Binding] {
    let (from, to) = RANGES[layer as usize];
    &BINDINGS[from..to]
}

/// The action `key` is bound to in `layer`.
pub fn action(layer: Layer, key: &KeyEvent) -> Option<Action> {
    let text = matches!(key.code, KeyCode::Char(_))
        && key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
    if text && !TAKES_TEXT[layer as usize] {
        return None;
    }
    for b in bindings(layer) {
        if b.on.matches(key) {
            return Some(b.action);
        }
    }
    None
}

/// Whether a paste does something in `layer`.
pub fn takes_paste(layer: Layer) -> bool {
    bindings(layer).iter().any(|b| b.on == Trigger::Paste)
}

/// A key typed as text into a field: a printable character with no modifier but Shift (or
/// AltGr, which some terminals send as Ctrl+Alt). Asked last, after every binding.
pub fn typed_char(key: &KeyEvent) -> Option<char> {
    let text = [
        KeyModifiers::NONE,
        KeyModifiers::SHIFT,
        KeyModifiers::CONTROL | KeyModifiers::ALT,
    ];
    match key.code {
        KeyCode::Char(c) if text.contains(&key.modifiers) => Some(c),
        _ => None,
    }
}

/// Bindings named by where they are and what they do: how the footer and the help point at
/// keys.
pub type Keys = &'static [(Layer, Action)];

/// The names of the keys bound to `keys`: the shown ones, or the aliases.
fn names(keys: &[(Layer, Action)], aliases: bool) -> Vec<String> {
    keys.iter()
        .flat_map(|&(layer, action)| {
            bindings(layer)
                .iter()
                .filter(move |b| b.action == action && b.alias == aliases)
        })
        .map(|b| b.on.name())
        .collect()
}

/// The key column of a help row or a footer hint: "Tab / Shift-Tab".
pub fn label(keys: &[(Layer, Action)]) -> String {
    names(keys, false).join(s::KEY_OR)
}

/// The first key bound to `key`, for a text that names one ("Ctrl-N creates an account.").
pub fn first(key: (Layer, Action)) -> String {
    names(&[key], false).into_iter().next().unwrap_or_default()
}

/// One row of the help: keys, and what they do.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub keys: Keys,
    pub what: &'static str,
}

impl Row {
    /// The row as the help shows it: the key column, and what the keys do, naming the
    /// aliases ("next / previous field (↓ / ↑ too)").
    pub fn shown(&self) -> (String, String) {
        let aliases = names(self.keys, true);
        let mut what = self.what.to_owned();
        if !aliases.is_empty() {
            what.push_str(&s::also(&aliases.join(s::KEY_OR)));
        }
        (label(self.keys), what)
    }
}

/// One hint of the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub key: (Layer, Action),
    pub what: &'static str,
}

/// The help rows of every form: moving between fields, and editing one.
pub const FORM_ROWS: &[Row] = &[
    Row {
        keys: &[(L::Form, A::NextField), (L::Form, A::PrevField)],
        what: s::HELP_FIELDS,
    },
    Row {
        keys: &[(L::Form, A::Reveal)],
        what: s::HELP_REVEAL,
    },
    MOVE_CHAR_ROW,
    MOVE_WORD_ROW,
    Row {
        keys: &[
            (L::Field, A::Edit(E::GoToStart)),
            (L::Field, A::Edit(E::GoToEnd)),
        ],
        what: s::HELP_START_END,
    },
    Row {
        keys: &[
            (L::Field, A::Edit(E::DeletePrevChar)),
            (L::Field, A::Edit(E::DeleteNextChar)),
        ],
        what: s::HELP_DELETE_CHAR,
    },
    DELETE_WORD_ROW,
    Row {
        keys: &[
            (L::Field, A::Edit(E::DeleteLine)),
            (L::Field, A::Edit(E::DeleteTillEnd)),
        ],
        what: s::HELP_DELETE_FIELD,
    },
    Row {
        keys: &[(L::Field, A::Paste)],
        what: s::HELP_PASTE,
    },
    QUESTION_MARK_ROW,
];

/// Editing rows that one-line fields and the notes share.
const MOVE_CHAR_ROW: Row = Row {
    keys: &[
        (L::Field, A::Edit(E::GoToPrevChar)),
        (L::Field, A::Edit(E::GoToNextChar)),
    ],
    what: s::HELP_MOVE_CHAR,
};
const MOVE_WORD_ROW: Row = Row {
    keys: &[
        (L::Field, A::Edit(E::GoToPrevWord)),
        (L::Field, A::Edit(E::GoToNextWord)),
    ],
    what: s::HELP_MOVE_WORD,
};
const DELETE_WORD_ROW: Row = Row {
    keys: &[(L::Field, A::Edit(E::DeletePrevWord))],
    what: s::HELP_DELETE_WORD,
};

/// The help rows of a field of several lines (in place of [`FORM_ROWS`]): moving between
/// fields and lines, and editing.
pub const LINES_ROWS: &[Row] = &[
    Row {
        keys: &[(L::Lines, A::NextField), (L::Lines, A::PrevField)],
        what: s::HELP_LINES_FIELDS,
    },
    Row {
        keys: &[(L::Lines, A::Reveal)],
        what: s::HELP_REVEAL,
    },
    // One row for the three (the help fits 60×20)
    Row {
        keys: &[
            (L::Lines, A::NewLine),
            (L::Lines, A::LineUp),
            (L::Lines, A::LineDown),
        ],
        what: s::HELP_LINE_BREAK_UP_DOWN,
    },
    MOVE_CHAR_ROW,
    MOVE_WORD_ROW,
    Row {
        keys: &[
            (L::Field, A::Edit(E::GoToStart)),
            (L::Field, A::Edit(E::GoToEnd)),
        ],
        what: s::HELP_LINE_START_END,
    },
    Row {
        keys: &[
            (L::Field, A::Edit(E::DeletePrevChar)),
            (L::Field, A::Edit(E::DeleteNextChar)),
        ],
        what: s::HELP_LINES_DELETE_CHAR,
    },
    DELETE_WORD_ROW,
    Row {
        keys: &[
            (L::Field, A::Edit(E::DeleteLine)),
            (L::Field, A::Edit(E::DeleteTillEnd)),
        ],
        what: s::HELP_LINES_DELETE_LINE,
    },
    Row {
        keys: &[(L::Field, A::Paste)],
        what: s::HELP_LINES_PASTE,
    },
    QUESTION_MARK_ROW,
];

/// `?` opens the help where no text field has focus (shown only there).
pub const QUESTION_MARK_ROW: Row = Row {
    keys: &[(L::NoTextFocus, A::Help)],
    what: s::HELP_QUESTION_MARK,
};

/// The last help row of every screen.
pub const COMMON_ROWS: &[Row] = &[Row {
    keys: &[(L::Common, A::Help), (L::Always, A::Redraw)],
    what: s::HELP_COMMON,
}];

/// The help's bottom line, naming the keys that close it: "Esc, q or F1 closes this help".
pub fn help_close() -> String {
    let mut keys = names(&[(L::Help, A::CloseHelp)], false);
    keys.extend(names(&[(L::Common, A::Help)], false));
    s::help_close(&keys)
}

/// What a footer too narrow for all its hints keeps, most important first; hints not listed
/// go first. The way out (quit, then back and log out, and the answers to a question) before
/// the help (which lists everything else) and F2 (passwords typed blind are the likeliest
/// mistake), then the screen's own keys, and last `q`, which quits as Ctrl-C does.
pub const FOOTER_PRIORITY: &[(Layer, Action)] = &[
    (L::Always, A::Quit),
    (L::Back, A::Back),
    (L::Confirm, A::No),
    (L::Confirm, A::Yes),
    (L::Session, A::Logout),
    (L::Dashboard, A::Logout),
    (L::Common, A::Help),
    (L::Form, A::Reveal),
    // In the notes, where Enter does not save: what Enter does, before F2
    (L::Lines, A::NewLine),
    (L::Lines, A::Reveal),
    (L::Form, A::Submit),
    (L::Lines, A::NextField),
    // The vault's: the way back to the list from its forms, then its most used keys
    (L::EntryForm, A::Generate),
    (L::Sealed, A::SwitchForm),
    (L::Dashboard, A::ToVault),
    (L::Vault, A::Filter),
    (L::Vault, A::NewEntry),
    (L::Vault, A::RevealEntry),
    (L::Vault, A::Copy(CopyWhat::Password)),
    (L::Vault, A::Lock),
    (L::VaultTab, A::Account),
    // Before the other keys of the dashboard
    (L::DashboardAdmin, A::OpenAdmin),
    (L::Dashboard, A::ChangePassword),
    (L::Login, A::Signup),
    (L::Sessions, A::Revoke),
    (L::Sessions, A::RevokeOthers),
    (L::Dashboard, A::Sessions),
    (L::Dashboard, A::History),
    (L::Login, A::Reset),
    (L::Dashboard, A::Quit),
    // The dialogs' answers, then the filter before the other tab
    (L::Dialog, A::Submit),
    (L::Choice, A::NextField),
    (L::Admin, A::Filter),
    (L::Admin, A::NextTab),
];

/// Where a hint stands in [`FOOTER_PRIORITY`] (hints not listed last).
pub fn footer_rank(hint: &Hint) -> usize {
    FOOTER_PRIORITY
        .iter()
        .position(|k| *k == hint.key)
        .unwrap_or(usize::MAX)
}

/// Footer hints that many screens show, each the same everywhere.
pub const HELP_HINT: Hint = Hint {
    key: (L::Common, A::Help),
    what: s::FOOT_HELP,
};
pub const QUIT_HINT: Hint = Hint {
    key: (L::Always, A::Quit),
    what: s::FOOT_QUIT,
};
pub const LOGOUT_HINT: Hint = Hint {
    key: (L::Session, A::Logout),
    what: s::FOOT_LOG_OUT,
};
pub const SHOW_HINT: Hint = Hint {
    key: (L::Form, A::Reveal),
    what: s::FOOT_SHOW,
};

/// A question's two buttons: the help rows and footer hints every question dialog shows.
pub const CHOICE_ROW: Row = Row {
    keys: &[(L::Choice, A::NextField), (L::Choice, A::PrevField)],
    what: s::HELP_CHOICE,
};
pub const PRESS_ROW: Row = Row {
    keys: &[(L::Dialog, A::Submit)],
    what: s::HELP_PRESS,
};
pub const CHOOSE_HINT: Hint = Hint {
    key: (L::Dialog, A::Submit),
    what: s::FOOT_CHOOSE,
};
pub const SWITCH_HINT: Hint = Hint {
    key: (L::Choice, A::NextField),
    what: s::FOOT_SWITCH,
};
