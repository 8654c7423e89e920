//! The server's control socket (`<store>/control.sock`, mode 0600): a local
//! `sammachip backup FILE` on a store the server holds asks the server to
//! write the backup. One request per connection: `backup <absolute path>\n`,
//! answered with `ok <pairs> <bytes>\n` or `error <reason>\n`.

use std::{
    io::{BufRead, BufReader, Write},
    os::unix::net::UnixStream,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

use crate::store::Store;

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
                Err(e) => format!("error {e}"),
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

async fn answer(store: Arc<Store>, line: &str) -> String {
    let Some(file) = line.strip_prefix("backup ") else {
        return "error unknown request".into();
    };
    let file = PathBuf::from(file);
    if !file.is_absolute() {
        return "error the path must be absolute".into();
    }
    super::log(format!("backup to {} (asked on the control socket)", file.display()));
    match tokio::task::spawn_blocking(move || store.backup_file(&file)).await {
        Ok(Ok(s)) => format!("ok {} {}", s.pairs, s.bytes),
        Ok(Err(e)) => format!("error {e}"),
        Err(e) => format!("error {e}"),
    }
}

/// Asks the server that holds `store_path` to back it up to `file`.
pub fn request_backup(store_path: &Path, file: &Path) -> Result<(u64, u64), String> {
    let socket = store_path.join(SOCKET);
    let mut stream = UnixStream::connect(&socket)
        .map_err(|e| format!("no server answers on {}: {e}", socket.display()))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3_600)));
    writeln!(stream, "backup {}", file.display()).map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).map_err(|e| e.to_string())?;
    let line = line.trim_end();
    if let Some(rest) = line.strip_prefix("ok ") {
        let mut parts = rest.split(' ').map(|x| x.parse::<u64>().unwrap_or(0));
        return Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)));
    }
    Err(line.strip_prefix("error ").unwrap_or(line).to_string())
}

/// Backs the store up into `dir` every `every` (once a day; the first an hour
/// after the start, or after `every` when that is shorter) and keeps the newest
/// `keep`.
pub async fn daily(store: Arc<Store>, dir: PathBuf, keep: usize, every: Duration) {
    let mut first = true;
    loop {
        tokio::time::sleep(if first { every.min(Duration::from_secs(3_600)) } else { every }).await;
        first = false;
        if let Err(e) = std::fs::create_dir_all(&dir) {
            super::log(format!("daily backup: cannot make {}: {e}", dir.display()));
            continue;
        }
        let file = dir.join(crate::store::backup::backup_name(jiff::Timestamp::now()));
        let s = Arc::clone(&store);
        let f = file.clone();
        match tokio::task::spawn_blocking(move || s.backup_file(&f)).await {
            Ok(Ok(s)) => {
                super::log(format!("daily backup {} ({} entries)", file.display(), s.pairs));
                match crate::store::backup::rotate_backups(&dir, crate::store::backup::BACKUP_PREFIX, keep) {
                    Ok(gone) if !gone.is_empty() => super::log(format!("removed {} old backups", gone.len())),
                    Ok(_) => {}
                    Err(e) => super::log(format!("rotating backups in {}: {e}", dir.display())),
                }
            }
            Ok(Err(e)) => super::log(format!("daily backup failed: {e}")),
            Err(e) => super::log(format!("daily backup failed: {e}")),
        }
    }
}
