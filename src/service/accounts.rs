//! Officer accounts: adding, listing, disabling, removing keys, and deciding
//! who a public key belongs to. Used by the `user` command, the Admin screen and
//! the SSH server's login.

use russh::keys::PublicKey;

use crate::{
    domain::officer::{Officer, Role, valid_login},
    i18n::{Msg, k},
    store::{Actor, SaveError, Store, StoreError, trees},
};

/// An OpenSSH public key line, checked: `ssh-ed25519 AAAA… comment`.
pub fn parse_key(line: &str) -> Result<PublicKey, Msg> {
    let line = line.trim();
    PublicKey::from_openssh(line).map_err(|e| Msg::with(k::ERR_BAD_KEY, [e.to_string()]))
}

/// The first key line of a `.pub` file (comments and blank lines skipped).
pub fn key_from_file_text(text: &str) -> Result<String, Msg> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
    if line.starts_with("---- BEGIN SSH2 PUBLIC KEY") {
        // PuTTYgen's "Save public key" format: ask for the OpenSSH line instead.
        return Err(Msg::new(k::ERR_PUTTY_KEY_FORMAT));
    }
    let key = parse_key(line)?;
    key.to_openssh().map_err(|e| Msg::with(k::ERR_BAD_KEY, [e.to_string()]))
}

/// The short fingerprint officers compare with `ssh-keygen -lf`.
pub fn fingerprint(line: &str) -> String {
    parse_key(line)
        .map(|k| k.fingerprint(russh::keys::HashAlg::Sha256).to_string())
        .unwrap_or_else(|_| "?".into())
}

pub fn officer_by_login(store: &Store, login: &str) -> Result<Option<Officer>, StoreError> {
    match store.lookup(trees::OFFICERS_BY_LOGIN, login.as_bytes())? {
        Some(key) => store.get_at::<Officer>(&key),
        None => Ok(None),
    }
}

/// The enabled officer `login` whose registered keys include `key`.
pub fn authorize(store: &Store, login: &str, key: &PublicKey) -> Result<Option<Officer>, StoreError> {
    let Some(o) = officer_by_login(store, login)? else { return Ok(None) };
    if o.disabled {
        return Ok(None);
    }
    let known = o.keys.iter().any(|line| parse_key(line).is_ok_and(|k| k.key_data() == key.key_data()));
    Ok(known.then_some(o))
}

/// Why an account change was refused.
pub fn save_error(e: &SaveError) -> Msg {
    match e {
        SaveError::Duplicate { index, .. } if *index == trees::OFFICERS_BY_LOGIN => {
            Msg::new(k::ERR_LOGIN_TAKEN)
        }
        e => crate::service::messages::save(e),
    }
}

pub struct NewOfficer<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub district: Option<u16>,
    /// A fund committee's fund, by its 8-digit code.
    pub fund_code: Option<&'a str>,
    pub key_line: &'a str,
}

/// How an account stands: its role, and its district or fund by code
/// (`district 3301`, `fund 33010101`, `admin`), in the command line's words.
fn standing(role: Role, district: Option<u16>, fund_code: Option<&str>) -> String {
    match (fund_code, district) {
        (Some(code), _) if role == Role::Fund => {
            format!("{} {}", role.name(), crate::domain::thai::normalize_digits(code.trim()))
        }
        (_, Some(d)) if matches!(role, Role::District | Role::Network) => format!("{} {d}", role.name()),
        _ => role.name().to_string(),
    }
}

/// A fund committee's fund, by its code.
pub fn fund_code_of(store: &Store, o: &Officer) -> Option<String> {
    o.fund.and_then(|f| crate::service::describe::fund_code(store, f))
}

/// When `n` names an existing account of another role, district or fund
/// (adding it a key would also move it): how it stands now and how it would.
pub fn changes(store: &Store, n: &NewOfficer<'_>) -> Result<Option<(String, String)>, Msg> {
    let Some(o) = officer_by_login(store, n.login).map_err(|e| crate::service::messages::store(&e))? else {
        return Ok(None);
    };
    let was = standing(o.role, o.district, fund_code_of(store, &o).as_deref());
    let will = standing(n.role, n.district, n.fund_code);
    Ok((was != will).then_some((was, will)))
}

