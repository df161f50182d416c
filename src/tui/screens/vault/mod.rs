//! The vault: the screen after a login. A list of entries (title, username) with a fuzzy
//! filter as you type (`/`), the selected entry beside it (the password hidden until `v`,
//! hidden again after 15 s and on any move; a TOTP code counting down), forms to add and edit
//! entries, and a delete asked in a dialog with the focus on Cancel. `c`, `u` and `t` copy the
//! password, the username and the TOTP code with OSC 52 (cleared after 30 s); `L` locks the
//! vault; Tab shows the account (the former dashboard).
//!
//! The whole vault is loaded once (`VaultEntries`) and filtered here: every key narrows what
//! the last one matched ([`filter`]), and only the rows that fit are drawn. The screen asks for
//! ticks only while a TOTP code or a shown password is on it, so an idle vault does not wake.

mod draw;

use super::admin::Choice;
use super::dashboard::Dashboard;
use super::sealed::Sealed;
use super::unlock::Unlock;
use super::{Ctx, Info, Page};
use crate::api::{Request, Response};
use crate::tui::app::Model;
use crate::tui::keys::{Action, CHOICE_ROW, CHOOSE_HINT, COMMON_ROWS, CopyWhat, FORM_ROWS, Hint, LINES_ROWS, Layer, PRESS_ROW, QUESTION_MARK_ROW, Row, SWITCH_HINT};
use crate::tui::keys::{HELP_HINT, QUIT_HINT, SHOW_HINT};
use crate::tui::strings as s;
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::field::{Edited, FormField};
use crate::tui::widgets::form::{self, Focus, Form, FormEvent, form_fields};
use crate::tui::widgets::listing::moved;
use crate::tui::widgets::status::FlashKind;
use crate::vault::entry::{MAX_LINE_CHARS, MAX_NOTES_CHARS};
use crate::vault::generator::{Characters, Generator};
use crate::vault::totp::Totp;
use crate::vault::{Entry, EntryRecord};
use crate::{Error, SessionInfo};
use vaultty_core::vault::Filter;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use zeroize::Zeroizing;

/// How long a shown password stays shown (seconds).
pub const REVEAL_SECS: i64 = 15;

/// Rows of the body that are not the list's: the filter, the column names, the count.
pub const CHROME_ROWS: u16 = 3;

/// How many entries the list shows in a terminal of `size` (the header, a one-row status line
/// and the footer take three).
pub fn list_rows(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(3 + CHROME_ROWS)).max(1)
}

form_fields! {
    /// An entry's fields.
    pub struct EntryFields / EntryField {
        title: Title,
        username: Username,
        password: Password,
        url: Url,
        notes: Notes,
        totp: Totp,
        folder: Folder,
    }
}

/// The add / edit form.
#[derive(Debug)]
pub struct EntryForm {
    pub form: Form<EntryFields>,
    /// The entry edited; `None` for a new one.
    pub id: Option<i64>,
    /// Something was changed (Esc asks first).
    pub dirty: bool,
    /// A stored password too long for the password field: kept unless one is typed.
    keep_password: Option<Zeroizing<String>>,
    /// Which of [`generator`]'s kinds the password field holds, untouched since Ctrl-G.
    generated: Option<usize>,
}

/// The lengths of the character passwords Ctrl-G offers, in turn, after a passphrase.
const GENERATED_LENGTHS: [usize; 5] = [16, 24, 32, 48, 64];

/// What Ctrl-G generates the `step`th time in a row: a passphrase of six EFF words, then
/// character passwords of [`GENERATED_LENGTHS`] (all four kinds of character), then again.
fn generator(step: usize) -> (Generator, String, String) {
    let kinds = GENERATED_LENGTHS.len() + 1;
    let kind = |step: usize| match (step % kinds).checked_sub(1) {
        None => (Generator::default(), "6-word passphrase".to_owned(), "a passphrase".to_owned()),
        Some(i) => (
            Generator::Characters(Characters {
                length: GENERATED_LENGTHS[i],
                ..Characters::default()
            }),
            format!("{}-character password", GENERATED_LENGTHS[i]),
            format!("{} characters", GENERATED_LENGTHS[i]),
        ),
    };
    let (generator, made, _) = kind(step);
    let (_, _, next) = kind(step + 1);
    (generator, made, next)
}

