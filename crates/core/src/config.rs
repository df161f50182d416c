//! The configuration: TOML files in two layers, with every value's source.
//!
//! - The **system layer**, `/etc/vaultty/config.toml`, is the administrator's.
//! - The **user layer** is `--config FILE`, else `$VAULTTY_CONFIG`, else the platform config
//!   dir (`~/.config/vaultty/config.toml`).
//!
//! Security knobs (the password policy, the Argon2 cost, the lockout schedule and the session
//! limits) are honoured only from the system layer or an explicit `--config`: a user file found
//! through `$VAULTTY_CONFIG` or the config dir cannot weaken them, and [`Config::show`] says
//! which of its values were ignored. The store and the UI's knobs come from either layer, the
//! user's winning. An invalid file is refused with its path, line and key and what is allowed
//! ([`ConfigError`]); nothing is half-applied.

use crate::auth::hashing::HashParams;
use crate::auth::lockout::LOCKOUT_SCHEDULE;
use crate::auth::policy::{MIN_PASSWORD_CHARS, MIN_PASSWORD_FLOOR};
use crate::storage::LockoutSchedule;
use crate::{Options, SessionLimits};
use std::fmt;
use std::path::{Path, PathBuf};

/// The system layer's file.
pub const SYSTEM_FILE: &str = "/etc/vaultty/config.toml";
/// The environment variable naming the user layer's file.
pub const CONFIG_ENV: &str = "VAULTTY_CONFIG";

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    /// The system layer.
    System(PathBuf),
    /// `--config FILE`.
    Explicit(PathBuf),
    /// `$VAULTTY_CONFIG` or the platform config dir.
    User(PathBuf),
    /// An environment variable (`VAULTTY_STORE`).
    Env(&'static str),
    /// A command-line flag (`--store`).
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::System(p) => write!(f, "system config {}", p.display()),
            Source::Explicit(p) => write!(f, "--config {}", p.display()),
            Source::User(p) => write!(f, "user config {}", p.display()),
            Source::Env(v) => write!(f, "${v}"),
            Source::Flag(flag) => f.write_str(flag),
        }
    }
}

impl Source {
    /// Whether security knobs are honoured from here.
    fn trusted(&self) -> bool {
        matches!(
            self,
            Source::Default | Source::System(_) | Source::Explicit(_)
        )
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    fn default(value: T) -> Self {
        Setting {
            value,
            source: Source::Default,
        }
    }
}

/// How the UI draws a password field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskStyle {
    /// One `•` per character (the default).
    Dots,
    /// One `*` per character.
    Stars,
    /// Nothing at all: not even the length shows.
    Hidden,
}

impl MaskStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            MaskStyle::Dots => "dots",
            MaskStyle::Stars => "stars",
            MaskStyle::Hidden => "hidden",
        }
    }
}

/// The effective configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `sqlite:PATH` or `postgres://...`; `None`: `sqlite:<data dir>/vaultty.db`.
    pub store: Setting<Option<String>>,
    pub min_password_chars: Setting<usize>,
    pub argon2: Setting<HashParams>,
    pub lockout: Setting<LockoutSchedule>,
    pub session: Setting<SessionLimits>,
    pub mask: Setting<MaskStyle>,
    /// Pre-fill the login screen with the last email at launch (never after a logout or an
    /// expiry). Off by default: a shared machine must not show who was there last.
    pub remember_email: Setting<bool>,
    /// How many days audit events are kept.
    pub audit_retention_days: Setting<i64>,
    /// After how many minutes without a request the vault agent locks; `None`: the session's
    /// idle limit. Never later than that limit, whatever it says (the session ends first).
    pub vault_lock_minutes: Setting<Option<i64>>,
    /// Values of a user-layer file that were not applied (security knobs), for `config show`.
    pub ignored: Vec<(String, Source)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            store: Setting::default(None),
            min_password_chars: Setting::default(MIN_PASSWORD_CHARS),
            argon2: Setting::default(HashParams::DEFAULT),
            lockout: Setting::default(LOCKOUT_SCHEDULE),
            session: Setting::default(SessionLimits::default()),
            mask: Setting::default(MaskStyle::Dots),
            remember_email: Setting::default(false),
            audit_retention_days: Setting::default(AUDIT_RETENTION_DAYS),
            vault_lock_minutes: Setting::default(None),
            ignored: Vec::new(),
        }
    }
}

