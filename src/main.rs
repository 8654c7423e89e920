//! `sammachip`: the screens, the SSH server and every command, on the system's
//! memory allocator (the least memory for the screens).

fn main() -> std::process::ExitCode {
    sammachip::cli::main(sammachip::cli::helper::Role::Main)
}
