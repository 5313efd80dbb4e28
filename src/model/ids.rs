//! Typed indexes into the model's tables, so a principal index can never be used as a resource index.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for table look-ups.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the `i`-th entry of a table.
            pub fn from_index(i: usize) -> Self {
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }
        }
    };
}

id_type!(
    /// A principal: user, group, service principal or managed identity.
    PrincipalId
);
id_type!(
    /// A resource (resource groups included).
    ResourceId
);
id_type!(
    /// A role definition (built-in or custom).
    RoleId
);
id_type!(
    /// A role assignment.
    AssignmentId
);
id_type!(
    /// A deny assignment.
    DenyId
);
id_type!(
    /// A credential held outside RBAC.
    CredentialId
);
id_type!(
    /// A network location.
    LocationId
);
id_type!(
    /// A virtual network.
    VnetId
);
id_type!(
    /// A subnet.
    SubnetId
);
id_type!(
    /// A network security group.
    NsgId
);
id_type!(
    /// A private endpoint.
    PrivateEndpointId
);
