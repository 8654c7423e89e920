//! The control socket (`<store>/control.sock`, mode 0600, in the store's
//! 0700 directory) of the process that holds a store: the SSH server, or an
//! officer's own app. A `sammachip backup FILE` on a store held by another
//! process asks that process to write the backup. One request per
//! connection: `backup <absolute path>\n`, answered with
//! `ok <pairs> <bytes>\n` or `error <Thai>\t<English>\n`.
//!
//! Windows has no Unix socket in Rust's standard library: there the holder
//! listens on the loopback address and `control.sock` is a private file
//! holding the port and a random secret, which a request sends first.

use std::{
    io::{self, BufRead, BufReader, Read, Write},
    path::{Path, PathBuf},
    sync::{Arc, Weak},
    time::Duration,
};

#[cfg(unix)]
mod channel {
    //! A Unix socket, 0600, in the store's 0700 directory.
    use std::{
        io,
        os::unix::net::{UnixListener, UnixStream},
        path::Path,
    };

    pub type Stream = UnixStream;

    pub struct Listener(UnixListener);

    pub fn bind(path: &Path) -> io::Result<Listener> {
        let listener = UnixListener::bind(path)?;
        crate::store::files::make_private(path)?;
        Ok(Listener(listener))
    }

    impl Listener {
        pub fn accept(&self) -> io::Result<Stream> {
            self.0.accept().map(|(s, _)| s)
        }

        /// Whether the request's first line lets it in (the socket's mode did).
        pub fn admits(&self, _stream: &mut Stream) -> bool {
            true
        }
    }

    pub fn connect(path: &Path) -> io::Result<Stream> {
        UnixStream::connect(path)
    }
}

#[cfg(windows)]
mod channel {
    //! The loopback address, and a private file with the port and a secret.
    use std::{
        io::{self, Read, Write},
        net::{Ipv4Addr, TcpListener, TcpStream},
        path::Path,
    };

    pub type Stream = TcpStream;

    pub struct Listener(TcpListener, String);

    pub fn bind(path: &Path) -> io::Result<Listener> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let secret: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
        let mut f = crate::store::files::create_private_new(path)?;
        writeln!(f, "{} {secret}", listener.local_addr()?.port())?;
        Ok(Listener(listener, secret))
    }

    impl Listener {
        pub fn accept(&self) -> io::Result<Stream> {
            self.0.accept().map(|(s, _)| s)
        }

        /// The request's first line is the secret (read a byte at a time:
        /// the request follows it).
        pub fn admits(&self, stream: &mut Stream) -> bool {
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            while line.len() < 100 {
                match stream.read(&mut byte) {
                    Ok(1) if byte[0] == b'\n' => break,
                    Ok(1) => line.push(byte[0]),
                    _ => return false,
                }
            }
            line.trim_ascii_end() == self.1.as_bytes()
        }
    }

    pub fn connect(path: &Path) -> io::Result<Stream> {
        let text = std::fs::read_to_string(path)?;
        let (port, secret) = text.trim().split_once(' ').ok_or(io::ErrorKind::InvalidData)?;
        let port: u16 = port.parse().map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
        writeln!(stream, "{secret}")?;
        Ok(stream)
    }
}

use crate::{
    domain::Lang,
    i18n::{Arg, Msg, k},
    store::Store,
};

pub const SOCKET: &str = "control.sock";

/// The socket being answered; dropped, it is removed.
pub struct Control {
    path: PathBuf,
}

impl Drop for Control {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What the holder is told of each request (the server writes it to its log).
pub type Log = Arc<dyn Fn(String) + Send + Sync>;

/// Answers requests on a thread of its own until the process ends or the
/// returned [`Control`] is dropped (the socket is then gone; the thread
/// waits on it no more than the process lives). The thread keeps no hold
/// on the store: a request after the store is closed gets an error.
pub fn serve(store: &Arc<Store>, log: Log) -> io::Result<Control> {
    let path = store.path().join(SOCKET);
    let _ = std::fs::remove_file(&path);
    let listener = channel::bind(&path)?;
    let store = Arc::downgrade(store);
    std::thread::Builder::new().name("control".into()).spawn(move || {
        loop {
            let Ok(mut stream) = listener.accept() else {
                // Out of file descriptors, say: wait and go on.
                std::thread::sleep(Duration::from_millis(100));
                continue;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            if !listener.admits(&mut stream) {
                continue;
            }
            let store = Weak::clone(&store);
            let log = Arc::clone(&log);
            let _ = std::thread::Builder::new().name("control-request".into()).spawn(move || {
                answer_on(stream, &store, &*log);
            });
        }
    })?;
    Ok(Control { path })
}

fn answer_on(mut stream: channel::Stream, store: &Weak<Store>, log: &(dyn Fn(String) + Send + Sync)) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut line = String::new();
    // At most 4 KiB of request.
    let read = match stream.try_clone() {
        Ok(s) => BufReader::new(s.take(4096)).read_line(&mut line),
        Err(e) => Err(e),
    };
    let answer = match read {
        Ok(_) => answer(store, line.trim_end(), log),
        Err(e) => error_line(&super::messages::io(&e)),
    };
    let _ = stream.write_all(format!("{answer}\n").as_bytes());
}

/// An error answer: the message in Thai, a tab, the message in English (one
/// line each: the client shows the officer's).
fn error_line(m: &Msg) -> String {
    let one = |lang| m.render(lang).replace(['\n', '\t'], " ");
    format!("error {}\t{}", one(Lang::Th), one(Lang::En))
}

fn answer(store: &Weak<Store>, line: &str, log: &(dyn Fn(String) + Send + Sync)) -> String {
    let Some(file) = line.strip_prefix("backup ") else {
        return error_line(&Msg::new(k::ERR_CONTROL_REQUEST));
    };
    let file = PathBuf::from(file);
    if !file.is_absolute() {
        return error_line(&Msg::new(k::ERR_CONTROL_REQUEST));
    }
    let Some(store) = store.upgrade() else {
        return error_line(&Msg::new(k::ERR_CONTROL_REQUEST));
    };
    log(format!("backup to {} (asked on the control socket)", file.display()));
    match store.backup_file(&file) {
        Ok(s) => format!("ok {} {}", s.pairs, s.bytes),
        Err(e) => error_line(&super::messages::backup(&e)),
    }
}

/// Asks the process that holds `store_path` to back it up to `file`.
pub fn request_backup(store_path: &Path, file: &Path) -> Result<(u64, u64), Msg> {
    let socket = store_path.join(SOCKET);
    let io = |e: io::Error| {
        Msg::with(
            k::ERR_CONTROL_NO_SERVER,
            [Arg::Text(socket.display().to_string()), super::messages::io(&e).into()],
        )
    };
    let mut stream = channel::connect(&socket).map_err(io)?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3_600)));
    writeln!(stream, "backup {}", file.display()).map_err(io)?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).map_err(io)?;
    let line = line.trim_end();
    if let Some(rest) = line.strip_prefix("ok ") {
        let mut parts = rest.split(' ').map(|x| x.parse::<u64>().unwrap_or(0));
        return Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)));
    }
    let said = line.strip_prefix("error ").unwrap_or(line);
    let (th, en) = said.split_once('\t').unwrap_or((said, said));
    Err(Msg::with(k::TEXT, [Arg::Both { th: th.to_string(), en: en.to_string() }]))
}
