//! Staff key slots (`keyslots.json`).
//!
//! The database is encrypted with a random 32-byte key. Each staff member has a slot:
//! - an X25519 identity (an age key pair) whose secret half is wrapped with
//!   XChaCha20-Poly1305 under a key derived from the staff passphrase with Argon2id;
//! - the database key sealed to that identity's public half with age.
//!
//! Sealing to a public key is what lets an administrator rekey the database when someone
//! leaves: the new key is sealed to every remaining slot without knowing anyone's passphrase,
//! and the departed member's old slot only ever unseals the old key.

use crate::error::{Error, Result};
use crate::store::fsutil;
use age::secrecy::ExposeSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::str::FromStr;
use zeroize::Zeroizing;

const FORMAT: &str = "branchdesk-keyslots";
const VERSION: u32 = 1;

/// The database key. Lives only in memory, zeroed on drop.
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    pub fn generate() -> DbKey {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        DbKey(key)
    }

    fn from_slice(bytes: &[u8]) -> Option<DbKey> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(DbKey(Zeroizing::new(array)))
    }

    /// The value for `PRAGMA key`: a raw key, so SQLCipher skips its own key derivation.
    pub fn pragma_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(&self.0[..])))
    }

    pub fn duplicate(&self) -> DbKey {
        DbKey(Zeroizing::new(*self.0))
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(..)")
    }
}

/// Argon2id cost. Recorded per slot so that it can be raised later without breaking old slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    /// 64 MiB, three passes: about a quarter of a second on a counter terminal.
    pub const STANDARD: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// Cheap parameters for unit tests of the library only; the binary never uses them.
    pub const FOR_TESTS_ONLY: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    /// Whether a slot's parameters may be run at all. They are read from the file before the
    /// slot is authenticated (they are what the key is derived with), so a slot asking for
    /// 16 GiB or four billion passes is refused at once rather than run: 64 MiB to 1 GiB, one
    /// to ten passes, one to four lanes — or the test parameters, which the binary never
    /// writes and which authenticate nothing it wrote.
    pub fn within_bounds(&self) -> bool {
        let sane = (64 * 1024..=1024 * 1024).contains(&self.memory_kib)
            && (1..=10).contains(&self.iterations)
            && (1..=4).contains(&self.parallelism);
        sane || *self == KdfParams::FOR_TESTS_ONLY
    }

    fn derive(&self, passphrase: &SecretString, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let params =
            argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
                .map_err(Error::internal)?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.expose_secret().as_bytes(), salt, out.as_mut())
            .map_err(Error::internal)?;
        Ok(out)
    }
}

// The floor (docs/ARCHITECTURE.md, "key slots, KDF floor"): at least 64 MiB and two passes,
// checked at compile time.
const _: () =
    assert!(KdfParams::STANDARD.memory_kib >= 64 * 1024 && KdfParams::STANDARD.iterations >= 2);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub staff_id: String,
    pub kdf: KdfParams,
    salt: String,
    nonce: String,
    wrapped_identity: String,
    recipient: String,
    sealed_db_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotFile {
    format: String,
    version: u32,
    store_id: String,
    demo: bool,
    /// The key that authenticates `logins.json` (base64): not a secret against someone who
    /// can read the store's folder, but a file without it, or edited, is noticed. Absent in
    /// stores made before it existed, until their first login adds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    login_guard: Option<String>,
    slots: Vec<Slot>,
}

/// How a backup's slots differ from the slots in force when it is restored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotChanges {
    /// Members with a slot in the backup and none now: disabled since.
    pub disabled: Vec<String>,
    /// Members whose slot was replaced or rewrapped since (passphrase reset or change).
    pub replaced: Vec<String>,
    /// Members with a slot now who are not in the backup: added since.
    pub not_in_backup: Vec<String>,
}

impl SlotChanges {
    pub fn is_empty(&self) -> bool {
        self.disabled.is_empty() && self.replaced.is_empty() && self.not_in_backup.is_empty()
    }
}

impl Slot {
    /// The same identity wrapped under the same passphrase (the sealed key aside).
    fn same_holder_and_passphrase(&self, other: &Slot) -> bool {
        self.staff_id == other.staff_id
            && self.kdf == other.kdf
            && self.salt == other.salt
            && self.nonce == other.nonce
            && self.wrapped_identity == other.wrapped_identity
            && self.recipient == other.recipient
    }
}

/// Why a slot did not open.
#[derive(Debug, PartialEq, Eq)]
pub enum SlotError {
    /// The passphrase does not unwrap this slot.
    WrongPassphrase,
    /// The slot unwrapped but its contents are not what we wrote.
    Damaged,
}

/// What opening a slot yields: the staff member's identity (needed to rewrap the slot on a
/// passphrase change) and the database key.
pub struct Unsealed {
    pub identity: age::x25519::Identity,
    pub db_key: DbKey,
}

