//! Ctrl-C during a sign-in: a message and exit code 130 at once, except while a cache file is being written.
//!
//! Without a handler the process would also die at once, and the atomic writes already guarantee that no file is
//! ever half-written. The handler adds a message, an exit code that says "cancelled", and the promise that no
//! temporary file is left behind: it takes the same lock as the writes, so it either waits for a write to finish
//! or keeps a write from starting, and it exits while holding the lock.

use std::sync::{Mutex, PoisonError};

use crate::failure::{Exit, Failure};

/// Whether the sign-in is complete (the token file written): from then on Ctrl-C no longer cancels it.
static SIGNED_IN: Mutex<bool> = Mutex::new(false);

pub fn install() -> Result<(), Failure> {
    ctrlc::set_handler(|| {
        let signed_in = SIGNED_IN.lock().unwrap_or_else(PoisonError::into_inner);
        if *signed_in {
            return;
        }
        eprintln!("\nssocreds: sign-in cancelled (Ctrl-C); the token cache was not changed");
        std::process::exit(Exit::Cancelled as i32);
    })
    .map_err(|e| Failure::new(Exit::Internal, format!("cannot set up the Ctrl-C handler: {e}")))
}

/// Runs a file write that Ctrl-C must not interrupt. `completes_sign_in` marks the sign-in as done once the write
/// has succeeded.
pub fn uninterrupted<T>(completes_sign_in: bool, write: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    let mut signed_in = SIGNED_IN.lock().unwrap_or_else(PoisonError::into_inner);
    let result = write();
    if completes_sign_in && result.is_ok() {
        *signed_in = true;
    }
    result
}
