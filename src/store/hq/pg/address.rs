//! Where HQ's consolidation database is and how to reach it, the libpq way: the address
//! (no password in it; `PGPASSWORD`, else `~/.pgpass` / `PGPASSFILE`, used only at mode
//! 0600; `PGUSER`/`USER`), and TLS by rustls for `sslmode` disable, prefer, require,
//! verify-ca or verify-full (`sslrootcert`, else the system's roots).

use super::{db_error, problem};
use crate::error::{HqDbProblem, Result};
use std::path::PathBuf;
use std::sync::Arc;

/// How TLS is asked for (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// An address read the libpq way.
#[derive(Debug)]
pub(crate) struct Address {
    pub config: postgres::Config,
    pub tls: TlsMode,
    pub root_cert: Option<PathBuf>,
}

/// Reads a `postgres://` address. A password in it is refused (it would sit in the shell's
/// history and the process list); it comes from `PGPASSWORD` or the password file.
pub(crate) fn address(url: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Address> {
    let bad = |detail: &str| {
        problem(HqDbProblem::Address {
            detail: detail.to_string(),
        })
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(bad("it must begin with postgres://"));
    }
    // sslmode and sslrootcert are read here (the driver knows only the first three modes).
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut tls = TlsMode::Prefer;
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                tls = match value {
                    "disable" => TlsMode::Disable,
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    _ => return Err(bad("sslmode is not one PostgreSQL knows")),
                }
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(value)),
            "password" => return Err(problem(HqDbProblem::PasswordInAddress)),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: postgres::Config = rest
        .parse()
        .map_err(|_| bad("it is not a PostgreSQL address"))?;
    if config.get_password().is_some() {
        return Err(problem(HqDbProblem::PasswordInAddress));
    }
    if config.get_hosts().is_empty() {
        config.host(&env("PGHOST").unwrap_or_else(|| "localhost".into()));
    }
    if config.get_user().is_none() {
        let user = env("PGUSER")
            .or_else(|| env("USER"))
            .ok_or_else(|| bad("it names no user"))?;
        config.user(&user);
    }
    if let Some(password) = password_for(&config, env) {
        config.password(password);
    }
    config.ssl_mode(match tls {
        TlsMode::Disable => postgres::config::SslMode::Disable,
        TlsMode::Prefer => postgres::config::SslMode::Prefer,
        _ => postgres::config::SslMode::Require,
    });
    config.application_name("branchdesk-hq");
    Ok(Address {
        config,
        tls,
        root_cert,
    })
}

/// The password: `PGPASSWORD`, else the first matching line of the password file
/// (`PGPASSFILE`, else `~/.pgpass`; read only when no one but its owner can read it, as
/// libpq does).
fn password_for(config: &postgres::Config, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if let Some(password) = env("PGPASSWORD") {
        return Some(password);
    }
    let file = env("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| PathBuf::from(home).join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!("the password file is readable by others: not used");
            return None;
        }
    }
    let text =
        crate::error::input::read_text_limited(&file, crate::error::input::SMALL_FILE).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(_)) => "localhost".into(),
        None => "localhost".into(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default();
    let database = config.get_dbname().unwrap_or(user);
    pgpass_lookup(&text, [&host, &port, database, user])
}

/// The password of the first line of a password file whose host, port, database and user
/// match (`*` matches anything; `\` escapes `:` and `\`).
pub(crate) fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                _ => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(wanted)
            .all(|(pattern, value)| pattern == "*" || pattern == value)
        {
            return fields.pop();
        }
    }
    None
}

/// Connects by `url` (see [`address`]).
pub(crate) fn connect(url: &str) -> Result<postgres::Client> {
    let address = address(url, &|name| std::env::var(name).ok())?;
    if address.tls == TlsMode::Disable {
        return address.config.connect(postgres::NoTls).map_err(db_error);
    }
    let tls = tls_connector(&address)?;
    address.config.connect(tls).map_err(|e| {
        if e.as_db_error().is_none() && !e.is_closed() && address.tls != TlsMode::Prefer {
            tracing::warn!(error = %e, "TLS to HQ's database");
            problem(HqDbProblem::Tls)
        } else {
            db_error(e)
        }
    })
}