#[derive(Debug, Clone)]
pub struct KeySlots {
    pub store_id: String,
    pub demo: bool,
    login_guard: Option<[u8; 32]>,
    slots: Vec<Slot>,
}

impl KeySlots {
    pub fn new(store_id: String, demo: bool) -> KeySlots {
        KeySlots {
            store_id,
            demo,
            login_guard: Some(random_guard()),
            slots: Vec::new(),
        }
    }

    /// The key `logins.json` is authenticated with, if this store has one yet.
    pub fn login_guard(&self) -> Option<&[u8; 32]> {
        self.login_guard.as_ref()
    }

    /// Gives a store made before login guards one; true if it was missing.
    pub fn ensure_login_guard(&mut self) -> bool {
        let missing = self.login_guard.is_none();
        if missing {
            self.login_guard = Some(random_guard());
        }
        missing
    }

    pub fn load(path: &Path) -> Result<KeySlots> {
        if !path.exists() {
            return Err(Error::KeyslotsMissing {
                path: path.to_path_buf(),
            });
        }
        let bytes = crate::error::input::read_limited(path, crate::error::input::SMALL_FILE)
            .map_err(|e| match e {
                Error::TooLarge { .. } => Error::KeyslotsDamaged {
                    path: path.to_path_buf(),
                },
                other => other,
            })?;
        KeySlots::from_bytes(&bytes).ok_or_else(|| Error::KeyslotsDamaged {
            path: path.to_path_buf(),
        })
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<KeySlots> {
        let file: SlotFile = serde_json::from_slice(bytes).ok()?;
        if file.format != FORMAT || file.version != VERSION || file.slots.is_empty() {
            return None;
        }
        let login_guard = match file.login_guard {
            None => None,
            Some(text) => Some(B64.decode(text).ok()?.try_into().ok()?),
        };
        Some(KeySlots {
            store_id: file.store_id,
            demo: file.demo,
            login_guard,
            slots: file.slots,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let file = SlotFile {
            format: FORMAT.into(),
            version: VERSION,
            store_id: self.store_id.clone(),
            demo: self.demo,
            login_guard: self.login_guard.map(|key| B64.encode(key)),
            slots: self.slots.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        fsutil::write_atomic(path, &self.to_bytes())
    }

    pub fn staff_ids(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().map(|s| s.staff_id.as_str())
    }

    pub fn slot(&self, staff_id: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.staff_id == staff_id)
    }

    /// Opens `staff_id`'s slot with `passphrase`.
    pub fn open(&self, staff_id: &str, passphrase: &SecretString) -> Result<Unsealed, SlotError> {
        let slot = self.slot(staff_id).ok_or(SlotError::WrongPassphrase)?;
        let salt = B64.decode(&slot.salt).map_err(|_| SlotError::Damaged)?;
        let nonce = B64.decode(&slot.nonce).map_err(|_| SlotError::Damaged)?;
        let wrapped = B64
            .decode(&slot.wrapped_identity)
            .map_err(|_| SlotError::Damaged)?;
        if nonce.len() != 24 || !slot.kdf.within_bounds() {
            return Err(SlotError::Damaged);
        }
        let kek = slot
            .kdf
            .derive(passphrase, &salt)
            .map_err(|_| SlotError::Damaged)?;
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&kek[..]));
        let aad = slot_aad(&self.store_id, slot);
        let secret = cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &wrapped,
                    aad: aad.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SlotError::WrongPassphrase)?;
        let secret = std::str::from_utf8(&secret).map_err(|_| SlotError::Damaged)?;
        let identity = age::x25519::Identity::from_str(secret).map_err(|_| SlotError::Damaged)?;
        if identity.to_public().to_string() != slot.recipient {
            return Err(SlotError::Damaged);
        }
        let sealed = B64
            .decode(&slot.sealed_db_key)
            .map_err(|_| SlotError::Damaged)?;
        let key_bytes = age::decrypt(&identity, &sealed)
            .map(Zeroizing::new)
            .map_err(|_| SlotError::Damaged)?;
        let db_key = DbKey::from_slice(&key_bytes).ok_or(SlotError::Damaged)?;
        Ok(Unsealed { identity, db_key })
    }

    /// Spends the same effort as opening a slot, for staff IDs that have none, so that timing
    /// does not tell which IDs exist.
    pub fn burn_equal_time(&self, passphrase: &SecretString) {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let kdf = self.slots.first().map_or(KdfParams::STANDARD, |s| s.kdf);
        let _ = kdf.derive(passphrase, &salt);
    }

    /// Adds (or replaces) `staff_id`'s slot with a fresh identity holding `db_key`.
    pub fn put(
        &mut self,
        staff_id: &str,
        passphrase: &SecretString,
        db_key: &DbKey,
        kdf: KdfParams,
    ) -> Result<()> {
        let identity = age::x25519::Identity::generate();
        self.put_identity(staff_id, &identity, passphrase, db_key, kdf)
    }

