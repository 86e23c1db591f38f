//! Trusting third-party components: publisher signatures (minisign format) checked against
//! `plugins.lock`, the `plugin keygen/sign/verify/trust/add/list` commands, interoperability
//! with the `minisign` tool, and `plugin new`'s scaffold built, pinned and served.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::support::{Harness, call, plugin_dir, require_installed, sha256, test_component, text};

/// Runs the server binary with `args`; returns its output.
async fn run(h: &Harness, args: &[&str]) -> Output {
    h.command(args).output().await.expect("the binary runs")
}

/// Runs `args`, which must succeed; returns stdout.
async fn ok(h: &Harness, args: &[&str]) -> String {
    let out = run(h, args).await;
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `args`, which must fail with exit code 1; returns stderr.
async fn fails(h: &Harness, args: &[&str]) -> String {
    let out = run(h, args).await;
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

/// `plugin keygen --out DIR/NAME`; returns (secret key path, public key path, key id).
async fn keygen(h: &Harness, dir: &Path, name: &str) -> (PathBuf, PathBuf, String) {
    std::fs::create_dir_all(dir).unwrap();
    let prefix = dir.join(name);
    ok(h, &["plugin", "keygen", "--out", &s(&prefix)]).await;
    let public = dir.join(format!("{name}.pub"));
    let id = key_id_of(&public);
    (dir.join(format!("{name}.key")), public, id)
}

/// The key id a minisign public key file names in its comment line.
fn key_id_of(public: &Path) -> String {
    let text = std::fs::read_to_string(public).unwrap();
    let id = text.lines().next().unwrap().rsplit(' ').next().unwrap();
    assert_eq!(id.len(), 16, "{text}");
    id.to_owned()
}

/// The base64 line of a minisign key file (the secret itself, for a `.key`).
fn key_line(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned()
}

/// Edits the lock file: `require_signatures` and, when given, the pinned entries.
fn edit_lock(lock: &Path, require: bool, plugins: Option<Value>) {
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(lock).unwrap()).unwrap();
    value["require_signatures"] = json!(require);
    if let Some(plugins) = plugins {
        value["plugins"] = plugins;
    }
    std::fs::write(lock, value.to_string()).unwrap();
}

#[tokio::test]
async fn a_component_signed_by_a_trusted_publisher_loads_and_answers() {
    let dir = plugin_dir("trust-signed", &["hello_looker"]);
    let keys = dir.join("keys");
    let h = Harness::new().await;
    let (wasm, lock) = (dir.join("hello_looker.wasm"), dir.join("plugins.lock"));
    let (secret, public, id) = keygen(&h, &keys, "acme").await;
    let lock_arg = s(&lock);
    let trusted = ok(
        &h,
        &[
            "plugin",
            "trust",
            "acme",
            &s(&public),
            "--plugin-lock",
            &lock_arg,
        ],
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&trusted).unwrap()["acme"],
        key_line(&public)
    );
    ok(&h, &["plugin", "sign", &s(&wasm), "--key", &s(&secret)]).await;
    assert!(dir.join("hello_looker.wasm.minisig").is_file());
    let added = ok(
        &h,
        &["plugin", "add", &s(&wasm), "--plugin-lock", &lock_arg],
    )
    .await;
    let added: Value = serde_json::from_str(&added).unwrap();
    assert_eq!(added["hello_looker.wasm"]["signer"], "acme", "{added}");
    edit_lock(&lock, true, None);

    let verified = ok(
        &h,
        &["plugin", "verify", &s(&wasm), "--plugin-lock", &lock_arg],
    )
    .await;
    let digest = sha256(&wasm);
    assert!(
        verified.contains("signed by acme") && verified.contains(&id) && verified.contains(&digest),
        "{verified}"
    );

    // `plugin list`: built-in groups, then the component with its signer, digest and policy.
    let listed = ok(&h, &["plugin", "list", "--plugin-dir", &s(&dir)]).await;
    let lines: Vec<Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let explore = lines
        .iter()
        .find(|l| l["group"] == "explore")
        .expect("built-in groups listed");
    assert_eq!(explore["source"], "embedded");
    assert!(
        explore["limits"]["memory_mb"].as_u64().is_some(),
        "{explore}"
    );
    let hello = lines
        .iter()
        .find(|l| l["file"] == "hello_looker.wasm")
        .expect("{listed}");
    assert_eq!(hello["signer"], "acme", "{hello}");
    assert_eq!(hello["sha256"], digest);
    assert_eq!(hello["key_id"], id);
    assert_eq!(hello["policy"]["methods"], json!(["GET"]), "{hello}");
    assert_eq!(hello["limits"]["cpu_ms"], 5000, "{hello}");

    let (client, logs) = h
        .stdio_client_with_logs(&[
            "--plugin-dir",
            &s(&dir),
            "--groups",
            "identity,hello_looker",
        ])
        .await;
    let result = call(&client, "model_overview", json!({})).await;
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    let paths: Vec<String> = h.api_requests().into_iter().map(|r| r.path).collect();
    assert!(paths.contains(&"/lookml_models".to_owned()), "{paths:?}");
    client.cancel().await.unwrap();
    let logs = logs.text();
    let loaded = logs
        .lines()
        .find(|l| l.contains("loaded a third-party plugin"))
        .unwrap_or_else(|| panic!("{logs}"));
    for expected in [
        "\"signer\":\"acme\"".to_owned(),
        format!("\"key_id\":\"{id}\""),
        format!("\"sha256\":\"{digest}\""),
        "\"memory_mb\":64".to_owned(),
    ] {
        assert!(loaded.contains(&expected), "{expected} in {loaded}");
    }
    assert!(
        !logs.contains(&key_line(&secret)),
        "the secret key is never logged"
    );
    h.assert_no_violations();
}

