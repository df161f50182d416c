//! The rows a table shows, out of many more than it could load: a window of at most as many
//! rows as fit, moved with keyset queries (the rows after the last one shown, or before the
//! first), never with an offset and never by loading everything. Moving past the last or the
//! first row loads the next or the previous page; the selection stays inside the window.
//!
//! Each window remembers where it starts (its anchor: the key of the row just before it), so
//! the same rows can be asked for again after an action or a resize.

use crate::admin::UserRow;
use crate::api::{AuditFilter, UsersQuery};
use crate::storage::{AccountSort, AuditEvent, Cursor};

/// How far a move goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// One row: the selection lands on the first row loaded.
    Row,
    /// A page: the selection keeps its place on the screen.
    Page,
}

/// What a load is for, so that its answer lands where it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// The rows of the window again, from where it starts (after an action, a resize),
    /// keeping the selected row where it still is.
    Reload,
    /// From the start (a new filter or sort order, Home).
    First,
    /// The last page (End).
    Last,
    /// The last page, keeping the selected row where it still is (a reload that came back
    /// short: rows were deleted at the end).
    Refill,
    /// The rows after the last one.
    Next(Step),
    /// The rows before the first one.
    Prev(Step),
}

/// The window of the accounts table.
#[derive(Debug, Default)]
pub struct AccountsWindow {
    pub rows: Vec<UserRow>,
    pub selected: usize,
    /// The window holds the rows after this one (`None`: from the start).
    anchor: Option<Cursor>,
    /// Whether an answer came at least once.
    pub loaded: bool,
}

impl AccountsWindow {
    pub fn selected_row(&self) -> Option<&UserRow> {
        self.rows.get(self.selected)
    }

    /// Whether the window starts at the first row.
    pub fn at_start(&self) -> bool {
        self.anchor.is_none()
    }

    /// The query for `load`, in a window of `h` rows; `None` when there is nothing to ask
    /// (the rows after the last one of an empty window).
    pub fn query(&self, load: Load, filter: &str, sort: AccountSort, h: usize) -> Option<UsersQuery> {
        let (cursor, backward, limit) = match load {
            Load::Reload => (self.anchor.clone(), false, h),
            Load::First => (None, false, h),
            // One more than fits: the extra row is the anchor of the window.
            Load::Last | Load::Refill => (None, true, h + 1),
            Load::Next(_) => (Some(self.rows.last()?.account.cursor(sort)), false, h),
            Load::Prev(_) => (Some(self.rows.first()?.account.cursor(sort)), true, h + 1),
        };
        Some(UsersQuery {
            filter: filter.to_owned(),
            sort,
            cursor,
            backward,
            limit,
        })
    }