/// A dialog over the list.
#[derive(Debug)]
pub enum Dialog {
    Delete {
        id: i64,
        title: String,
        focus: Choice,
    },
    Form(Box<EntryForm>),
}

/// What the worker is doing for the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Load,
    Add,
    Update(i64),
    Delete,
}

/// An entry as loaded (the list is sorted by title).
struct Item {
    rec: EntryRecord,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Loading,
    Ready,
    /// The vault's key or an entry failed its integrity check: nothing shows.
    Damaged(String),
}

pub struct Vault {
    pub state: State,
    items: Vec<Item>,
    /// Indices into `items` of the entries shown, in order.
    shown: Vec<u32>,
    filter_state: Filter,
    pub filter: FormField,
    pub filtering: bool,
    /// In `shown`.
    pub selected: usize,
    /// Until when the selected entry's password shows.
    pub reveal_until: Option<i64>,
    /// The selected entry's TOTP, parsed; `Err` when its field is not a TOTP seed.
    totp: Option<Result<Totp, String>>,
    pub dialog: Option<Dialog>,
    pending: Option<Pending>,
    /// The entry to select once the entries are loaded again.
    select_id: Option<i64>,
    /// The store changed while the entries could not be read again (a load on its way, a
    /// dialog open): read them once that is over.
    stale: bool,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("state", &self.state)
            .field("entries", &self.items.len())
            .field("shown", &self.shown.len())
            .finish_non_exhaustive()
    }
}

impl Default for Vault {
    fn default() -> Self {
        Self::new()
    }
}

impl Vault {
    /// Waiting for its entries (the caller sends `VaultEntries`).
    pub fn new() -> Self {
        Vault {
            state: State::Loading,
            items: vec![],
            shown: vec![],
            filter_state: Filter::default(),
            filter: FormField::text(s::FILTER_LABEL, MAX_LINE_CHARS),
            filtering: false,
            selected: 0,
            reveal_until: None,
            totp: None,
            dialog: None,
            pending: Some(Pending::Load),
            select_id: None,
            stale: false,
        }
    }

    /// A damaged vault: says so, shows nothing.
    pub fn damaged(why: String) -> Self {
        let mut v = Self::new();
        v.state = State::Damaged(why);
        v.pending = None;
        v
    }

    /// Every entry loaded.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The entries shown, as their titles, in order (for tests).
    pub fn shown_titles(&self) -> Vec<&str> {
        self.shown
            .iter()
            .map(|&i| self.items[i as usize].rec.entry.title.as_str())
            .collect()
    }

    /// The selected entry.
    pub fn current(&self) -> Option<&EntryRecord> {
        let i = *self.shown.get(self.selected)?;
        Some(&self.items[i as usize].rec)
    }

    /// Whether the selected entry's password shows.
    pub fn revealed(&self) -> bool {
        self.reveal_until.is_some()
    }

    fn load(&mut self, cx: &mut Ctx) {
        self.pending = Some(Pending::Load);
        cx.send(s::LOADING_ENTRIES, Request::VaultEntries);
    }

    fn loaded(&mut self, mut list: Vec<EntryRecord>) {
        let keep = self.select_id.take().or_else(|| self.current().map(|r| r.id));
        list.sort_by_cached_key(|r| r.entry.title.to_lowercase());
        self.filter_state = Filter::new(&list);
        self.items = list.into_iter().map(|rec| Item { rec }).collect();
        self.state = State::Ready;
        self.refilter();
        if let Some(id) = keep
            && let Some(pos) = self
                .shown
                .iter()
                .position(|&i| self.items[i as usize].rec.id == id)
        {
            self.selected = pos;
        }
        self.selection_changed();
    }

    /// The list again for the filter's text.
    fn refilter(&mut self) {
        self.shown = self
            .filter_state
            .apply(self.filter.value(), &self.shown);
        self.selected = 0;
        self.selection_changed();
    }

