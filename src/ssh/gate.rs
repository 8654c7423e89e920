//! The door before the login: every connection is counted from the moment
//! it is accepted until its officer has logged in, so that connections that
//! never log in cannot fill the server.
//!
//! - At most [`Limits::total`] connections wait to log in at once, and at
//!   most [`Limits::per_address`] from one address. When a new connection
//!   would pass either, the oldest waiting one (from that address, or
//!   anyone) is closed to make room: a flood of idle connections only
//!   pushes out itself, and an officer who connects after it gets in.
//! - A connection that has not logged in within the server's
//!   `--login-seconds` (30 by default) is closed.
//! - Closing one cuts its socket ([`Severed`]), whatever its SSH session is
//!   doing: once the client has sent its first line, russh runs the session
//!   on a task of its own, which waits in its key exchange for a client that
//!   says nothing more and reads no message of ours meanwhile. Stopping our
//!   task or asking the session to disconnect left such a connection open
//!   for russh's own timeout (half an hour): 200 of them held 200 files.
//! - The accept loop survives every error (too many open files, a
//!   connection aborted before it was taken): it says so once a second at
//!   most, waits a little longer each time, and goes on.

use std::{
    collections::HashMap,
    io,
    net::IpAddr,
    pin::Pin,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering},
    },
    task::{Context, Poll, Waker},
    time::{Duration, Instant},
};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many connections may wait to log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub total: usize,
    pub per_address: usize,
}

impl Limits {
    /// From the number of files the process may open: each waiting
    /// connection holds one, and the store, its sessions and the logs need
    /// theirs. Between 4 and 64 in all; a quarter of that from one address.
    pub fn for_open_files(max_files: u64) -> Limits {
        let total = (max_files.saturating_sub(32) / 2).clamp(4, 64) as usize;
        Limits { total, per_address: (total / 4).max(2) }
    }
}

/// The most files this process may open (`ulimit -n`), where the system says.
pub fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes into the struct we pass and nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) } == 0 {
            return Some(l.rlim_cur);
        }
    }
    None
}

/// Where a connection stands at the door: it waits, its officer has logged
/// in, or it was shut out (to make room, or too slow) and may not log in.
/// It moves from `WAITING` once, to one or the other, so a connection pushed
/// out while its officer logs in is either in or out, never both.
const WAITING: u8 = 0;
const IN: u8 = 1;
const SHUT: u8 = 2;

/// One accepted connection, as the gate and the connection's handler see it.
pub struct Ticket {
    id: u64,
    door: AtomicU8,
    /// The socket is cut: every read and write fails from now on.
    cut: AtomicBool,
    /// Who waits to read and to write, woken when the socket is cut.
    waiting: Mutex<[Option<Waker>; 2]>,
}

impl Ticket {
    fn new(id: u64) -> Ticket {
        Ticket { id, door: AtomicU8::new(WAITING), cut: false.into(), waiting: Mutex::new([None, None]) }
    }