/// How many days audit events are kept by default: a year, so a term's history is there.
pub const AUDIT_RETENTION_DAYS: i64 = 365;

/// A configuration file that cannot be used: which file, which line and key, what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Which user-layer file applies (before the environment and the config dir are looked at).
#[derive(Debug, Clone, Default)]
pub struct Locations {
    /// `--config FILE`.
    pub explicit: Option<PathBuf>,
    /// `$VAULTTY_CONFIG`.
    pub env: Option<PathBuf>,
    /// The platform config dir's file.
    pub user_dir: Option<PathBuf>,
    /// The system layer's file (normally [`SYSTEM_FILE`]).
    pub system: Option<PathBuf>,
}

impl Locations {
    /// The standard places: `--config` as given, `$VAULTTY_CONFIG`, the platform config dir,
    /// `/etc/vaultty/config.toml`.
    pub fn standard(explicit: Option<PathBuf>) -> Self {
        Locations {
            explicit,
            env: std::env::var_os(CONFIG_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            user_dir: directories::ProjectDirs::from("", "", "vaultty")
                .map(|d| d.config_dir().join("config.toml")),
            system: Some(PathBuf::from(SYSTEM_FILE)),
        }
    }
}

impl Config {
    /// Reads the layers at `at`. A file given explicitly (`--config` or `$VAULTTY_CONFIG`)
    /// must exist; the config dir's and the system's are optional.
    pub fn load(at: &Locations) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(system) = &at.system
            && let Some(text) = read(system, false)?
        {
            config.apply(&text, Source::System(system.clone()))?;
        }
        let user = if let Some(p) = &at.explicit {
            Some((p, Source::Explicit(p.clone()), true))
        } else if let Some(p) = &at.env {
            Some((p, Source::User(p.clone()), true))
        } else {
            at.user_dir
                .as_ref()
                .map(|p| (p, Source::User(p.clone()), false))
        };
        if let Some((path, source, required)) = user
            && let Some(text) = read(path, required)?
        {
            config.apply(&text, source)?;
        }
        Ok(config)
    }

