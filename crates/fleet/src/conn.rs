//! Where the central database is and how to reach it safely.
//!
//! The connection string comes from the command line, an environment variable
//! (`CELLSENTRY_PG_URL` by default) or a file, and is held in a [`Target`] whose `Debug` and
//! `Display` never show it. libpq's TLS modes are honoured with rustls: `disable`, `prefer`
//! and `require` as libpq does them (encryption without certificate checks), `verify-ca`
//! (the server's chain must lead to `sslrootcert`) and `verify-full` (chain and host name).
//! `tokio-postgres` itself only knows disable/prefer/require, so the two verify modes and
//! `sslrootcert` are taken out of the string here and turned into the rustls verifier.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use postgres::config::{Host, SslMode as PgSslMode};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{redact, FleetError};

/// Environment variable read when no connection string is given.
pub const DEFAULT_ENV: &str = "CELLSENTRY_PG_URL";

/// Where to read the connection string from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Given directly (`postgresql://...` or `host=... dbname=...`).
    Literal(String),
    /// The first non-blank, non-comment line of a file (keep it mode 0600).
    File(PathBuf),
    /// An environment variable.
    Env(String),
}

impl Source {
    /// Reads a command-line value: `env:NAME`, `file:PATH`, or the string itself.
    pub fn parse(value: &str) -> Source {
        if let Some(name) = value.strip_prefix("env:") {
            Source::Env(name.to_string())
        } else if let Some(path) = value.strip_prefix("file:") {
            Source::File(PathBuf::from(path))
        } else {
            Source::Literal(value.to_string())
        }
    }

    /// Whether a `--db` value names a central database rather than an SQLite file.
    pub fn is_central(value: &str) -> bool {
        value.starts_with("postgresql://")
            || value.starts_with("postgres://")
            || value.starts_with("env:")
            || value.starts_with("file:")
    }
}

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No TLS.
    Disable,
    /// TLS if the server offers it, no certificate check (libpq's default; `allow` maps here).
    Prefer,
    /// TLS required, no certificate check.
    Require,
    /// TLS required, chain checked against the root certificates, host name not checked.
    VerifyCa,
    /// TLS required, chain and host name checked.
    VerifyFull,
}

/// A resolved connection string: opaque, never printed.
#[derive(Clone)]
pub struct Target {
    config: postgres::Config,
    tls: TlsMode,
    root_cert: Option<String>,
    /// Where the string came from (for messages).
    origin: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.describe())
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Target {
    /// Reads and parses the connection string from `source`.
    pub fn resolve(source: &Source) -> Result<Target, FleetError> {
        let (text, origin) = match source {
            Source::Literal(s) => (s.clone(), "the command line".to_string()),
            Source::Env(name) => match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => (v, format!("${name}")),
                _ => {
                    return Err(FleetError::Config(format!(
                        "no connection string: ${name} is not set (or use --to / --to-file)"
                    )))
                }
            },
            Source::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    FleetError::Config(format!("cannot read {}: {e}", path.display()))
                })?;
                let line = text
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with('#'))
                    .ok_or_else(|| {
                        FleetError::Config(format!("{} holds no connection string", path.display()))
                    })?;
                (line.to_string(), path.display().to_string())
            }
        };
        Target::parse(text.trim(), origin)
    }

    fn parse(text: &str, origin: String) -> Result<Target, FleetError> {
        let (rest, tls, root_cert) = take_tls_params(text)?;
        let mut config = postgres::Config::from_str(&rest).map_err(|e| {
            FleetError::Config(format!(
                "the connection string from {origin} does not parse: {}",
                redact(&e.to_string())
            ))
        })?;
        config.ssl_mode(match tls {
            TlsMode::Disable => PgSslMode::Disable,
            TlsMode::Prefer => PgSslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => PgSslMode::Require,
        });
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("cellsentry");
        }
        if config.get_password().is_none() {
            // libpq's variable, so a URL without a password can stay in scripts.
            if let Ok(pw) = std::env::var("PGPASSWORD") {
                config.password(pw);
            }
        }
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        Ok(Target {
            config,
            tls,
            root_cert,
            origin,
        })
    }

    /// "host H port P database D (from ORIGIN)": what a message may show.
    pub fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".to_string(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "host {host} port {port} database {} (from {})",
            self.config.get_dbname().unwrap_or("(default)"),
            self.origin
        )
    }

    /// TLS mode in force.
    pub fn tls_mode(&self) -> TlsMode {
        self.tls
    }

    /// Opens a connection; errors say where (never with what secret) and why.
    pub fn connect(&self) -> Result<postgres::Client, FleetError> {
        let tls = self.tls_connector()?;
        self.config.connect(tls).map_err(|e| {
            FleetError::Connect(format!(
                "{}: {}",
                self.describe(),
                redact(&connect_reason(&e))
            ))
        })
    }

    fn tls_connector(&self) -> Result<MakeRustlsConnect, FleetError> {
        // ring rather than aws-lc-rs: no C/cmake build on the sensors' laptops. rustls marks
        // it deprecated for lacking post-quantum key exchange, which libpq does not offer yet.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| FleetError::Config(format!("TLS set-up: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = match self.tls {
            TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => {
                Arc::new(NoCertificateCheck(provider))
            }
            TlsMode::VerifyCa | TlsMode::VerifyFull => {
                let roots = Arc::new(load_roots(self.root_cert.as_deref())?);
                let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
                    .build()
                    .map_err(|e| FleetError::Config(format!("TLS set-up: {e}")))?;
                if self.tls == TlsMode::VerifyFull {
                    inner
                } else {
                    Arc::new(ChainOnly(inner))
                }
            }
        };
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }
}

