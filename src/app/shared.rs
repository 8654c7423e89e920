//! What every screen shares: the officer and their session's settings
//! (language, dates, size), the reference data (places, categories, the
//! catalog of occupation records), and what lies over the screens (a form,
//! an overlay, the status line).

use std::sync::{Arc, RwLock, mpsc};

use super::{
    action::{Status, StatusKind},
    form::Form,
    overlay::Overlay,
};
use crate::{
    domain::{
        Date, Lang,
        member::Member,
        occupation::{OccupationCategory, OccupationRecord},
        officer::Access,
    },
    i18n::Msg,
    service::{catalog::Catalog, geo::Geo},
    store::{Actor, ChangeSlot, Store, StoreError, trees},
};

pub struct Shared {
    pub lang: Lang,
    pub no_color: bool,
    pub officer: String,
    /// What this session may change (the store checks it on every write).
    pub access: Access,
    /// Over SSH: the officer's own folder, where every export goes under a
    /// name they choose but no path (`files/LOGIN/outbox/`); `None` when the
    /// officer runs the app as themselves and writes where they like.
    pub export_dir: Option<std::path::PathBuf>,
    /// The officer's inbox (`files/LOGIN/inbox/` beside the store, made 0700
    /// when first used), where the Import screen finds files: uploaded over
    /// SFTP, or put there on this computer. `None`: no import from the app.
    pub inbox_dir: Option<std::path::PathBuf>,
    pub today: Date,
    pub size: (u16, u16),
    pub geo: Arc<Geo>,
    /// The lists every session of the store reads alike (see [`Common`]).
    pub common: Arc<super::common::Common>,
    pub categories: Vec<OccupationCategory>,
    /// Every occupation record, for the Occupations tab (see [`Catalog`]).
    pub catalog: Arc<RwLock<Catalog>>,
    /// Whether the catalog is a server's, shared with other sessions.
    pub(super) catalog_shared: bool,
    /// Set while the catalog loads in the background.
    pub(super) catalog_rx: Option<mpsc::Receiver<Result<Catalog, StoreError>>>,
    /// Balances and overdue days are computed as of this day (`a` changes it).
    pub as_of: Date,
    pub form: Option<Form>,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    /// The change set of the action under way (see `store::ChangeSlot`):
    /// emptied before each action, so `u` takes back one action whole.
    pub change: ChangeSlot,
    pub quit: bool,
}

impl Shared {
    /// This session, as the store's writes name it and check it.
    pub fn who(&self) -> Actor<'_> {
        Actor { name: &self.officer, access: self.access, change: Some(&self.change) }
    }

    pub fn info(&mut self, msg: impl Into<Msg>) {
        self.status = Some(Status { msg: msg.into(), kind: StatusKind::Info });
    }

    pub fn error(&mut self, msg: impl Into<Msg>) {
        self.status = Some(Status { msg: msg.into(), kind: StatusKind::Error });
    }

    pub fn form_error(&mut self, msg: Msg) {
        if let Some(form) = &mut self.form {
            form.error = Some(msg);
        }
    }

    /// Puts each error beside its field; `fields` lists the form's fields in order.
    pub fn set_field_errors<F: PartialEq, E>(&mut self, fields: &[F], errs: Vec<(F, E)>, msg: fn(&E) -> Msg) {
        if let Some(form) = &mut self.form {
            for (field, e) in errs {
                let i = fields.iter().position(|f| *f == field).unwrap_or(0);
                form.set_error(i, msg(&e));
            }
        }
    }

    /// The catalog follows records put back or changed outside the
    /// occupation forms (an undo): each occupation record as it now stands,
    /// and each member's records, which carry copies of the member's name and
    /// loans that the store refreshed as it put the member back (the ranking
    /// kept an undone repayment until the app was started again).
    pub fn catalog_follow(&self, store: &Store, touched: &[(String, Vec<u8>)]) {
        let Ok(mut c) = self.catalog.write() else { return };
        for (tree, key) in touched {
            if tree == trees::OCCUPATIONS {
                match store.get_at::<OccupationRecord>(key) {
                    Ok(Some(r)) => c.upsert(&r),
                    Ok(None) => {
                        if let Some(id) = key.get(16..24).and_then(crate::store::id_of) {
                            c.remove(id);
                        }
                    }
                    Err(_) => {}
                }
            } else if tree == trees::MEMBERS {
                if let Ok(Some(m)) = store.get_at::<Member>(key) {
                    c.rename_member(m.id, &m.full_name());
                }
                for r in store.scan_prefix::<OccupationRecord>(key).unwrap_or_default() {
                    c.upsert(&r);
                }
            }
        }
    }

    /// The catalog follows an occupation record saved (`None`: deleted).
    pub fn occupation_saved(&self, saved: Option<&OccupationRecord>, id: u64) {
        if let Ok(mut c) = self.catalog.write() {
            match saved {
                Some(r) => c.upsert(r),
                None => c.remove(id),
            }
        }
    }
}
