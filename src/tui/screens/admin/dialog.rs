//! The administration's dialogs: a question with the focus on Cancel, the email to type before
//! a delete, the expiry date, the password asked again, and the one-time code shown once.

use super::Pending;
use crate::admin::AdminOp;
use crate::auth::policy::MAX_EMAIL_CHARS;
use crate::tui::screens::Info;
use crate::tui::strings as s;
use crate::tui::widgets::field::FormField;
use crate::tui::widgets::form::{Form, form_fields};
use zeroize::{Zeroize, Zeroizing};

form_fields! {
    /// The password asked again before a delete or a reset code.
    pub struct ReauthFields / ReauthField {
        password: Password,
    }
}

/// Which button of a question has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Cancel,
    Confirm,
}

/// A one-time code while it is shown: wiped in place when the dialog closes, and never in
/// `Debug` output.
pub struct ShownCode(Zeroizing<String>);

impl ShownCode {
    pub fn new(code: Zeroizing<String>) -> Self {
        ShownCode(code)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Zeroes the text where it is (and its spare capacity), leaving it empty.
    pub fn wipe(&mut self) {
        self.0.zeroize();
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for ShownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShownCode(<redacted>)")
    }
}

/// A dialog over the table.
#[derive(Debug)]
pub enum Dialog {
    /// A destructive action, asked first: Cancel has the focus.
    Confirm {
        op: AdminOp,
        email: String,
        focus: Choice,
    },
    /// A delete: the email must be typed again.
    Delete { email: String, field: FormField },
    /// The expiry: a day, or "never"; `now` is what it is now (a day, or "never").
    Expire {
        email: String,
        field: FormField,
        now: String,
    },
    /// The password again, then `then` is retried. `checking` while the worker verifies it.
    Reauth {
        form: Form<ReauthFields>,
        then: Pending,
        checking: bool,
    },
    /// A reset code, shown once.
    Code { email: String, code: ShownCode },
}

impl Dialog {
    pub fn confirm(op: AdminOp, email: String) -> Self {
        Dialog::Confirm {
            op,
            email,
            focus: Choice::Cancel,
        }
    }

    pub fn delete(email: String) -> Self {
        Dialog::Delete {
            email,
            field: FormField::text(s::LABEL_EMAIL, MAX_EMAIL_CHARS),
        }
    }

    pub fn expire(email: String, now: Option<String>) -> Self {
        Dialog::Expire {
            email,
            field: FormField::text(s::LABEL_EXPIRES_ON, 10),
            now: now.unwrap_or_else(|| s::EXPIRES_NEVER.to_owned()),
        }
    }

    pub fn reauth(then: Pending) -> Self {
        Dialog::Reauth {
            form: Form::new(
                ReauthFields {
                    password: FormField::secret(s::LABEL_YOUR_PASSWORD),
                },
                s::BUTTON_CONFIRM,
            ),
            then,
            checking: false,
        }
    }

    /// What the dialog declares: its keys, help and footer.
    pub fn info(&self) -> &'static Info {
        match self {
            Dialog::Confirm { .. } => &super::CONFIRM_INFO,
            Dialog::Delete { .. } => &super::DELETE_INFO,
            Dialog::Expire { .. } => &super::EXPIRE_INFO,
            Dialog::Reauth { .. } => &super::REAUTH_INFO,
            Dialog::Code { .. } => &super::CODE_INFO,
        }
    }

    /// The text field a person types in, if the dialog has one (not a password).
    pub fn field_mut(&mut self) -> Option<&mut FormField> {
        match self {
            Dialog::Delete { field, .. } | Dialog::Expire { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Wipes what the dialog holds that is secret: the code shown, the password typed.
    pub fn wipe(&mut self) {
        match self {
            Dialog::Code { code, .. } => code.wipe(),
            Dialog::Reauth { form, .. } => form.clear_secrets(),
            _ => {}
        }
    }
}

/// A day typed for the expiry: `Some(None)` for "never", `Some(Some(t))` for 00:00 UTC that
/// day, `None` when it is neither.
pub fn parse_expiry(text: &str) -> Option<Option<i64>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case(s::EXPIRES_NEVER) {
        return Some(None);
    }
    // Exactly YYYY-MM-DD: what the dialog asks for, and what `admin expire --on` takes.
    if text.len() != 10 {
        return None;
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    let ts = date
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    Some(Some(ts.as_second()))
}

/// A stored time as the day the expiry dialog shows (UTC, as it is set).
pub fn day(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| {
            ts.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
                .to_string()
        })
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_a_day_or_never() {
        assert_eq!(parse_expiry(" never "), Some(None));
        assert_eq!(parse_expiry("NEVER"), Some(None));
        assert_eq!(parse_expiry("2027-01-31"), Some(Some(1_801_353_600)));
        assert_eq!(day(1_801_353_600), "2027-01-31");
        for bad in ["", "2027-02-30", "31/01/2027", "2027-1-31", "tomorrow", "2027-01-31T00"] {
            assert_eq!(parse_expiry(bad), None, "{bad}");
        }
    }

    #[test]
    fn tm_06_a_shown_code_is_wiped_in_place_and_never_in_debug() {
        let mut code = ShownCode::new(Zeroizing::new("ABCD-EFGH".to_owned()));
        let cap = code.0.capacity();
        assert!(!format!("{code:?}").contains("ABCD"));
        code.wipe();
        assert!(code.is_empty());
        assert_eq!(code.0.capacity(), cap, "wiped where it was, not moved");
    }
}