/// The most specific cause of a connection failure (the server's message for a refused login,
/// the socket error for an unreachable host), on one line.
fn connect_reason(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let t = s.to_string();
        if !text.contains(&t) {
            text = format!("{text}: {t}");
        }
        source = s.source();
    }
    text
}

/// Splits `sslmode` and `sslrootcert` out of a URL or key=value connection string.
fn take_tls_params(text: &str) -> Result<(String, TlsMode, Option<String>), FleetError> {
    let mut mode = None;
    let mut root = None;
    let mut take = |key: &str, value: &str| -> Result<bool, FleetError> {
        match key {
            "sslmode" => {
                mode = Some(match value {
                    "disable" => TlsMode::Disable,
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    other => {
                        return Err(FleetError::Config(format!(
                            "unknown sslmode {other:?} (disable, allow, prefer, require, \
                             verify-ca, verify-full)"
                        )))
                    }
                });
                Ok(true)
            }
            "sslrootcert" => {
                root = Some(value.to_string());
                Ok(true)
            }
            _ => Ok(false),
        }
    };
    let rest = if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        match text.split_once('?') {
            None => text.to_string(),
            Some((base, query)) => {
                let mut kept = Vec::new();
                for pair in query.split('&').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    if !take(k, &percent_decode(v))? {
                        kept.push(pair);
                    }
                }
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        let mut kept = Vec::new();
        for token in text.split_whitespace() {
            let (k, v) = token.split_once('=').unwrap_or((token, ""));
            if !take(k.trim(), v.trim_matches('\''))? {
                kept.push(token);
            }
        }
        kept.join(" ")
    };
    Ok((rest, mode.unwrap_or(TlsMode::Prefer), root))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| char::from(c).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Root certificates for the verify modes: `sslrootcert=PATH` (PEM), `sslrootcert=system`
/// (the operating system's store), or libpq's default `~/.postgresql/root.crt`.
fn load_roots(root_cert: Option<&str>) -> Result<RootCertStore, FleetError> {
    let mut roots = RootCertStore::empty();
    let path = match root_cert {
        Some("system") => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = roots.add(cert);
            }
            if roots.is_empty() {
                return Err(FleetError::Config(
                    "sslrootcert=system but the system has no root certificates".to_string(),
                ));
            }
            return Ok(roots);
        }
        Some(p) => PathBuf::from(p),
        None => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(".postgresql/root.crt"),
            None => {
                return Err(FleetError::Config(
                    "sslmode verify-ca/verify-full needs sslrootcert=FILE".to_string(),
                ))
            }
        },
    };
    let certs = CertificateDer::pem_file_iter(&path)
        .map_err(|e| {
            FleetError::Config(format!(
                "cannot read root certificate {}: {e}",
                path.display()
            ))
        })?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| FleetError::Config(format!("bad root certificate {}: {e}", path.display())))?;
    for cert in certs {
        roots.add(cert).map_err(|e| {
            FleetError::Config(format!("bad root certificate {}: {e}", path.display()))
        })?;
    }
    if roots.is_empty() {
        return Err(FleetError::Config(format!(
            "{} holds no certificate",
            path.display()
        )));
    }
    Ok(roots)
}

/// libpq's `require`/`prefer`: encrypted, but any certificate is accepted (the handshake's
/// signatures are still checked, so the session key belongs to whoever sent the certificate).
#[derive(Debug)]
struct NoCertificateCheck(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoCertificateCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// libpq's `verify-ca`: the full WebPKI chain check, except that the name may differ.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_modes_are_taken_out_of_urls_and_keyword_strings() {
        let (rest, mode, root) = take_tls_params(
            "postgresql://u:p@db.example:5433/fleet?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=5",
        )
        .unwrap();
        assert_eq!(
            rest,
            "postgresql://u:p@db.example:5433/fleet?connect_timeout=5"
        );
        assert_eq!(mode, TlsMode::VerifyFull);
        assert_eq!(root.as_deref(), Some("/etc/ca.pem"));
        let (rest, mode, root) =
            take_tls_params("host=db dbname=fleet sslmode=verify-ca sslrootcert=/x.pem").unwrap();
        assert_eq!(rest, "host=db dbname=fleet");
        assert_eq!(mode, TlsMode::VerifyCa);
        assert_eq!(root.as_deref(), Some("/x.pem"));
        assert_eq!(
            take_tls_params("postgresql://db/fleet").unwrap().1,
            TlsMode::Prefer
        );
        assert!(take_tls_params("postgresql://db/x?sslmode=maybe").is_err());
    }

    #[test]
    fn a_target_never_shows_its_password() {
        let t = Target::parse(
            "postgresql://sensor:hunter2@db.example:6432/fleet",
            "test".into(),
        )
        .unwrap();
        let shown = format!("{t} {t:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example") && shown.contains("6432") && shown.contains("fleet"));
        let err = Target::parse("postgresql://u:hunter2@db:notaport/x", "test".into())
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn command_line_values_pick_their_source() {
        assert_eq!(Source::parse("env:X"), Source::Env("X".into()));
        assert_eq!(Source::parse("file:/a b"), Source::File("/a b".into()));
        assert!(Source::is_central("postgresql://h/d"));
        assert!(!Source::is_central("sensor.sqlite"));
    }
}
