//! Row limits of tools that run queries: what the caller asked for, capped by the server's
//! `LOOKER_MAX_ROWS` ([`Context::max_rows`]).
//!
//! ```
//! use looker_mcp_plugin_sdk::{Context, rows};
//!
//! let ctx = Context::from_settings([("max_rows", "100")]);
//! assert_eq!(rows::capped_limit(500, &ctx), Ok(100));
//! assert_eq!(rows::capped_limit(5, &ctx), Ok(5));
//! assert!(rows::capped_limit(0, &ctx).is_err());
//! ```

use crate::{Context, ToolError};

/// The row limit to send to Looker: `limit` as asked, at most [`Context::max_rows`]. A limit
/// below 1 is [`ToolError::InvalidArguments`] (``"`limit`: must be at least 1"``), before
/// anything reaches Looker.
pub fn capped_limit(limit: i64, ctx: &Context) -> Result<u32, ToolError> {
    if limit < 1 {
        return Err(ToolError::invalid_arguments("`limit`: must be at least 1"));
    }
    Ok(u32::try_from(limit).unwrap_or(u32::MAX).min(ctx.max_rows()))
}
