//! The `sftp` subsystem of `sammachip serve`: an officer's spreadsheets come
//! and go with the same key that opens the app (OpenSSH `sftp`, PuTTY's
//! `psftp`, WinSCP in SFTP mode).
//!
//! Each officer sees their own folder beside the store (`files/LOGIN/`, see
//! [`super::officer_dir`]) as `/`, with `inbox/` for what they bring (the
//! app's Import screen reads it) and `outbox/` for what the app writes for
//! them (exports, rejects). Nothing outside it can be named: a path is read
//! inside the folder whatever it says (`/etc/passwd` is `files/LOGIN/etc/passwd`,
//! and `..` stops at the folder's top), and no link is followed or made.
//!
//! - Viewers download; everyone else also uploads, into `inbox/` only.
//! - An upload is written under a hidden name and takes its own name only
//!   when the client closes it whole, so the Import screen never lists half a
//!   file; one cut off or refused is removed. Files are 0600, folders 0700.
//! - One file is at most [`Limits::file`] bytes and the inbox holds at most
//!   [`Limits::inbox`] bytes, uploads side by side included: each takes the
//!   inbox's room as it grows ([`Reserved`]), not all of it when it opens. A
//!   hostile client also gets at most [`MAX_HANDLES`] open files.
//! - Hidden names are the server's own: an upload under way is
//!   `.PID-N.upload` whatever its name, so any name the file system takes
//!   can be sent, and what a server killed left is removed at its next start
//!   ([`clear_leftovers`]).
//!
//! Errors reach the client as SFTP status messages in Thai and English.

use std::{
    collections::HashMap,
    fs::{self, File},
    io,
    path::{Path, PathBuf},
};

use russh_sftp::{
    protocol::{
        Attrs, Data, File as Entry, FileAttributes, Handle, Name, OpenFlags, Status, StatusCode, Version,
    },
    server::StatusReply,
};

use super::log::log;
use crate::{
    domain::Lang,
    i18n::{Key, k, tr},
    store::files::{create_private_dir, create_private_new},
};

/// Open files and folders one SFTP session may hold.
pub const MAX_HANDLES: usize = 32;

/// What uploads may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// One file, in bytes.
    pub file: u64,
    /// The whole inbox, in bytes.
    pub inbox: u64,
}

impl Default for Limits {
    /// 200 MiB a file (a province's loans as CSV is about 90 MiB), 1 GiB in
    /// the inbox.
    fn default() -> Limits {
        Limits { file: 200 << 20, inbox: 1 << 30 }
    }
}

pub const INBOX: &str = "inbox";
pub const OUTBOX: &str = "outbox";
/// Uploads under way are named `.PID-N.upload`.
const PART: &str = ".upload";

/// The longest file name (in bytes) most file systems take.
const MAX_NAME: usize = 255;

/// How much of the inbox's room an upload takes at a time as it grows: the
/// inbox is read (a directory listing) once per this many bytes.
const RESERVE_STEP: u64 = 1 << 20;

/// Room taken in each inbox by the uploads under way in this server. The
/// map's lock is held only to find an inbox's count; the inbox is listed
/// under that inbox's own lock, so one officer's full inbox never holds up
/// another's uploads.
static RESERVED: std::sync::Mutex<Option<HashMap<PathBuf, std::sync::Arc<std::sync::Mutex<u64>>>>> =
    std::sync::Mutex::new(None);

fn reserved_in(inbox: &Path) -> std::sync::Arc<std::sync::Mutex<u64>> {
    let mut all = RESERVED.lock().unwrap_or_else(|p| p.into_inner());
    std::sync::Arc::clone(all.get_or_insert_with(HashMap::new).entry(inbox.to_path_buf()).or_default())
}

/// An upload's share of its inbox's room, given back when it is dropped (the
/// upload closed, refused or cut off).
struct Reserved {
    taken: std::sync::Arc<std::sync::Mutex<u64>>,
    inbox: PathBuf,
    bytes: u64,
}

impl Reserved {
    fn new(inbox: PathBuf) -> Reserved {
        Reserved { taken: reserved_in(&inbox), inbox, bytes: 0 }
    }

    /// Takes room for `end` bytes, a step ahead where there is room for it;
    /// `false`: the inbox (what is in it, and what uploads under way took)
    /// has no room for them.
    fn take(&mut self, end: u64, limits: &Limits) -> bool {
        if end <= self.bytes {
            return true;
        }
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        let used = settled_bytes(&self.inbox).saturating_add(*taken);
        let free = limits.inbox.saturating_sub(used);
        let want = end.saturating_add(RESERVE_STEP).min(limits.file.max(end)) - self.bytes;
        let grow = if want <= free { want } else { end - self.bytes };
        if grow > free {
            return false;
        }
        *taken += grow;
        self.bytes += grow;
        true
    }
}

