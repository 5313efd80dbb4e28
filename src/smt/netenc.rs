//! The network question as bit-vector constraints: can some packet (source address, NATed source,
//! destination address, source port; TCP to the path's port) from an origin get through a path? The same
//! semantics as `network::eval`, written as constraints: NSG rules first-match by priority, every
//! firewall rule a constraint, each component tracked so an unsatisfiable core names what blocks.

use z3::ast::{Ast, BV, Bool};
use z3::{Params, SatResult, Solver};

use crate::model::network::{Access, AddressMatch, Cidr, Direction, Nsg, PortRange, Protocol, ServiceTag};
use crate::model::resource::{DefaultAction, ManagedNetwork, NetworkAcls, PublicAccess};
use crate::model::{Model, Props, ResourceKind, SubnetId};
use crate::network::{
    AZURE_LOAD_BALANCER, NON_PUBLIC, Origin, Packet, Path, PathKind, Source, all_vnet_space, connected_vnets,
    gateway_locations, node_subnet, service_endpoint_name, source_ranges, subnet_nsg, virtual_network_tag, vnet_of,
};

/// The outcome of one (origin, path) question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A packet that gets through.
    Packet(Packet),
    /// No packet does; the labels of the components in the unsatisfiable core.
    Blocked(Vec<String>),
    /// The solver gave up (timeout); the reason.
    Unknown(String),
}

fn cidr(a: &BV, c: Cidr) -> Bool {
    if c.len == 0 {
        return Bool::from_bool(true);
    }
    let hi = 31;
    let lo = 32 - u32::from(c.len);
    a.extract(hi, lo)
        .eq(BV::from_u64(u64::from(c.addr >> lo), u32::from(c.len)))
}

fn within(a: &BV, list: &[Cidr]) -> Bool {
    let parts: Vec<Bool> = list.iter().map(|c| cidr(a, *c)).collect();
    Bool::or(&parts)
}

fn azure_public(m: &Model, a: &BV) -> Bool {
    let locations: Vec<Cidr> = m
        .locations
        .iter()
        .filter(|l| !l.ranges.iter().chain(l.egress.iter()).any(|c| c.len == 0))
        .flat_map(|l| l.ranges.iter().chain(l.egress.iter()).copied())
        .collect();
    Bool::and(&[
        within(a, &NON_PUBLIC).not(),
        within(a, &all_vnet_space(m)).not(),
        within(a, &locations).not(),
    ])
}

fn public(m: &Model, a: &BV) -> Bool {
    Bool::and(&[within(a, &NON_PUBLIC).not(), within(a, &all_vnet_space(m)).not()])
}

fn port_in(p: &BV, r: crate::model::network::PortRange) -> Bool {
    Bool::and(&[
        p.bvuge(BV::from_u64(u64::from(r.from), 16)),
        p.bvule(BV::from_u64(u64::from(r.to), 16)),
    ])
}

fn address(m: &Model, am: &AddressMatch, a: &BV, vnet_tag: &[Cidr], allow: bool, azure: &Bool) -> Bool {
    match am {
        AddressMatch::Any => Bool::from_bool(true),
        AddressMatch::Cidr(c) => cidr(a, *c),
        AddressMatch::Location(l) => {
            let loc = m.location(*l);
            let all: Vec<Cidr> = loc.ranges.iter().chain(loc.egress.iter()).copied().collect();
            within(a, &all)
        }
        AddressMatch::Tag(ServiceTag::VirtualNetwork) => within(a, vnet_tag),
        AddressMatch::Tag(ServiceTag::Internet) => within(a, &all_vnet_space(m)).not(),
        AddressMatch::Tag(ServiceTag::AzureLoadBalancer) => cidr(a, AZURE_LOAD_BALANCER),
        AddressMatch::Tag(ServiceTag::Other(name)) => {
            if name.to_lowercase().starts_with("azuremachinelearning") {
                Bool::or(&[azure.clone(), Bool::from_bool(allow)])
            } else {
                Bool::from_bool(allow)
            }
        }
    }
}