    /// Reads the entries again in the background if the store changed since they were read
    /// and nothing is open or on its way.
    fn read_if_stale(&mut self, cx: &mut Ctx) {
        if self.stale
            && self.state == State::Ready
            && self.dialog.is_none()
            && self.pending.is_none()
        {
            self.stale = false;
            self.pending = Some(Pending::Load);
            cx.query(Request::VaultEntries);
        }
    }

    /// A move, a filter, a new list: the password hides, the TOTP is read again.
    fn selection_changed(&mut self) {
        self.reveal_until = None;
        self.totp = self.current().and_then(|r| {
            let field = r.entry.totp.trim();
            (!field.is_empty()).then(|| Totp::parse(field).map_err(|e| e.to_string()))
        });
    }

    fn nav(&mut self, action: Action, rows: usize) {
        let len = self.shown.len();
        let page = rows as isize;
        let to = match action {
            Action::RowUp => moved(self.selected, -1, len),
            Action::RowDown => moved(self.selected, 1, len),
            Action::PageUp => moved(self.selected, -page, len),
            Action::PageDown => moved(self.selected, page, len),
            Action::FirstPage => 0,
            Action::LastPage => len.saturating_sub(1),
            _ => self.selected,
        };
        self.selected = to;
        self.selection_changed();
    }

    fn copy(&mut self, what: CopyWhat, cx: &mut Ctx) {
        let Some(rec) = self.current() else {
            return cx.flash(FlashKind::Error, s::NOTHING_SELECTED);
        };
        let text = match what {
            CopyWhat::Password => Zeroizing::new(rec.entry.password.clone()),
            CopyWhat::Username => Zeroizing::new(rec.entry.username.clone()),
            CopyWhat::Totp => match &self.totp {
                Some(Ok(t)) => t.code_at(cx.now),
                _ => return cx.flash(FlashKind::Error, s::NO_TOTP),
            },
        };
        if text.is_empty() {
            return cx.flash(FlashKind::Error, s::NOTHING_TO_COPY);
        }
        cx.copy(text);
        cx.flash(FlashKind::Success, s::COPIED);
    }

    fn open_form(&mut self, edit: bool, cx: &mut Ctx) {
        self.reveal_until = None;
        let rec = if edit {
            match self.current() {
                Some(r) => Some(r),
                None => return cx.flash(FlashKind::Error, s::NOTHING_SELECTED),
            }
        } else {
            None
        };
        let mut form = Form::new(
            EntryFields {
                title: FormField::text(s::LABEL_TITLE, MAX_LINE_CHARS),
                username: FormField::text(s::LABEL_USERNAME, MAX_LINE_CHARS),
                password: FormField::secret(s::LABEL_PASSWORD),
                url: FormField::text(s::LABEL_URL, MAX_LINE_CHARS),
                notes: FormField::lines(s::LABEL_NOTES, MAX_NOTES_CHARS),
                totp: FormField::text(s::LABEL_TOTP, MAX_LINE_CHARS),
                folder: FormField::text(s::LABEL_FOLDER, MAX_LINE_CHARS),
            },
            s::BUTTON_SAVE,
        );
        let mut keep_password = None;
        let id = rec.map(|r| {
            let e = &r.entry;
            form.title.set_text(&e.title);
            form.username.set_text(&e.username);
            form.url.set_text(&e.url);
            form.notes.set_text(&e.notes);
            form.totp.set_text(&e.totp);
            form.folder.set_text(&e.folder);
            if form.password.paste(e.password.clone()) != Edited::Changed && !e.password.is_empty()
            {
                form.password.clear();
                form.password.error = None;
                keep_password = Some(Zeroizing::new(e.password.clone()));
            }
            r.id
        });
        self.dialog = Some(Dialog::Form(Box::new(EntryForm {
            form,
            id,
            dirty: false,
            keep_password,
            generated: None,
        })));
    }