impl Drop for Reserved {
    fn drop(&mut self) {
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        *taken = taken.saturating_sub(self.bytes);
    }
}

/// Bytes of the files in an inbox, its hidden files (uploads under way,
/// counted by what they took) left out.
fn settled_bytes(inbox: &Path) -> u64 {
    let Ok(dir) = fs::read_dir(inbox) else { return 0 };
    dir.flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Removes the uploads a server cut off (killed, the power gone) left in
/// the officers' inboxes under `files`: how many. Run as the server starts,
/// before any session.
pub fn clear_leftovers(files: &Path) -> usize {
    let mut n = 0;
    for officer in fs::read_dir(files).into_iter().flatten().flatten() {
        for e in fs::read_dir(officer.path().join(INBOX)).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let plain = e.file_type().is_ok_and(|t| t.is_file());
            if plain && name.starts_with('.') && name.ends_with(PART) && fs::remove_file(e.path()).is_ok() {
                n += 1;
            }
        }
    }
    n
}

/// Makes the officer's folder and its inbox and outbox (0700) if need be.
pub fn make_folders(root: &Path) -> io::Result<()> {
    for sub in [INBOX, OUTBOX] {
        create_private_dir(&root.join(sub))?;
    }
    create_private_dir(root)
}

/// The few file calls that differ between Unix and Windows.
mod os {
    use std::{fs::File, io, path::Path};

    /// Opens a file to read; on Unix a link at the last step is refused too
    /// (the parts before are checked by the caller).
    pub fn open_read(path: &Path) -> io::Result<File> {
        let mut o = std::fs::OpenOptions::new();
        o.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        o.open(path)
    }

    #[cfg(unix)]
    pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }

    #[cfg(windows)]
    pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }

    #[cfg(unix)]
    pub fn write_all_at(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
        std::os::unix::fs::FileExt::write_all_at(file, data, offset)
    }

    #[cfg(windows)]
    pub fn write_all_at(file: &File, mut data: &[u8], mut offset: u64) -> io::Result<()> {
        while !data.is_empty() {
            match std::os::windows::fs::FileExt::seek_write(file, data, offset)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => {
                    data = &data[n..];
                    offset += n as u64;
                }
            }
        }
        Ok(())
    }
}

enum Open {
    Read(File),
    /// An upload: written to `part`, renamed to `path` when closed whole.
    Write {
        file: File,
        part: PathBuf,
        path: PathBuf,
        size: u64,
        room: Reserved,
        failed: bool,
    },
    Dir {
        entries: Vec<Entry>,
        sent: bool,
    },
}

pub struct Sftp {
    root: PathBuf,
    who: String,
    may_upload: bool,
    limits: Limits,
    open: HashMap<String, Open>,
    next: u64,
    /// The server's count of sessions, given back when this one ends.
    _seat: Box<dyn Send + Sync>,
}

/// A refusal with the officer's reason in both languages.
fn refuse(code: StatusCode, why: Key) -> StatusReply {
    code.with_message(format!("{} · {}", tr(Lang::Th, why), tr(Lang::En, why)))
}

fn io_reply(e: &io::Error) -> StatusReply {
    match e.kind() {
        io::ErrorKind::NotFound => refuse(StatusCode::NoSuchFile, k::SFTP_NO_SUCH),
        io::ErrorKind::PermissionDenied => refuse(StatusCode::PermissionDenied, k::SFTP_DENIED),
        io::ErrorKind::AlreadyExists => refuse(StatusCode::Failure, k::SFTP_EXISTS),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            refuse(StatusCode::Failure, k::SFTP_FULL)
        }
        _ => {
            let text = crate::service::messages::io(e);
            StatusCode::Failure.with_message(format!("{} · {}", text.render(Lang::Th), text.render(Lang::En)))
        }
    }
}

fn ok(id: u32) -> Status {
    Status { id, status_code: StatusCode::Ok, error_message: "Ok".into(), language_tag: "en-US".into() }
}

/// The path's parts inside the officer's folder: `.` and empty parts
/// dropped, `..` taking one back but never above the top.
fn parts(path: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for p in path.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out
}

impl Sftp {
    pub fn new(
        root: PathBuf,
        who: String,
        may_upload: bool,
        limits: Limits,
        seat: Box<dyn Send + Sync>,
    ) -> Sftp {
        Sftp { root, who, may_upload, limits, open: HashMap::new(), next: 0, _seat: seat }
    }