    /// Writes `staff_id`'s slot for an existing identity (a passphrase change).
    pub fn put_identity(
        &mut self,
        staff_id: &str,
        identity: &age::x25519::Identity,
        passphrase: &SecretString,
        db_key: &DbKey,
        kdf: KdfParams,
    ) -> Result<()> {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let recipient = identity.to_public();
        let mut slot = Slot {
            staff_id: staff_id.to_string(),
            kdf,
            salt: B64.encode(salt),
            nonce: B64.encode(nonce),
            wrapped_identity: String::new(),
            recipient: recipient.to_string(),
            sealed_db_key: seal(&recipient, db_key)?,
        };
        let kek = kdf.derive(passphrase, &salt)?;
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&kek[..]));
        let aad = slot_aad(&self.store_id, &slot);
        let secret = identity.to_string();
        let wrapped = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(Error::internal)?;
        slot.wrapped_identity = B64.encode(wrapped);
        self.remove(staff_id);
        self.slots.push(slot);
        Ok(())
    }

    pub fn remove(&mut self, staff_id: &str) -> bool {
        let before = self.slots.len();
        self.slots.retain(|s| s.staff_id != staff_id);
        self.slots.len() != before
    }

    /// The database key sealed in `staff_id`'s slot, for the identity a later copy of the
    /// slot unwrapped (the same person, whose passphrase may have changed since).
    pub fn unseal_with(&self, staff_id: &str, identity: &age::x25519::Identity) -> Option<DbKey> {
        let slot = self.slot(staff_id)?;
        if slot.recipient != identity.to_public().to_string() {
            return None;
        }
        let sealed = B64.decode(&slot.sealed_db_key).ok()?;
        let key_bytes = age::decrypt(identity, &sealed).map(Zeroizing::new).ok()?;
        DbKey::from_slice(&key_bytes)
    }

    /// The slots a restored store gets: these (a backup's) as `present` (the store being
    /// replaced) has them since. A member with no slot now was disabled after the backup and
    /// gets none; a member whose slot changed (a passphrase reset or change) gets today's;
    /// the login guard stays today's, so the failed-login record and the audit anchor stay
    /// readable. Members added after the backup are not in the restored database and get no
    /// slot. The sealed keys are left to [`KeySlots::reseal_all`].
    pub fn as_now(&self, present: &KeySlots) -> (KeySlots, SlotChanges) {
        let mut changes = SlotChanges::default();
        let mut slots = Vec::new();
        for slot in &self.slots {
            match present.slot(&slot.staff_id) {
                None => changes.disabled.push(slot.staff_id.clone()),
                Some(now) if now.same_holder_and_passphrase(slot) => slots.push(slot.clone()),
                Some(now) => {
                    changes.replaced.push(slot.staff_id.clone());
                    slots.push(now.clone());
                }
            }
        }
        changes.not_in_backup = present
            .staff_ids()
            .filter(|id| self.slot(id).is_none())
            .map(str::to_string)
            .collect();
        let restored = KeySlots {
            store_id: self.store_id.clone(),
            demo: self.demo,
            login_guard: present.login_guard.or(self.login_guard),
            slots,
        };
        (restored, changes)
    }

    /// Seals a new database key to every slot (after a rekey). No passphrase is needed.
    pub fn reseal_all(&mut self, db_key: &DbKey) -> Result<()> {
        for slot in &mut self.slots {
            let recipient = age::x25519::Recipient::from_str(&slot.recipient)
                .map_err(|_| Error::internal("a key slot has an unreadable recipient"))?;
            slot.sealed_db_key = seal(&recipient, db_key)?;
        }
        Ok(())
    }
}

fn random_guard() -> [u8; 32] {
    use rand_core::RngCore;
    let mut key = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut key);
    key
}

fn seal(recipient: &age::x25519::Recipient, db_key: &DbKey) -> Result<String> {
    age::encrypt(recipient, db_key.0.as_ref())
        .map(|sealed| B64.encode(sealed))
        .map_err(Error::internal)
}

