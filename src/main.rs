fn main() -> std::process::ExitCode {
    branchdesk::cli::main()
}