    fn on_form(&mut self, action: Action, cx: &mut Ctx) {
        let Some(Dialog::Form(ef)) = self.dialog.as_mut() else {
            return;
        };
        match action {
            Action::Back if ef.dirty => cx.ask(Confirm::DISCARD),
            Action::Back | Action::Yes => {
                self.dialog = None;
                self.read_if_stale(cx);
            }
            Action::Generate => {
                let step = ef.generated.map_or(0, |s| (s + 1) % (GENERATED_LENGTHS.len() + 1));
                let (generator, made, next) = generator(step);
                let Ok(phrase) = generator.generate() else {
                    return;
                };
                let field = &mut ef.form.password;
                field.clear();
                field.paste(phrase.as_str().to_owned());
                field.error = None;
                ef.keep_password = None;
                ef.dirty = true;
                ef.form.focus = Focus::Field(EntryField::Password);
                ef.generated = Some(step);
                cx.flash(FlashKind::Info, s::generated(&made, &next));
            }
            action => match ef.form.handle_at(action, form::input_width(cx.size.0)) {
                FormEvent::Changed(EntryField::Password) => {
                    ef.keep_password = None;
                    ef.generated = None;
                    ef.dirty = true;
                }
                FormEvent::Changed(_) => ef.dirty = true,
                FormEvent::Submit => self.submit_form(cx),
                FormEvent::Left(_) | FormEvent::Nothing => {}
            },
        }
    }

    fn submit_form(&mut self, cx: &mut Ctx) {
        let Some(Dialog::Form(ef)) = self.dialog.as_mut() else {
            return;
        };
        let f = &mut ef.form;
        let password = match (&ef.keep_password, f.password.secret_ref()) {
            (Some(kept), Some(p)) if p.is_empty() => kept.as_str().to_owned(),
            (_, Some(p)) => p.expose().to_owned(),
            _ => String::new(),
        };
        let entry = Entry {
            title: f.title.value().trim().to_owned(),
            username: f.username.value().to_owned(),
            password,
            url: f.url.value().trim().to_owned(),
            notes: f.notes.value().to_owned(),
            totp: f.totp.value().trim().to_owned(),
            folder: f.folder.value().trim().to_owned(),
        };
        if let Err(p) = entry.check() {
            let field = match p.field {
                "title" => EntryField::Title,
                "username" => EntryField::Username,
                "password" => EntryField::Password,
                "url" => EntryField::Url,
                "notes" => EntryField::Notes,
                "totp" => EntryField::Totp,
                _ => EntryField::Folder,
            };
            use crate::tui::widgets::form::Fields as _;
            f.fields.get_mut(field).error = Some(p.problem);
            f.focus = Focus::Field(field);
            return;
        }
        if !entry.totp.is_empty()
            && let Err(e) = Totp::parse(&entry.totp)
        {
            f.totp.error = Some(format!("{} {e}", s::TOTP_INVALID));
            f.focus = Focus::Field(EntryField::Totp);
            return;
        }
        match ef.id {
            Some(id) => {
                self.pending = Some(Pending::Update(id));
                cx.send(s::SAVING_ENTRY, Request::VaultUpdate { id, entry });
            }
            None => {
                self.pending = Some(Pending::Add);
                cx.send(
                    s::SAVING_ENTRY,
                    Request::VaultAdd {
                        entries: vec![entry],
                    },
                );
            }
        }
    }

    fn on_delete(&mut self, action: Action, cx: &mut Ctx) {
        let Some(Dialog::Delete { id, focus, .. }) = self.dialog.as_mut() else {
            return;
        };
        match action {
            Action::NextField | Action::PrevField => {
                *focus = match focus {
                    Choice::Cancel => Choice::Confirm,
                    Choice::Confirm => Choice::Cancel,
                };
            }
            Action::Submit => {
                let (go, id) = (*focus == Choice::Confirm, *id);
                self.dialog = None;
                if go {
                    self.pending = Some(Pending::Delete);
                    cx.send(s::DELETING_ENTRY, Request::VaultDelete { id });
                } else {
                    self.read_if_stale(cx);
                }
            }
            Action::Back => {
                self.dialog = None;
                self.read_if_stale(cx);
            }
            _ => {}
        }
    }

