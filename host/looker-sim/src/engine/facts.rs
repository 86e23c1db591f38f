//! Deterministic fact rows: every dimension value and measure contribution comes from the
//! row index and the field name.

use serde_json::{Value, json};

use super::FieldInfo;

/// A well-mixed number from a row index and a field name.
fn mix(i: usize, salt: &str) -> u64 {
    let mut z = salt.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    z = z.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn choose(i: usize, salt: &str, options: &[&str]) -> Value {
    Value::from(options[(mix(i, salt) % options.len() as u64) as usize])
}

/// The value of a dimension in fact row `i`.
pub(super) fn fact_value(f: &FieldInfo, i: usize) -> Value {
    let short = f.name.rsplit('.').next().unwrap_or_default();
    if f.ty.starts_with("date") {
        return Value::from(date_from_offset(mix(i, &f.name) % 366));
    }
    if f.ty == "number" {
        return if short == "id" {
            json!(i + 1)
        } else {
            json!(mix(i, &f.name) % 100)
        };
    }
    match short {
        "status" => choose(
            i,
            &f.name,
            &["complete", "pending", "cancelled", "returned"],
        ),
        "region" => choose(i, &f.name, &["North", "South", "East", "West", "Central"]),
        "email" => Value::from(format!("user{}@example.com", mix(i, &f.name) % 12 + 1)),
        "first_name" => choose(
            i,
            &f.name,
            &["Ada", "Alice", "Bob", "Chen", "Dana", "Eve", "Femi", "Gita"],
        ),
        "country" => choose(
            i,
            &f.name,
            &["USA", "Canada", "Germany", "Japan", "Brazil", "India"],
        ),
        "channel" => choose(
            i,
            &f.name,
            &["search", "social", "email", "display", "video"],
        ),
        "name" => Value::from(format!("Campaign {}", i % 12 + 1)),
        _ => Value::from(format!("{} {}", f.label, mix(i, &f.name) % 10 + 1)),
    }
}

pub(super) fn aggregate(f: &FieldInfo, members: &[usize]) -> Value {
    let amount = |i: usize| (mix(i, &f.name) % 50_000) as f64 / 100.0 + 20.0;
    match f.ty.as_str() {
        "sum" => json!((members.iter().map(|&i| amount(i)).sum::<f64>() * 100.0).round() / 100.0),
        "average" if !members.is_empty() => {
            let avg = members.iter().map(|&i| amount(i)).sum::<f64>() / members.len() as f64;
            json!((avg * 100.0).round() / 100.0)
        }
        _ => json!(
            members
                .iter()
                .map(|&i| 1 + mix(i, &f.name) % 9)
                .sum::<u64>()
        ),
    }
}

/// `2024-01-01` plus `days`.
fn date_from_offset(days: u64) -> String {
    const MONTHS: [u64; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut rest = days % 366;
    for (m, len) in MONTHS.iter().enumerate() {
        if rest < *len {
            return format!("2024-{:02}-{:02}", m + 1, rest + 1);
        }
        rest -= len;
    }
    "2024-12-31".into()
}
