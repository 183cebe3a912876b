//! The bundle container: `manifest.json` and a zstd payload in a tar, encrypted with age to
//! the receiver's recipients, and a detached minisign signature over the encrypted file. The
//! stock `age` and `minisign` tools read both.

use crate::sync::SyncProblem;
use crate::sync::keys::{SecretKeys, key_id_of};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

pub const FORMAT: u32 = 1;
pub const OPS_PAYLOAD: &str = "ops.ndjson.zst";
pub const REFERENCE_PAYLOAD: &str = "reference.json.zst";
const MANIFEST: &str = "manifest.json";

/// What a bundle says about itself (inside the encryption, so only its receiver reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// "ops" (branch → HQ) or "reference" (HQ → branch).
    pub kind: String,
    /// The sender's code and store ID, and its signing key's ID.
    pub sender: String,
    pub sender_store: String,
    pub key_id: String,
    /// The receiver's store ID (HQ's for ops; for reference data, HQ's own).
    pub receiver_store: String,
    pub schema_version: i64,
    pub app_version: String,
    /// Ops: the outbox range carried. Reference data: the snapshot's version in both.
    pub from_seq: i64,
    pub to_seq: i64,
    pub op_count: u64,
    pub payload: String,
    pub payload_sha256: String,
    pub previous_bundle_sha256: Option<String>,
    /// The last reference version the sender applied (ops) or this one (reference).
    pub ref_version: i64,
    pub created_at: String,
    pub hlc: i64,
    /// Ops: the sender's audit trail as it stood (its last row and that row's hash), so
    /// that the receiver holds the branch's anchor too and a trail that shrinks between
    /// two exports shows at HQ. Absent from reference data and from older senders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<AuditHead>,
    /// Ops: change numbers within the range that this sender no longer has, because a
    /// restore skipped past them (they were handed out by the store it replaced, and sent
    /// in an earlier bundle): `(first, last)`, inclusive. The receiver must hold them
    /// already or wait for that earlier bundle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub void: Vec<(i64, i64)>,
    /// Ops: change numbers within the range that a store this sender replaced handed out
    /// and never sent: nobody has them, and the receiver does not wait for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<(i64, i64)>,
}

/// An audit trail's last row and its hash (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub row: i64,
    pub hash: String,
}

/// One captured change, as it travels. The fields stay JSON text until a merge needs them
/// (most rows are new and are stored as they came).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Op {
    pub seq: i64,
    /// The row's index within a bulk-load op (which carries many rows under one seq).
    #[serde(default)]
    pub part: i64,
    pub op_id: String,
    pub table: String,
    pub row_id: String,
    pub op: String,
    pub fields: Box<serde_json::value::RawValue>,
    pub hlc: i64,
    pub schema: i64,
}

impl Op {
    pub fn fields_map(&self) -> Result<serde_json::Map<String, serde_json::Value>, SyncProblem> {
        serde_json::from_str(self.fields.get()).map_err(|_| SyncProblem::Damaged)
    }

