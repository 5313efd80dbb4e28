//! Azure Resource Manager ids: `/subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME[/TYPE/NAME…]`.

/// The parts of a resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmId {
    /// The subscription id.
    pub subscription: String,
    /// The resource group, when the id is inside one.
    pub group: Option<String>,
    /// The provider namespace (`Microsoft.Storage`).
    pub namespace: Option<String>,
    /// Type and name pairs, outermost first (`[("workspaces", "w"), ("computes", "c")]`).
    pub types: Vec<(String, String)>,
}

impl ArmId {
    /// Parses an id; `None` when it is not under a subscription.
    pub fn parse(id: &str) -> Option<ArmId> {
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        let mut it = parts.iter();
        if !it.next()?.eq_ignore_ascii_case("subscriptions") {
            return None;
        }
        let subscription = (*it.next()?).to_string();
        let mut out = ArmId {
            subscription,
            group: None,
            namespace: None,
            types: Vec::new(),
        };
        while let Some(k) = it.next() {
            if k.eq_ignore_ascii_case("resourceGroups") {
                out.group = it.next().map(|s| (*s).to_string());
            } else if k.eq_ignore_ascii_case("providers") {
                out.namespace = it.next().map(|s| (*s).to_string());
                while let (Some(t), Some(n)) = (it.next(), it.next()) {
                    out.types.push(((*t).to_string(), (*n).to_string()));
                }
            }
        }
        Some(out)
    }

    /// The name of the innermost resource.
    pub fn name(&self) -> Option<&str> {
        self.types.last().map(|(_, n)| n.as_str())
    }

    /// The name under a type (`subnets` → the subnet's name), case-insensitively.
    pub fn name_of(&self, kind: &str) -> Option<&str> {
        self.types
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(kind))
            .map(|(_, n)| n.as_str())
    }

    /// The id of the resource the innermost one belongs to (a compute's workspace, a subnet's VNet).
    pub fn parent_id(id: &str) -> Option<String> {
        let trimmed = id.trim_end_matches('/');
        let cut = trimmed.rfind('/')?;
        let cut = trimmed.get(..cut)?.rfind('/')?;
        trimmed.get(..cut).map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::ArmId;

    #[test]
    fn parses_nested_ids() {
        let id =
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c";
        let a = ArmId::parse(id).unwrap();
        assert_eq!(a.subscription, "s1");
        assert_eq!(a.group.as_deref(), Some("rg"));
        assert_eq!(a.namespace.as_deref(), Some("Microsoft.MachineLearningServices"));
        assert_eq!(a.name(), Some("c"));
        assert_eq!(a.name_of("WORKSPACES"), Some("w"));
        assert_eq!(
            ArmId::parent_id(id).as_deref(),
            Some("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w")
        );
        assert!(ArmId::parse("/providers/Microsoft.Management/managementGroups/mg").is_none());
    }
}