    /// Applies one file's text on top of what is there.
    pub fn apply(&mut self, text: &str, source: Source) -> Result<(), ConfigError> {
        let path = match &source {
            Source::System(p) | Source::Explicit(p) | Source::User(p) => p.clone(),
            _ => PathBuf::from("<config>"),
        };
        let file = File::parse(text, &path)?;
        let err = |line: Option<usize>, message: String| ConfigError {
            path: path.clone(),
            line,
            message,
        };
        // Everything is checked before anything is applied.
        let mut next = self.clone();
        let trusted = source.trusted();
        let security = |key: &str, next_ignored: &mut Vec<(String, Source)>| -> bool {
            if !trusted {
                next_ignored.push((key.to_owned(), source.clone()));
            }
            trusted
        };
        if let Some(v) = &file.store {
            let url = v.value.trim();
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                return Err(err(
                    Some(v.line),
                    "store: use \"sqlite:PATH\" or \"postgres://USER@HOST/DB\"".into(),
                ));
            }
            next.store = Setting {
                value: Some(url.to_owned()),
                source: source.clone(),
            };
        }
        if let Some(v) = &file.min_password_length {
            let n = v.value;
            if n < MIN_PASSWORD_FLOOR as i64 || n > 256 {
                return Err(err(
                    Some(v.line),
                    format!(
                        "password.min_length = {n}: allowed {MIN_PASSWORD_FLOOR} to 256 \
                         characters (never below {MIN_PASSWORD_FLOOR})"
                    ),
                ));
            }
            if security("password.min_length", &mut next.ignored) {
                next.min_password_chars = Setting {
                    value: n as usize,
                    source: source.clone(),
                };
            }
        }
        if file.argon2_memory_kib.is_some()
            || file.argon2_iterations.is_some()
            || file.argon2_parallelism.is_some()
        {
            let cur = next.argon2.value;
            let get = |v: &Option<Num>, d: u32| {
                v.as_ref().map_or(Ok(d), |v| {
                    u32::try_from(v.value).map_err(|_| {
                        err(Some(v.line), format!("argon2: {} is out of range", v.value))
                    })
                })
            };
            let m = get(&file.argon2_memory_kib, cur.m_kib)?;
            let t = get(&file.argon2_iterations, cur.t)?;
            let p = get(&file.argon2_parallelism, cur.p)?;
            let line = [
                &file.argon2_memory_kib,
                &file.argon2_iterations,
                &file.argon2_parallelism,
            ]
            .into_iter()
            .flatten()
            .map(|v| v.line)
            .min();
            let Some(params) = HashParams::new(m, t, p) else {
                return Err(err(
                    line,
                    format!(
                        "argon2: memory_kib = {m}, iterations = {t}, parallelism = {p} is below \
                         OWASP's floor or above vaultty's ceiling: allowed are at least 19456 KiB \
                         with 2 iterations (or 12288 KiB with 3, 47104 KiB with 1), 1 to 16 \
                         lanes, and at most {}x the default's memory",
                        HashParams::CEILING_FACTOR
                    ),
                ));
            };
            if security("argon2", &mut next.ignored) {
                next.argon2 = Setting {
                    value: params,
                    source: source.clone(),
                };
            }
        }
        if file.lockout_free.is_some() || file.lockout_first.is_some() || file.lockout_max.is_some()
        {
            let cur = next.lockout.value;
            let pick = |v: &Option<Num>, d: i64, lo: i64, hi: i64, key: &str| match v {
                None => Ok(d),
                Some(v) if (lo..=hi).contains(&v.value) => Ok(v.value),
                Some(v) => Err(err(
                    Some(v.line),
                    format!("{key} = {}: allowed {lo} to {hi}", v.value),
                )),
            };
            let free = pick(&file.lockout_free, cur.free, 1, 20, "lockout.free_attempts")?;
            let first = pick(
                &file.lockout_first,
                cur.base_secs,
                1,
                3600,
                "lockout.first_secs",
            )?;
            let max = pick(
                &file.lockout_max,
                cur.max_secs,
                1,
                86_400,
                "lockout.max_secs",
            )?;
            if max < first {
                let line = file.lockout_max.as_ref().or(file.lockout_first.as_ref());
                return Err(err(
                    line.map(|v| v.line),
                    format!("lockout.max_secs = {max} is below lockout.first_secs = {first}"),
                ));
            }
            if security("lockout", &mut next.ignored) {
                next.lockout = Setting {
                    value: LockoutSchedule {
                        free,
                        base_secs: first,
                        max_secs: max,
                    },
                    source: source.clone(),
                };
            }
        }
        if file.idle_minutes.is_some() || file.absolute_hours.is_some() {
            let cur = next.session.value;
            let idle = match &file.idle_minutes {
                None => cur.idle_secs,
                Some(v) if (1..=24 * 60).contains(&v.value) => v.value * 60,
                Some(v) => {
                    return Err(err(
                        Some(v.line),
                        format!("session.idle_minutes = {}: allowed 1 to 1440", v.value),
                    ));
                }
            };
            let absolute = match &file.absolute_hours {
                None => cur.absolute_secs,
                Some(v) if (1..=24 * 30).contains(&v.value) => v.value * 3600,
                Some(v) => {
                    return Err(err(
                        Some(v.line),
                        format!("session.absolute_hours = {}: allowed 1 to 720", v.value),
                    ));
                }
            };
            if security("session", &mut next.ignored) {
                next.session = Setting {
                    value: SessionLimits {
                        absolute_secs: absolute,
                        idle_secs: idle,
                    },
                    source: source.clone(),
                };
            }
        }
        if let Some(v) = &file.audit_retention {
            if !(1..=3650).contains(&v.value) {
                return Err(err(
                    Some(v.line),
                    format!("audit.retention_days = {}: allowed 1 to 3650", v.value),
                ));
            }
            if security("audit", &mut next.ignored) {
                next.audit_retention_days = Setting {
                    value: v.value,
                    source: source.clone(),
                };
            }
        }
        if let Some(v) = &file.vault_lock_minutes {
            if !(1..=24 * 60).contains(&v.value) {
                return Err(err(
                    Some(v.line),
                    format!("vault.lock_minutes = {}: allowed 1 to 1440", v.value),
                ));
            }
            // Any layer may shorten it; only a trusted one may lengthen what is in force.
            let shorter = next
                .vault_lock_minutes
                .value
                .is_none_or(|cur| v.value <= cur);
            if trusted || shorter {
                next.vault_lock_minutes = Setting {
                    value: Some(v.value),
                    source: source.clone(),
                };
            } else {
                next.ignored
                    .push(("vault.lock_minutes".to_owned(), source.clone()));
            }
        }
        if let Some(v) = &file.mask {
            let mask = match v.value.as_str() {
                "dots" => MaskStyle::Dots,
                "stars" => MaskStyle::Stars,
                "hidden" => MaskStyle::Hidden,
                other => {
                    return Err(err(
                        Some(v.line),
                        format!("ui.mask = {other:?}: allowed \"dots\", \"stars\" or \"hidden\""),
                    ));
                }
            };
            next.mask = Setting {
                value: mask,
                source: source.clone(),
            };
        }
        if let Some(v) = &file.remember_email {
            next.remember_email = Setting {
                value: v.value,
                source: source.clone(),
            };
        }
        *self = next;
        Ok(())
    }

    /// The service's options for this configuration.
    pub fn options(&self) -> Options {
        Options {
            hash: self.argon2.value,
            limits: self.session.value,
            lockout: self.lockout.value,
            audit_retention_days: self.audit_retention_days.value,
            vault_lock_secs: self.vault_lock_minutes.value.map(|m| m * 60),
            ..Options::default()
        }
    }

    /// Makes the password policy in force for this process (see
    /// [`crate::auth::policy::set_min_password_chars`]).
    pub fn apply_policy(&self) {
        crate::auth::policy::set_min_password_chars(self.min_password_chars.value);
    }

    /// The effective configuration as TOML, each value with where it came from.
    pub fn show(&self) -> String {
        let mut out = String::new();
        let mut line = |key: &str, value: String, source: &Source| {
            out.push_str(&format!(
                "{key:<28} # {source}\n",
                key = format!("{key} = {value}")
            ));
        };
        line(
            "store",
            match &self.store.value {
                Some(url) => toml_string(&without_password(url)),
                None => "\"sqlite:<data dir>/vaultty.db\"".into(),
            },
            &self.store.source,
        );
        out.push_str("\n[password]\n");
        let mut line = |key: &str, value: String, source: &Source| {
            out.push_str(&format!("{:<28} # {source}\n", format!("{key} = {value}")));
        };
        line(
            "min_length",
            self.min_password_chars.value.to_string(),
            &self.min_password_chars.source,
        );
        let a = self.argon2.value;
        let mut s = String::new();
        s.push_str("\n[argon2]\n");
        for (k, v) in [
            ("memory_kib", a.m_kib),
            ("iterations", a.t),
            ("parallelism", a.p),
        ] {
            s.push_str(&format!(
                "{:<28} # {}\n",
                format!("{k} = {v}"),
                self.argon2.source
            ));
        }
        let l = self.lockout.value;
        s.push_str("\n[lockout]\n");
        for (k, v) in [
            ("free_attempts", l.free),
            ("first_secs", l.base_secs),
            ("max_secs", l.max_secs),
        ] {
            s.push_str(&format!(
                "{:<28} # {}\n",
                format!("{k} = {v}"),
                self.lockout.source
            ));
        }
        let sl = self.session.value;
        s.push_str("\n[session]\n");
        for (k, v) in [
            ("idle_minutes", sl.idle_secs / 60),
            ("absolute_hours", sl.absolute_secs / 3600),
        ] {
            s.push_str(&format!(
                "{:<28} # {}\n",
                format!("{k} = {v}"),
                self.session.source
            ));
        }
        s.push_str("\n[audit]\n");
        s.push_str(&format!(
            "{:<28} # {}\n",
            format!("retention_days = {}", self.audit_retention_days.value),
            self.audit_retention_days.source
        ));
        s.push_str("\n[vault]\n");
        s.push_str(&format!(
            "{:<28} # {}\n",
            match self.vault_lock_minutes.value {
                Some(m) => format!("lock_minutes = {m}"),
                None => format!("lock_minutes = {}", sl.idle_secs / 60),
            },
            match self.vault_lock_minutes.value {
                Some(_) => self.vault_lock_minutes.source.to_string(),
                None => "default: session.idle_minutes".to_owned(),
            }
        ));
        s.push_str("\n[ui]\n");
        s.push_str(&format!(
            "{:<28} # {}\n",
            format!("mask = \"{}\"", self.mask.value.as_str()),
            self.mask.source
        ));
        s.push_str(&format!(
            "{:<28} # {}\n",
            format!("remember_email = {}", self.remember_email.value),
            self.remember_email.source
        ));
        for (key, source) in &self.ignored {
            s.push_str(&format!(
                "# ignored: {key} in {source} (security settings are honoured only from \
                 {SYSTEM_FILE} or --config)\n"
            ));
        }
        out + &s
    }
}