/// The packet symbols.
struct Sym {
    src: BV,
    nat: BV,
    dst: BV,
    sport: BV,
    dport: u16,
}

#[expect(
    clippy::too_many_arguments,
    reason = "mirrors network::eval::nsg argument for argument"
)]
fn nsg(
    m: &Model,
    n: &Nsg,
    dir: Direction,
    s: &Sym,
    src: &BV,
    dst: &BV,
    at: SubnetId,
    src_azure: &Bool,
    dst_azure: &Bool,
) -> Bool {
    let vnet_tag = vnet_of(m, at).map(|v| virtual_network_tag(m, v)).unwrap_or_default();
    let dport = BV::from_u64(u64::from(s.dport), 16);
    let mut earlier: Vec<Bool> = Vec::new();
    let mut allows: Vec<Bool> = Vec::new();
    for r in n.rules.iter().filter(|r| r.direction == dir) {
        let allow = r.access == Access::Allow;
        let proto = Bool::from_bool(matches!(r.protocol, Protocol::Any | Protocol::Tcp));
        let srcs: Vec<Bool> = r
            .source
            .iter()
            .map(|a| address(m, a, src, &vnet_tag, allow, src_azure))
            .collect();
        let sports: Vec<Bool> = r.source_ports.iter().map(|p| port_in(&s.sport, *p)).collect();
        let dsts: Vec<Bool> = r
            .destination
            .iter()
            .map(|a| address(m, a, dst, &vnet_tag, allow, dst_azure))
            .collect();
        let dports: Vec<Bool> = r.destination_ports.iter().map(|p| port_in(&dport, *p)).collect();
        let matched = Bool::and(&[
            proto,
            Bool::or(&srcs),
            Bool::or(&sports),
            Bool::or(&dsts),
            Bool::or(&dports),
        ]);
        if allow {
            let mut parts = vec![matched.clone()];
            parts.extend(earlier.iter().map(|e| e.not()));
            allows.push(Bool::and(&parts));
        }
        earlier.push(matched);
    }
    Bool::or(&allows)
}