    pub fn raw_fields(
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Box<serde_json::value::RawValue> {
        raw_json(serde_json::Value::Object(fields.clone()).to_string())
    }
}

/// JSON text we produced ourselves, kept as it is.
pub fn raw_json(text: String) -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::from_string(text).unwrap_or_default()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// zstd's level for bundles: most of the gain of higher levels at a fraction of their time.
pub const ZSTD_LEVEL: i32 = 6;

pub fn compress(raw: &[u8]) -> Result<Vec<u8>, SyncProblem> {
    zstd::bulk::compress(raw, ZSTD_LEVEL).map_err(|_| SyncProblem::Internal)
}

/// Inflates a payload of at most `limit` bytes unpacked: a payload that unpacks to more is
/// refused, not cut short (a bomb of a few kilobytes can unpack to gigabytes).
pub fn decompress(compressed: &[u8], limit: u64) -> Result<Vec<u8>, SyncProblem> {
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(compressed)
        .map_err(|_| SyncProblem::Damaged)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| SyncProblem::Damaged)?;
    if out.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

/// The refusal of a payload that unpacks to more than `limit` bytes.
pub fn too_large(limit: u64) -> SyncProblem {
    SyncProblem::TooLarge {
        limit_mib: limit.div_ceil(1024 * 1024),
    }
}

/// An encrypted, signed bundle ready to be written.
pub struct Sealed {
    pub bytes: Vec<u8>,
    pub signature: String,
    pub sha256: String,
}

/// Packs, encrypts to `recipients` and signs. The trusted comment (signed, readable without
/// decrypting) names the sender, the range and the payload hash.
pub fn seal(
    manifest: &Manifest,
    compressed_payload: &[u8],
    keys: &SecretKeys,
    recipients: &[age::x25519::Recipient],
) -> Result<Sealed, SyncProblem> {
    let manifest_json = serde_json::to_vec_pretty(manifest).map_err(|_| SyncProblem::Internal)?;
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in [
        (MANIFEST, manifest_json.as_slice()),
        (manifest.payload.as_str(), compressed_payload),
    ] {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes)
            .map_err(|_| SyncProblem::Internal)?;
    }
    let plain = tar.into_inner().map_err(|_| SyncProblem::Internal)?;

    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| SyncProblem::NoRecipients)?;
    let mut bytes = Vec::with_capacity(plain.len() + 512);
    let mut writer = encryptor
        .wrap_output(&mut bytes)
        .map_err(|_| SyncProblem::Internal)?;
    writer
        .write_all(&plain)
        .map_err(|_| SyncProblem::Internal)?;
    writer.finish().map_err(|_| SyncProblem::Internal)?;

    let trusted = trusted_comment(manifest);
    let signature = minisign::sign(
        Some(&keys.verifying),
        &keys.signing,
        bytes.as_slice(),
        Some(&trusted),
        Some(&format!("branchdesk bundle from {}", manifest.sender)),
    )
    .map_err(|_| SyncProblem::Internal)?
    .into_string();
    let sha256 = sha256_hex(&bytes);
    Ok(Sealed {
        bytes,
        signature,
        sha256,
    })
}

fn trusted_comment(m: &Manifest) -> String {
    format!(
        "branchdesk {} sender={} seq={}-{} payload_sha256={}",
        m.kind, m.sender, m.from_seq, m.to_seq, m.payload_sha256
    )
}

/// A signature that verified: whose key, and what it vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub key_id: String,
    pub trusted_comment: String,
}

/// Checks the signature first (cheap, and it rejects forgeries and truncated copies before
/// anything is decrypted). `known` gives the public key for a key ID we trust.
pub fn verify(
    bytes: &[u8],
    signature: &str,
    mut known: impl FnMut(&str) -> Option<minisign::PublicKey>,
) -> Result<Verified, SyncProblem> {
    let signature =
        minisign::SignatureBox::from_string(signature).map_err(|_| SyncProblem::BadSignature)?;
    let key_id = {
        let mut id = signature.keynum().to_vec();
        id.reverse();
        hex::encode_upper(id)
    };
    let key = known(&key_id).ok_or(SyncProblem::UnknownSigner)?;
    debug_assert_eq!(key_id_of(&key), key_id);
    minisign::verify(
        &key,
        &signature,
        std::io::Cursor::new(bytes),
        true,
        false,
        false,
    )
    .map_err(|_| SyncProblem::BadSignature)?;
    let trusted_comment = signature
        .trusted_comment()
        .map_err(|_| SyncProblem::BadSignature)?;
    Ok(Verified {
        key_id,
        trusted_comment,
    })
}

