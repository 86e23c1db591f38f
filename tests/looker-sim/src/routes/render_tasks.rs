//! Render tasks: create one for a query, look, dashboard or dashboard element, poll it until it
//! moves from `enqueued_for_query` through `querying`/`rendering` to `success` (or `failure`),
//! then download the image or PDF.
//!
//! Rendering takes a number of polls that grows with the pixel count (one more for PDFs), like
//! real renders take longer when they are bigger. The result is a small valid PNG, a JPEG or a
//! PDF padded to about three quarters of a byte per pixel, so a 4000×4000 render is bigger than
//! 10 MiB.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, now_timestamp};
use crate::engine;
use crate::http::{Body, Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new(
        "POST",
        "/render_tasks/queries/{query_id}/{result_format}",
        create_query_task,
    ),
    Route::new(
        "POST",
        "/render_tasks/looks/{look_id}/{result_format}",
        create_look_task,
    ),
    Route::new(
        "POST",
        "/render_tasks/dashboards/{dashboard_id}/{result_format}",
        create_dashboard_task,
    ),
    Route::new(
        "POST",
        "/render_tasks/dashboard_elements/{dashboard_element_id}/{result_format}",
        create_element_task,
    ),
    Route::new("GET", "/render_tasks/{render_task_id}", render_task),
    Route::new(
        "GET",
        "/render_tasks/{render_task_id}/results",
        render_task_results,
    ),
];

/// Keys kept on stored tasks that Looker does not show.
const PRIVATE: &[&str] = &["polls_left", "failure", "polls"];

fn tasks(world: &mut World) -> &mut Collection {
    world.collection("render_tasks", "id", Vec::new)
}

fn create_query_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("query_id").to_string();
    let Some(query) = world.queries.get(&id).cloned() else {
        return Resp::not_found();
    };
    let failure = engine::run(world, &query, None).err().map(failure_message);
    create(world, req, &["png", "jpg"], ("query_id", id), failure, None)
}

fn create_look_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("look_id").to_string();
    let Some(look) = world.looks.get(&id).filter(|l| l["deleted"] != true) else {
        return Resp::not_found();
    };
    let failure = look["query_id"]
        .as_str()
        .and_then(|q| world.queries.get(q))
        .and_then(|q| engine::run(world, q, None).err())
        .map(failure_message);
    create(world, req, &["png", "jpg"], ("look_id", id), failure, None)
}

fn create_dashboard_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("dashboard_id").to_string();
    if world
        .dashboards
        .get(&id)
        .is_none_or(|d| d["deleted"] == true)
    {
        return Resp::not_found();
    }
    let body = req.body_object();
    create(
        world,
        req,
        &["pdf", "png", "jpg"],
        ("dashboard_id", id),
        None,
        Some(body),
    )
}

fn create_element_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("dashboard_element_id").to_string();
    if world.dashboard_elements.get(&id).is_none() {
        return Resp::not_found();
    }
    create(
        world,
        req,
        &["png", "jpg"],
        ("dashboard_element_id", id),
        None,
        None,
    )
}

fn failure_message(resp: Resp) -> String {
    match resp.body {
        Body::Json(v) => v["message"].as_str().unwrap_or("Query failed").to_string(),
        _ => "Query failed".to_string(),
    }
}

fn create(
    world: &mut World,
    req: &Req,
    formats: &[&str],
    (key, id): (&str, String),
    failure: Option<String>,
    body: Option<Map<String, Value>>,
) -> Resp {
    let format = req.param("result_format");
    if !formats.contains(&format) {
        return Resp::bad_request(format!(
            "Unsupported result format: {format}. Use one of {}.",
            formats.join(", ")
        ));
    }
    let size = |name: &str| {
        req.query(name)
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|v| *v > 0)
    };
    let (Some(width), Some(height)) = (size("width"), size("height")) else {
        return Resp::validation(
            "Validation Failed",
            &[(
                "width",
                "invalid",
                "width and height must be positive integers".into(),
            )],
        );
    };
    let polls = 1 + width * height / 4_000_000 + u64::from(format == "pdf");
    let body = body.unwrap_or_default();
    let mut task = json!({
        "created_at": now_timestamp(), "finalized_at": null, "status": "enqueued_for_query",
        "status_detail": null, "result_format": format, "width": width, "height": height,
        "dashboard_id": null, "look_id": null, "lookml_dashboard_id": null, "query_id": null,
        "dashboard_element_id": null, "query_runtime": null, "render_runtime": null,
        "runtime": null, "user_id": req.caller().user_id,
        "dashboard_filters": body.get("dashboard_filters").cloned().unwrap_or(Value::Null),
        "dashboard_style": body.get("dashboard_style").cloned().unwrap_or(Value::Null),
        "can": {}, "polls_left": polls, "polls": 0, "failure": failure,
    });
    task[key] = Value::String(id);
    let Value::Object(task) = task else {
        unreachable!("a json! object")
    };
    let stored = tasks(world).insert(task);
    Resp::json(public(&stored))
}

