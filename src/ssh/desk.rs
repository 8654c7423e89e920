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

use std::io::{self, Write};

use russh::{ChannelId, server::Handle};

use crate::{domain::Lang, i18n::tr};

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

/// Sent from a connection to its session's thread; each carries the
/// connection's number ([`Link::link_no`]), so what a dropped connection
/// sent late is told apart.
pub enum Event {
    Bytes(u64, Vec<u8>),
    Resize(u64, u16, u16),
    /// That connection went away.
    Gone(u64),
    /// A connection takes the session's screen (a resume, or a takeover).
    Attach(Box<Link>),
}

/// The session's end of the SSH channel: bytes of a frame are gathered and
/// sent as one message when ratatui flushes.
pub struct Out {
    handle: Handle,
    channel: ChannelId,
    rt: tokio::runtime::Handle,
    buf: Vec<u8>,
    /// The connection is there; once gone, what is written is dropped (a
    /// session kept for a resume draws nowhere).
    alive: Arc<AtomicBool>,
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    /// ratatui flushes inside `draw`, before the end of the synchronized
    /// update is queued: a frame that has begun is held until it ends, so it
    /// goes out as one message.
    fn flush(&mut self) -> io::Result<()> {
        const BEGIN: &[u8] = b"\x1b[?2026h";
        const END: &[u8] = b"\x1b[?2026l";
        let mid_frame = !self.buf.ends_with(END) && self.buf.windows(BEGIN.len()).any(|w| w == BEGIN);
        if mid_frame && self.buf.len() < 1 << 20 { Ok(()) } else { self.send() }
    }
}

impl Out {
    pub fn new(
        handle: Handle,
        channel: ChannelId,
        rt: tokio::runtime::Handle,
        alive: Arc<AtomicBool>,
    ) -> Out {
        Out { handle, channel, rt, buf: Vec::new(), alive }
    }

    /// Sends what is gathered as one SSH data message.
    pub fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.buf);
        if !self.alive.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Waits while the client is behind: backpressure, not a growing buffer.
        self.rt
            .block_on(self.handle.data(self.channel, bytes))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client gone"))
    }

    /// Says `text` (on a screen left as the terminal had it) and closes the
    /// channel with `status`.
    pub fn close_with(mut self, text: Option<crate::i18n::Key>, status: u32) {
        if let Some(why) = text {
            let bye = format!("\x1b[?25h\x1b[?1049l\r\n{}\r\n{}\r\n", tr(Lang::Th, why), tr(Lang::En, why));
            let _ = self.write_all(bye.as_bytes()).and_then(|()| self.send());
        }
        self.close(status);
    }

    pub fn close(&self, status: u32) {
        let (h, c) = (&self.handle, self.channel);
        self.rt.block_on(async {
            let _ = h.exit_status_request(c, status).await;
            let _ = h.eof(c).await;
            let _ = h.close(c).await;
        });
    }

    /// Another handle on the same channel, to close it after a panic.
    pub fn closer(&self) -> Out {
        Out {
            handle: self.handle.clone(),
            channel: self.channel,
            rt: self.rt.clone(),
            buf: Vec::new(),
            alive: Arc::clone(&self.alive),
        }
    }
}