    fn on_filter(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::Submit => self.filtering = false,
            Action::Back => {
                self.filtering = false;
                if !self.filter.value().is_empty() {
                    self.filter.clear();
                    self.refilter();
                }
            }
            Action::RowUp | Action::RowDown => self.nav(action, list_rows(cx.size)),
            Action::Edit(req) => match self.filter.handle(req) {
                Edited::Changed => self.refilter(),
                Edited::TooLong => {
                    self.filter.error = Some(s::too_long(self.filter.label, MAX_LINE_CHARS))
                }
                Edited::Unchanged => {}
            },
            _ => {}
        }
    }

    /// A request of the vault's found it locked, sealed or damaged.
    fn vault_error(&mut self, e: Error, cx: &mut Ctx) {
        match e {
            Error::VaultLocked => cx.go(Unlock::new()),
            Error::VaultSealed => cx.go(Sealed::new()),
            Error::VaultDamaged(why) => {
                *self = Vault::damaged(why);
            }
            e => {
                if self.state == State::Loading {
                    self.state = State::Ready;
                }
                cx.flash(FlashKind::Error, e.to_string());
            }
        }
    }
}

impl Page for Vault {
    fn form(&self) -> Option<&dyn crate::tui::widgets::form::AnyForm> {
        match &self.dialog {
            Some(Dialog::Form(ef)) => Some(&ef.form),
            _ => None,
        }
    }

    fn text_focus(&self) -> bool {
        match &self.dialog {
            Some(Dialog::Form(ef)) => !ef.form.on_button(),
            Some(Dialog::Delete { .. }) => false,
            None => self.filtering,
        }
    }

