//! Personal data HQ keeps outside its encrypted store (in PostgreSQL), sealed in the
//! application before it leaves: a data key (sealed to HQ's age identity, kept beside the
//! data) gives an XChaCha20-Poly1305 key for the fields and an HMAC key for the blind
//! index that ID-number and phone lookups use.
//!
//! What stays in clear is what reports aggregate (codes, dates, states, scores, levels,
//! the branch): a field is sealed unless its value is a number, a truth value or nothing,
//! or its name says it is a code or a day ([`is_clear`]). A new field is therefore sealed
//! until someone decides otherwise. Pure: no database, no clock.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use serde_json::{Map, Value};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Why a data key or a sealed value cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealProblem {
    /// The data key is sealed to another identity than the one at hand.
    WrongKey,
    /// A sealed value does not open (changed, cut short, or moved to another row).
    Damaged,
}

/// String fields kept in clear by name: codes, references and days that reports group,
/// count and join by. Everything else that is text (names, ID numbers, phones, addresses,
/// e-mail, notes, descriptions, comments, answers) is sealed.
const CLEAR_NAMES: [&str; 36] = [
    "id",
    "kind",
    "tier",
    "state",
    "step",
    "level",
    "category",
    "severity",
    "channel",
    "outcome",
    "rule",
    "product",
    "action",
    "reminder",
    "filled",
    "computed",
    "birth_calendar",
    "id_type",
    "home_branch",
    "assigned_rm",
    "subject_staff",
    "created_by",
    "recorded_by",
    "keyed_by",
    "by_staff",
    "staff_id",
    "approved_by",
    "supersedes",
    "reverses",
    "taken",
    "on_date",
    "last_day",
    "until",
    "next_review",
    "table_version",
    "template_code",
];
/// Name endings of clear string fields: references to rows and numbers HQ issues (`_id`,
/// `_no`, `_code`), days and times (`_on`, `_at`), versions, branch codes.
const CLEAR_SUFFIXES: [&str; 7] = ["_id", "_no", "_code", "_on", "_at", "_version", "_branch"];

/// Whether a field stays in clear at HQ.
pub fn is_clear(name: &str, value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
        _ => CLEAR_NAMES.contains(&name) || CLEAR_SUFFIXES.iter().any(|s| name.ends_with(s)),
    }
}

/// A row's fields split into those kept in clear and those sealed.
pub fn split(fields: Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
    fields
        .into_iter()
        .partition(|(name, value)| is_clear(name, value))
}

/// HQ's data key: 32 random bytes, from which the sealing and the index keys are derived.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    pub fn generate() -> DataKey {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        DataKey(key)
    }

    /// The key sealed to HQ's identity: an age file, in base64.
    pub fn seal_to(&self, recipient: &age::x25519::Recipient) -> Result<String, SealProblem> {
        use base64::Engine;
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
                .map_err(|_| SealProblem::Damaged)?;
        let mut out = Vec::new();
        let mut writer = encryptor
            .wrap_output(&mut out)
            .map_err(|_| SealProblem::Damaged)?;
        std::io::Write::write_all(&mut writer, self.0.as_ref())
            .map_err(|_| SealProblem::Damaged)?;
        writer.finish().map_err(|_| SealProblem::Damaged)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// The key from its sealed form, with HQ's identity.
    pub fn unseal(sealed: &str, identity: &age::x25519::Identity) -> Result<DataKey, SealProblem> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed.trim())
            .map_err(|_| SealProblem::Damaged)?;
        let decryptor = age::Decryptor::new(&bytes[..]).map_err(|_| SealProblem::Damaged)?;
        let mut plain = decryptor
            .decrypt(std::iter::once(identity as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => SealProblem::WrongKey,
                _ => SealProblem::Damaged,
            })?;
        let mut key = Zeroizing::new([0u8; 32]);
        std::io::Read::read_exact(&mut plain, key.as_mut()).map_err(|_| SealProblem::Damaged)?;
        let mut rest = [0u8; 1];
        if std::io::Read::read(&mut plain, &mut rest).map_err(|_| SealProblem::Damaged)? != 0 {
            return Err(SealProblem::Damaged);
        }
        Ok(DataKey(key))
    }

    /// One key per purpose, so that the index never reveals anything about the seal.
    fn derive(&self, purpose: &[u8]) -> Zeroizing<[u8; 32]> {
        let hkdf = hkdf::Hkdf::<Sha256>::new(Some(b"branchdesk hq data key"), self.0.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is always a valid HKDF-SHA256 output length.
        let _ = hkdf.expand(purpose, out.as_mut());
        out
    }
}