/// The task as Looker shows it.
fn public(task: &Value) -> Value {
    let mut task = task.clone();
    if let Value::Object(map) = &mut task {
        for key in PRIVATE {
            map.remove(*key);
        }
    }
    task
}

fn render_task(world: &mut World, req: &Req) -> Resp {
    let Some(task) = tasks(world).get_mut(req.param("render_task_id")) else {
        return Resp::not_found();
    };
    let status = task["status"].as_str().unwrap_or_default().to_string();
    if status != "success" && status != "failure" {
        let polls = task["polls"].as_u64().unwrap_or(0) + 1;
        let left = task["polls_left"].as_u64().unwrap_or(1).saturating_sub(1);
        task["polls"] = polls.into();
        task["polls_left"] = left.into();
        let next = match (left, task["failure"].is_string(), polls) {
            (0, true, _) => "failure",
            (0, false, _) => "success",
            (_, _, 1) => "querying",
            _ => "rendering",
        };
        task["status"] = next.into();
        if left == 0 {
            task["finalized_at"] = now_timestamp().into();
            task["query_runtime"] = json!(0.4);
            task["render_runtime"] = json!(0.2 * polls as f64);
            task["runtime"] = json!(0.4 + 0.2 * polls as f64);
            task["status_detail"] = task["failure"].clone();
        }
    }
    Resp::json(public(task))
}

fn render_task_results(world: &mut World, req: &Req) -> Resp {
    let Some(task) = tasks(world).get(req.param("render_task_id")).cloned() else {
        return Resp::not_found();
    };
    match task["status"].as_str() {
        Some("success") => {}
        Some("failure") => {
            return Resp::bad_request(format!(
                "Render failed: {}",
                task["status_detail"].as_str().unwrap_or("unknown error")
            ));
        }
        _ => {
            return Resp {
                status: StatusCode::ACCEPTED,
                body: Body::Empty,
                headers: Vec::new(),
            };
        }
    }
    let (w, h) = (
        task["width"].as_u64().unwrap_or(1),
        task["height"].as_u64().unwrap_or(1),
    );
    let size = usize::try_from(w * h * 3 / 4).unwrap_or(usize::MAX);
    let (content_type, data) = match task["result_format"].as_str() {
        Some("pdf") => ("application/pdf", pdf(size)),
        Some("jpg") => ("image/jpeg", jpeg(size)),
        _ => ("image/png", png(size)),
    };
    Resp {
        status: StatusCode::OK,
        body: Body::Bytes { content_type, data },
        headers: Vec::new(),
    }
}

/// A valid 1×1 grey PNG with a private ancillary chunk padding it to about `size` bytes.
pub(crate) fn png(size: usize) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    };
    chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    let padding = size.saturating_sub(70);
    if padding > 0 {
        chunk(&mut out, b"siMu", &vec![0x5a; padding]);
    }
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A JPEG-framed byte string (SOI, comment segments, EOI) of about `size` bytes.
fn jpeg(size: usize) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    let mut left = size.saturating_sub(4);
    while left > 4 {
        let n = left.min(60_000);
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&((n + 2) as u16).to_be_bytes());
        out.extend(std::iter::repeat_n(b'.', n));
        left = left.saturating_sub(n + 4);
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A one-page PDF padded with comment lines to about `size` bytes.
fn pdf(size: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n"
        .to_vec();
    while out.len() + 80 < size {
        out.extend_from_slice(
            b"% looker-sim rendered dashboard ..........................................\n",
        );
    }
    out.extend_from_slice(b"trailer << /Root 1 0 R >>\n%%EOF\n");
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_is_well_formed() {
        let p = png(1000);
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(p.len() >= 1000 && p.len() < 1100, "{}", p.len());
        assert!(p.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND CRC");
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert!(jpeg(500).starts_with(&[0xFF, 0xD8]) && jpeg(500).ends_with(&[0xFF, 0xD9]));
        assert!(pdf(2000).starts_with(b"%PDF-"));
    }
}