    /// The real path of a client's path, refused if any part of it on disk is
    /// a link (only the server's own administrator could have made one).
    fn real(&self, path: &str) -> Result<(PathBuf, Vec<String>), StatusReply> {
        let parts: Vec<String> = parts(path).into_iter().map(str::to_string).collect();
        let mut real = self.root.clone();
        for p in &parts {
            if p.contains('\0') {
                return Err(refuse(StatusCode::NoSuchFile, k::SFTP_NO_SUCH));
            }
            real.push(p);
            if let Ok(m) = fs::symlink_metadata(&real)
                && m.file_type().is_symlink()
            {
                log(format!("sftp {}: link {} refused", self.who, real.display()));
                return Err(refuse(StatusCode::PermissionDenied, k::SFTP_DENIED));
            }
        }
        Ok((real, parts))
    }

    /// An upload's place: a plain name straight inside `inbox/`.
    fn upload_path(&self, path: &str) -> Result<PathBuf, StatusReply> {
        if !self.may_upload {
            log(format!("sftp {}: upload refused (viewer)", self.who));
            return Err(refuse(StatusCode::PermissionDenied, k::SFTP_VIEWER));
        }
        let (real, parts) = self.real(path)?;
        match parts.as_slice() {
            [dir, name] if dir == INBOX && !name.starts_with('.') => Ok(real),
            _ => Err(refuse(StatusCode::PermissionDenied, k::SFTP_INBOX_ONLY)),
        }
    }

    fn handle(&mut self, open: Open) -> Result<String, StatusReply> {
        if self.open.len() >= MAX_HANDLES {
            return Err(refuse(StatusCode::Failure, k::SFTP_TOO_MANY));
        }
        self.next += 1;
        let h = self.next.to_string();
        self.open.insert(h.clone(), open);
        Ok(h)
    }

    fn open_file(&mut self, path: &str, flags: OpenFlags) -> Result<String, StatusReply> {
        let writing =
            flags.intersects(OpenFlags::WRITE | OpenFlags::APPEND | OpenFlags::CREATE | OpenFlags::TRUNCATE);
        if !writing {
            let (real, _) = self.real(path)?;
            let file = os::open_read(&real).map_err(|e| io_reply(&e))?;
            let meta = file.metadata().map_err(|e| io_reply(&e))?;
            if !meta.is_file() {
                return Err(refuse(StatusCode::Failure, k::SFTP_NOT_FILE));
            }
            return self.handle(Open::Read(file));
        }
        let path = self.upload_path(path)?;
        let exists = fs::symlink_metadata(&path).is_ok();
        if exists && flags.contains(OpenFlags::EXCLUDE) {
            return Err(refuse(StatusCode::Failure, k::SFTP_EXISTS));
        }
        if exists && !flags.contains(OpenFlags::TRUNCATE) {
            // A resumed upload would mix two files' bytes: sent again whole.
            return Err(refuse(StatusCode::OpUnsupported, k::SFTP_NO_RESUME));
        }
        if path.file_name().is_some_and(|n| n.len() > MAX_NAME) {
            return Err(refuse(StatusCode::Failure, k::SFTP_NAME_TOO_LONG));
        }
        // Numbered server-wide, and by process: two sessions sending the
        // same name at once each write their own, and a server started again
        // does not meet what one killed left.
        static UPLOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = UPLOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let part = path.with_file_name(format!(".{}-{n}{PART}", std::process::id()));
        // Made new (a file or link already there is an error), 0600.
        let file = create_private_new(&part).map_err(|e| io_reply(&e))?;
        let room = Reserved::new(self.root.join(INBOX));
        match self.handle(Open::Write { file, part: part.clone(), path, size: 0, room, failed: false }) {
            Ok(h) => Ok(h),
            Err(e) => {
                let _ = fs::remove_file(&part);
                Err(e)
            }
        }
    }

    fn write_at(&mut self, handle: &str, offset: u64, data: &[u8]) -> Result<(), StatusReply> {
        let Some(Open::Write { file, size, room, failed, .. }) = self.open.get_mut(handle) else {
            return Err(refuse(StatusCode::Failure, k::SFTP_BAD_HANDLE));
        };
        let end = offset.saturating_add(data.len() as u64);
        if end > self.limits.file {
            *failed = true;
            return Err(refuse(StatusCode::Failure, k::SFTP_TOO_BIG));
        }
        if !room.take(end, &self.limits) {
            *failed = true;
            return Err(refuse(StatusCode::Failure, k::SFTP_INBOX_FULL));
        }
        if let Err(e) = os::write_all_at(file, data, offset) {
            *failed = true;
            return Err(io_reply(&e));
        }
        *size = (*size).max(end);
        Ok(())
    }

