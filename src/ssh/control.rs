//! The server's own backups, once a day. (Backups asked for by a local
//! `sammachip backup` go through `service::control`, which the server and
//! an officer's own app both answer.)

use std::{path::PathBuf, sync::Arc, time::Duration};

use crate::store::Store;

pub use crate::service::control::SOCKET;

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
