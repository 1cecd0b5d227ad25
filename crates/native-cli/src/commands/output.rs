//! The last step of every command: its result on stdout, in one piece.

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::failure::{Exit, Failure};

/// Writes the command's result to stdout in one piece. A closed pipe (`ssocreds … | head -1`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(
            Exit::Write,
            format!("cannot write to standard output: {e}"),
        )),
        _ => Ok(()),
    }
}

/// `expires in …` or `expired … ago`, for messages.
pub fn describe(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    crate::token_files::describe_expiry(at, now)
}
