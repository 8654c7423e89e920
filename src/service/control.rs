//! The control socket (`<store>/control.sock`, mode 0600, in the store's
//! 0700 directory) of the process that holds a store: the SSH server, or an
//! officer's own app. A `sammachip backup FILE` on a store held by another
//! process asks that process to write the backup. One request per
//! connection: `backup <absolute path>\n`, answered with
//! `ok <pairs> <bytes>\n` or `error <Thai>\t<English>\n`.

use std::{
    io::{self, BufRead, BufReader, Read, Write},
    os::unix::net::{UnixListener, UnixStream},
    path::{Path, PathBuf},
    sync::{Arc, Weak},
    time::Duration,
};

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
    use std::os::unix::fs::PermissionsExt;
    let path = store.path().join(SOCKET);
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    let store = Arc::downgrade(store);
    std::thread::Builder::new().name("control".into()).spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else {
                // Out of file descriptors, say: wait and go on.
                std::thread::sleep(Duration::from_millis(100));
                continue;
            };
            let store = Weak::clone(&store);
            let log = Arc::clone(&log);
            let _ = std::thread::Builder::new().name("control-request".into()).spawn(move || {
                answer_on(stream, &store, &*log);
            });
        }
    })?;
    Ok(Control { path })
}

fn answer_on(mut stream: UnixStream, store: &Weak<Store>, log: &(dyn Fn(String) + Send + Sync)) {
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
    let mut stream = UnixStream::connect(&socket).map_err(io)?;
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
