//! The few file operations `--out-dir` needs beyond `std`: opening without following a
//! symbolic link (`O_NOFOLLOW`), and syncing a whole tree's new files at once (`syncfs`).
//! `rustix` gives both without `unsafe` (forbidden in this crate).

use std::fs::File;
use std::io::{self, Read as _};
use std::path::Path;

/// Read the file at `path` into `buf`, refusing a symbolic link in its last component
/// (`ELOOP`); a named pipe does not block (`O_NONBLOCK`).
pub(super) fn read_nofollow(path: &Path, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut file = open_nofollow(path, false)?;
    buf.clear();
    file.read_to_end(buf)?;
    Ok(())
}

/// Open (and create when missing) the lock file at `path`, never through a symbolic link.
pub(super) fn open_lock(path: &Path) -> io::Result<File> {
    open_nofollow(path, true)
}

#[cfg(unix)]
fn open_nofollow(path: &Path, create: bool) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let fd = if create {
        rustix::fs::open(
            path,
            flags | OFlags::RDWR | OFlags::CREATE,
            Mode::from_raw_mode(0o644),
        )?
    } else {
        rustix::fs::open(path, flags | OFlags::RDONLY, Mode::empty())?
    };
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open_nofollow(path: &Path, create: bool) -> io::Result<File> {
    // The caller looked at the path with `symlink_metadata` just before.
    std::fs::OpenOptions::new()
        .read(true)
        .write(create)
        .create(create)
        .open(path)
}

/// Make the new files (`files`, all on the file system of `dir`) durable: one `syncfs` of
/// that file system on Linux, rather than one `fsync` per file; `fsync` of each elsewhere.
pub(super) fn sync_files(dir: &Path, files: &[&Path]) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let _ = files;
        let dir = File::open(dir)?;
        rustix::fs::syncfs(&dir)?;
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        for file in files {
            File::open(file)?.sync_all()?;
        }
        Ok(())
    }
}

/// Make the names in the folder `dir` durable (the renames into it, the files removed).
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Whether the open `file` is still the one at `path` (not removed or replaced since it
/// was opened).
pub(super) fn is_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(open), Ok(there)) => open.dev() == there.dev() && open.ino() == there.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}