/// A URL with any password replaced, for display.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Reads a config file; `None` when it is optional and absent.
fn read(path: &Path, required: bool) -> Result<Option<String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
        Err(e) => Err(ConfigError {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read it: {e}"),
        }),
    }
}

/// A number and the line it is on.
#[derive(Debug)]
struct Num {
    value: i64,
    line: usize,
}

#[derive(Debug)]
struct Text {
    value: String,
    line: usize,
}

#[derive(Debug)]
struct Flag {
    value: bool,
}

/// One file's values, each with its line.
#[derive(Debug, Default)]
struct File {
    store: Option<Text>,
    min_password_length: Option<Num>,
    argon2_memory_kib: Option<Num>,
    argon2_iterations: Option<Num>,
    argon2_parallelism: Option<Num>,
    lockout_free: Option<Num>,
    lockout_first: Option<Num>,
    lockout_max: Option<Num>,
    idle_minutes: Option<Num>,
    absolute_hours: Option<Num>,
    audit_retention: Option<Num>,
    vault_lock_minutes: Option<Num>,
    mask: Option<Text>,
    remember_email: Option<Flag>,
}

/// The keys a file may have, as `table.key`, for messages.
const ALLOWED: &str = "store, password.min_length, argon2.memory_kib, argon2.iterations, \
    argon2.parallelism, lockout.free_attempts, lockout.first_secs, lockout.max_secs, \
    session.idle_minutes, session.absolute_hours, audit.retention_days, vault.lock_minutes, ui.mask, \
    ui.remember_email";