/// Adds an officer, or a key to an existing one (same login; a role,
/// district or fund given that differs moves the account: see [`changes`]).
pub fn add(store: &Store, who: Actor<'_>, n: &NewOfficer<'_>) -> Result<Officer, Msg> {
    if !valid_login(n.login) {
        return Err(Msg::with(k::ERR_BAD_LOGIN, [n.login.to_string()]));
    }
    match (n.role, n.district) {
        (Role::District, None) => return Err(Msg::new(k::ERR_DISTRICT_NEEDED)),
        (Role::Network, None) => return Err(Msg::new(k::ERR_NETWORK_DISTRICT_NEEDED)),
        (Role::District | Role::Network, Some(d)) if !(1000..=9999).contains(&d) => {
            return Err(Msg::with(k::ERR_BAD_DISTRICT, [d.to_string()]));
        }
        // An officer of a district the store does not have would see nothing
        // and be let change nothing, with no word of why.
        (Role::District | Role::Network, Some(d)) => {
            let known = store.knows_place(u32::from(d)).map_err(|e| crate::service::messages::store(&e))?;
            if known == Some(false) {
                return Err(Msg::with(k::ERR_NO_SUCH_DISTRICT, [d.to_string()]));
            }
        }
        _ => {}
    }
    // A fund committee's fund, and with it its district.
    let (district, fund) = match (n.role, n.fund_code) {
        (Role::Fund, None) => return Err(Msg::new(k::ERR_FUND_NEEDED)),
        (Role::Fund, Some(code)) => {
            let code = crate::domain::thai::normalize_digits(code.trim()).into_owned();
            let key = store
                .lookup(trees::FUNDS_BY_CODE, code.as_bytes())
                .map_err(|e| crate::service::messages::store(&e))?
                .ok_or_else(|| Msg::with(k::ERR_NO_SUCH_FUND, [code.clone()]))?;
            let fund = crate::store::id_of(&key)
                .and_then(|id| store.get::<crate::domain::fund::Fund>(id).ok().flatten())
                .ok_or_else(|| Msg::with(k::ERR_NO_SUCH_FUND, [code.clone()]))?;
            (Some(fund.district()), Some(fund.id))
        }
        (Role::District | Role::Network, _) => (n.district, None),
        _ => (None, None),
    };
    if let Some(c) = crate::domain::clean::forbidden(n.display_name) {
        return Err(crate::service::messages::unsafe_char(c));
    }
    let key = key_from_file_text(n.key_line)?;
    let existing = officer_by_login(store, n.login).map_err(|e| crate::service::messages::store(&e))?;
    let officer = match existing {
        Some(mut o) => {
            if o.keys.iter().any(|x| fingerprint(x) == fingerprint(&key)) {
                return Err(Msg::with(k::ERR_KEY_KNOWN, [n.login.to_string()]));
            }
            o.keys.push(key);
            o.role = n.role;
            o.district = district;
            o.fund = fund;
            if !n.display_name.is_empty() {
                o.display_name = n.display_name.to_string();
            }
            o
        }
        None => Officer {
            id: 0,
            version: 0,
            login: n.login.to_string(),
            display_name: if n.display_name.is_empty() {
                n.login.to_string()
            } else {
                n.display_name.to_string()
            },
            role: n.role,
            district,
            keys: vec![key],
            disabled: false,
            fund,
        },
    };
    store.save(who, &officer).map_err(|e| save_error(&e))
}

/// Disables (or enables again) an account; its keys stay for the record.
pub fn set_disabled(store: &Store, who: Actor<'_>, login: &str, disabled: bool) -> Result<Officer, Msg> {
    let mut o = officer_by_login(store, login)
        .map_err(|e| crate::service::messages::store(&e))?
        .ok_or_else(|| Msg::with(k::ERR_NO_OFFICER, [login.to_string()]))?;
    o.disabled = disabled;
    store.save(who, &o).map_err(|e| save_error(&e))
}

/// Removes key number `n` (from 1, as `user list` shows them).
pub fn remove_key(store: &Store, who: Actor<'_>, login: &str, n: usize) -> Result<Officer, Msg> {
    let mut o = officer_by_login(store, login)
        .map_err(|e| crate::service::messages::store(&e))?
        .ok_or_else(|| Msg::with(k::ERR_NO_OFFICER, [login.to_string()]))?;
    if n == 0 || n > o.keys.len() {
        return Err(Msg::with(k::ERR_NO_KEY, [login.to_string(), n.to_string(), o.keys.len().to_string()]));
    }
    o.keys.remove(n - 1);
    store.save(who, &o).map_err(|e| save_error(&e))
}

/// One line per officer and one per key, for `user list`: names and key
/// comments as the terminal may show them (see `domain::clean`).
pub fn listing(store: &Store) -> Result<Vec<String>, StoreError> {
    use crate::domain::clean::line;
    let mut out = Vec::new();
    for o in store.all::<Officer>()? {
        // A fund committee by its fund's code; anyone else by district.
        let scope = match fund_code_of(store, &o) {
            Some(code) => format!(" {code}"),
            None => o.district.map(|d| format!(" {d}")).unwrap_or_default(),
        };
        let state = if o.disabled { " (disabled)" } else { "" };
        out.push(format!(
            "{}\t{}{}\t{}{}",
            line(&o.login),
            o.role.name(),
            scope,
            line(&o.display_name),
            state
        ));
        for (i, key) in o.keys.iter().enumerate() {
            let comment = key.splitn(3, ' ').nth(2).unwrap_or("");
            out.push(format!("  {}. {} {}", i + 1, fingerprint(key), line(comment)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH7Sr5P9wH6ljnq7kyXB11RljCr1mNGpmAR0Hjx/NpMg somchai@office";

    #[test]
    fn key_lines_are_checked() {
        assert!(parse_key(KEY).is_ok());
        assert!(parse_key("ssh-ed25519 AAAAnotbase64!").is_err());
        assert!(parse_key("").is_err());
        assert_eq!(
            key_from_file_text(&format!("# mine\n\n{KEY}\n")).unwrap().split(' ').nth(1),
            KEY.split(' ').nth(1)
        );
        assert!(matches!(
            key_from_file_text("---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----"),
            Err(m) if m.key == k::ERR_PUTTY_KEY_FORMAT
        ));
        assert!(fingerprint(KEY).starts_with("SHA256:"));
    }

    proptest::proptest! {
        /// Whatever an officer pastes or a file holds: a key or a message.
        #[test]
        fn any_text_is_a_key_or_a_message(text in ".{0,300}", cut in 0usize..120, flip in proptest::prelude::any::<u8>()) {
            let _ = parse_key(&text);
            let _ = key_from_file_text(&text);
            let mut damaged = KEY.as_bytes().to_vec();
            let at = cut % damaged.len();
            damaged[at] = flip;
            let damaged = String::from_utf8_lossy(&damaged[..]).into_owned();
            let _ = key_from_file_text(&damaged);
            let _ = fingerprint(&damaged);
        }
    }
}