fn tls_connector(address: &Address) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|_| problem(HqDbProblem::Tls))?;
    let config = match address.tls {
        TlsMode::VerifyFull => builder
            .with_root_certificates(verified_roots(&address.root_cert)?)
            .with_no_client_auth(),
        // verify-ca checks the chain only; require and prefer encrypt without checking who
        // answers, as libpq does.
        mode => {
            let chain = match mode {
                TlsMode::VerifyCa => Some(
                    rustls::client::WebPkiServerVerifier::builder_with_provider(
                        Arc::new(verified_roots(&address.root_cert)?),
                        provider.clone(),
                    )
                    .build()
                    .map_err(|_| problem(HqDbProblem::Tls))?,
                ),
                _ => None,
            };
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Lenient { provider, chain }))
                .with_no_client_auth()
        }
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn verified_roots(root_cert: &Option<PathBuf>) -> Result<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(path) => {
            let text =
                crate::error::input::read_text_limited(path, crate::error::input::SMALL_FILE)?;
            for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(text.as_bytes()) {
                let cert: rustls::pki_types::CertificateDer =
                    cert.map_err(|_| problem(HqDbProblem::Tls))?;
                roots.add(cert).map_err(|_| problem(HqDbProblem::Tls))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    Ok(roots)
}

/// The server check of `sslmode=require` (none: the channel is encrypted, the server not
/// identified) and of `verify-ca` (`chain`: the certificate chain is checked, the host name
/// is not). Handshake signatures are checked either way.
#[derive(Debug)]
struct Lenient {
    provider: Arc<rustls::crypto::CryptoProvider>,
    chain: Option<Arc<rustls::client::WebPkiServerVerifier>>,
}

impl rustls::client::danger::ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(rustls::client::danger::ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(rustls::client::danger::ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn a_password_in_the_address_is_refused() {
        for url in [
            "postgres://hq:secret@db.example/hq",
            "postgres://hq@db.example/hq?password=secret",
        ] {
            assert!(matches!(
                address(url, &env(&[])),
                Err(Error::HqDatabase {
                    problem: HqDbProblem::PasswordInAddress
                })
            ));
        }
    }

    #[test]
    fn sslmode_is_read_the_libpq_way() {
        let read = |url: &str| address(url, &env(&[("USER", "hq")])).map(|a| a.tls);
        assert_eq!(read("postgres://db/hq").unwrap(), TlsMode::Prefer);
        assert_eq!(
            read("postgres://db/hq?sslmode=disable").unwrap(),
            TlsMode::Disable
        );
        assert_eq!(
            read("postgres://db/hq?sslmode=require").unwrap(),
            TlsMode::Require
        );
        assert_eq!(
            read("postgres://db/hq?sslmode=verify-full&sslrootcert=/ca.pem").unwrap(),
            TlsMode::VerifyFull
        );
        assert!(read("postgres://db/hq?sslmode=sometimes").is_err());
        assert!(read("mysql://db/hq").is_err());
        let a = address(
            "postgres://db/hq?sslmode=verify-ca&sslrootcert=/ca.pem",
            &env(&[("USER", "hq")]),
        );
        assert_eq!(a.unwrap().root_cert, Some(PathBuf::from("/ca.pem")));
    }

    #[test]
    fn the_password_comes_from_pgpassword_first() {
        let a = address(
            "postgres://hq@db:5433/consolidation",
            &env(&[("PGPASSWORD", "s3")]),
        )
        .unwrap();
        assert_eq!(a.config.get_password(), Some(&b"s3"[..]));
        assert_eq!(a.config.get_user(), Some("hq"));
    }

    #[test]
    fn the_password_file_matches_host_port_database_and_user() {
        let file = "# HQ\n\
                    other:5432:*:hq:wrong\n\
                    db:5433:consolidation:hq:right\\:one\n\
                    *:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(file, ["db", "5433", "consolidation", "hq"]).as_deref(),
            Some("right:one")
        );
        assert_eq!(
            pgpass_lookup(file, ["db", "5432", "x", "y"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(
            pgpass_lookup("db:5432:hq", ["db", "5432", "hq", "hq"]),
            None
        );
    }
}
