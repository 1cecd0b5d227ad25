//! `ssocreds man`: one man page, made by clap_mangen from the clap definitions `--help` uses, so the two never
//! disagree.
//!
//! clap_mangen renders a command's page (synopsis, description, options, the list of subcommands, the exit codes of
//! `after_help`); its `generate_to` would write one more page per subcommand, as git does. A single page is what
//! `man ssocreds` finds and what `ssocreds man > …/ssocreds.1` installs, so this one carries every subcommand too:
//! after the main page's sections, a COMMANDS section with one subsection per subcommand (its description, synopsis
//! and options), rendered by clap_mangen as well.

use clap::CommandFactory;
use clap_mangen::Man;

use super::output;
use crate::cli::Cli;
use crate::failure::{Exit, Failure};

pub fn run() -> Result<(), Failure> {
    let page = render().map_err(|e| Failure::new(Exit::Internal, format!("cannot render the man page: {e}")))?;
    output::print_stdout(&page)
}

/// The whole page, as roff.
pub fn render() -> std::io::Result<String> {
    let mut command = Cli::command();
    command.build();
    let man = Man::new(command.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let mut page = String::from_utf8_lossy(&page).into_owned();
    page.push_str(".SH COMMANDS\n");
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        page.push_str(&subcommand_section(sub)?);
    }
    let mut tail = Vec::new();
    man.render_extra_section(&mut tail)?;
    man.render_version_section(&mut tail)?;
    page.push_str(&String::from_utf8_lossy(&tail).replace(".SH EXTRA", ".SH \"EXIT STATUS\""));
    Ok(ascii_only(&page))
}

/// roff reads bytes, not UTF-8 (groff warns "invalid input character" unless preconv runs first): every other
/// character becomes groff's `\[uXXXX]` escape, which man-db and mandoc both render.
fn ascii_only(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}

/// One subcommand as a subsection: `.SS "ssocreds export"`, its long description, its synopsis, its options, and
/// its own `after_help` (exit codes and notes). clap_mangen writes each part under a `.SH` heading of its own; those
/// headings become paragraphs here.
fn subcommand_section(sub: &clap::Command) -> std::io::Result<String> {
    let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_owned();
    let man = Man::new(sub.clone());
    let mut parts = Vec::new();
    man.render_description_section(&mut parts)?;
    man.render_synopsis_section(&mut parts)?;
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut parts)?;
    }
    if sub.get_after_help().is_some() || sub.get_after_long_help().is_some() {
        man.render_extra_section(&mut parts)?;
    }
    let parts = String::from_utf8_lossy(&parts);
    let mut section = format!(".SS \"{name}\"\n");
    for line in parts.lines() {
        match line.strip_prefix(".SH ") {
            Some("DESCRIPTION") | Some("EXTRA") => section.push_str(".PP\n"),
            Some(heading) => {
                let heading = heading.trim_matches('"');
                let mut title = heading[..1].to_owned();
                title.push_str(&heading[1..].to_ascii_lowercase());
                section.push_str(&format!(".PP\n\\fB{title}:\\fR\n"));
            }
            None => {
                section.push_str(line);
                section.push('\n');
            }
        }
    }
    Ok(section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_every_visible_subcommand_and_only_ascii() {
        let page = render().unwrap();
        assert!(page.is_ascii());
        for name in ["login", "export", "console", "completions", "man", "populate"] {
            assert!(page.contains(&format!(".SS \"ssocreds {name}\"")), "{name}");
        }
        assert!(page.contains(".SH \"EXIT STATUS\""));
        assert!(!page.contains("ssocreds\\-login(1)"));
        assert!(page.contains("\\[u2026]"), "the ellipsis of login's help is escaped");
    }
}
