//! A store's own sync keys (a minisign Ed25519 signing key and an age X25519 identity) and
//! the public half that other stores trust, exchanged as a small TOML file.

use crate::error::{Error, Result};
use crate::sync::SyncProblem;
use age::secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::str::FromStr;
use zeroize::Zeroizing;

/// Whose keys: a branch's or HQ's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Branch,
    Hq,
}

/// What another store needs to verify this one's files and encrypt to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKeys {
    pub party: Party,
    /// Branch code (or HQ's code).
    pub code: String,
    pub name: String,
    /// The store's ID: HQ's is what branch bundles are addressed to.
    pub store_id: String,
    /// minisign public key (base64, as in a `.pub` file's second line).
    pub sign_public: String,
    /// age X25519 recipient (`age1…`).
    pub recipient: String,
}

impl PublicKeys {
    /// minisign's key ID, as its CLI prints it (16 hex digits).
    pub fn key_id(&self) -> Result<String> {
        Ok(key_id_of(&self.verifying_key()?))
    }

    pub fn verifying_key(&self) -> Result<minisign::PublicKey> {
        minisign::PublicKey::from_base64(&self.sign_public)
            .map_err(|_| bad_keys("sign_public is not a minisign public key"))
    }

    pub fn age_recipient(&self) -> Result<age::x25519::Recipient> {
        age::x25519::Recipient::from_str(&self.recipient)
            .map_err(|_| bad_keys("recipient is not an age X25519 recipient"))
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# branchdesk public keys of {} ({}). Public: safe to copy and mail.\n{body}",
            self.code, self.name
        )
    }

    pub fn parse(text: &str) -> Result<PublicKeys> {
        let keys: PublicKeys = toml::from_str(text).map_err(|e| bad_keys(e.message()))?;
        keys.verifying_key()?;
        keys.age_recipient()?;
        Ok(keys)
    }

    pub fn read(path: &Path) -> Result<PublicKeys> {
        let text = crate::error::input::read_text_limited(path, crate::error::input::SMALL_FILE)?;
        PublicKeys::parse(&text).map_err(|e| match e {
            Error::Sync {
                problem: SyncProblem::KeysFile { detail, .. },
            } => Error::Sync {
                problem: SyncProblem::KeysFile {
                    path: path.to_path_buf(),
                    detail,
                },
            },
            other => other,
        })
    }

    /// The minisign `.pub` file, for the stock `minisign -V -p FILE`.
    pub fn minisign_pub_file(&self) -> String {
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.key_id().unwrap_or_default(),
            self.sign_public
        )
    }
}

fn bad_keys(detail: impl Into<String>) -> Error {
    Error::Sync {
        problem: SyncProblem::KeysFile {
            path: Default::default(),
            detail: detail.into(),
        },
    }
}

pub fn key_id_of(key: &minisign::PublicKey) -> String {
    let mut id = key.keynum().to_vec();
    id.reverse(); // minisign prints the little-endian key number as a big-endian number
    hex::encode_upper(id)
}

/// A store's secret keys. They live only inside the encrypted database.
pub struct SecretKeys {
    pub signing: minisign::SecretKey,
    pub verifying: minisign::PublicKey,
    pub identity: age::x25519::Identity,
}

impl SecretKeys {
    pub fn generate() -> Result<SecretKeys> {
        let pair = minisign::KeyPair::generate_unencrypted_keypair()
            .map_err(|e| Error::internal(format!("minisign key generation: {e}")))?;
        Ok(SecretKeys {
            signing: pair.sk,
            verifying: pair.pk,
            identity: age::x25519::Identity::generate(),
        })
    }

    /// (signing key box, age identity) as stored in `sync_local`.
    pub fn to_stored(&self) -> Result<(Zeroizing<String>, Zeroizing<String>)> {
        let signing = self
            .signing
            .to_box(None)
            .map_err(|e| Error::internal(format!("minisign key box: {e}")))?
            .into_string();
        Ok((
            Zeroizing::new(signing),
            Zeroizing::new(self.identity.to_string().expose_secret().to_string()),
        ))
    }

    pub fn from_stored(signing: &str, identity: &str) -> Result<SecretKeys> {
        let damaged = || Error::internal("the store's sync keys are damaged");
        let signing = minisign::SecretKeyBox::from_string(signing)
            .and_then(|b| b.into_unencrypted_secret_key())
            .map_err(|_| damaged())?;
        let verifying = minisign::PublicKey::from_secret_key(&signing).map_err(|_| damaged())?;
        let identity = age::x25519::Identity::from_str(identity).map_err(|_| damaged())?;
        Ok(SecretKeys {
            signing,
            verifying,
            identity,
        })
    }

    pub fn public(&self, party: Party, code: &str, name: &str, store_id: &str) -> PublicKeys {
        PublicKeys {
            party,
            code: code.to_string(),
            name: name.to_string(),
            store_id: store_id.to_string(),
            sign_public: self.verifying.to_base64(),
            recipient: self.identity.to_public().to_string(),
        }
    }

    pub fn key_id(&self) -> String {
        key_id_of(&self.verifying)
    }
}