/// The constraints of one (origin, path) question, each with a label for unsatisfiable cores.
fn constraints(m: &Model, origin: Origin, path: &Path, s: &Sym) -> Vec<(String, Bool)> {
    let mut out: Vec<(String, Bool)> = Vec::new();
    let ranges = source_ranges(m, origin, path);
    let src_azure = ranges.is_none();
    let src_label = format!("source: {}", crate::network::source_text(m, origin.source));
    match &ranges {
        Some(list) => out.push((src_label, within(&s.src, list))),
        None => out.push((src_label, azure_public(m, &s.src))),
    }
    let public_path = matches!(path.kind, PathKind::Public | PathKind::NodePublic);
    let nat = matches!(origin.source, Source::Subnet(_)) && public_path;
    if nat {
        out.push(("outbound NAT to a public Azure address".into(), azure_public(m, &s.nat)));
    }
    let seen = if nat { s.nat.clone() } else { s.src.clone() };
    let seen_azure = Bool::from_bool(src_azure || nat);
    if let Source::Subnet(sub) = origin.source
        && let Some(n) = subnet_nsg(m, sub)
    {
        let dst_azure = if public_path {
            azure_public(m, &s.dst)
        } else {
            Bool::from_bool(false)
        };
        out.push((
            nsg_label(m, n, Direction::Outbound, sub),
            nsg(
                m,
                n,
                Direction::Outbound,
                s,
                &s.src,
                &s.dst,
                sub,
                &Bool::from_bool(false),
                &dst_azure,
            ),
        ));
    }
    match path.kind {
        PathKind::Public => {
            out.push((public_address_label(path).into(), public(m, &s.dst)));
            match managed(m, origin, path) {
                Some((label, true)) => out.push((label, Bool::from_bool(true))),
                Some((label, false)) => out.push((label, Bool::from_bool(false))),
                None => out.push(firewall(m, origin, path, &seen, &seen_azure)),
            }
        }
        PathKind::Private(pe_id) => {
            if let Some(pe) = m.network.private_endpoint(pe_id)
                && let Some(sub) = m.network.subnet(pe.subnet)
            {
                let dst = match pe.ip {
                    Some(ip) => s.dst.eq(BV::from_u64(u64::from(ip), 32)),
                    None => cidr(&s.dst, sub.prefix),
                };
                out.push((format!("address of private endpoint {}", pe.name), dst));
                let (label, ok) = route(m, origin, pe.subnet);
                out.push((label, Bool::from_bool(ok)));
                if sub.private_endpoint_network_policies
                    && let Some(n) = subnet_nsg(m, pe.subnet)
                {
                    out.push((
                        nsg_label(m, n, Direction::Inbound, pe.subnet),
                        nsg(
                            m,
                            n,
                            Direction::Inbound,
                            s,
                            &s.src,
                            &s.dst,
                            pe.subnet,
                            &Bool::from_bool(false),
                            &Bool::from_bool(false),
                        ),
                    ));
                }
            }
        }
        PathKind::NodePrivate(sub_id) => {
            if let Some(sub) = m.network.subnet(sub_id) {
                out.push(("an address of the node's subnet".into(), cidr(&s.dst, sub.prefix)));
                let (label, ok) = route(m, origin, sub_id);
                out.push((label, Bool::from_bool(ok)));
                if let Some(n) = subnet_nsg(m, sub_id) {
                    out.push((
                        nsg_label(m, n, Direction::Inbound, sub_id),
                        nsg(
                            m,
                            n,
                            Direction::Inbound,
                            s,
                            &s.src,
                            &s.dst,
                            sub_id,
                            &Bool::from_bool(false),
                            &Bool::from_bool(false),
                        ),
                    ));
                }
            }
        }
        PathKind::NodePublic => {
            out.push((public_address_label(path).into(), public(m, &s.dst)));
            if let Some((label, ok)) = managed(m, origin, path)
                && !ok
            {
                out.push((label, Bool::from_bool(false)));
            }
            if let Some(sub_id) = node_subnet(m, path.endpoint.resource())
                && let Some(n) = subnet_nsg(m, sub_id)
            {
                let node_addr = BV::from_u64(u64::from(m.network.subnet(sub_id).map_or(0, |x| x.prefix.addr)), 32);
                out.push((
                    nsg_label(m, n, Direction::Inbound, sub_id),
                    nsg(
                        m,
                        n,
                        Direction::Inbound,
                        s,
                        &seen,
                        &node_addr,
                        sub_id,
                        &seen_azure,
                        &Bool::from_bool(false),
                    ),
                ));
            }
        }
    }
    out
}

/// Whether the origin can route into the subnet's VNet (a constant of the question), with its label.
fn route(m: &Model, origin: Origin, to: SubnetId) -> (String, bool) {
    let Some(v) = vnet_of(m, to) else {
        return ("route".into(), false);
    };
    let vname = m
        .network
        .vnets
        .get(v.index())
        .map_or("?", |x| x.name.as_str())
        .to_string();
    let ok = match origin.source {
        Source::Location(l) => gateway_locations(m, v).contains(&l),
        Source::Subnet(s) => vnet_of(m, s).is_some_and(|u| connected_vnets(m, v).contains(&u)),
        _ => false,
    };
    (
        format!(
            "route from {} into {vname}",
            crate::network::source_text(m, origin.source)
        ),
        ok,
    )
}

fn managed(m: &Model, origin: Origin, path: &Path) -> Option<(String, bool)> {
    let Source::Managed(w, mode) = origin.source else {
        return None;
    };
    let target = path.endpoint.resource();
    let own = match &m.resource(w).props {
        Props::Workspace(p) => [p.storage_account, p.key_vault, p.container_registry, Some(w)].contains(&Some(target)),
        _ => false,
    };
    let name = &m.resource(w).name;
    if own && path.kind == PathKind::Public {
        return Some((
            format!("managed private endpoint of the managed network of {name}"),
            true,
        ));
    }
    (mode == ManagedNetwork::AllowOnlyApprovedOutbound).then(|| {
        (
            format!("the managed network of {name} allows only approved outbound traffic"),
            false,
        )
    })
}

