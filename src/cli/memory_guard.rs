//! A memory bound for work atkmap cannot bound from inside: a user's template (`--template`).
//!
//! A template engine bounds steps (fuel), not memory: a 200-byte template that doubles a string
//! in a loop reaches gigabytes in a few hundred steps. While such a template renders, a
//! watchdog thread reads the process's resident memory (`/proc/self/status`, Linux) every few
//! milliseconds and ends the process with exit 2 and a message naming the limit when it grows
//! past the limit. Nothing has been written yet then (outputs are written after every format
//! rendered), so nothing is left half-written.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How much a user's template may add to the process's memory.
pub const TEMPLATE_MEMORY_BYTES: u64 = 256 << 20;

/// Watches memory until dropped.
pub struct Guard {
    stop: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
}

/// Starts watching: the process may grow by `extra` bytes over what it holds now.
pub fn watch(extra: u64, what: &'static str) -> Guard {
    let stop = Arc::new(AtomicBool::new(false));
    let Some(start) = resident_bytes() else {
        return Guard {
            stop,
            watcher: None,
        };
    };
    let limit = start.saturating_add(extra);
    let flag = stop.clone();
    let watcher = std::thread::Builder::new()
        .name("atkmap-memory-guard".to_string())
        .spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                if resident_bytes().is_some_and(|now| now > limit) {
                    super::output::print_stderr(&format!(
                        "error: {what} used more than {} MiB of memory; atkmap stopped it \
                         (nothing was written)\n  hint: a template that builds ever longer \
                         strings in a loop does this; render lists row by row instead\n",
                        extra >> 20
                    ));
                    std::process::exit(2);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
        .ok();
    Guard { stop, watcher }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}

/// The process's resident memory, where the platform says (Linux).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_resident_memory_where_the_platform_says() {
        if cfg!(target_os = "linux") {
            assert!(resident_bytes().is_some_and(|b| b > 1 << 20));
        }
        // Dropping stops the watcher.
        drop(watch(TEMPLATE_MEMORY_BYTES, "test"));
    }
}
