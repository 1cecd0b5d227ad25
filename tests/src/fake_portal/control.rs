//! The control plane under `/__fake/`, for tests that drive the server over HTTP (the Node tests and the
//! `fake-portal` binary): replace the config, read the recorded requests and the counters. Its own requests
//! are neither recorded nor subject to latency or faults.

use super::config::PortalConfig;
use super::errors::to_json;
use super::http::{Request, Response};
use super::state::Shared;

/// Paths under this prefix belong to the control plane.
pub(crate) const PREFIX: &str = "/__fake/";

fn message(status: u16, text: &str) -> Response {
    Response::json(status, to_json(&serde_json::json!({ "message": text })))
}

pub(crate) fn handle(shared: &Shared, request: &Request) -> Response {
    let route = request.path.strip_prefix(PREFIX).unwrap_or_default();
    match (request.method.as_str(), route) {
        ("POST" | "PUT", "config") => match serde_json::from_slice::<PortalConfig>(&request.body) {
            Ok(config) => {
                shared.lock().set_config(config);
                Response::json(200, "{}".into())
            }
            Err(e) => message(400, &format!("invalid config: {e}")),
        },
        ("GET", "config") => Response::json(200, to_json(&shared.lock().config)),
        ("GET", "requests") => Response::json(200, to_json(&shared.lock().requests)),
        ("DELETE", "requests") => {
            shared.lock().requests.clear();
            Response::json(200, "{}".into())
        }
        ("GET", "state") => Response::json(200, to_json(&shared.lock().stats)),
        (_, "config" | "requests" | "state") => message(405, "method not allowed"),
        _ => message(404, &format!("no control route {}", request.path)),
    }
}