fn acls(m: &Model, a: &NetworkAcls, origin: Origin, path: &Path, seen: &BV, seen_azure: &Bool) -> Bool {
    if a.default_action == DefaultAction::Allow {
        return Bool::from_bool(true);
    }
    let ip = Bool::and(&[seen_azure.not(), within(seen, &a.ip_rules)]);
    Bool::or(&[ip, Bool::from_bool(acls_bypass(m, a, origin, path))])
}

/// Whether a firewall's virtual network rules or resource rules admit the origin, whatever its
/// address (a constant of the question).
fn acls_bypass(m: &Model, a: &NetworkAcls, origin: Origin, path: &Path) -> bool {
    let vnet = match origin.source {
        Source::Subnet(s) => {
            a.virtual_network_rules.contains(&s)
                && service_endpoint_name(m, path.endpoint).is_some_and(|svc| {
                    m.network
                        .subnet(s)
                        .is_some_and(|x| x.service_endpoints.iter().any(|e| e.eq_ignore_ascii_case(svc)))
                })
        }
        _ => false,
    };
    let resource = origin.resource.is_some_and(|r| {
        a.resource_access_rules.contains(&r)
            || (a.bypass_azure_services && m.resource(r).kind == ResourceKind::Workspace)
    });
    vnet || resource
}

fn firewall(m: &Model, origin: Origin, path: &Path, seen: &BV, seen_azure: &Bool) -> (String, Bool) {
    let target = path.endpoint.resource();
    let label = firewall_label(m, target);
    let ip_only = |rules: &[Cidr]| {
        if rules.is_empty() {
            Bool::from_bool(true)
        } else {
            Bool::and(&[seen_azure.not(), within(seen, rules)])
        }
    };
    let cond = match &m.resource(target).props {
        Props::Storage(s) if s.public_network_access == PublicAccess::Enabled => {
            acls(m, &s.network_acls, origin, path, seen, seen_azure)
        }
        Props::KeyVault(v) if v.public_network_access == PublicAccess::Enabled => {
            acls(m, &v.network_acls, origin, path, seen, seen_azure)
        }
        Props::Registry(r) if r.public_network_access == PublicAccess::Enabled => {
            if r.default_action == DefaultAction::Allow {
                Bool::from_bool(true)
            } else {
                Bool::and(&[seen_azure.not(), within(seen, &r.ip_rules)])
            }
        }
        Props::Workspace(w) if w.public_network_access == PublicAccess::Enabled => ip_only(&w.ip_rules),
        Props::Endpoint(e) if e.public_network_access == PublicAccess::Enabled => {
            match m.resource(target).parent.map(|w| &m.resource(w).props) {
                Some(Props::Workspace(w)) => ip_only(&w.ip_rules),
                _ => Bool::from_bool(true),
            }
        }
        _ => Bool::from_bool(false),
    };
    (label, cond)
}

/// The label of the part that says a public path's destination is a public address.
fn public_address_label(path: &Path) -> &'static str {
    if path.kind == PathKind::NodePublic {
        "the node's public address"
    } else {
        "a public endpoint's address"
    }
}

fn nsg_label(m: &Model, n: &Nsg, dir: Direction, at: SubnetId) -> String {
    let d = match dir {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    };
    format!("NSG {} {d} on {}", n.name, m.network.subnet_name(at))
}

fn firewall_label(m: &Model, target: crate::model::ResourceId) -> String {
    format!(
        "firewall of {} ({})",
        m.resource_display(target),
        firewall_summary(m, target)
    )
}

