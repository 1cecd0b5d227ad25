//! `ssocreds`: turn an AWS IAM Identity Center (SSO) sign-in into temporary role credentials.
//!
//! This binary is the I/O shell around `sso-core`: it reads files, the clock and the environment, sends the
//! requests the core builds, and prints what the core formats.

mod browser;
mod cli;
mod commands;
mod environment;
mod failure;
mod files;
mod log;
mod platform;
mod token_files;
mod transport;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::log::Log;

fn main() -> ExitCode {
    // A Tab in a shell with `ssocreds completions` loaded: answer it and exit.
    commands::completions::complete_if_asked();
    let cli = Cli::parse();
    let log = Log {
        verbose: cli.verbose,
        quiet: cli.quiet,
    };
    let result = match &cli.command {
        Command::Login(args) => commands::login::run(args, &log),
        Command::Logout(args) => commands::logout::run(args, &log),
        Command::Export(args) => commands::export::run(args, &log),
        Command::Process(args) => commands::process::run(args, &log),
        Command::Write(args) => commands::write::run(args, &log),
        Command::Exec(args) => commands::exec::run(args, &log),
        Command::Token(args) => commands::token::run(args, &log),
        Command::Accounts(args) => commands::discover::accounts(args, &log),
        Command::Roles(args) => commands::discover::roles(args, &log),
        Command::Populate(args) => commands::populate::run(args, &log),
        Command::Console(args) => commands::console::run(args, &log),
        Command::Completions(args) => commands::completions::run(args),
        Command::Man => commands::man::run(),
        Command::Serve(args) => commands::serve::run(args, &log),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("ssocreds: error: {}", failure.message);
            ExitCode::from(failure.exit.code())
        }
    }
}
