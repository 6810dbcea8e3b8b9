//! TLS to a real server with a certificate made by openssl: verify-full checks chain and
//! name, verify-ca the chain only, require encrypts without checking.

use std::process::Command;

use cellsentry_fleet::cluster::Cluster;
use cellsentry_fleet::{FleetError, Source, Target};

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (postgresql depends on it via ssl-cert)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ca(dir: &std::path::Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

#[test]
fn verify_full_checks_the_chain_and_the_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    ca(&certs, "fleet-ca");
    ca(&certs, "other-ca");
    openssl(
        &certs,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        certs.join("ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        &certs,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "fleet-ca.pem",
            "-CAkey",
            "fleet-ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.crt",
            "-extfile",
            "ext",
        ],
    );
    let Some(mut cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let data = cluster.data_dir();
    std::fs::copy(certs.join("server.crt"), data.join("server.crt")).unwrap();
    std::fs::copy(certs.join("server.key"), data.join("server.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            data.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    cluster.fix_ownership().unwrap();
    cluster
        .configure("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'")
        .unwrap();
    cluster.stop("fast").unwrap();
    cluster.restart().unwrap();

    let url = |host: &str, mode: &str, ca: &str| {
        format!(
            "postgresql://postgres:{}@{host}:{}/fleet?sslmode={mode}&sslrootcert={}",
            cluster.password,
            cluster.port,
            certs.join(format!("{ca}.pem")).display()
        )
    };
    let connect = |u: String| Target::resolve(&Source::Literal(u)).unwrap().connect();
    let ssl_in_use = |mut c: postgres::Client| -> bool {
        c.query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
    };
    // The right CA and the certificate's name: connected, encrypted.
    assert!(ssl_in_use(
        connect(url("localhost", "verify-full", "fleet-ca")).unwrap()
    ));
    // The right CA but another name (the certificate says localhost, not 127.0.0.1).
    let Err(err) = connect(url("127.0.0.1", "verify-full", "fleet-ca")) else {
        panic!("verify-full accepted a certificate for another name")
    };
    assert!(matches!(err, FleetError::Connect(_)), "{err}");
    assert!(!err.to_string().contains(&cluster.password));
    // verify-ca does not check the name.
    assert!(ssl_in_use(
        connect(url("127.0.0.1", "verify-ca", "fleet-ca")).unwrap()
    ));
    // Another CA: refused by both verify modes; `require` encrypts without checking.
    assert!(connect(url("localhost", "verify-full", "other-ca")).is_err());
    assert!(connect(url("localhost", "verify-ca", "other-ca")).is_err());
    assert!(ssl_in_use(
        connect(url("localhost", "require", "other-ca")).unwrap()
    ));
    // A missing root file is a settings error that names the file.
    let Err(err) = connect(format!(
        "postgresql://postgres@localhost:{}/fleet?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
        cluster.port
    )) else {
        panic!("a missing root file was accepted")
    };
    assert!(
        matches!(err, FleetError::Config(_)) && err.to_string().contains("/nonexistent/ca.pem"),
        "{err}"
    );
}