/// Decrypts and unpacks a verified bundle: its manifest and compressed payload, checked
/// against each other and against the signed comment.
pub fn open(
    bytes: &[u8],
    identity: &age::x25519::Identity,
    verified: &Verified,
) -> Result<(Manifest, Vec<u8>), SyncProblem> {
    let decryptor = age::Decryptor::new_buffered(bytes).map_err(|_| SyncProblem::Damaged)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => SyncProblem::NotForUs,
            _ => SyncProblem::Damaged,
        })?;
    let mut plain = Vec::new();
    reader
        .read_to_end(&mut plain)
        .map_err(|_| SyncProblem::Damaged)?;
    let mut manifest: Option<Manifest> = None;
    let mut payload: Option<(String, Vec<u8>)> = None;
    let mut archive = tar::Archive::new(plain.as_slice());
    for entry in archive.entries().map_err(|_| SyncProblem::Damaged)? {
        let mut entry = entry.map_err(|_| SyncProblem::Damaged)?;
        let name = entry
            .path()
            .map_err(|_| SyncProblem::Damaged)?
            .to_string_lossy()
            .to_string();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|_| SyncProblem::Damaged)?;
        if name == MANIFEST {
            manifest = Some(serde_json::from_slice(&data).map_err(|_| SyncProblem::Damaged)?);
        } else {
            payload = Some((name, data));
        }
    }
    let (Some(manifest), Some((name, payload))) = (manifest, payload) else {
        return Err(SyncProblem::Damaged);
    };
    if manifest.format != FORMAT
        || name != manifest.payload
        || sha256_hex(&payload) != manifest.payload_sha256
        || trusted_comment(&manifest) != verified.trusted_comment
        || manifest.key_id != verified.key_id
    {
        return Err(SyncProblem::Damaged);
    }
    Ok((manifest, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(payload: &[u8], keys: &SecretKeys) -> Manifest {
        Manifest {
            format: FORMAT,
            kind: "ops".into(),
            sender: "BJ0101".into(),
            sender_store: "s1".into(),
            key_id: keys.key_id(),
            receiver_store: "hq".into(),
            schema_version: 6,
            app_version: "0.1.0".into(),
            from_seq: 1,
            to_seq: 3,
            op_count: 3,
            payload: OPS_PAYLOAD.into(),
            payload_sha256: sha256_hex(payload),
            previous_bundle_sha256: None,
            ref_version: 0,
            created_at: "2026-11-30T10:00:00Z".into(),
            hlc: 1,
            audit_head: None,
            void: Vec::new(),
            skipped: Vec::new(),
        }
    }

    #[test]
    fn a_sealed_bundle_opens_for_its_receiver_only_and_any_flipped_bit_is_refused() {
        let branch = SecretKeys::generate().unwrap();
        let hq = SecretKeys::generate().unwrap();
        let other_hq = SecretKeys::generate().unwrap();
        let payload = compress(b"{\"seq\":1}\n").unwrap();
        let m = manifest(&payload, &branch);
        let sealed = seal(&m, &payload, &branch, &[hq.identity.to_public()]).unwrap();
        let known = |id: &str| (id == branch.key_id()).then(|| branch.verifying.clone());

        let verified = verify(&sealed.bytes, &sealed.signature, known).unwrap();
        assert!(verified.trusted_comment.contains("sender=BJ0101 seq=1-3"));
        let (opened, body) = open(&sealed.bytes, &hq.identity, &verified).unwrap();
        assert_eq!(opened, m);
        assert_eq!(decompress(&body, 1024).unwrap(), b"{\"seq\":1}\n");
        let bomb = compress(&[b'\n'; 4096]).unwrap();
        assert_eq!(decompress(&bomb, 4096).unwrap().len(), 4096);
        assert!(matches!(
            decompress(&bomb, 4095),
            Err(SyncProblem::TooLarge { limit_mib: 1 })
        ));

        assert_eq!(
            open(&sealed.bytes, &other_hq.identity, &verified),
            Err(SyncProblem::NotForUs)
        );
        let mut flipped = sealed.bytes.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        assert_eq!(
            verify(&flipped, &sealed.signature, known),
            Err(SyncProblem::BadSignature)
        );
        let truncated = &sealed.bytes[..sealed.bytes.len() - 100];
        assert_eq!(
            verify(truncated, &sealed.signature, known),
            Err(SyncProblem::BadSignature)
        );
        assert_eq!(
            verify(&sealed.bytes, &sealed.signature, |_| None),
            Err(SyncProblem::UnknownSigner)
        );
        // A signature whose trusted comment was edited no longer verifies.
        let edited = sealed.signature.replace("seq=1-3", "seq=1-9");
        assert_eq!(
            verify(&sealed.bytes, &edited, known),
            Err(SyncProblem::BadSignature)
        );
    }
}
