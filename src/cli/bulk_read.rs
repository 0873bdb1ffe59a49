//! Getting a whole ATT&CK bundle (about 50 MB) into memory cheaply.
//!
//! Measured on Enterprise 18.1 (`cargo bench --bench speed`, "in process" rows, and hyperfine
//! on whole `report --no-cache` runs): most of the cost of `std::fs::read` on a cached file is
//! the kernel copying pages into a fresh buffer and the ~12,000 page faults that buffer takes
//! (expensive in a VM). Mapping the file instead cut a whole cold report from 194 to 157 ms and
//! its system time from 113 to 44 ms. That mapping is the one `unsafe` call in atkmap (see
//! [`map`]). Where mapping is not possible, two threads each read half of the file.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;

/// A bundle's bytes: the file mapped into memory, or a copy read from it.
pub enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Read(bytes) => bytes,
        }
    }
}

/// The whole file: mapped if it is a large regular file and the platform allows, read
/// otherwise.
pub fn map_or_read(path: &Path) -> io::Result<FileBytes> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file()
        && meta.len() > SPLIT_ABOVE
        && let Ok(mapped) = map(&file)
    {
        return Ok(FileBytes::Mapped(mapped));
    }
    read_file(path).map(FileBytes::Read)
}

/// Maps a bundle file read-only, its pages populated up front (one call instead of a fault
/// per page).
#[allow(unsafe_code)]
fn map(file: &File) -> io::Result<memmap2::Mmap> {
    // SAFETY: the mapping is read-only and private, and atkmap never writes the files it
    // maps. What Rust cannot rule out is another process changing or truncating the file
    // in place while it is mapped; the bytes would then change under the parser (a
    // truncation ends the process with SIGBUS). atkmap's own writes of bundles (`data
    // fetch`, downloads) go to a temporary file that is renamed over the old one, which
    // leaves an existing mapping untouched, and the README says not to edit a bundle in
    // place while atkmap reads it. A 50 MB ATT&CK release is not a file edited live.
    unsafe { memmap2::MmapOptions::new().populate().map(file) }
}

/// Below this a second thread costs more than it saves.
const SPLIT_ABOVE: u64 = 4 << 20;

/// The whole file, read by two threads when it is large.
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut bytes = match usize::try_from(len) {
        Ok(len) if len as u64 > SPLIT_ABOVE => read_in_halves(&file, len)?,
        _ => Vec::new(),
    };
    // Whatever the halves did not cover: the whole of a small file, or anything appended
    // while reading. `File`'s own position is untouched by positioned reads.
    if !bytes.is_empty() {
        use std::io::Seek;
        file.seek(io::SeekFrom::Start(bytes.len() as u64))?;
    }
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn read_in_halves(file: &File, len: usize) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut bytes = vec![0u8; len];
    let middle = len / 2;
    let (first, second) = bytes.split_at_mut(middle);
    let read = std::thread::scope(|scope| {
        let second_half = scope.spawn(|| file.read_exact_at(second, middle as u64));
        let first_half = file.read_exact_at(first, 0);
        let second_half = second_half
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread failed")));
        first_half.and(second_half)
    });
    match read {
        Ok(()) => Ok(bytes),
        // The file shrank while being read: read it again, plainly.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn read_in_halves(_file: &File, _len: usize) -> io::Result<Vec<u8>> {
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(len: usize) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bundle.json");
        let content: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &content).expect("write");
        assert_eq!(read_file(&path).expect("read"), content, "length {len}");
    }

    #[test]
    fn small_large_and_odd_sized_files_read_whole() {
        for len in [0, 1, 4096, (4 << 20) + 1, (5 << 20) + 3] {
            round_trip(len);
        }
    }

    #[test]
    fn large_files_are_mapped_and_small_ones_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (large, small) = (dir.path().join("large.json"), dir.path().join("small.json"));
        let content: Vec<u8> = (0..(5 << 20)).map(|i: usize| (i % 253) as u8).collect();
        std::fs::write(&large, &content).expect("write");
        std::fs::write(&small, b"{}").expect("write");
        let mapped = map_or_read(&large).expect("maps");
        assert!(matches!(mapped, FileBytes::Mapped(_)));
        assert_eq!(&*mapped, &content[..]);
        let read = map_or_read(&small).expect("reads");
        assert!(matches!(read, FileBytes::Read(_)));
        assert_eq!(&*read, b"{}");
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = read_file(&dir.path().join("absent.json")).expect_err("missing");
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }
}