    /// Closes a handle: an upload written whole is synced and takes its name.
    fn finish(&mut self, handle: &str) -> Result<(), StatusReply> {
        let Some(open) = self.open.remove(handle) else {
            return Err(refuse(StatusCode::Failure, k::SFTP_BAD_HANDLE));
        };
        let Open::Write { file, part, path, size, failed, .. } = open else { return Ok(()) };
        if failed {
            let _ = fs::remove_file(&part);
            return Err(refuse(StatusCode::Failure, k::SFTP_CUT));
        }
        let done = file.sync_all().and_then(|()| fs::rename(&part, &path));
        if let Err(e) = done {
            let _ = fs::remove_file(&part);
            return Err(io_reply(&e));
        }
        if let Some(dir) = path.parent() {
            let _ = crate::store::files::sync_dir(dir);
        }
        let name = path.strip_prefix(&self.root).unwrap_or(&path).display().to_string();
        log(format!("sftp {}: uploaded {name} ({size} bytes)", self.who));
        Ok(())
    }

    fn attrs(&self, path: &str) -> Result<FileAttributes, StatusReply> {
        let (real, _) = self.real(path)?;
        let meta = fs::symlink_metadata(&real).map_err(|e| io_reply(&e))?;
        Ok(FileAttributes::from(&meta))
    }

    fn list(&self, path: &str) -> Result<Vec<Entry>, StatusReply> {
        let (real, _) = self.real(path)?;
        let meta = fs::symlink_metadata(&real).map_err(|e| io_reply(&e))?;
        if !meta.is_dir() {
            return Err(refuse(StatusCode::NoSuchFile, k::SFTP_NO_SUCH));
        }
        let mut entries = Vec::new();
        for e in fs::read_dir(&real).map_err(|e| io_reply(&e))?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(meta) = e.metadata() else { continue };
            // Uploads under way and links are not the officer's files.
            if name.starts_with('.') || meta.file_type().is_symlink() {
                continue;
            }
            entries.push(Entry::new(name, FileAttributes::from(&meta)));
        }
        entries.sort_by(|a, b| a.filename.cmp(&b.filename));
        Ok(entries)
    }

    /// Removes a file of the inbox or the outbox (not a folder).
    fn remove_file(&self, path: &str) -> Result<(), StatusReply> {
        if !self.may_upload {
            return Err(refuse(StatusCode::PermissionDenied, k::SFTP_VIEWER));
        }
        let (real, parts) = self.real(path)?;
        match parts.as_slice() {
            [dir, _] if dir == INBOX || dir == OUTBOX => {}
            _ => return Err(refuse(StatusCode::PermissionDenied, k::SFTP_DENIED)),
        }
        let meta = fs::symlink_metadata(&real).map_err(|e| io_reply(&e))?;
        if !meta.is_file() {
            return Err(refuse(StatusCode::Failure, k::SFTP_NOT_FILE));
        }
        fs::remove_file(&real).map_err(|e| io_reply(&e))?;
        log(format!("sftp {}: removed {}", self.who, parts.join("/")));
        Ok(())
    }

    /// Renames within the inbox (WinSCP uploads as `NAME.filepart` first).
    fn rename_file(&self, from: &str, to: &str) -> Result<(), StatusReply> {
        let from = self.upload_path(from)?;
        let to = self.upload_path(to)?;
        let meta = fs::symlink_metadata(&from).map_err(|e| io_reply(&e))?;
        if !meta.is_file() {
            return Err(refuse(StatusCode::Failure, k::SFTP_NOT_FILE));
        }
        if fs::symlink_metadata(&to).is_ok() {
            return Err(refuse(StatusCode::Failure, k::SFTP_EXISTS));
        }
        fs::rename(&from, &to).map_err(|e| io_reply(&e))
    }
}

impl Drop for Sftp {
    /// Uploads the client never closed (a dropped link) are removed.
    fn drop(&mut self) {
        log(format!("sftp {} ended", self.who));
        for (_, open) in self.open.drain() {
            if let Open::Write { part, .. } = open {
                let _ = fs::remove_file(part);
            }
        }
    }
}

impl russh_sftp::server::Handler for Sftp {
    type Error = StatusReply;

    fn unimplemented(&self) -> StatusReply {
        refuse(StatusCode::OpUnsupported, k::SFTP_UNSUPPORTED)
    }