/// Whether an NSG lets no packet of the question through, whatever its addresses and source port:
/// every allow rule is for another protocol or port (or, with `public` addresses, for a destination
/// that is never public), or comes after a deny rule that matches every such packet. `public` is the
/// set of public addresses when the question's destination is one (the outbound NSG of a subnet on
/// the way to a public endpoint). (An allow rule whose addresses no packet can have is not always seen
/// here; the solver still finds it.)
fn nsg_admits_nothing(n: &Nsg, dir: Direction, port: u16, public: Option<&Private>) -> bool {
    for r in n.rules.iter().filter(|r| r.direction == dir) {
        let applies =
            matches!(r.protocol, Protocol::Any | Protocol::Tcp) && r.destination_ports.iter().any(|p| p.contains(port));
        if !applies {
            continue;
        }
        let allow = r.access == Access::Allow;
        // Whether the rule's destinations match every destination (`Some(true)`) or none
        // (`Some(false)`) of the question.
        let destination = match public {
            None => r.destination.contains(&AddressMatch::Any).then_some(true),
            Some(private) => public_destination(&r.destination, allow, private),
        };
        if allow {
            if destination == Some(false) {
                continue;
            }
            return false;
        }
        let everything = r.source.contains(&AddressMatch::Any)
            && destination == Some(true)
            && r.source_ports.contains(&PortRange::ANY);
        if everything {
            return true;
        }
    }
    true
}

/// The addresses a public address is never in: the non-public ranges, every VNet's address space,
/// and the `VirtualNetwork` tag as each subnet's NSG sees it.
struct Private<'a> {
    m: &'a Model,
    vnets: Vec<Cidr>,
    vnet_tag: Vec<Cidr>,
}

impl Private<'_> {
    fn covers(&self, c: Cidr) -> bool {
        NON_PUBLIC.iter().chain(&self.vnets).any(|p| p.covers(c))
    }
}

/// Whether destinations of an NSG rule match every public address (`Some(true)`: `*`, the `Internet`
/// tag, an unresolved tag on an allow rule, as [`address`] encodes them) or none (`Some(false)`: every
/// prefix they name lies in private or VNet space).
fn public_destination(list: &[AddressMatch], allow: bool, private: &Private) -> Option<bool> {
    let mut none = true;
    for a in list {
        let all_private = match a {
            AddressMatch::Any | AddressMatch::Tag(ServiceTag::Internet) => return Some(true),
            AddressMatch::Tag(ServiceTag::Other(_)) if allow => return Some(true),
            AddressMatch::Cidr(c) => private.covers(*c),
            AddressMatch::Location(l) => {
                let loc = private.m.location(*l);
                loc.ranges.iter().chain(&loc.egress).all(|c| private.covers(*c))
            }
            AddressMatch::Tag(ServiceTag::VirtualNetwork) => private.vnet_tag.iter().all(|c| private.covers(*c)),
            AddressMatch::Tag(ServiceTag::AzureLoadBalancer | ServiceTag::Other(_)) => false,
        };
        none &= all_private;
    }
    none.then_some(false)
}

/// Whether a public endpoint's firewall admits no packet of the question, whatever its address: as
/// [`firewall`] decides, with the constants of the question alone.
fn firewall_admits_nothing(m: &Model, origin: Origin, path: &Path, seen_azure: bool) -> bool {
    let target = path.endpoint.resource();
    let ip_only = |rules: &[Cidr]| !rules.is_empty() && seen_azure;
    match &m.resource(target).props {
        Props::Storage(s) if s.public_network_access == PublicAccess::Enabled => {
            acls_admit_nothing(m, &s.network_acls, origin, path, seen_azure)
        }
        Props::KeyVault(v) if v.public_network_access == PublicAccess::Enabled => {
            acls_admit_nothing(m, &v.network_acls, origin, path, seen_azure)
        }
        Props::Registry(r) if r.public_network_access == PublicAccess::Enabled => {
            r.default_action != DefaultAction::Allow && (seen_azure || r.ip_rules.is_empty())
        }
        Props::Workspace(w) if w.public_network_access == PublicAccess::Enabled => ip_only(&w.ip_rules),
        Props::Endpoint(e) if e.public_network_access == PublicAccess::Enabled => {
            match m.resource(target).parent.map(|w| &m.resource(w).props) {
                Some(Props::Workspace(w)) => ip_only(&w.ip_rules),
                _ => false,
            }
        }
        _ => true,
    }
}

