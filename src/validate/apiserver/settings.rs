//! The target cluster's API server settings that change what it accepts and that no tree
//! states: the ranges Service cluster IPs are allocated from (`--service-cluster-ip-range`)
//! and the feature gates (`--feature-gates`). `fluxprint validate` takes both under the API
//! server's own flag names. What they do not state is not known, and no error then depends on
//! it: any well-formed cluster IP is accepted (the range is the installer's choice: kubeadm's
//! 10.96.0.0/12, k3s's 10.43.0.0/16, EKS's 10.100.0.0/16 or 172.20.0.0/16, …), and so is
//! whatever a gate allows (home-ops clusters turn HPAScaleToZero on in their Talos or k3s
//! configuration, which the Flux tree does not hold).

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::formats::parse_cidr;

/// A feature gate that changes a verdict of the validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// `HPAScaleToZero` (alpha, off): a HorizontalPodAutoscaler's `minReplicas` may be 0.
    HpaScaleToZero,
}

impl Gate {
    /// Every gate the validator knows.
    pub const ALL: [Gate; 1] = [Gate::HpaScaleToZero];

    /// The gate's name, as `--feature-gates` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Gate::HpaScaleToZero => "HPAScaleToZero",
        }
    }
}

/// The API server settings a validation assumes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerSettings {
    /// The Service cluster IP ranges, as `(network, prefix length)`; empty: not known, and
    /// any well-formed address is accepted.
    pub service_ranges: Vec<(IpAddr, u8)>,
    /// Gates set explicitly, by name; the others are not known.
    pub feature_gates: BTreeMap<String, bool>,
}