    async fn init(&mut self, _version: u32, _ext: HashMap<String, String>) -> Result<Version, StatusReply> {
        Ok(Version::new())
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, StatusReply> {
        let handle = self.open_file(&filename, pflags)?;
        Ok(Handle { id, handle })
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, StatusReply> {
        self.finish(&handle)?;
        Ok(ok(id))
    }

    async fn read(&mut self, id: u32, handle: String, offset: u64, len: u32) -> Result<Data, StatusReply> {
        let Some(Open::Read(file)) = self.open.get(&handle) else {
            return Err(refuse(StatusCode::Failure, k::SFTP_BAD_HANDLE));
        };
        let mut data = vec![0; len.min(256 * 1024) as usize];
        let n = os::read_at(file, &mut data, offset).map_err(|e| io_reply(&e))?;
        if n == 0 && !data.is_empty() {
            return Err(StatusCode::Eof.into());
        }
        data.truncate(n);
        Ok(Data { id, data })
    }

    async fn write(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        data: Vec<u8>,
    ) -> Result<Status, StatusReply> {
        self.write_at(&handle, offset, &data)?;
        Ok(ok(id))
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, StatusReply> {
        Ok(Attrs { id, attrs: self.attrs(&path)? })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, StatusReply> {
        Ok(Attrs { id, attrs: self.attrs(&path)? })
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, StatusReply> {
        let meta = match self.open.get(&handle) {
            Some(Open::Read(f) | Open::Write { file: f, .. }) => f.metadata().map_err(|e| io_reply(&e))?,
            _ => return Err(refuse(StatusCode::Failure, k::SFTP_BAD_HANDLE)),
        };
        Ok(Attrs { id, attrs: FileAttributes::from(&meta) })
    }

    /// Times and modes a client sends after an upload are taken as said and
    /// ignored: files stay 0600.
    async fn setstat(
        &mut self,
        id: u32,
        path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, StatusReply> {
        self.attrs(&path)?;
        Ok(ok(id))
    }

    async fn fsetstat(
        &mut self,
        id: u32,
        handle: String,
        _attrs: FileAttributes,
    ) -> Result<Status, StatusReply> {
        if !self.open.contains_key(&handle) {
            return Err(refuse(StatusCode::Failure, k::SFTP_BAD_HANDLE));
        }
        Ok(ok(id))
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, StatusReply> {
        let entries = self.list(&path)?;
        let handle = self.handle(Open::Dir { entries, sent: false })?;
        Ok(Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, StatusReply> {
        match self.open.get_mut(&handle) {
            Some(Open::Dir { entries, sent }) if !*sent => {
                *sent = true;
                Ok(Name { id, files: std::mem::take(entries) })
            }
            Some(Open::Dir { .. }) => Err(StatusCode::Eof.into()),
            _ => Err(refuse(StatusCode::Failure, k::SFTP_BAD_HANDLE)),
        }
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, StatusReply> {
        self.remove_file(&filename)?;
        Ok(ok(id))
    }

    async fn mkdir(
        &mut self,
        _id: u32,
        _path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, StatusReply> {
        Err(refuse(StatusCode::PermissionDenied, k::SFTP_INBOX_ONLY))
    }

    async fn rmdir(&mut self, _id: u32, _path: String) -> Result<Status, StatusReply> {
        Err(refuse(StatusCode::PermissionDenied, k::SFTP_DENIED))
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, StatusReply> {
        let name = format!("/{}", parts(&path).join("/"));
        Ok(Name { id, files: vec![Entry::dummy(name)] })
    }

    async fn rename(&mut self, id: u32, oldpath: String, newpath: String) -> Result<Status, StatusReply> {
        self.rename_file(&oldpath, &newpath)?;
        Ok(ok(id))
    }

    async fn readlink(&mut self, _id: u32, _path: String) -> Result<Name, StatusReply> {
        Err(refuse(StatusCode::PermissionDenied, k::SFTP_DENIED))
    }

    async fn symlink(&mut self, _id: u32, _link: String, _target: String) -> Result<Status, StatusReply> {
        log(format!("sftp {}: symlink refused", self.who));
        Err(refuse(StatusCode::PermissionDenied, k::SFTP_DENIED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_folder() {
        assert_eq!(parts("/../../etc/passwd"), ["etc", "passwd"]);
        assert_eq!(parts("inbox/../../x"), ["x"]);
        assert_eq!(parts("..\\..\\store"), ["store"]);
        assert_eq!(parts("./inbox//a.csv"), ["inbox", "a.csv"]);
        assert!(parts("/").is_empty());
    }
}