/// Everything about a slot except its secrets is bound into the AEAD, so editing the staff
/// ID, the public key or the cost parameters makes the slot fail to open.
fn slot_aad(store_id: &str, slot: &Slot) -> String {
    format!(
        "{FORMAT}/{VERSION}\0{store_id}\0{}\0{}\0{}\0{}\0{}",
        slot.staff_id,
        slot.recipient,
        slot.kdf.memory_kib,
        slot.kdf.iterations,
        slot.kdf.parallelism
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    fn slots_with(ids: &[&str], key: &DbKey) -> KeySlots {
        let mut slots = KeySlots::new("store-1".into(), false);
        for id in ids {
            slots
                .put(
                    id,
                    &pass(&format!("{id}-passphrase")),
                    key,
                    KdfParams::FOR_TESTS_ONLY,
                )
                .unwrap();
        }
        slots
    }

    #[test]
    fn a_slot_opens_with_its_passphrase_only() {
        let key = DbKey::generate();
        let slots = slots_with(&["teller01", "admin01"], &key);
        let opened = slots
            .open("teller01", &pass("teller01-passphrase"))
            .unwrap();
        assert_eq!(*opened.db_key.0, *key.0);
        assert_eq!(
            slots.open("teller01", &pass("admin01-passphrase")).err(),
            Some(SlotError::WrongPassphrase)
        );
        assert_eq!(
            slots.open("nobody", &pass("teller01-passphrase")).err(),
            Some(SlotError::WrongPassphrase)
        );
    }

    #[test]
    fn the_file_round_trips_and_holds_no_secret_in_clear() {
        let key = DbKey::generate();
        let slots = slots_with(&["teller01"], &key);
        let bytes = slots.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("teller01-passphrase"));
        assert!(!text.contains(&hex::encode(&key.0[..])));
        assert!(!text.contains("AGE-SECRET-KEY"));
        let back = KeySlots::from_bytes(&bytes).unwrap();
        assert!(back.open("teller01", &pass("teller01-passphrase")).is_ok());
    }

    #[test]
    fn edited_or_truncated_files_are_refused() {
        let key = DbKey::generate();
        let slots = slots_with(&["teller01", "rm01"], &key);
        let bytes = slots.to_bytes();
        assert!(KeySlots::from_bytes(&bytes[..bytes.len() / 2]).is_none());
        assert!(KeySlots::from_bytes(b"{}").is_none());

        // Renaming a slot to another staff ID breaks its authentication.
        let text = String::from_utf8(bytes)
            .unwrap()
            .replacen("\"rm01\"", "\"rm02\"", 1);
        let edited = KeySlots::from_bytes(text.as_bytes()).unwrap();
        assert!(edited.open("rm02", &pass("rm01-passphrase")).is_err());

        // Parameters that would run for hours or take all memory are refused before Argon2
        // runs (this returns at once; run, either would not).
        for (memory_kib, iterations, parallelism) in [
            (16_777_216, 3, 1),
            (65_536, u32::MAX, 1),
            (65_536, 3, 64),
            (1024, 3, 1),
        ] {
            let mut bomb = slots.clone();
            bomb.slots[0].kdf = KdfParams {
                memory_kib,
                iterations,
                parallelism,
            };
            assert_eq!(
                bomb.open("teller01", &pass("teller01-passphrase")).err(),
                Some(SlotError::Damaged)
            );
        }
        assert!(KdfParams::STANDARD.within_bounds());

        // Lowering the cost parameters breaks it too.
        let mut cheap = slots.clone();
        cheap.slots[0].kdf.iterations = 2;
        assert!(
            cheap
                .open("teller01", &pass("teller01-passphrase"))
                .is_err()
        );
    }

    #[test]
    fn reseal_moves_every_slot_to_the_new_key_without_passphrases() {
        let old = DbKey::generate();
        let mut slots = slots_with(&["teller01", "rm01", "admin01"], &old);
        let before_removal = slots.clone();
        assert!(slots.remove("rm01"));
        let new = DbKey::generate();
        slots.reseal_all(&new).unwrap();
        for id in ["teller01", "admin01"] {
            let opened = slots.open(id, &pass(&format!("{id}-passphrase"))).unwrap();
            assert_eq!(*opened.db_key.0, *new.0);
        }
        // The removed member's old copy still yields only the old key.
        let stale = before_removal
            .open("rm01", &pass("rm01-passphrase"))
            .unwrap();
        assert_eq!(*stale.db_key.0, *old.0);
        assert!(slots.open("rm01", &pass("rm01-passphrase")).is_err());
    }

    #[test]
    fn rewrapping_keeps_the_identity_and_changes_the_passphrase() {
        let key = DbKey::generate();
        let mut slots = slots_with(&["teller01"], &key);
        let opened = slots
            .open("teller01", &pass("teller01-passphrase"))
            .unwrap();
        let recipient_before = slots.slot("teller01").unwrap().recipient.clone();
        slots
            .put_identity(
                "teller01",
                &opened.identity,
                &pass("a brand new passphrase"),
                &opened.db_key,
                KdfParams::FOR_TESTS_ONLY,
            )
            .unwrap();
        assert_eq!(slots.slot("teller01").unwrap().recipient, recipient_before);
        assert!(
            slots
                .open("teller01", &pass("teller01-passphrase"))
                .is_err()
        );
        assert!(
            slots
                .open("teller01", &pass("a brand new passphrase"))
                .is_ok()
        );
    }
}