    fn info_now(&self, _: Option<&SessionInfo>) -> Option<&'static Info> {
        Some(match (&self.dialog, &self.state) {
            (Some(Dialog::Form(ef)), _) if ef.form.focused() == Some(EntryField::Notes) => {
                &NOTES_INFO
            }
            (Some(Dialog::Form(_)), _) => &FORM_INFO,
            (Some(Dialog::Delete { .. }), _) => &DELETE_INFO,
            (None, State::Ready) if self.filtering => &FILTER_INFO,
            (None, State::Ready) => &INFO,
            (None, _) => &BARE_INFO,
        })
    }

    fn on_action(&mut self, action: Action, cx: &mut Ctx) {
        match &self.dialog {
            Some(Dialog::Form(_)) => return self.on_form(action, cx),
            Some(Dialog::Delete { .. }) => return self.on_delete(action, cx),
            None => {}
        }
        if self.filtering {
            return self.on_filter(action, cx);
        }
        match action {
            Action::Account => cx.go(Dashboard),
            _ if self.state != State::Ready => {}
            Action::RowUp
            | Action::RowDown
            | Action::PageUp
            | Action::PageDown
            | Action::FirstPage
            | Action::LastPage => self.nav(action, list_rows(cx.size)),
            Action::Filter => {
                self.reveal_until = None;
                self.filtering = true;
            }
            Action::Back if !self.filter.value().is_empty() => {
                self.filter.clear();
                self.refilter();
            }
            Action::NewEntry => self.open_form(false, cx),
            Action::EditEntry => self.open_form(true, cx),
            Action::DeleteEntry => match self.current() {
                Some(r) => {
                    let (id, title) = (r.id, r.entry.title.clone());
                    self.reveal_until = None;
                    self.dialog = Some(Dialog::Delete {
                        id,
                        title,
                        focus: Choice::Cancel,
                    });
                }
                None => cx.flash(FlashKind::Error, s::NOTHING_SELECTED),
            },
            Action::RevealEntry => {
                if self.reveal_until.is_some() {
                    self.reveal_until = None;
                } else if self.current().is_some() {
                    self.reveal_until = Some(cx.now + REVEAL_SECS);
                }
            }
            Action::Copy(what) => self.copy(what, cx),
            Action::Lock => {
                // No answer comes (the worker just wipes the key): the unlock form at once.
                cx.query(Request::Lock);
                cx.go(Unlock::new());
                cx.flash(FlashKind::Info, s::LOCKED);
            }
            _ => {}
        }
    }

    fn on_store_changed(&mut self, cx: &mut Ctx) {
        // Entries added, changed or removed elsewhere (the CLI, another terminal) show up
        // without a key: read again in the background, now or once what is open or asked
        // is over (a load already on its way may have read the store before the change).
        if self.state == State::Ready {
            self.stale = true;
            self.read_if_stale(cx);
        }
    }

    fn on_paste(&mut self, text: String, cx: &mut Ctx) {
        match &mut self.dialog {
            Some(Dialog::Form(ef)) => {
                if let FormEvent::Changed(n) = ef.form.paste(text) {
                    ef.dirty = true;
                    if n == EntryField::Password {
                        ef.keep_password = None;
                    }
                }
                ef.form.follow(form::input_width(cx.size.0));
            }
            Some(_) => {}
            None if self.filtering && self.filter.paste(text) == Edited::Changed => {
                self.refilter();
            }
            None => {}
        }
    }

    fn on_response(&mut self, response: Response, cx: &mut Ctx) {
        let pending = self.pending.take();
        match (pending, response) {
            (Some(Pending::Load), Response::Entries(Ok(list))) => self.loaded(list),
            (Some(Pending::Load), Response::Entries(Err(e))) => self.vault_error(e, cx),
            (Some(Pending::Add), Response::EntryIds(r)) => match r {
                Ok(ids) => {
                    self.dialog = None;
                    self.select_id = ids.first().copied();
                    cx.flash(FlashKind::Success, s::ENTRY_ADDED);
                    self.load(cx);
                }
                Err(e) => self.vault_error(e, cx),
            },
            (Some(Pending::Update(id)), Response::Count(r)) => match r {
                Ok(_) => {
                    self.dialog = None;
                    self.select_id = Some(id);
                    cx.flash(FlashKind::Success, s::ENTRY_SAVED);
                    self.load(cx);
                }
                Err(e) => self.vault_error(e, cx),
            },
            (Some(Pending::Delete), Response::Count(r)) => match r {
                Ok(_) => {
                    cx.flash(FlashKind::Success, s::ENTRY_DELETED);
                    self.load(cx);
                }
                Err(e) => self.vault_error(e, cx),
            },
            (p, _) => self.pending = p,
        }
        self.read_if_stale(cx);
    }

    fn next_tick(&self, now: i64) -> Option<i64> {
        if self.dialog.is_some() {
            return None;
        }
        let totp = matches!(self.totp, Some(Ok(_))).then_some(now + 1);
        match (self.reveal_until, totp) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn on_tick(&mut self, cx: &mut Ctx) {
        if self.reveal_until.is_some_and(|t| t <= cx.now) {
            self.reveal_until = None;
        }
        cx.redraw();
    }

    fn view(&self, m: &Model, f: &mut Frame, area: Rect) -> Option<Position> {
        draw::draw(self, m, f, area)
    }
}

// ---- keys -------------------------------------------------------------------------------------

const LOGOUT_ROW: Row = Row {
    keys: &[(Layer::Session, Action::Logout)],
    what: s::HELP_LOG_OUT,
};
const QUIT_ROW: Row = Row {
    keys: &[(Layer::VaultTab, Action::Quit), (Layer::Always, Action::Quit)],
    what: s::HELP_QUIT_AT_ONCE,
};
const ACCOUNT_ROW: Row = Row {
    keys: &[(Layer::VaultTab, Action::Account)],
    what: s::HELP_VAULT_ACCOUNT,
};
const ACCOUNT_HINT: Hint = Hint {
    key: (Layer::VaultTab, Action::Account),
    what: s::FOOT_ACCOUNT,
};