/// Seals and opens personal data, and computes its blind index.
pub struct Sealer {
    aead: XChaCha20Poly1305,
    index_key: Zeroizing<[u8; 32]>,
}

impl Sealer {
    pub fn new(key: &DataKey) -> Sealer {
        let seal = key.derive(b"seal v1");
        Sealer {
            aead: XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(seal.as_ref())),
            index_key: key.derive(b"index v1"),
        }
    }

    /// `plain` sealed under a fresh nonce, bound to `context` (the row it belongs to), so
    /// that a sealed value moved to another row does not open there.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plain,
            aad: context,
        };
        let sealed = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), payload)
            // Encryption fails only for messages beyond 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(24 + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealProblem> {
        if sealed.len() < 24 {
            return Err(SealProblem::Damaged);
        }
        let (nonce, body) = sealed.split_at(24);
        let payload = Payload {
            msg: body,
            aad: context,
        };
        self.aead
            .decrypt(XNonce::from_slice(nonce), payload)
            .map(Zeroizing::new)
            .map_err(|_| SealProblem::Damaged)
    }

    /// The blind index of a value of one kind ("id_number", "phone", "name"): a keyed hash
    /// (hex, 128 bits), equal for equal values once spaces and letter case are set aside.
    pub fn index(&self, kind: &str, value: &str) -> String {
        let normal: String = value
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect();
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(self.index_key.as_ref()) else {
            return String::new();
        };
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normal.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personal_fields_are_sealed_and_report_fields_stay_clear() {
        let fields = json!({
            "id": "0190", "name": "王芳", "id_number": "11010519491231002X",
            "phone": "13800138000", "email": "a@b.cn", "address": "北京",
            "description": "柜台态度", "note": "x", "answers": "{\"comment\":\"差\"}",
            "birth_date": "1949-12-31", "tags": "VIP",
            "category": "service", "home_branch": "BJ0101", "received_on": "2026-01-02",
            "risk_level": 3, "consent_marketing": true, "client_id": "0191",
            "complaint_id": "0192", "created_at": "2026-01-02T00:00:00Z", "tier": "gold",
        });
        let Value::Object(fields) = fields else {
            unreachable!()
        };
        let (clear, sealed) = split(fields);
        let mut sealed: Vec<&str> = sealed.keys().map(String::as_str).collect();
        sealed.sort_unstable();
        assert_eq!(
            sealed,
            [
                "address",
                "answers",
                "birth_date",
                "description",
                "email",
                "id_number",
                "name",
                "note",
                "phone",
                "tags"
            ]
        );
        assert!(clear.contains_key("category") && clear.contains_key("risk_level"));
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_in_its_row() {
        let key = DataKey::generate();
        let sealer = Sealer::new(&key);
        let sealed = sealer.seal("王芳".as_bytes(), b"client\0r1");
        assert!(!sealed.windows(6).any(|w| w == "王芳".as_bytes()));
        assert_eq!(
            &*sealer.open(&sealed, b"client\0r1").unwrap(),
            "王芳".as_bytes()
        );
        assert_eq!(
            sealer.open(&sealed, b"client\0r2"),
            Err(SealProblem::Damaged)
        );
        let other = Sealer::new(&DataKey::generate());
        assert_eq!(
            other.open(&sealed, b"client\0r1"),
            Err(SealProblem::Damaged)
        );
        let mut changed = sealed.clone();
        changed[30] ^= 1;
        assert_eq!(
            sealer.open(&changed, b"client\0r1"),
            Err(SealProblem::Damaged)
        );
    }

    #[test]
    fn the_blind_index_matches_equal_values_only_under_its_own_key() {
        let sealer = Sealer::new(&DataKey::generate());
        let a = sealer.index("id_number", "11010519491231002x");
        assert_eq!(a, sealer.index("id_number", " 11010519491231002X"));
        assert_ne!(a, sealer.index("id_number", "110101199003070011"));
        assert_ne!(a, sealer.index("phone", "11010519491231002X"));
        assert_ne!(
            a,
            Sealer::new(&DataKey::generate()).index("id_number", "11010519491231002X")
        );
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn the_data_key_opens_only_with_the_identity_it_was_sealed_to() {
        let identity = age::x25519::Identity::generate();
        let key = DataKey::generate();
        let sealed = key.seal_to(&identity.to_public()).unwrap();
        let opened = DataKey::unseal(&sealed, &identity).unwrap();
        assert_eq!(*opened.0, *key.0);
        let stranger = age::x25519::Identity::generate();
        assert!(matches!(
            DataKey::unseal(&sealed, &stranger),
            Err(SealProblem::WrongKey)
        ));
        assert!(matches!(
            DataKey::unseal("not a key", &identity),
            Err(SealProblem::Damaged)
        ));
    }
}