fn acls_admit_nothing(m: &Model, a: &NetworkAcls, origin: Origin, path: &Path, seen_azure: bool) -> bool {
    a.default_action != DefaultAction::Allow
        && (seen_azure || a.ip_rules.is_empty())
        && !acls_bypass(m, a, origin, path)
}

/// `Blocked` when a part of the question admits no packet whatever its addresses and ports
/// ([`refuted_parts`]): decided without a solver.
pub fn refute(m: &Model, origin: Origin, path: &Path) -> Option<Outcome> {
    let refuted = refuted_parts(m, origin, path);
    (!refuted.is_empty()).then_some(Outcome::Blocked(refuted))
}

/// The parts of a question that no packet can satisfy, found from the question's constants alone (a
/// route that does not exist, a managed network that allows only approved outbound traffic, a
/// firewall with nothing to admit, an NSG with no allow rule for the port), in the order
/// [`constraints`] lists them. Each is an unsatisfiable core by itself, found without a formula.
fn refuted_parts(m: &Model, origin: Origin, path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let public_path = matches!(path.kind, PathKind::Public | PathKind::NodePublic);
    let nat = matches!(origin.source, Source::Subnet(_)) && public_path;
    let seen_azure = source_ranges(m, origin, path).is_none() || nat;
    let nsg_part = |n: Option<&Nsg>, dir: Direction, at: SubnetId, out: &mut Vec<String>| {
        if let Some(n) = n
            && nsg_admits_nothing(n, dir, path.port, None)
        {
            out.push(nsg_label(m, n, dir, at));
        }
    };
    if let Source::Subnet(sub) = origin.source
        && let Some(n) = subnet_nsg(m, sub)
    {
        let private = || Private {
            m,
            vnets: all_vnet_space(m),
            vnet_tag: vnet_of(m, sub).map(|v| virtual_network_tag(m, v)).unwrap_or_default(),
        };
        if nsg_admits_nothing(n, Direction::Outbound, path.port, None) {
            out.push(nsg_label(m, n, Direction::Outbound, sub));
        } else if public_path && nsg_admits_nothing(n, Direction::Outbound, path.port, Some(&private())) {
            // The NSG stops every packet to a public address, which the endpoint's address is.
            out.push(nsg_label(m, n, Direction::Outbound, sub));
            out.push(public_address_label(path).into());
        }
    }
    match path.kind {
        PathKind::Public => match managed(m, origin, path) {
            Some((label, false)) => out.push(label),
            Some((_, true)) => {}
            None => {
                if firewall_admits_nothing(m, origin, path, seen_azure) {
                    out.push(firewall_label(m, path.endpoint.resource()));
                }
            }
        },
        PathKind::Private(pe_id) => {
            if let Some(pe) = m.network.private_endpoint(pe_id)
                && let Some(sub) = m.network.subnet(pe.subnet)
            {
                let (label, ok) = route(m, origin, pe.subnet);
                if !ok {
                    out.push(label);
                }
                if sub.private_endpoint_network_policies {
                    nsg_part(subnet_nsg(m, pe.subnet), Direction::Inbound, pe.subnet, &mut out);
                }
            }
        }
        PathKind::NodePrivate(sub_id) => {
            if m.network.subnet(sub_id).is_some() {
                let (label, ok) = route(m, origin, sub_id);
                if !ok {
                    out.push(label);
                }
                nsg_part(subnet_nsg(m, sub_id), Direction::Inbound, sub_id, &mut out);
            }
        }
        PathKind::NodePublic => {
            if let Some((label, false)) = managed(m, origin, path) {
                out.push(label);
            }
            if let Some(sub_id) = node_subnet(m, path.endpoint.resource()) {
                nsg_part(subnet_nsg(m, sub_id), Direction::Inbound, sub_id, &mut out);
            }
        }
    }
    out
}

