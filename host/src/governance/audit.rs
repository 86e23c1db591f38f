//! The audit trail: one structured event per call that changes Looker or runs as another user
//! (sudo), written to stderr and, with `LOOKER_AUDIT_FILE`, appended to a JSON-lines file whose
//! entries are hash-chained. Each line is a JSON object ending in `"prev"` (the previous line's
//! hash) … `"hash"`: the sha256 of the previous hash followed by the line's text without its
//! `,"hash":…` tail. An edited, removed or reordered line breaks the chain, and
//! `looker-mcp-server audit verify FILE` finds where. (Cutting lines off the end cannot be seen
//! from the file alone: keep the last hash `audit verify` prints somewhere else.)

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The `prev` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where audit events go.
pub struct AuditLog {
    file: Option<Mutex<Chain>>,
}

struct Chain {
    path: PathBuf,
    file: File,
    last_hash: String,
    seq: u64,
}

impl AuditLog {
    /// Events to stderr only.
    pub fn stderr_only() -> Self {
        Self { file: None }
    }

    /// Events to stderr and to `path`, continuing the chain already in it.
    pub fn open(path: &Path) -> Result<Self, String> {
        let fail = |why: String| format!("LOOKER_AUDIT_FILE {}: {why}", path.display());
        let (last_hash, seq) = match File::open(path) {
            Ok(file) => match BufReader::new(file).lines().map_while(Result::ok).last() {
                Some(line) => {
                    let (_, hash, entry) =
                        split(&line).map_err(|why| fail(format!("the last entry {why}")))?;
                    (hash, entry["seq"].as_u64().unwrap_or(0))
                }
                None => (GENESIS.to_string(), 0),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (GENESIS.to_string(), 0),
            Err(e) => return Err(fail(e.to_string())),
        };
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(|e| fail(e.to_string()))?;
        Ok(Self {
            file: Some(Mutex::new(Chain {
                path: path.to_path_buf(),
                file,
                last_hash,
                seq,
            })),
        })
    }

    /// Writes one event (its fields; `time`, `seq`, `prev` and `hash` are added here).
    pub fn record(&self, mut event: Map<String, Value>) {
        event.insert(
            "time".into(),
            Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
        let Some(chain) = &self.file else {
            let entry = Value::Object(event);
            tracing::info!(event = "looker.audit.call", %entry, "looker.audit.call");
            return;
        };
        let mut chain = chain.lock().unwrap_or_else(|e| e.into_inner());
        chain.seq += 1;
        event.insert("seq".into(), chain.seq.into());
        event.insert("prev".into(), chain.last_hash.clone().into());
        let body = Value::Object(event).to_string();
        let hash = link(&chain.last_hash, &body);
        let line = format!("{},\"hash\":\"{hash}\"}}\n", &body[..body.len() - 1]);
        tracing::info!(event = "looker.audit.call", entry = %line.trim_end(), "looker.audit.call");
        match chain
            .file
            .write_all(line.as_bytes())
            .and_then(|()| chain.file.flush())
        {
            Ok(()) => chain.last_hash = hash,
            Err(error) => {
                chain.seq -= 1;
                tracing::error!(file = %chain.path.display(), %error, "could not append to the audit file");
            }
        }
    }
}

fn link(prev: &str, body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(body.as_bytes());
    hex::encode(hasher.finalize())
}

/// A line's text without its hash, the hash, and the parsed entry.
fn split(line: &str) -> Result<(String, String, Value), String> {
    let entry: Value = serde_json::from_str(line).map_err(|_| "is not JSON".to_string())?;
    let hash = entry["hash"].as_str().ok_or("has no hash")?.to_string();
    let tail = format!(",\"hash\":\"{hash}\"}}");
    let body = line
        .strip_suffix(&tail)
        .map(|head| format!("{head}}}"))
        .ok_or("does not end with its hash")?;
    Ok((body, hash, entry))
}

/// Checks a whole audit file: every line's hash, each `prev` against the line before, and
/// `seq` counting up by one. Returns the number of entries and the last hash.
pub fn verify(path: &Path) -> Result<(u64, String), String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut prev = GENESIS.to_string();
    let mut count = 0u64;
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|e| format!("line {number}: {e}"))?;
        let (body, hash, entry) = split(&line).map_err(|why| format!("line {number} {why}"))?;
        if link(entry["prev"].as_str().unwrap_or_default(), &body) != hash {
            return Err(format!(
                "line {number} was edited: its hash does not match its content"
            ));
        }
        if entry["prev"] != Value::String(prev.clone()) {
            return Err(format!(
                "line {number} does not follow {}: a line was removed, added or moved",
                if number == 1 {
                    "the start of the chain".to_string()
                } else {
                    format!("line {}", number - 1)
                }
            ));
        }
        let seq = entry["seq"]
            .as_u64()
            .ok_or(format!("line {number} has no seq"))?;
        if seq != count + 1 {
            return Err(format!(
                "line {number} has seq {seq}, expected {}",
                count + 1
            ));
        }
        prev = hash;
        count += 1;
    }
    Ok((count, prev))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(tool: &str) -> Map<String, Value> {
        serde_json::json!({"tool": tool, "principal": "local"})
            .as_object()
            .unwrap()
            .clone()
    }

    fn written(dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let _ = std::fs::remove_file(dir.join("audit.jsonl"));
        let path = dir.join("audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        for tool in ["create_look", "update_look", "delete_look"] {
            log.record(event(tool));
        }
        drop(log);
        // A restart continues the chain.
        AuditLog::open(&path).unwrap().record(event("create_user"));
        path
    }

    fn temp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "audit-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn rewrite(path: &Path, change: impl FnOnce(&mut Vec<String>)) {
        let mut lines: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        change(&mut lines);
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn an_intact_file_verifies() {
        let path = written(&temp());
        let (count, last) = verify(&path).unwrap();
        assert_eq!(count, 4);
        assert_eq!(last.len(), 64);
    }

    #[test]
    fn edited_removed_and_reordered_lines_are_found() {
        let dir = temp();
        let path = written(&dir);
        rewrite(&path, |l| l[1] = l[1].replace("update_look", "create_role"));
        assert!(verify(&path).unwrap_err().contains("line 2 was edited"));

        let path = written(&dir.join("removed"));
        rewrite(&path, |l| {
            l.remove(1);
        });
        assert!(
            verify(&path)
                .unwrap_err()
                .contains("line 2 does not follow")
        );

        let path = written(&dir.join("reordered"));
        rewrite(&path, |l| l.swap(1, 2));
        assert!(verify(&path).unwrap_err().contains("does not follow"));
    }
}