impl File {
    fn parse(text: &str, path: &Path) -> Result<File, ConfigError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let err = |line: Option<usize>, message: String| ConfigError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let doc = toml::de::DeTable::parse(text).map_err(|e| {
            err(
                e.span().map(|s| line_of(s.start)),
                format!("not valid TOML: {}", e.message()),
            )
        })?;
        let root = doc.get_ref();
        let mut file = File::default();
        for (key, value) in root {
            let k = key.get_ref().as_ref();
            let line = line_of(key.span().start);
            match (k, value.get_ref()) {
                ("store", toml::de::DeValue::String(s)) => {
                    file.store = Some(Text {
                        value: s.to_string(),
                        line,
                    });
                }
                ("store", _) => return Err(err(Some(line), "store must be a string".into())),
                (
                    table @ ("password" | "argon2" | "lockout" | "session" | "audit" | "vault"
                    | "ui"),
                    toml::de::DeValue::Table(t),
                ) => {
                    for (key, value) in t {
                        let name = key.get_ref().as_ref();
                        let line = line_of(key.span().start);
                        let full = format!("{table}.{name}");
                        let num = || match value.get_ref() {
                            toml::de::DeValue::Integer(i) => {
                                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                                    .map(|value| Num { value, line })
                                    .map_err(|_| {
                                        err(Some(line), format!("{full} must be a whole number"))
                                    })
                            }
                            _ => Err(err(Some(line), format!("{full} must be a whole number"))),
                        };
                        match full.as_str() {
                            "password.min_length" => file.min_password_length = Some(num()?),
                            "argon2.memory_kib" => file.argon2_memory_kib = Some(num()?),
                            "argon2.iterations" => file.argon2_iterations = Some(num()?),
                            "argon2.parallelism" => file.argon2_parallelism = Some(num()?),
                            "lockout.free_attempts" => file.lockout_free = Some(num()?),
                            "lockout.first_secs" => file.lockout_first = Some(num()?),
                            "lockout.max_secs" => file.lockout_max = Some(num()?),
                            "session.idle_minutes" => file.idle_minutes = Some(num()?),
                            "session.absolute_hours" => file.absolute_hours = Some(num()?),
                            "audit.retention_days" => file.audit_retention = Some(num()?),
                            "vault.lock_minutes" => file.vault_lock_minutes = Some(num()?),
                            "ui.mask" => match value.get_ref() {
                                toml::de::DeValue::String(s) => {
                                    file.mask = Some(Text {
                                        value: s.to_string(),
                                        line,
                                    })
                                }
                                _ => {
                                    return Err(err(
                                        Some(line),
                                        "ui.mask must be \"dots\", \"stars\" or \"hidden\"".into(),
                                    ));
                                }
                            },
                            "ui.remember_email" => match value.get_ref() {
                                toml::de::DeValue::Boolean(b) => {
                                    file.remember_email = Some(Flag { value: *b })
                                }
                                _ => {
                                    return Err(err(
                                        Some(line),
                                        "ui.remember_email must be true or false".into(),
                                    ));
                                }
                            },
                            _ => {
                                return Err(err(
                                    Some(line),
                                    format!("unknown key {full}; allowed: {ALLOWED}"),
                                ));
                            }
                        }
                    }
                }
                (other, _) => {
                    return Err(err(
                        Some(line),
                        format!("unknown key {other}; allowed: {ALLOWED}"),
                    ));
                }
            }
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system() -> Source {
        Source::System(PathBuf::from("/etc/vaultty/config.toml"))
    }
    fn user() -> Source {
        Source::User(PathBuf::from("/home/ada/.config/vaultty/config.toml"))
    }

    #[test]
    fn every_knob_is_read_with_its_source() {
        let mut c = Config::default();
        c.apply(
            "store = \"postgres://vaultty:s3cret@db.lab/vaultty\"\n\
             [password]\nmin_length = 20\n\
             [argon2]\nmemory_kib = 131072\niterations = 3\nparallelism = 4\n\
             [lockout]\nfree_attempts = 3\nfirst_secs = 30\nmax_secs = 600\n\
             [session]\nidle_minutes = 5\nabsolute_hours = 8\n\
             [audit]\nretention_days = 90\n\
             [ui]\nmask = \"hidden\"\nremember_email = true\n",
            system(),
        )
        .unwrap();
        assert_eq!(c.min_password_chars.value, 20);
        assert_eq!(c.argon2.value, HashParams::new(131_072, 3, 4).unwrap());
        assert_eq!(
            c.lockout.value,
            LockoutSchedule {
                free: 3,
                base_secs: 30,
                max_secs: 600
            }
        );
        assert_eq!(c.session.value.idle_secs, 300);
        assert_eq!(c.session.value.absolute_secs, 8 * 3600);
        assert_eq!(c.mask.value, MaskStyle::Hidden);
        assert!(c.remember_email.value);
        assert_eq!(c.lockout.source, system());
        let shown = c.show();
        assert!(shown.contains("min_length = 20"), "{shown}");
        assert!(
            shown.contains("# system config /etc/vaultty/config.toml"),
            "{shown}"
        );
        assert!(
            !shown.contains("s3cret"),
            "the store's password is never shown:\n{shown}"
        );
        assert!(
            shown.contains("postgres://vaultty@db.lab/vaultty"),
            "{shown}"
        );
        assert!(shown.contains("retention_days = 90"), "{shown}");
        let o = c.options();
        assert_eq!(o.hash, c.argon2.value);
        assert_eq!(o.lockout, c.lockout.value);
        assert_eq!(o.audit_retention_days, 90);
    }

    #[test]
    fn a_user_file_cannot_weaken_security_knobs_but_sets_the_others() {
        let mut c = Config::default();
        c.apply(
            "[password]\nmin_length = 8\n[lockout]\nfree_attempts = 20\n\
             [audit]\nretention_days = 1\n[ui]\nmask = \"stars\"\n",
            user(),
        )
        .unwrap();
        assert_eq!(c.min_password_chars, Setting::default(MIN_PASSWORD_CHARS));
        assert_eq!(
            c.audit_retention_days,
            Setting::default(AUDIT_RETENTION_DAYS)
        );
        assert_eq!(c.lockout, Setting::default(LOCKOUT_SCHEDULE));
        assert_eq!(c.mask.value, MaskStyle::Stars);
        assert_eq!(c.mask.source, user());
        let shown = c.show();
        assert!(shown.contains("# ignored: password.min_length"), "{shown}");
        assert!(shown.contains("# ignored: lockout"), "{shown}");
        // An explicit --config is honoured.
        let mut c = Config::default();
        let explicit = Source::Explicit(PathBuf::from("lab.toml"));
        c.apply("[password]\nmin_length = 8\n", explicit.clone())
            .unwrap();
        assert_eq!(c.min_password_chars.value, 8);
        assert_eq!(c.min_password_chars.source, explicit);
    }

    #[test]
    fn the_vault_lock_may_be_shortened_by_anyone_and_lengthened_only_by_the_system() {
        let mut c = Config::default();
        assert!(c.show().contains("lock_minutes = 15"), "{}", c.show());
        assert_eq!(c.options().vault_lock_secs, None);
        c.apply("[vault]\nlock_minutes = 10\n", system()).unwrap();
        assert_eq!(c.vault_lock_minutes.value, Some(10));
        // The user's file may shorten it...
        c.apply("[vault]\nlock_minutes = 3\n", user()).unwrap();
        assert_eq!(c.vault_lock_minutes.value, Some(3));
        assert_eq!(c.vault_lock_minutes.source, user());
        assert_eq!(c.options().vault_lock_secs, Some(180));
        assert!(c.show().contains("lock_minutes = 3"), "{}", c.show());
        // ...but not lengthen what is in force.
        let mut c = Config::default();
        c.apply("[vault]\nlock_minutes = 10\n", system()).unwrap();
        c.apply("[vault]\nlock_minutes = 60\n", user()).unwrap();
        assert_eq!(c.vault_lock_minutes.value, Some(10));
        assert!(
            c.show().contains("# ignored: vault.lock_minutes"),
            "{}",
            c.show()
        );
        let e = Config::default()
            .apply("[vault]\nlock_minutes = 0\n", user())
            .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("allowed 1 to 1440"), "{e}");
    }

