//! Every yes/no a plugin's policy decides, in one place: each `grant_*` answers `Ok` or says
//! why not. The limits a group's calls run under travel with its policy.

use std::time::Duration;

use super::policy::Policy;
use crate::bindings::wit_looker::RequestError;
use crate::looker::{self, Method};

/// Limits applied to every call of a component.
#[derive(Clone, Debug)]
pub struct CallLimits {
    pub memory_bytes: usize,
    pub cpu: Duration,
    pub wall: Duration,
    pub max_response_bytes: u64,
    pub max_result_bytes: usize,
}

impl CallLimits {
    /// The limits a third-party plugin's policy grants (the wall-clock limit is the server's).
    pub fn from_policy(policy: &Policy, wall: Duration) -> Self {
        const MIB: usize = 1024 * 1024;
        Self {
            memory_bytes: policy.memory_mb as usize * MIB,
            cpu: Duration::from_millis(u64::from(policy.cpu_ms)),
            wall,
            max_response_bytes: u64::from(policy.max_response_mb) * MIB as u64,
            max_result_bytes: policy.max_result_mb as usize * MIB,
        }
    }
}

/// What one group's calls may do, and within which limits.
#[derive(Debug)]
pub struct Grant {
    pub policy: Policy,
    pub limits: CallLimits,
}

impl Grant {
    /// A request: a well-formed path first (else `invalid-request`), then the policy's
    /// methods, paths and dev mode (else `denied`).
    pub fn grant_request(
        &self,
        method: Method,
        path: &str,
        dev_mode: bool,
    ) -> Result<(), RequestError> {
        looker::path::validate(path).map_err(|e| RequestError::InvalidRequest(e.to_string()))?;
        self.policy
            .check(method, path)
            .map_err(RequestError::Denied)?;
        if dev_mode {
            self.grant_dev_mode().map_err(RequestError::Denied)?;
        }
        Ok(())
    }

    /// The dev workspace (`dev-mode` requests, `use-branch`).
    pub fn grant_dev_mode(&self) -> Result<(), String> {
        if self.policy.dev_mode {
            Ok(())
        } else {
            Err("this plugin's policy does not grant dev mode".into())
        }
    }

    /// `act-as-user` (whether the caller may is the identity rule's business, not the plugin's).
    pub fn grant_act_as_user(&self) -> Result<(), String> {
        if self.policy.act_as_user {
            Ok(())
        } else {
            Err("this plugin's policy does not grant act_as_user".into())
        }
    }
}
