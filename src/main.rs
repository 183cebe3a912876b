// The bulk paths (demo data, imports) allocate millions of small strings; mimalloc handles
// that churn markedly better than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    branchdesk::cli::main()
}
