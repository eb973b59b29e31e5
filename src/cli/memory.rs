//! How the process takes memory from the system allocator.

/// Allocations of at least this many bytes are mapped from the OS directly.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Makes large buffers (a flock's arrays: megabytes at 100,000 birds) come straight from the OS
/// and go back to it when freed or outgrown. glibc starts that way but raises its threshold to
/// the largest mapped buffer freed so far (up to 32 MiB: the spawn batch, the first grid), after
/// which grown and freed arrays stay resident in its heap: about 50 bytes per bird at 100,000
/// birds (`murmuration bench --scenario formed --boids 100000`, the `bytes/bird` column). Fixing
/// the threshold keeps it. No effect with other allocators.
pub fn return_large_frees() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a process-wide allocator parameter (under the allocator's lock).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
