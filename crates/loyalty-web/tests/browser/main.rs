//! The console and the portal in a real browser: Debian's Chromium driven over WebDriver
//! (chromedriver) against the real server on a loopback port. Each test writes
//! screenshots of the screens it walks to `docs/screenshots/`.

#![allow(clippy::unwrap_used)]

mod chrome;
mod console;
mod engagement;
mod every_screen;
mod portal;
mod program;
mod segments;
mod settings;
mod webhooks;