impl ServerSettings {
    /// Settings from the flags' values: `ranges` as `--service-cluster-ip-range` takes it
    /// (one CIDR, or an IPv4 and an IPv6 one separated by a comma) and each of `gates` as
    /// `--feature-gates` takes it (`Name=true,Other=false`).
    pub fn from_flags(ranges: Option<&str>, gates: &[String]) -> Result<Self, String> {
        let mut settings = ServerSettings::default();
        if let Some(ranges) = ranges {
            for r in ranges.split(',').map(str::trim) {
                let cidr = parse_cidr(r).ok_or_else(|| {
                    format!(
                        "--service-cluster-ip-range {ranges}: `{r}` is not a CIDR such as 10.96.0.0/12"
                    )
                })?;
                if settings
                    .service_ranges
                    .iter()
                    .any(|(n, _)| n.is_ipv4() == cidr.0.is_ipv4())
                {
                    return Err(format!(
                        "--service-cluster-ip-range {ranges}: at most one IPv4 and one IPv6 range"
                    ));
                }
                settings.service_ranges.push(cidr);
            }
        }
        for list in gates {
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (name, value) = item.split_once('=').ok_or_else(|| {
                    format!("--feature-gates {item}: want `Name=true` or `Name=false`")
                })?;
                let on = match value.trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(format!(
                            "--feature-gates {item}: the value must be `true` or `false`"
                        ))
                    }
                };
                let name = name.trim();
                // Gates are case-sensitive; a known gate spelled otherwise is a typo that
                // would silently change nothing.
                if let Some(g) = Gate::ALL
                    .iter()
                    .find(|g| g.name() != name && g.name().eq_ignore_ascii_case(name))
                {
                    return Err(format!(
                        "--feature-gates {item}: no gate `{name}`; did you mean `{}`?",
                        g.name()
                    ));
                }
                settings.feature_gates.insert(name.to_owned(), on);
            }
        }
        Ok(settings)
    }

    /// Whether `gate` is on, as set; `None`: not said, so nothing may depend on it.
    pub fn gate(&self, gate: Gate) -> Option<bool> {
        self.feature_gates.get(gate.name()).copied()
    }

    /// Why the allocator refuses `ip` as a Service's cluster IP, when the ranges are known:
    /// it is of a family the cluster does not serve, or outside the range of its family, or
    /// the range's network address or (IPv4) broadcast address, which the allocator never
    /// hands out.
    pub fn cluster_ip_problem(&self, ip: IpAddr) -> Option<String> {
        if self.service_ranges.is_empty() {
            return None;
        }
        let family = if ip.is_ipv4() { "IPv4" } else { "IPv6" };
        let Some(&(network, len)) = self
            .service_ranges
            .iter()
            .find(|(n, _)| n.is_ipv4() == ip.is_ipv4())
        else {
            return Some(format!(
                "is an {family} address, and the cluster serves no {family} Services \
                 (--service-cluster-ip-range {})",
                self.ranges_text()
            ));
        };
        let (addr, net, bits) = match (ip, network) {
            (IpAddr::V4(a), IpAddr::V4(n)) => {
                (u128::from(u32::from(a)), u128::from(u32::from(n)), 32)
            }
            (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
            _ => return None,
        };
        let host_bits = bits - u32::from(len);
        let mask = if host_bits >= 128 {
            0
        } else {
            u128::MAX << host_bits
        };
        let range = format!("{network}/{len}");
        if addr & mask != net {
            return Some(format!(
                "is not in the cluster's Service range {range} (--service-cluster-ip-range)"
            ));
        }
        let last = if host_bits >= 128 {
            u128::MAX
        } else {
            net | !mask & (u128::MAX >> (128 - bits))
        };
        if addr == net || (bits == 32 && addr == last) {
            let which = if addr == net { "network" } else { "broadcast" };
            return Some(format!(
                "is the {which} address of the Service range {range}, which is never allocated"
            ));
        }
        None
    }

    fn ranges_text(&self) -> String {
        self.service_ranges
            .iter()
            .map(|(n, l)| format!("{n}/{l}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cluster_ips_inside_the_ranges_only() {
        let s = ServerSettings::from_flags(Some("10.96.0.0/16,fd00:10:96::/112"), &[]).unwrap();
        assert_eq!(s.cluster_ip_problem(ip("10.96.3.4")), None);
        assert_eq!(s.cluster_ip_problem(ip("10.96.0.1")), None);
        assert_eq!(s.cluster_ip_problem(ip("10.96.255.254")), None);
        assert_eq!(s.cluster_ip_problem(ip("fd00:10:96::5")), None);
        for bad in [
            "192.0.2.10",
            "10.97.0.1",
            "10.96.0.0",
            "10.96.255.255",
            "fd00:10:96::",
            "fd00:10:97::1",
        ] {
            assert!(s.cluster_ip_problem(ip(bad)).is_some(), "{bad}");
        }
        let v4 = ServerSettings::from_flags(Some("10.0.0.0/24"), &[]).unwrap();
        assert!(v4
            .cluster_ip_problem(ip("fd00::1"))
            .unwrap()
            .contains("no IPv6"));
        assert_eq!(
            ServerSettings::default().cluster_ip_problem(ip("192.0.2.10")),
            None
        );
    }

    #[test]
    fn flags_are_read_as_the_api_server_reads_them() {
        let s =
            ServerSettings::from_flags(None, &["HPAScaleToZero=true,Other=false".into()]).unwrap();
        assert_eq!(s.gate(Gate::HpaScaleToZero), Some(true));
        assert_eq!(ServerSettings::default().gate(Gate::HpaScaleToZero), None);
        for bad in [
            "HPAScaleToZero",
            "HPAScaleToZero=yes",
            "hpascaletozero=true",
        ] {
            assert!(
                ServerSettings::from_flags(None, &[bad.into()]).is_err(),
                "{bad}"
            );
        }
        for bad in ["10.0.0.0", "10.0.0.0/8,10.1.0.0/16", "x/8"] {
            assert!(ServerSettings::from_flags(Some(bad), &[]).is_err(), "{bad}");
        }
    }
}
