//! The restore journal without Redis: one small file per (Looker user, project) whose branch is
//! switched away, written (and synced) before the switch and removed after the restore, so the
//! next swap after a crash finds it. The directory is created 0700: it names users and branches.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::{BranchCell, CoordinationError};

/// Journal entries on disk, or in memory when there is no directory to keep them in.
pub(super) struct FileJournal {
    dir: Option<PathBuf>,
    memory: Mutex<HashMap<BranchCell, String>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    instance: String,
    user_id: String,
    project: String,
    branch: String,
}

impl FileJournal {
    /// A journal in `dir` (created 0700). Without one, or if it or its parent could be written
    /// by someone else (who could then plant a branch to "restore"), entries stay in memory and
    /// a crash loses them, which is logged.
    pub(super) fn open(dir: Option<PathBuf>) -> Self {
        let dir = dir.and_then(|dir| {
            let private = |d: &Path| crate::runtime::private_dir(d);
            let checked = dir.parent().map_or(Ok(()), private).and_then(|()| private(&dir));
            match checked {
                Ok(()) => Some(dir),
                Err(reason) => {
                    tracing::warn!(dir = %dir.display(), %reason, "no branch restore journal on disk; a crash mid-swap loses the branch to restore");
                    None
                }
            }
        });
        Self {
            dir,
            memory: Mutex::default(),
        }
    }

    pub(super) fn get(&self, cell: &BranchCell) -> Result<Option<String>, CoordinationError> {
        let Some(dir) = &self.dir else {
            return Ok(self.memory.lock().unwrap().get(cell).cloned());
        };
        let text = match std::fs::read(file_of(dir, cell)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CoordinationError::Journal(e.to_string())),
        };
        let entry: Entry = serde_json::from_slice(&text)
            .map_err(|e| CoordinationError::Journal(format!("unreadable entry: {e}")))?;
        Ok(
            (entry.user_id == cell.user_id && entry.project == cell.project)
                .then_some(entry.branch),
        )
    }

    pub(super) fn put(&self, cell: &BranchCell, branch: &str) -> Result<(), CoordinationError> {
        let Some(dir) = &self.dir else {
            self.memory
                .lock()
                .unwrap()
                .insert(cell.clone(), branch.to_string());
            return Ok(());
        };
        let entry = Entry {
            instance: cell.instance.clone(),
            user_id: cell.user_id.clone(),
            project: cell.project.clone(),
            branch: branch.to_string(),
        };
        let path = file_of(dir, cell);
        // A name of its own: servers sharing the directory may write the same entry at once.
        let partial = path.with_extension(format!("{}.partial", uuid::Uuid::new_v4()));
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&partial)?;
            file.write_all(&serde_json::to_vec(&entry).expect("an entry serializes"))?;
            file.sync_all()?;
            std::fs::rename(&partial, &path)
        };
        write().map_err(|e| CoordinationError::Journal(format!("{}: {e}", path.display())))
    }

    pub(super) fn clear(&self, cell: &BranchCell) -> Result<(), CoordinationError> {
        let Some(dir) = &self.dir else {
            self.memory.lock().unwrap().remove(cell);
            return Ok(());
        };
        match std::fs::remove_file(file_of(dir, cell)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(CoordinationError::Journal(e.to_string()))
            }
            _ => Ok(()),
        }
    }
}

/// `<dir>/<sha256 of the cell>.json`: fixed-length names whatever the project is called.
fn file_of(dir: &Path, cell: &BranchCell) -> PathBuf {
    dir.join(format!(
        "{}.json",
        hex::encode(Sha256::digest(cell.key().as_bytes()))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell() -> BranchCell {
        BranchCell {
            instance: "https://looker.example.com".into(),
            user_id: "7".into(),
            project: "ecommerce".into(),
        }
    }

    fn scratch() -> PathBuf {
        std::env::temp_dir().join(format!("journal-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn an_entry_survives_a_new_journal_on_the_same_dir_until_cleared() {
        let root = scratch();
        let dir = root.join("branch-journal");
        FileJournal::open(Some(dir.clone()))
            .put(&cell(), "main")
            .unwrap();
        let reopened = FileJournal::open(Some(dir.clone()));
        assert_eq!(reopened.get(&cell()).unwrap().as_deref(), Some("main"));
        reopened.clear(&cell()).unwrap();
        assert_eq!(
            FileJournal::open(Some(dir.clone())).get(&cell()).unwrap(),
            None
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        std::fs::remove_dir_all(root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_journal_others_could_write_is_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let root = scratch();
        std::fs::create_dir_all(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o777)).unwrap();
        let journal = FileJournal::open(Some(root.join("branch-journal")));
        journal.put(&cell(), "main").unwrap();
        assert_eq!(journal.get(&cell()).unwrap().as_deref(), Some("main"));
        let written: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert!(written.is_empty(), "nothing on disk: {written:?}");
        std::fs::remove_dir_all(root).unwrap();
    }
}