#[tokio::test]
async fn unsigned_tampered_and_untrusted_components_are_refused_by_name() {
    let dir = plugin_dir("trust-refused", &["hello_looker", "hostile"]);
    std::fs::copy(test_component("hostile"), dir.join("stranger.wasm")).unwrap();
    let keys = PathBuf::from(format!("{}-keys", dir.display()));
    let _ = std::fs::remove_dir_all(&keys);
    let h = Harness::new().await;
    let lock = dir.join("plugins.lock");
    let lock_arg = s(&lock);
    let (acme_key, acme_pub, _) = keygen(&h, &keys, "acme").await;
    let (stranger_key, _, stranger_id) = keygen(&h, &keys, "stranger").await;
    ok(
        &h,
        &[
            "plugin",
            "trust",
            "acme",
            &s(&acme_pub),
            "--plugin-lock",
            &lock_arg,
        ],
    )
    .await;
    let hello = dir.join("hello_looker.wasm");
    ok(&h, &["plugin", "sign", &s(&hello), "--key", &s(&acme_key)]).await;
    let stranger = dir.join("stranger.wasm");
    ok(
        &h,
        &["plugin", "sign", &s(&stranger), "--key", &s(&stranger_key)],
    )
    .await;
    // Tampered after signing, and re-pinned: only the signature can catch it.
    let mut bytes = std::fs::read(&hello).unwrap();
    *bytes.last_mut().unwrap() ^= 0x01;
    std::fs::write(&hello, bytes).unwrap();
    let pinned = |name: &str| json!({"sha256": sha256(&dir.join(name)), "policy": {}});
    edit_lock(
        &lock,
        true,
        Some(json!({
            "hello_looker.wasm": pinned("hello_looker.wasm"),
            "hostile.wasm": pinned("hostile.wasm"),
            "stranger.wasm": pinned("stranger.wasm"),
        })),
    );

    let (client, logs) = h
        .stdio_client_with_logs(&["--plugin-dir", &s(&dir), "--groups", "identity"])
        .await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["whoami"], "the server serves the rest");
    assert_ne!(
        call(&client, "whoami", json!({})).await.is_error,
        Some(true)
    );
    client.cancel().await.unwrap();
    let logs = logs.text();
    let refusal = |file: &str| -> String {
        logs.lines()
            .filter(|l| l.contains("refused a plugin") && l.contains(file))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        refusal("hello_looker.wasm").contains("does not verify"),
        "{logs}"
    );
    assert!(
        refusal("hostile.wasm").contains("unsigned: plugins.lock requires signatures"),
        "{logs}"
    );
    let untrusted = refusal("stranger.wasm");
    assert!(
        untrusted.contains("untrusted key") && untrusted.contains(&stranger_id),
        "{logs}"
    );

    // `plugin verify` says the same and exits 1.
    let why = fails(
        &h,
        &[
            "plugin",
            "verify",
            &s(&stranger),
            "--plugin-lock",
            &lock_arg,
        ],
    )
    .await;
    assert!(
        why.contains("stranger.wasm") && why.contains(&stranger_id),
        "{why}"
    );
    let why = fails(
        &h,
        &["plugin", "verify", &s(&hello), "--key", &s(&acme_pub)],
    )
    .await;
    assert!(why.contains("hello_looker.wasm"), "{why}");

    // A malformed signature file is named too.
    std::fs::write(
        dir.join("hostile.wasm.minisig"),
        "untrusted comment: x\nnot base64\n",
    )
    .unwrap();
    let why = fails(
        &h,
        &[
            "plugin",
            "verify",
            &s(&dir.join("hostile.wasm")),
            "--plugin-lock",
            &lock_arg,
        ],
    )
    .await;
    assert!(
        why.contains("malformed signature file hostile.wasm.minisig"),
        "{why}"
    );

    // --strict-plugins: the first refusal stops the server, with the reason on stderr.
    let out = run(
        &h,
        &[
            "--plugin-dir",
            &s(&dir),
            "--groups",
            "identity",
            "--strict-plugins",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hello_looker.wasm") && stderr.contains("does not verify"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn signatures_interoperate_with_the_minisign_tool() {
    require_installed("minisign");
    let dir = plugin_dir("trust-minisign", &["hello_looker"]);
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let h = Harness::new().await;
    let wasm = dir.join("hello_looker.wasm");
    let minisign = |args: &[&str]| {
        let out = std::process::Command::new("minisign")
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("minisign runs");
        assert!(
            out.status.success(),
            "minisign {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    // minisign signs (a key without a password); `plugin verify` accepts it.
    let (theirs_pub, theirs_key) = (keys.join("theirs.pub"), keys.join("theirs.key"));
    minisign(&["-G", "-W", "-p", &s(&theirs_pub), "-s", &s(&theirs_key)]);
    minisign(&[
        "-S",
        "-s",
        &s(&theirs_key),
        "-m",
        &s(&wasm),
        "-t",
        "built by CI",
    ]);
    let verified = ok(
        &h,
        &["plugin", "verify", &s(&wasm), "--key", &s(&theirs_pub)],
    )
    .await;
    assert!(
        verified.contains("signature OK") && verified.contains("built by CI"),
        "{verified}"
    );
    let lock = s(&dir.join("plugins.lock"));
    ok(
        &h,
        &[
            "plugin",
            "trust",
            "ci",
            &s(&theirs_pub),
            "--plugin-lock",
            &lock,
        ],
    )
    .await;
    ok(&h, &["plugin", "add", &s(&wasm), "--plugin-lock", &lock]).await;
    let verified = ok(&h, &["plugin", "verify", &s(&wasm), "--plugin-lock", &lock]).await;
    assert!(verified.contains("signed by ci"), "{verified}");
    // minisign's key (no password) signs with `plugin sign` too.
    ok(&h, &["plugin", "sign", &s(&wasm), "--key", &s(&theirs_key)]).await;
    minisign(&["-Vm", &s(&wasm), "-p", &s(&theirs_pub)]);

    // `plugin sign` signs; `minisign -V` accepts it and shows the trusted comment.
    std::fs::remove_file(dir.join("hello_looker.wasm.minisig")).unwrap();
    let (ours_key, ours_pub, _) = keygen(&h, &keys, "ours").await;
    ok(
        &h,
        &[
            "plugin",
            "sign",
            &s(&wasm),
            "--key",
            &s(&ours_key),
            "--comment",
            "release 1.0",
        ],
    )
    .await;
    let shown = minisign(&["-Vm", &s(&wasm), "-p", &s(&ours_pub)]);
    assert!(shown.contains("release 1.0"), "{shown}");
    // And refuses it once the component changed.
    let mut bytes = std::fs::read(&wasm).unwrap();
    bytes[10] ^= 0x01;
    std::fs::write(&wasm, bytes).unwrap();
    let refused = std::process::Command::new("minisign")
        .args(["-Vm", &s(&wasm), "-p", &s(&ours_pub)])
        .output()
        .unwrap();
    assert!(!refused.status.success());
}

#[tokio::test]
async fn a_scaffolded_group_builds_pins_and_answers() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join(format!("scaffold-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let h = Harness::new().await;
    ok(&h, &["plugin", "new", "hello_test", "--dir", &s(&root)]).await;
    let group = root.join("hello_test");
    for file in ["Cargo.toml", "src/lib.rs", "Makefile", "README.md"] {
        assert!(group.join(file).is_file(), "{file}");
    }
    let readme = std::fs::read_to_string(group.join("README.md")).unwrap();
    for step in [
        "plugin new hello_test",
        "make",
        "plugin add hello_test.wasm",
        "--plugin hello_test.wasm",
    ] {
        assert!(readme.contains(step), "{step}");
    }
    // The example plugin's lock and target dir: the same dependencies, already built.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::copy(
        workspace.join("plugins/examples/hello_looker/Cargo.lock"),
        group.join("Cargo.lock"),
    )
    .unwrap();
    let target = tmp.parent().unwrap().join("plugins/examples");
    for goal in ["all", "test"] {
        let mut make = tokio::process::Command::new("make");
        make.arg(goal)
            .current_dir(&group)
            .env("CARGO_TARGET_DIR", &target)
            .env(
                "CARGO",
                std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
            );
        for outer in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "RUSTC_WRAPPER",
            "CARGO_MAKEFLAGS",
        ] {
            make.env_remove(outer);
        }
        let out = make.output().await.expect("make runs");
        assert!(
            out.status.success(),
            "make {goal}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let wasm = group.join("hello_test.wasm");
    assert!(wasm.is_file());
    let lock = s(&group.join("plugins.lock"));
    ok(&h, &["plugin", "add", &s(&wasm), "--plugin-lock", &lock]).await;
    let client = h
        .stdio_client(&[
            "--plugin",
            &s(&wasm),
            "--plugin-lock",
            &lock,
            "--groups",
            "hello_test",
        ])
        .await;
    let result = call(&client, "hello_test_models", json!({})).await;
    let value = crate::support::json(&result);
    assert!(value["count"].as_u64().is_some_and(|n| n > 0), "{value}");
    let requests = h.api_requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "GET" && r.path == "/lookml_models"),
        "{requests:#?}"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}