    /// Puts the answer to `load` in the window. Returns a load still needed: a reload that came
    /// back short (rows were deleted at the end) asks for the last page.
    pub fn apply(&mut self, load: Load, mut got: Vec<UserRow>, sort: AccountSort, h: usize) -> Option<Load> {
        let h = h.max(1);
        let first_time = !self.loaded;
        self.loaded = true;
        let keep = self.selected_row().map(|r| r.account.id);
        match load {
            Load::Reload => {
                let short = got.len() < h && self.anchor.is_some();
                self.rows = got;
                self.select_id(keep);
                if short && !first_time {
                    return Some(Load::Refill);
                }
            }
            Load::First => {
                self.anchor = None;
                self.rows = got;
                self.selected = 0;
            }
            Load::Last | Load::Refill => {
                self.anchor = if got.len() > h {
                    Some(got.remove(0).account.cursor(sort))
                } else {
                    None
                };
                self.rows = got;
                self.selected = self.rows.len().saturating_sub(1);
                if load == Load::Refill {
                    self.select_id(keep);
                }
            }
            Load::Next(step) => {
                let k = got.len();
                if k == 0 {
                    if step == Step::Page {
                        self.selected = self.rows.len().saturating_sub(1);
                    }
                    return None;
                }
                let old_len = self.rows.len();
                self.rows.extend(got);
                let shift = self.rows.len().saturating_sub(h);
                if shift > 0 {
                    self.anchor = Some(self.rows[shift - 1].account.cursor(sort));
                    self.rows.drain(..shift);
                }
                self.selected = match step {
                    Step::Row => old_len - shift,
                    Step::Page => (self.selected + k).saturating_sub(shift),
                };
            }
            Load::Prev(step) => {
                let anchor = if got.len() > h {
                    Some(got.remove(0).account.cursor(sort))
                } else {
                    None
                };
                self.anchor = anchor;
                let k = got.len();
                if k == 0 {
                    if step == Step::Page {
                        self.selected = 0;
                    }
                    return None;
                }
                let old_selected = self.selected;
                got.append(&mut self.rows);
                got.truncate(h);
                self.rows = got;
                self.selected = match step {
                    Step::Row => k - 1,
                    Step::Page => old_selected,
                };
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        None
    }

    /// Selects the row with this id if it is still there, else keeps the place (clamped).
    fn select_id(&mut self, id: Option<i64>) {
        if let Some(i) = self.rows.iter().position(|r| Some(r.account.id) == id) {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }
}

/// The window of the audit log, newest first. The log is read only towards older events
/// (`before_id`), so the windows above are remembered to go back to them.
#[derive(Debug, Default)]
pub struct AuditWindow {
    pub rows: Vec<AuditEvent>,
    pub selected: usize,
    /// The window holds the events older than this id (`None`: from the newest).
    anchor: Option<i64>,
    /// The anchors of the windows passed on the way down, the latest last.
    newer: Vec<Option<i64>>,
    pub loaded: bool,
}

impl AuditWindow {
    /// Whether the window starts at the newest event.
    pub fn at_start(&self) -> bool {
        self.anchor.is_none()
    }

    /// The query for `load` in a window of `h` rows; `None` when there is nothing to ask.
    pub fn query(&self, load: Load, contains: &str, h: usize) -> Option<AuditFilter> {
        let before_id = match load {
            Load::Reload => self.anchor,
            Load::First => None,
            // Only older events can be asked for: the oldest page is not one query away.
            Load::Last | Load::Refill => return None,
            Load::Next(_) => Some(self.rows.last()?.id),
            Load::Prev(_) => *self.newer.last()?,
        };
        let contains = contains.trim();
        Some(AuditFilter {
            email: None,
            contains: (!contains.is_empty()).then(|| contains.to_owned()),
            before_id,
            limit: h,
        })
    }

    /// Puts the answer to `load` in the window.
    pub fn apply(&mut self, load: Load, got: Vec<AuditEvent>, h: usize) {
        let h = h.max(1);
        self.loaded = true;
        match load {
            Load::Reload => {
                let keep = self.rows.get(self.selected).map(|e| e.id);
                self.rows = got;
                if let Some(i) = self.rows.iter().position(|e| Some(e.id) == keep) {
                    self.selected = i;
                }
            }
            Load::First | Load::Last | Load::Refill => {
                self.anchor = None;
                self.newer.clear();
                self.rows = got;
                self.selected = 0;
            }
            Load::Next(step) => {
                let k = got.len();
                if k == 0 {
                    if step == Step::Page {
                        self.selected = self.rows.len().saturating_sub(1);
                    }
                    return;
                }
                let old_len = self.rows.len();
                self.rows.extend(got);
                let shift = self.rows.len().saturating_sub(h);
                if shift > 0 {
                    self.newer.push(self.anchor);
                    self.anchor = Some(self.rows[shift - 1].id);
                    self.rows.drain(..shift);
                }
                self.selected = match step {
                    Step::Row => old_len - shift,
                    Step::Page => (self.selected + k).saturating_sub(shift),
                };
            }
            Load::Prev(step) => {
                let top = self.rows.first().map(|e| e.id);
                self.anchor = self.newer.pop().flatten();
                self.rows = got;
                self.selected = match step {
                    // The event just newer than the one that was on top.
                    Step::Row => match self.rows.iter().position(|e| Some(e.id) == top) {
                        Some(i) => i.saturating_sub(1),
                        None => self.rows.len().saturating_sub(1),
                    },
                    Step::Page => self.selected,
                };
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::AccountState;
    use crate::storage::AccountSummary;

    /// Accounts 0..n by email ("u000@x" …), as a store would page them.
    fn store(n: i64) -> Vec<UserRow> {
        (0..n)
            .map(|i| UserRow {
                account: AccountSummary {
                    id: i + 1,
                    email: format!("u{i:03}@x"),
                    email_norm: format!("u{i:03}@x"),
                    name: format!("User {i}"),
                    role: "user".into(),
                    created_at: 0,
                    last_login_at: None,
                    disabled: false,
                    expires_at: None,
                    locked_until: None,
                    has_password: true,
                },
                state: AccountState::Active,
                locked_until: None,
            })
            .collect()
    }

    /// Answers a query as the store does (keyset by email, backward pages in display order).
    fn answer(all: &[UserRow], q: &UsersQuery) -> Vec<UserRow> {
        let key = |r: &UserRow| r.account.email_norm.clone();
        let after = |r: &UserRow| match &q.cursor {
            None => true,
            Some(Cursor::Text(k, _)) if q.backward => key(r) < *k,
            Some(Cursor::Text(k, _)) => key(r) > *k,
            Some(Cursor::Id(_)) => unreachable!(),
        };
        let mut rows: Vec<UserRow> = all.iter().filter(|r| after(r)).cloned().collect();
        if q.backward {
            rows.reverse();
            rows.truncate(q.limit);
            rows.reverse();
        } else {
            rows.truncate(q.limit);
        }
        rows
    }

    fn emails(w: &AccountsWindow) -> Vec<String> {
        w.rows.iter().map(|r| r.account.email.clone()).collect()
    }

    fn go(w: &mut AccountsWindow, all: &[UserRow], load: Load, h: usize) {
        let sort = AccountSort::Email;
        let Some(q) = w.query(load, "", sort, h) else {
            return;
        };
        assert!(q.limit <= h + 1, "never more than a window (and its anchor)");
        let got = answer(all, &q);
        if let Some(next) = w.apply(load, got, sort, h) {
            go(w, all, next, h);
        }
    }

    fn selected(w: &AccountsWindow) -> String {
        w.selected_row().unwrap().account.email.clone()
    }

    #[test]
    fn pages_forward_and_back_by_keyset() {
        let all = store(25);
        let mut w = AccountsWindow::default();
        go(&mut w, &all, Load::First, 10);
        assert_eq!(emails(&w)[0], "u000@x");
        assert_eq!(w.rows.len(), 10);
        // ↓ past the last row: the next row loads and is selected.
        w.selected = 9;
        go(&mut w, &all, Load::Next(Step::Row), 10);
        assert_eq!(w.rows.len(), 10);
        assert_eq!(emails(&w)[0], "u010@x", "the next page");
        assert_eq!(selected(&w), "u010@x");
        // PgDn keeps the place on the screen; the last page is partial, the window stays full.
        w.selected = 2;
        go(&mut w, &all, Load::Next(Step::Page), 10);
        assert_eq!(emails(&w).first().unwrap(), "u015@x");
        assert_eq!(emails(&w).last().unwrap(), "u024@x");
        assert_eq!(selected(&w), "u017@x", "moved by the 5 rows that came");
        // Nothing after the last: PgDn goes to the last row.
        go(&mut w, &all, Load::Next(Step::Page), 10);
        assert_eq!(selected(&w), "u024@x");
        // A reload gives the same rows (the anchor is the row before the window).
        let before = emails(&w);
        go(&mut w, &all, Load::Reload, 10);
        assert_eq!(emails(&w), before);
        // ↑ past the first row: the previous row loads and is selected.
        w.selected = 0;
        go(&mut w, &all, Load::Prev(Step::Row), 10);
        assert_eq!(emails(&w).first().unwrap(), "u005@x");
        assert_eq!(selected(&w), "u014@x");
        go(&mut w, &all, Load::Prev(Step::Page), 10);
        assert_eq!(emails(&w).first().unwrap(), "u000@x");
        assert!(w.at_start());
        w.selected = 4;
        go(&mut w, &all, Load::Last, 10);
        assert_eq!(emails(&w).first().unwrap(), "u015@x");
        assert_eq!(selected(&w), "u024@x", "End selects the last row");
        go(&mut w, &all, Load::Reload, 10);
        assert_eq!(emails(&w).first().unwrap(), "u015@x", "Last set the anchor");
    }

    #[test]
    fn a_reload_after_deleting_the_end_keeps_a_full_window_and_the_selection() {
        let mut all = store(25);
        let mut w = AccountsWindow::default();
        go(&mut w, &all, Load::Last, 10);
        w.selected = 3;
        let keep = selected(&w);
        all.truncate(22);
        go(&mut w, &all, Load::Reload, 10);
        assert_eq!(w.rows.len(), 10, "{:?}", emails(&w));
        assert_eq!(emails(&w).last().unwrap(), "u021@x");
        assert_eq!(selected(&w), keep);
    }

    fn events(n: i64) -> Vec<AuditEvent> {
        (1..=n)
            .rev()
            .map(|id| AuditEvent {
                id,
                at: id,
                actor: "a@x".into(),
                target: "b@x".into(),
                event: "login_success".into(),
            })
            .collect()
    }

    fn audit_go(w: &mut AuditWindow, all: &[AuditEvent], load: Load, h: usize) {
        let Some(q) = w.query(load, "", h) else {
            return;
        };
        let got: Vec<AuditEvent> = all
            .iter()
            .filter(|e| q.before_id.is_none_or(|b| e.id < b))
            .take(q.limit)
            .cloned()
            .collect();
        w.apply(load, got, h);
    }

    #[test]
    fn audit_pages_older_with_before_id_and_back() {
        let all = events(25);
        let ids = |w: &AuditWindow| w.rows.iter().map(|e| e.id).collect::<Vec<_>>();
        let mut w = AuditWindow::default();
        audit_go(&mut w, &all, Load::First, 10);
        assert_eq!(ids(&w)[0], 25);
        w.selected = 9;
        audit_go(&mut w, &all, Load::Next(Step::Row), 10);
        assert_eq!(ids(&w)[0], 15);
        assert_eq!(w.rows[w.selected].id, 15);
        audit_go(&mut w, &all, Load::Next(Step::Page), 10);
        assert_eq!((ids(&w)[0], *ids(&w).last().unwrap()), (10, 1));
        w.selected = 0;
        audit_go(&mut w, &all, Load::Prev(Step::Row), 10);
        assert_eq!(ids(&w)[0], 15);
        assert_eq!(w.rows[w.selected].id, 11, "the event just newer than 10");
        audit_go(&mut w, &all, Load::Prev(Step::Page), 10);
        assert_eq!(ids(&w)[0], 25);
        assert!(w.at_start());
        assert!(w.query(Load::Prev(Step::Row), "", 10).is_none());
    }
}