    /// Cuts the connection's socket ([`Severed`]): the session reading or
    /// writing it ends at once, and drops the socket.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::Release);
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        for w in waiting.iter_mut().filter_map(Option::take) {
            w.wake();
        }
    }

    pub fn is_cut(&self) -> bool {
        self.cut.load(Ordering::Acquire)
    }

    /// Notes who to wake when the socket is cut; whether it is cut already.
    fn watch(&self, slot: usize, cx: &Context<'_>) -> bool {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        match &mut waiting[slot] {
            Some(w) if w.will_wake(cx.waker()) => {}
            other => *other = Some(cx.waker().clone()),
        }
        drop(waiting);
        self.is_cut()
    }

    /// The officer has logged in: the connection no longer waits at the
    /// door. `false`: it was shut out first (and is being cut); the login is
    /// refused.
    pub fn log_in(&self) -> bool {
        self.door.compare_exchange(WAITING, IN, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// Shuts a connection that waits out: it may not log in from now on.
    /// `false`: its officer logged in first, and it stays.
    pub fn shut(&self) -> bool {
        self.door.compare_exchange(WAITING, SHUT, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    pub fn is_logged_in(&self) -> bool {
        self.door.load(Ordering::Acquire) == IN
    }

    fn is_waiting(&self) -> bool {
        self.door.load(Ordering::Acquire) == WAITING
    }
}

struct Entry {
    address: IpAddr,
    since: Instant,
    ticket: Arc<Ticket>,
    /// Stops the connection's task: before its session runs, that drops the
    /// socket; after, the session runs on a task of russh's, which the
    /// ticket's cut ends.
    close: Option<tokio::task::AbortHandle>,
    /// The SSH session, once it runs: told why when the server stops.
    handle: Option<russh::server::Handle>,
}

/// Every connection the server holds.
pub struct Gate {
    limits: Limits,
    next: AtomicU64,
    open: Mutex<HashMap<u64, Entry>>,
    /// Connections closed to make room, since it was last logged.
    pushed_out: AtomicU64,
    last_said: Mutex<Option<Instant>>,
}

impl Gate {
    pub fn new(limits: Limits) -> Gate {
        Gate {
            limits,
            next: AtomicU64::new(1),
            open: Mutex::new(HashMap::new()),
            pushed_out: AtomicU64::new(0),
            last_said: Mutex::new(None),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Entry>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Lets a connection from `address` in, closing the oldest waiting one
    /// first when the limits are reached.
    pub fn admit(&self, address: IpAddr) -> Arc<Ticket> {
        let mut open = self.lock();
        let waiting = |e: &&Entry| e.ticket.is_waiting();
        loop {
            let from_here = open.values().filter(waiting).filter(|e| e.address == address).count();
            let all = open.values().filter(waiting).count();
            let victim = if from_here >= self.limits.per_address {
                open.iter().filter(|(_, e)| waiting(e) && e.address == address).min_by_key(|(_, e)| e.since)
            } else if all >= self.limits.total {
                open.iter().filter(|(_, e)| waiting(e)).min_by_key(|(_, e)| e.since)
            } else {
                None
            }
            .map(|(id, _)| *id);
            let Some(id) = victim else { break };
            // Logged in meanwhile: it stays, and the next oldest is looked for.
            if open.get(&id).is_some_and(|e| !e.ticket.shut()) {
                continue;
            }
            if let Some(e) = open.remove(&id) {
                e.ticket.cut();
                if let Some(close) = e.close {
                    close.abort();
                }
            }
            self.pushed_out.fetch_add(1, Ordering::Relaxed);
        }
        let ticket = Arc::new(Ticket::new(self.next.fetch_add(1, Ordering::Relaxed)));
        open.insert(
            ticket.id,
            Entry { address, since: Instant::now(), ticket: Arc::clone(&ticket), close: None, handle: None },
        );
        ticket
    }

    /// How to close the connection's task.
    pub fn set_close(&self, ticket: &Ticket, close: tokio::task::AbortHandle) {
        match self.lock().get_mut(&ticket.id) {
            Some(e) => e.close = Some(close),
            // Pushed out before it began.
            None => close.abort(),
        }
    }

    pub fn set_handle(&self, ticket: &Ticket, handle: russh::server::Handle) {
        if let Some(e) = self.lock().get_mut(&ticket.id) {
            e.handle = Some(handle);
        }
    }

    /// The connection has ended.
    pub fn leave(&self, ticket: &Ticket) {
        self.lock().remove(&ticket.id);
    }

    /// Connections waiting to log in now.
    pub fn waiting(&self) -> usize {
        self.lock().values().filter(|e| e.ticket.is_waiting()).count()
    }

    /// The sessions to tell that the server stops.
    pub fn handles(&self) -> Vec<russh::server::Handle> {
        self.lock().values().filter_map(|e| e.handle.clone()).collect()
    }

    /// A line for the log, at most once a second: how many waiting
    /// connections were closed to make room since the last.
    pub fn report(&self) -> Option<String> {
        let n = self.pushed_out.load(Ordering::Relaxed);
        if n == 0 {
            return None;
        }
        let mut last = self.last_said.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
            return None;
        }
        *last = Some(Instant::now());
        let n = self.pushed_out.swap(0, Ordering::Relaxed);
        Some(format!(
            "{n} connections that had not logged in closed to make room (at most {} waiting, {} from one address)",
            self.limits.total, self.limits.per_address
        ))
    }
}

/// A connection's socket as its SSH session reads and writes it, until the
/// gate cuts it ([`Ticket::cut`]): then every read and write fails, so the
/// session ends wherever it waits, and its task drops the socket.
pub struct Severed<S> {
    inner: S,
    ticket: Arc<Ticket>,
}

impl<S> Severed<S> {
    pub fn new(inner: S, ticket: Arc<Ticket>) -> Severed<S> {
        Severed { inner, ticket }
    }
}

fn severed() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "closed by the server's gate")
}

impl<S: AsyncRead + Unpin> AsyncRead for Severed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.ticket.watch(0, cx) {
            return Poll::Ready(Err(severed()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Severed<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.ticket.watch(1, cx) {
            return Poll::Ready(Err(severed()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.ticket.watch(1, cx) {
            return Poll::Ready(Err(severed()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn the_oldest_waiting_connection_makes_room_and_logged_in_ones_never_count() {
        let gate = Gate::new(Limits { total: 4, per_address: 2 });
        let a1 = gate.admit(ip(1));
        let a2 = gate.admit(ip(1));
        // A third from the same address pushes the first out.
        let a3 = gate.admit(ip(1));
        assert_eq!(gate.waiting(), 2);
        assert!(!gate.lock().contains_key(&a1.id) && gate.lock().contains_key(&a2.id));
        // Other addresses fill the rest; then anyone's oldest goes.
        let b = gate.admit(ip(2));
        let c = gate.admit(ip(3));
        assert_eq!(gate.waiting(), 4);
        let _d = gate.admit(ip(4));
        assert_eq!(gate.waiting(), 4);
        assert!(!gate.lock().contains_key(&a2.id), "the oldest of all made room");
        // One that has logged in stays, whatever comes.
        assert!(b.log_in());
        for _ in 0..20 {
            gate.admit(ip(9));
        }
        assert!(gate.lock().contains_key(&b.id));
        assert_eq!(gate.waiting(), 4);
        gate.leave(&b);
        gate.leave(&c);
        gate.leave(&a3);
        assert!(gate.report().is_some_and(|l| l.contains("closed to make room")));
        assert!(gate.report().is_none(), "once a second at most");
    }

    /// A connection pushed out while its officer logs in is in or out, never
    /// both: shut, its login is refused; logged in, it is not pushed out (the
    /// next oldest is), and the login deadline leaves it be.
    #[test]
    fn a_connection_is_either_logged_in_or_pushed_out() {
        let gate = Gate::new(Limits { total: 2, per_address: 2 });
        let a = gate.admit(ip(1));
        let b = gate.admit(ip(1));
        // b's officer logs in as more connections come: b stays.
        assert!(b.log_in());
        let c = gate.admit(ip(1));
        assert!(!a.is_cut(), "room for two waiting");
        let _d = gate.admit(ip(1));
        assert!(a.is_cut() && !b.is_cut() && !c.is_cut(), "the oldest still waiting made room");
        assert!(!a.log_in(), "shut out: its login is refused");
        assert!(!b.shut(), "logged in: the login deadline leaves it be");
        assert!(c.shut() && !c.log_in());
        // Racing: whoever comes first wins, and the loser knows it.
        for _ in 0..2_000 {
            let gate = Arc::new(Gate::new(Limits { total: 1, per_address: 1 }));
            let t = gate.admit(ip(2));
            let racer = Arc::clone(&t);
            let start = Arc::new(std::sync::Barrier::new(2));
            let go = Arc::clone(&start);
            let login = std::thread::spawn(move || {
                go.wait();
                racer.log_in()
            });
            start.wait();
            let _next = gate.admit(ip(2));
            let logged_in = login.join().unwrap_or(false);
            assert_eq!(logged_in, !t.is_cut(), "in and cut, or out and not cut");
            assert_eq!(t.is_logged_in(), logged_in);
        }
    }

    /// A cut ends a read that waits for a client saying nothing, and every
    /// read and write after it; a connection pushed out is cut.
    #[test]
    fn a_cut_socket_fails_the_read_waiting_on_it() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let gate = Gate::new(Limits { total: 4, per_address: 1 });
            let ticket = gate.admit(ip(1));
            let (ours, _client) = tokio::io::duplex(64);
            let mut s = Severed::new(ours, Arc::clone(&ticket));
            let reading = tokio::spawn(async move {
                let mut b = [0u8; 8];
                let r = s.read(&mut b).await;
                (r.map_err(|e| e.kind()), s)
            });
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!reading.is_finished(), "the client said nothing: the read waits");
            // A second connection from the address pushes the first out.
            let _next = gate.admit(ip(1));
            assert!(ticket.is_cut());
            let (r, mut s) = tokio::time::timeout(Duration::from_secs(5), reading).await.unwrap().unwrap();
            assert_eq!(r, Err(io::ErrorKind::ConnectionAborted));
            assert!(s.write_all(b"x").await.is_err());
        });
    }

    #[test]
    fn limits_follow_the_open_file_limit() {
        assert_eq!(Limits::for_open_files(40), Limits { total: 4, per_address: 2 });
        assert_eq!(Limits::for_open_files(1024), Limits { total: 64, per_address: 16 });
        assert_eq!(Limits::for_open_files(96), Limits { total: 32, per_address: 8 });
    }
}
