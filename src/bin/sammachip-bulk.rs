//! `sammachip-bulk`: the same program as `sammachip`, built with mimalloc. The
//! `sammachip` binary hands it `import`, `restore`, `demo`, `backup` and
//! `check`, which read or write the whole store: an import spends about two
//! fifths of its time in glibc's allocator (sled copies a leaf on every
//! insert), and mimalloc takes a sixth to a half off their time. The
//! screens stay on the system allocator, which keeps them in less memory.

#[cfg(unix)]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sammachip::cli::main(sammachip::cli::helper::Role::Bulk)
}
