//! The server's control socket (`<store>/control.sock`, mode 0600): a local
//! `sammachip backup FILE` on a store the server holds asks the server to
//! write the backup. One request per connection: `backup <absolute path>\n`,
//! answered with `ok <pairs> <bytes>\n` or `error <Thai>\t<English>\n`.

use std::{
    io::{BufRead, BufReader, Write},
    os::unix::net::UnixStream,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

use crate::{
    domain::Lang,
    i18n::{Arg, Msg, k},
    store::Store,
};

pub const SOCKET: &str = "control.sock";

/// Answers requests until the server stops.
pub async fn serve(store: Arc<Store>) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let path = store.path().join(SOCKET);
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    loop {
        let (stream, _) = listener.accept().await?;
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut line = String::new();
            let mut reader = tokio::io::BufReader::new(read.take_limit());
            let answer = match reader.read_line(&mut line).await {
                Ok(_) => answer(store, line.trim_end()).await,
                Err(e) => error_line(&crate::service::messages::io(&e)),
            };
            let _ = write.write_all(format!("{answer}\n").as_bytes()).await;
        });
    }
}

/// At most 4 KiB of request.
trait TakeLimit {
    fn take_limit(self) -> tokio::io::Take<Self>
    where
        Self: Sized;
}

impl<T: tokio::io::AsyncRead> TakeLimit for T {
    fn take_limit(self) -> tokio::io::Take<Self> {
        tokio::io::AsyncReadExt::take(self, 4096)
    }
}

/// An error answer: the message in Thai, a tab, the message in English (one
/// line each: the client shows the officer's).
fn error_line(m: &Msg) -> String {
    let one = |lang| m.render(lang).replace(['\n', '\t'], " ");
    format!("error {}\t{}", one(Lang::Th), one(Lang::En))
}

async fn answer(store: Arc<Store>, line: &str) -> String {
    let Some(file) = line.strip_prefix("backup ") else {
        return error_line(&Msg::new(k::ERR_CONTROL_REQUEST));
    };
    let file = PathBuf::from(file);
    if !file.is_absolute() {
        return error_line(&Msg::new(k::ERR_CONTROL_REQUEST));
    }
    super::log::log(format!("backup to {} (asked on the control socket)", file.display()));
    match tokio::task::spawn_blocking(move || store.backup_file(&file)).await {
        Ok(Ok(s)) => format!("ok {} {}", s.pairs, s.bytes),
        Ok(Err(e)) => error_line(&crate::service::messages::backup(&e)),
        Err(_) => error_line(&Msg::new(k::ERR_CONTROL_REQUEST)),
    }
}

/// Asks the server that holds `store_path` to back it up to `file`.
pub fn request_backup(store_path: &Path, file: &Path) -> Result<(u64, u64), Msg> {
    let socket = store_path.join(SOCKET);
    let io = |e: std::io::Error| {
        Msg::with(
            k::ERR_CONTROL_NO_SERVER,
            [Arg::Text(socket.display().to_string()), crate::service::messages::io(&e).into()],
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

/// Backs the store up into `dir` every `every` (once a day; the first an hour
/// after the start, or after `every` when that is shorter) and keeps the newest
/// `keep`.
pub async fn daily(store: Arc<Store>, dir: PathBuf, keep: usize, every: Duration) {
    let mut first = true;
    loop {
        tokio::time::sleep(if first { every.min(Duration::from_secs(3_600)) } else { every }).await;
        first = false;
        if let Err(e) = crate::store::files::create_private_dir(&dir) {
            let why = crate::service::messages::io(&e).render(crate::domain::Lang::En);
            super::log::log(format!("daily backup: cannot make {}: {why}", dir.display()));
            continue;
        }
        let file = dir.join(crate::store::backup::backup_name(jiff::Timestamp::now()));
        let s = Arc::clone(&store);
        let f = file.clone();
        match tokio::task::spawn_blocking(move || s.backup_file(&f)).await {
            Ok(Ok(s)) => {
                super::log::log(format!("daily backup {} ({} entries)", file.display(), s.pairs));
                match crate::store::backup::rotate_backups(&dir, crate::store::backup::BACKUP_PREFIX, keep) {
                    Ok(gone) if !gone.is_empty() => {
                        super::log::log(format!("removed {} old backups", gone.len()))
                    }
                    Ok(_) => {}
                    Err(e) => super::log::log(format!("rotating backups in {}: {e}", dir.display())),
                }
            }
            Ok(Err(e)) => super::log::log(format!(
                "daily backup failed: {}",
                crate::service::messages::backup(&e).render(crate::domain::Lang::En)
            )),
            Err(e) => super::log::log(format!("daily backup failed: {e}")),
        }
    }
}