const HELP: &[Row] = &[
    Row {
        keys: &[(Layer::Vault, Action::RowUp), (Layer::Vault, Action::RowDown)],
        what: s::HELP_VAULT_MOVE,
    },
    Row {
        keys: &[(Layer::Vault, Action::PageUp), (Layer::Vault, Action::PageDown)],
        what: s::HELP_VAULT_PAGE,
    },
    Row {
        keys: &[(Layer::Vault, Action::FirstPage), (Layer::Vault, Action::LastPage)],
        what: s::HELP_VAULT_ENDS,
    },
    Row {
        keys: &[(Layer::Vault, Action::Filter)],
        what: s::HELP_VAULT_FILTER,
    },
    Row {
        keys: &[(Layer::Back, Action::Back)],
        what: s::HELP_VAULT_FILTER_CLEAR,
    },
    Row {
        keys: &[(Layer::Vault, Action::RevealEntry)],
        what: s::HELP_VAULT_REVEAL,
    },
    Row {
        keys: &[
            (Layer::Vault, Action::Copy(CopyWhat::Password)),
            (Layer::Vault, Action::Copy(CopyWhat::Username)),
            (Layer::Vault, Action::Copy(CopyWhat::Totp)),
        ],
        what: s::HELP_VAULT_COPY,
    },
    Row {
        keys: &[(Layer::Vault, Action::NewEntry)],
        what: s::HELP_VAULT_NEW,
    },
    Row {
        keys: &[(Layer::Vault, Action::EditEntry)],
        what: s::HELP_VAULT_EDIT,
    },
    Row {
        keys: &[(Layer::Vault, Action::DeleteEntry)],
        what: s::HELP_VAULT_DELETE,
    },
    Row {
        keys: &[(Layer::Vault, Action::Lock)],
        what: s::HELP_VAULT_LOCK,
    },
    ACCOUNT_ROW,
    LOGOUT_ROW,
    QUESTION_MARK_ROW,
    QUIT_ROW,
];

