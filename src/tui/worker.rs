//! The threads that do the slow work, so the UI thread never waits: the worker sends the
//! core's [`Request`]s to the [`Backend`] (Argon2 and the store run there, the same requests
//! the CLI sends), and the meter runs the password strength check. Both answer with
//! [`Msg`]s on the UI's channel.

use super::app::{Effect, Msg};
use super::widgets::meter::StrengthCheck;
use crate::api::{Backend, Request, Response};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex};

/// Runs one effect on this thread and returns the message it answers with, if any (the memory
/// requests have none). The worker and the meter do this; tests call it directly.
pub fn execute(backend: &dyn Backend, effect: Effect) -> Option<Msg> {
    match effect {
        Effect::Meter(check) => Some(check.run()),
        // The terminal's, not a thread's: the runtime writes it.
        Effect::Clipboard(_) => None,
        Effect::Backend(request) => match backend.call(request) {
            Response::Done => None,
            response => Some(Msg::Response(response)),
        },
    }
}

/// Starts the worker thread; requests sent to the returned channel are answered in order.
/// `on_login` runs on the worker after each successful login, with its report (the runtime
/// remembers the email there when `ui.remember_email` is on).
pub fn spawn_worker<B: Backend + Send + 'static>(
    backend: B,
    tx: Sender<Msg>,
    on_login: impl Fn(&crate::LoginReport) + Send + 'static,
) -> Sender<Request> {
    let (requests, rx) = mpsc::channel::<Request>();
    std::thread::spawn(move || {
        for request in rx {
            let argon2 = matches!(
                request,
                Request::Login { .. } | Request::Signup { .. } | Request::ChangePassword { .. }
            );
            // A reset hashes the new password, a deletion checks the password
            let argon2 = argon2
                || matches!(
                    request,
                    Request::ResetPassword { .. } | Request::DeleteAccount { .. }
                );
            let deleting = matches!(request, Request::DeleteAccount { .. });
            let argon2 = argon2 || matches!(request, Request::Reauthenticate { .. });
            let response = backend.call(request);
            crate::secret::wipe_stack_below();
            if let Response::Done = response {
                continue;
            }
            let done = matches!(
                response,
                Response::Login(Ok(_)) | Response::PasswordChanged(Ok(_))
            );
            // No login follows a deleted account
            let done = done || (deleting && matches!(response, Response::Count(Ok(_))));
            if let Response::Login(Ok(report)) = &response {
                on_login(report);
            }
            if tx.send(Msg::Response(response)).is_err() {
                return;
            }
            // After the answer is on its way: wipe the Argon2 memory the request used (kept
            // mapped for a retry, or for the login after a signup), or free it once logged in
            // or the password is changed.
            if done {
                backend.call(Request::ReleaseMemory);
            } else if argon2 {
                backend.call(Request::WipeMemory);
            }
        }
    });
    requests
}

/// The strength meter's thread: holds at most one request, the latest (a newer one replaces
/// and drops the waiting one, wiping its password), so a slow check is never followed by a
/// queue of stale ones.
pub struct Meter {
    next: Mutex<Option<StrengthCheck>>,
    wake: Condvar,
}

impl Meter {
    pub fn spawn(tx: Sender<Msg>) -> Arc<Meter> {
        let meter = Arc::new(Meter {
            next: Mutex::new(None),
            wake: Condvar::new(),
        });
        let m = meter.clone();
        std::thread::spawn(move || {
            loop {
                let check = {
                    let Ok(mut next) = m.next.lock() else {
                        return;
                    };
                    loop {
                        if let Some(c) = next.take() {
                            break c;
                        }
                        next = match m.wake.wait(next) {
                            Ok(n) => n,
                            Err(_) => return,
                        };
                    }
                };
                let answer = check.run();
                crate::secret::wipe_stack_below();
                if tx.send(answer).is_err() {
                    return;
                }
            }
        });
        meter
    }

    pub fn request(&self, check: StrengthCheck) {
        if let Ok(mut next) = self.next.lock() {
            *next = Some(check);
            self.wake.notify_one();
        }
    }
}