/// A solver kept for many questions: each question is asked inside its own `push`/`pop`, so the
/// solver's set-up (most of a fresh solver's cost on a small question) is paid once.
pub struct NetSolver {
    solver: Solver,
    timeout_ms: Option<u64>,
}

impl NetSolver {
    /// A solver whose every check is bounded by `timeout_ms`.
    pub fn new(timeout_ms: Option<u64>) -> Self {
        let solver = Solver::new();
        if let Some(ms) = timeout_ms {
            let mut p = Params::new();
            p.set_u32("timeout", u32::try_from(ms).unwrap_or(u32::MAX));
            solver.set_params(&p);
        }
        NetSolver { solver, timeout_ms }
    }

    /// Asks Z3 for a packet; `dump` receives the SMT-LIB of the question.
    pub fn solve(&self, m: &Model, origin: Origin, path: &Path, dump: Option<&mut String>) -> Outcome {
        self.solver.push();
        let outcome = ask(&self.solver, m, origin, path, self.timeout_ms, dump);
        self.solver.pop(1);
        outcome
    }
}

/// Asks Z3 for a packet on a fresh solver. `timeout_ms` bounds the solver; `dump` receives the SMT-LIB
/// of the question.
pub fn solve(m: &Model, origin: Origin, path: &Path, timeout_ms: Option<u64>, dump: Option<&mut String>) -> Outcome {
    NetSolver::new(timeout_ms).solve(m, origin, path, dump)
}

/// One question on `solver`, whose assertions it adds (the caller pops them).
fn ask(
    solver: &Solver,
    m: &Model,
    origin: Origin,
    path: &Path,
    timeout_ms: Option<u64>,
    dump: Option<&mut String>,
) -> Outcome {
    if dump.is_none()
        && let Some(blocked) = refute(m, origin, path)
    {
        return blocked;
    }
    let s = Sym {
        src: BV::new_const("src", 32),
        nat: BV::new_const("nat_src", 32),
        dst: BV::new_const("dst", 32),
        sport: BV::new_const("src_port", 16),
        dport: path.port,
    };
    let parts = constraints(m, origin, path, &s);
    // A part that simplifies to false is an unsatisfiable core on its own as well (what
    // `refuted_parts` cannot see: an allow rule whose addresses no packet can have).
    if dump.is_none() {
        let refuted: Vec<String> = parts
            .iter()
            .filter(|(label, c)| !label.starts_with("source:") && c.simplify().as_bool() == Some(false))
            .map(|(label, _)| label.clone())
            .collect();
        if !refuted.is_empty() {
            return Outcome::Blocked(refuted);
        }
    }
    let mut trackers: Vec<(Bool, String)> = Vec::new();
    for (i, (label, c)) in parts.iter().enumerate() {
        let t = Bool::new_const(format!("track_{i}"));
        solver.assert_and_track(c.clone(), &t);
        trackers.push((t, label.clone()));
    }
    if let Some(d) = dump {
        d.push_str(&solver.to_smt2());
    }
    // Prefer packets that read naturally (an ephemeral source port, host addresses rather than network
    // addresses); drop the preference when nothing else passes.
    let nice = [
        s.sport.bvuge(BV::from_u64(49152, 16)),
        s.src.extract(7, 0).eq(BV::from_u64(0, 8)).not(),
        s.dst.extract(7, 0).eq(BV::from_u64(0, 8)).not(),
        s.nat.extract(7, 0).eq(BV::from_u64(0, 8)).not(),
        s.nat.eq(&s.dst).not(),
        s.src.eq(&s.dst).not(),
        s.src.extract(31, 24).eq(BV::from_u64(0, 8)).not(),
        s.dst.extract(31, 24).eq(BV::from_u64(0, 8)).not(),
    ];
    let started = std::time::Instant::now();
    let result = match solver.check_assumptions(&nice) {
        SatResult::Sat => SatResult::Sat,
        SatResult::Unknown => SatResult::Unknown,
        SatResult::Unsat => solver.check(),
    };
    // Z3 checks its timer only now and then; a call that overran its budget is unknown all the same.
    if let Some(ms) = timeout_ms
        && started.elapsed().as_millis() >= u128::from(ms)
    {
        return Outcome::Unknown(format!("timeout ({ms} ms)"));
    }
    match result {
        SatResult::Sat => {
            let Some(model) = solver.get_model() else {
                return Outcome::Unknown("the solver found a packet but gave no model".into());
            };
            let value = |bv: &BV| model.eval(bv, true).and_then(|v| v.as_u64()).unwrap_or(0);
            let public_path = matches!(path.kind, PathKind::Public | PathKind::NodePublic);
            let nat = matches!(origin.source, Source::Subnet(_)) && public_path;
            Outcome::Packet(Packet {
                src: u32::try_from(value(&s.src)).unwrap_or(0),
                dst: u32::try_from(value(&s.dst)).unwrap_or(0),
                src_port: u16::try_from(value(&s.sport)).unwrap_or(0),
                dst_port: path.port,
                protocol: Protocol::Tcp,
                nat_src: nat.then(|| u32::try_from(value(&s.nat)).unwrap_or(0)),
            })
        }
        SatResult::Unsat => {
            let core = solver.get_unsat_core();
            let mut labels: Vec<String> = trackers
                .iter()
                .filter(|(t, _)| core.iter().any(|c| c == t))
                .map(|(_, l)| l.clone())
                .filter(|l| !l.starts_with("source:"))
                .collect();
            if labels.is_empty() {
                labels = trackers.iter().map(|(_, l)| l.clone()).collect();
            }
            Outcome::Blocked(labels)
        }
        SatResult::Unknown => Outcome::Unknown(
            solver
                .get_reason_unknown()
                .unwrap_or_else(|| "the solver gave up".into()),
        ),
    }
}

