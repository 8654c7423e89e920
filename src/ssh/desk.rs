//! Sessions that outlive their connection. An officer's session (the app,
//! with its tab, cursor, filters and any half-typed form) is a *desk*: it
//! runs on a thread of its own and is reached through a *link*, the SSH
//! channel it draws on. When the link drops (a district line goes down, the
//! PuTTY window is closed, the client is killed) the desk is kept for
//! [`Desks::keep`]; the officer's next login with a key of theirs takes it
//! back exactly as it was, with a one-line notice. A second login while the
//! first is still connected is asked: take the session over here, or open
//! a new one. After the keep time the desk ends and its memory is freed.
//!
//! Resuming and a desk's end are decided under one lock, so a link handed to
//! a desk is never lost to a desk that has just ended.

use std::{
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc::{SyncSender, TrySendError},
    },
    time::{Duration, Instant},
};

use super::{Event, Out};

/// A connection's channel as a desk draws on it.
pub struct Link {
    /// This connection's number: input tagged with another is stale.
    pub link_no: u64,
    pub out: Out,
    pub size: (u16, u16),
    /// Cleared when the connection goes (as well as a [`Event::Gone`], which
    /// a full input queue could drop).
    pub alive: Arc<AtomicBool>,
    pub no_color: bool,
    /// `login@address`, for the log.
    pub who: String,
}

/// Numbers links, server-wide.
pub fn next_link_no() -> u64 {
    static GEN: AtomicU64 = AtomicU64::new(1);
    GEN.fetch_add(1, Ordering::Relaxed)
}

/// One officer's session, as the server's list knows it.
pub struct Desk {
    pub login: String,
    /// The desk's input: a connection routed to it sends here.
    pub tx: SyncSender<Event>,
    /// Since when no connection has drawn on it (`None`: one does).
    detached: Mutex<Option<Instant>>,
}

impl Desk {
    pub fn new(login: String, tx: SyncSender<Event>) -> Desk {
        Desk { login, tx, detached: Mutex::new(None) }
    }

    fn detached_since(&self) -> Option<Instant> {
        *self.detached.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_detached(&self, since: Option<Instant>) {
        *self.detached.lock().unwrap_or_else(|p| p.into_inner()) = since;
    }
}

/// Every desk of the server.
pub struct Desks {
    list: Mutex<Vec<Arc<Desk>>>,
    /// How long a desk without a connection is kept.
    pub keep: Duration,
}

/// What a login finds of the officer's earlier sessions.
pub enum Found {
    /// None: a new session.
    Nothing,
    /// One still connected elsewhere: the officer chooses.
    Connected,
}

impl Desks {
    pub fn new(keep: Duration) -> Desks {
        Desks { list: Mutex::new(Vec::new()), keep }
    }

    pub fn lock(&self) -> MutexGuard<'_, Vec<Arc<Desk>>> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add(&self, desk: Arc<Desk>) {
        self.lock().push(desk);
    }

    /// Desks without a connection, and all of them.
    pub fn counts(&self) -> (usize, usize) {
        let list = self.lock();
        (list.iter().filter(|d| d.detached_since().is_some()).count(), list.len())
    }

    /// Hands `link` to the officer's most recently dropped desk, if one is
    /// kept; otherwise gives the link back and says whether a desk of theirs
    /// is still connected.
    pub fn resume(&self, login: &str, link: Box<Link>) -> Result<Arc<Desk>, (Box<Link>, Found)> {
        let list = self.lock();
        let kept = list
            .iter()
            .filter(|d| d.login == login)
            .filter_map(|d| d.detached_since().map(|t| (t, d)))
            .max_by_key(|(t, _)| *t)
            .map(|(_, d)| Arc::clone(d));
        if let Some(desk) = kept {
            return match desk.tx.try_send(Event::Attach(link)) {
                Ok(()) => {
                    desk.set_detached(None);
                    Ok(desk)
                }
                Err(TrySendError::Full(e) | TrySendError::Disconnected(e)) => {
                    Err((unwrap_attach(e), Found::Nothing))
                }
            };
        }
        let found = if list.iter().any(|d| d.login == login) { Found::Connected } else { Found::Nothing };
        Err((link, found))
    }

    /// Takes the officer's connected desk over with `link` (the other
    /// connection is told and closed by the desk).
    pub fn take_over(&self, login: &str, link: Box<Link>) -> Result<Arc<Desk>, Box<Link>> {
        let list = self.lock();
        let Some(desk) = list.iter().rev().find(|d| d.login == login).map(Arc::clone) else {
            return Err(link);
        };
        match desk.tx.try_send(Event::Attach(link)) {
            Ok(()) => {
                desk.set_detached(None);
                Ok(desk)
            }
            Err(TrySendError::Full(e) | TrySendError::Disconnected(e)) => Err(unwrap_attach(e)),
        }
    }

    /// Takes a desk off the list (its session is ending).
    pub fn remove(list: &mut Vec<Arc<Desk>>, desk: &Arc<Desk>) {
        list.retain(|d| !Arc::ptr_eq(d, desk));
    }
}

fn unwrap_attach(e: Event) -> Box<Link> {
    match e {
        Event::Attach(link) => link,
        // Only an attach is ever sent here.
        _ => unreachable!("an attach was sent"),
    }
}
