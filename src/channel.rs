//! Channels: what carries a step of a path (`docs/queries.md`, Channels; semantics §10, Rule → channel).
//! Shared by the query language (`avoiding CHANNEL`) and the access graph (every rule instance has one).

use std::fmt;

/// The channel of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// Group membership.
    Membership,
    /// A control-plane action through Azure Resource Manager (including ARM actions that return secrets).
    Arm,
    /// An Entra-authorised request to a resource's data plane.
    Data,
    /// Presenting a key, SAS, endpoint key or client secret.
    Credential,
    /// The Azure ML service acts for the caller.
    AzureMl,
    /// Taking the token of an identity from where code runs.
    Identity,
    /// A login to a node with a key.
    Ssh,
    /// Code that a pushed image or tampered code runs.
    SupplyChain,
    /// Directory operations (app credentials, federated credentials).
    Entra,
}

impl Channel {
    /// Every channel, in a fixed order.
    pub const ALL: [Channel; 9] = [
        Channel::Membership,
        Channel::Arm,
        Channel::Data,
        Channel::Credential,
        Channel::AzureMl,
        Channel::Identity,
        Channel::Ssh,
        Channel::SupplyChain,
        Channel::Entra,
    ];

    /// The channel's name in queries and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Membership => "membership",
            Channel::Arm => "arm",
            Channel::Data => "data",
            Channel::Credential => "credential",
            Channel::AzureMl => "azureml",
            Channel::Identity => "identity",
            Channel::Ssh => "ssh",
            Channel::SupplyChain => "supply-chain",
            Channel::Entra => "entra",
        }
    }

    /// A channel by name (case-insensitive).
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
