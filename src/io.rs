//! Safe file output: every save goes through a temporary file and a rename.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// The temporary name beside `path` that this process writes to before renaming.
pub fn temp_path(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Removes temporary files or folders left beside `path` by processes that were killed
/// (`.NAME.tmp-PID` whose process no longer runs).
pub fn clean_stale_temps(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let p = entry.path();
            let _ = if p.is_dir() { fs::remove_dir_all(&p) } else { fs::remove_file(&p) };
        }
    }
}

/// Writes `bytes` to `path` atomically: a reader (or a crash) sees either the old file or the
/// complete new one, never a torn write. The temporary file sits beside the target and is removed
/// on failure.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Like [`write_atomic`], with the contents streamed by `fill` into a buffered temporary file
/// (large outputs are never held in memory whole).
pub fn write_atomic_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    fill(&mut file).with_context(|| format!("cannot write {}", path.display()))?;
    file.finish()
}

/// A file written over time and put in place at the end: it is written to a temporary file beside
/// `path` and renamed by [`AtomicFile::finish`]. Dropped unfinished (an error, a panic), it
/// removes the temporary file and leaves any old file at `path` untouched.
pub struct AtomicFile {
    path: std::path::PathBuf,
    tmp: std::path::PathBuf,
    out: Option<std::io::BufWriter<fs::File>>,
}

impl AtomicFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> Result<Self> {
        path.file_name().with_context(|| format!("cannot write {}: not a file path", path.display()))?;
        let tmp = temp_path(path);
        clean_stale_temps(path);
        let file = fs::File::create(&tmp).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self { path: path.to_path_buf(), tmp, out: Some(std::io::BufWriter::with_capacity(1 << 16, file)) })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn finish(mut self) -> Result<()> {
        let out = self.out.take().expect("finished once");
        let result = (|| -> std::io::Result<()> {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            fs::rename(&self.tmp, &self.path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        result.with_context(|| format!("cannot write {}", self.path.display()))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.as_mut().expect("not finished").write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.as_mut().expect("not finished").write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.as_mut().expect("not finished").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = std::env::temp_dir().join(format!("murmuration-io-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        let err = write_atomic(&dir.join("missing/b.txt"), b"x").unwrap_err();
        assert!(format!("{err:#}").contains("missing/b.txt"), "{err:#}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