pub const INFO: Info = Info {
    title: s::VAULT_TITLE,
    authenticated: true,
    admin: false,
    hashes_password: false,
    layers: &[Layer::VaultTab, Layer::Vault, Layer::Back],
    help: &[HELP, COMMON_ROWS],
    footer: &[
        Hint {
            key: (Layer::Vault, Action::Filter),
            what: s::FOOT_FILTER,
        },
        Hint {
            key: (Layer::Vault, Action::RevealEntry),
            what: s::FOOT_REVEAL,
        },
        Hint {
            key: (Layer::Vault, Action::Copy(CopyWhat::Password)),
            what: s::FOOT_COPY_PASSWORD,
        },
        Hint {
            key: (Layer::Vault, Action::Copy(CopyWhat::Username)),
            what: s::FOOT_COPY_USERNAME,
        },
        Hint {
            key: (Layer::Vault, Action::Copy(CopyWhat::Totp)),
            what: s::FOOT_COPY_TOTP,
        },
        Hint {
            key: (Layer::Vault, Action::NewEntry),
            what: s::FOOT_NEW,
        },
        Hint {
            key: (Layer::Vault, Action::EditEntry),
            what: s::FOOT_EDIT,
        },
        Hint {
            key: (Layer::Vault, Action::DeleteEntry),
            what: s::FOOT_DELETE_ENTRY,
        },
        Hint {
            key: (Layer::Vault, Action::Lock),
            what: s::FOOT_LOCK,
        },
        ACCOUNT_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
};

/// Loading, or damaged: no list, only the way to the account and out.
pub const BARE_INFO: Info = Info {
    layers: &[Layer::VaultTab],
    help: &[&[ACCOUNT_ROW, LOGOUT_ROW, QUESTION_MARK_ROW, QUIT_ROW], COMMON_ROWS],
    footer: &[ACCOUNT_HINT, HELP_HINT, QUIT_HINT],
    ..INFO
};

/// The filter being typed.
pub const FILTER_INFO: Info = Info {
    layers: &[Layer::VaultFilter, Layer::Dialog, Layer::Back, Layer::Field],
    help: &[
        &[
            Row {
                keys: &[
                    (Layer::VaultFilter, Action::RowUp),
                    (Layer::VaultFilter, Action::RowDown),
                ],
                what: s::HELP_VAULT_MOVE,
            },
            Row {
                keys: &[(Layer::Dialog, Action::Submit)],
                what: s::HELP_VAULT_FILTER_DONE,
            },
            Row {
                keys: &[(Layer::Back, Action::Back)],
                what: s::HELP_VAULT_FILTER_CLEAR,
            },
            LOGOUT_ROW,
            QUIT_AT_ONCE_ROW,
        ],
        FORM_ROWS,
        COMMON_ROWS,
    ],
    footer: &[
        Hint {
            key: (Layer::Dialog, Action::Submit),
            what: s::FOOT_DONE,
        },
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_CLEAR,
        },
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

// What the entry form's two states (the focus in the notes or not) and the vault's other
// dialogs share.
const GENERATE_ROW: Row = Row {
    keys: &[(Layer::EntryForm, Action::Generate)],
    what: s::HELP_GENERATE,
};
const ENTRY_BACK_ROW: Row = Row {
    keys: &[(Layer::Back, Action::Back)],
    what: s::HELP_ENTRY_BACK,
};
const QUIT_AT_ONCE_ROW: Row = Row {
    keys: &[(Layer::Always, Action::Quit)],
    what: s::HELP_QUIT_AT_ONCE,
};
const GENERATE_HINT: Hint = Hint {
    key: (Layer::EntryForm, Action::Generate),
    what: s::FOOT_GENERATE,
};
const CANCEL_HINT: Hint = Hint {
    key: (Layer::Back, Action::Back),
    what: s::FOOT_CANCEL,
};

/// The entry form.
pub const FORM_INFO: Info = Info {
    layers: &[Layer::EntryForm, Layer::Back, Layer::Form, Layer::Field],
    help: &[
        &[
            Row {
                keys: &[(Layer::Form, Action::Submit)],
                what: s::HELP_ENTRY_SUBMIT,
            },
            GENERATE_ROW,
            ENTRY_BACK_ROW,
            LOGOUT_ROW,
            QUIT_AT_ONCE_ROW,
        ],
        FORM_ROWS,
        COMMON_ROWS,
    ],
    footer: &[
        Hint {
            key: (Layer::Form, Action::Submit),
            what: s::FOOT_SAVE,
        },
        GENERATE_HINT,
        CANCEL_HINT,
        SHOW_HINT,
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// The entry form with the focus in the notes: Enter breaks the line, ↑ / ↓ move between
/// lines (the `Lines` layer in place of `Form`).
pub const NOTES_INFO: Info = Info {
    layers: &[Layer::EntryForm, Layer::Back, Layer::Lines, Layer::Field],
    help: &[
        &[
            GENERATE_ROW,
            ENTRY_BACK_ROW,
            LOGOUT_ROW,
            QUIT_AT_ONCE_ROW,
        ],
        LINES_ROWS,
        COMMON_ROWS,
    ],
    footer: &[
        Hint {
            key: (Layer::Lines, Action::NewLine),
            what: s::FOOT_NEW_LINE,
        },
        Hint {
            key: (Layer::Lines, Action::NextField),
            what: s::FOOT_NEXT_FIELD,
        },
        GENERATE_HINT,
        CANCEL_HINT,
        Hint {
            key: (Layer::Lines, Action::Reveal),
            what: s::FOOT_SHOW,
        },
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// The delete question, the focus on Cancel.
pub const DELETE_INFO: Info = Info {
    layers: &[Layer::Choice, Layer::Dialog, Layer::Back],
    help: &[
        &[
            CHOICE_ROW,
            PRESS_ROW,
            Row {
                keys: &[(Layer::Back, Action::Back)],
                what: s::HELP_CANCEL,
            },
            LOGOUT_ROW,
            QUESTION_MARK_ROW,
            QUIT_AT_ONCE_ROW,
        ],
        COMMON_ROWS,
    ],
    footer: &[
        CHOOSE_HINT,
        SWITCH_HINT,
        Hint {
            key: (Layer::Back, Action::Back),
            what: s::FOOT_CANCEL,
        },
        HELP_HINT,
        QUIT_HINT,
    ],
    ..INFO
};

/// Every part of the screen, as it declares itself: for the keymap checks.
pub const ALL_INFOS: &[(&str, &Info)] = &[
    ("vault", &INFO),
    ("bare", &BARE_INFO),
    ("filter", &FILTER_INFO),
    ("form", &FORM_INFO),
    ("notes", &NOTES_INFO),
    ("delete", &DELETE_INFO),
];