    #[test]
    fn bad_files_name_the_line_the_key_and_what_is_allowed() {
        let bad = |text: &str| Config::default().apply(text, system()).unwrap_err();
        let e = bad("\n[password]\nmin_length = 6\n");
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("password.min_length = 6"), "{e}");
        assert!(e.to_string().contains("never below 8"), "{e}");
        let e = bad("[argon2]\nmemory_kib = 1024\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("OWASP"), "{e}");
        let e = bad("[ui]\ncolour = true\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("unknown key ui.colour; allowed:"), "{e}");
        let e = bad("store = 3\n");
        assert!(e.message.contains("store must be a string"), "{e}");
        let e = bad("store = \"mysql://x\"\n");
        assert!(e.message.contains("sqlite:PATH"), "{e}");
        let e = bad("[session]\nidle_minutes = \"15\"\n");
        assert!(e.message.contains("whole number"), "{e}");
        let e = bad("[session\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.starts_with("not valid TOML"), "{e}");
        let e = bad("[lockout]\nfirst_secs = 600\nmax_secs = 60\n");
        assert!(e.message.contains("below lockout.first_secs"), "{e}");
        assert!(
            e.to_string().starts_with("/etc/vaultty/config.toml:3: "),
            "{e}"
        );
        // Nothing is half-applied.
        let mut c = Config::default();
        c.apply(
            "[ui]\nmask = \"stars\"\n[password]\nmin_length = 2\n",
            system(),
        )
        .unwrap_err();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn layers_system_then_user_and_missing_optional_files() {
        let d = tempfile::tempdir().unwrap();
        let sys = d.path().join("system.toml");
        let usr = d.path().join("user.toml");
        std::fs::write(
            &sys,
            "[password]\nmin_length = 18\n[ui]\nmask = \"stars\"\n",
        )
        .unwrap();
        std::fs::write(&usr, "[ui]\nmask = \"hidden\"\n").unwrap();
        let c = Config::load(&Locations {
            explicit: None,
            env: None,
            user_dir: Some(usr.clone()),
            system: Some(sys.clone()),
        })
        .unwrap();
        assert_eq!(c.min_password_chars.value, 18);
        assert_eq!(c.mask.value, MaskStyle::Hidden);
        assert_eq!(c.mask.source, Source::User(usr.clone()));
        // Optional files may be missing; a file given explicitly may not.
        let none = d.path().join("none.toml");
        let c = Config::load(&Locations {
            explicit: None,
            env: None,
            user_dir: Some(none.clone()),
            system: Some(none.clone()),
        })
        .unwrap();
        assert_eq!(c, Config::default());
        let e = Config::load(&Locations {
            explicit: Some(none.clone()),
            ..Locations::default()
        })
        .unwrap_err();
        assert!(e.message.contains("cannot read it"), "{e}");
    }

    #[test]
    fn passwords_are_taken_out_of_urls() {
        assert_eq!(
            without_password("postgres://u:p@h:5432/db?sslmode=disable"),
            "postgres://u@h:5432/db?sslmode=disable"
        );
        assert_eq!(without_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(without_password("postgres://h/db"), "postgres://h/db");
        assert_eq!(without_password("sqlite:/tmp/a.db"), "sqlite:/tmp/a.db");
        assert_eq!(
            without_password("postgres://u:p@ss@h/db"),
            "postgres://u@h/db"
        );
    }
}
