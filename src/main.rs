use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = crmclean::cli::Cli::parse();
    match crmclean::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("crmclean: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