/// The rules of a resource's public-endpoint firewall, in words, for explanations.
fn firewall_summary(m: &Model, r: crate::model::ResourceId) -> String {
    let list = |c: &[Cidr]| {
        if c.is_empty() {
            "none".to_string()
        } else {
            c.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        }
    };
    let acl = |pna: PublicAccess, a: &NetworkAcls| {
        if pna == PublicAccess::Disabled {
            return "public network access disabled".to_string();
        }
        if a.default_action == DefaultAction::Allow {
            return "default action Allow".to_string();
        }
        let vnets: Vec<String> = a
            .virtual_network_rules
            .iter()
            .map(|s| m.network.subnet_name(*s))
            .collect();
        format!(
            "default action Deny; IP rules: {}; virtual network rules: {}; trusted services bypass: {}",
            list(&a.ip_rules),
            if vnets.is_empty() {
                "none".to_string()
            } else {
                vnets.join(", ")
            },
            if a.bypass_azure_services { "on" } else { "off" }
        )
    };
    match &m.resource(r).props {
        Props::Storage(s) => acl(s.public_network_access, &s.network_acls),
        Props::KeyVault(v) => acl(v.public_network_access, &v.network_acls),
        Props::Registry(x) if x.public_network_access == PublicAccess::Disabled => {
            "public network access disabled".into()
        }
        Props::Registry(x) if x.default_action == DefaultAction::Allow => "default action Allow".into(),
        Props::Registry(x) => format!("default action Deny; IP rules: {}", list(&x.ip_rules)),
        Props::Workspace(w) if w.public_network_access == PublicAccess::Disabled => {
            "public network access disabled".into()
        }
        Props::Workspace(w) => format!("public network access enabled; IP rules: {}", list(&w.ip_rules)),
        Props::Endpoint(e) if e.public_network_access == PublicAccess::Disabled => {
            "public network access disabled".into()
        }
        Props::Endpoint(_) => "public network access enabled".into(),
        _ => "no public endpoint".into(),
    }
}
