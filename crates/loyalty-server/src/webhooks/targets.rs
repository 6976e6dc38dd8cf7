//! Which URLs webhooks may be sent to. A subscription is a request the server makes on an
//! admin's behalf, so it must not reach what only the server can reach: cloud metadata
//! (169.254.169.254), private networks, the server itself. The URL is checked when the
//! subscription is made and again before each send, as a name may resolve elsewhere later.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why a URL is refused; the message names the rule and never repeats credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the URL is not a valid absolute URL with a host")]
    NotAUrl,
    #[error("the URL must use https, not `{0}`")]
    NotHttps(String),
    #[error("the URL must not carry a user name or password")]
    Credentials,
    #[error("the host `{0}` does not resolve")]
    Unresolved(String),
    #[error(
        "the host `{host}` resolves to {address}, a loopback, private, link-local or unspecified address"
    )]
    Internal { host: String, address: IpAddr },
}

/// The rule the server applies: everything `https` to public addresses, or, with
/// `--allow-private-webhooks`, also `http` and private addresses (development and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub allow_private: bool,
    /// Whether a host name is resolved to check its addresses. Off on a server that sends
    /// nothing (`--webhook-delivery off`), which then looks nothing up: an address written
    /// in the URL is still checked, and every send checks the name again before connecting.
    pub resolve_names: bool,
}

impl Default for Targets {
    fn default() -> Self {
        Targets { allow_private: false, resolve_names: true }
    }
}

impl Targets {
    /// Checks `url` before anything is sent to it: the scheme, the credentials, then every
    /// address its host resolves to. Only name resolution happens; nothing connects.
    pub async fn check(&self, url: &str) -> Result<reqwest::Url, Refusal> {
        let parsed = reqwest::Url::parse(url).map_err(|_| Refusal::NotAUrl)?;
        let host = parsed.host().ok_or(Refusal::NotAUrl)?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Refusal::Credentials);
        }
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            other => return Err(Refusal::NotHttps(other.to_owned())),
        }
        if self.allow_private {
            return Ok(parsed);
        }
        let addresses: Vec<IpAddr> = match host {
            url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
            url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
            url::Host::Domain(_) if !self.resolve_names => return Ok(parsed),
            url::Host::Domain(name) => {
                let port = parsed.port_or_known_default().unwrap_or(443);
                tokio::net::lookup_host((name, port))
                    .await
                    .map_err(|_| Refusal::Unresolved(name.to_owned()))?
                    .map(|socket| socket.ip())
                    .collect()
            }
        };
        if addresses.is_empty() {
            return Err(Refusal::Unresolved(host.to_string()));
        }
        if let Some(address) = addresses.into_iter().find(|a| is_internal(*a)) {
            return Err(Refusal::Internal { host: host.to_string(), address });
        }
        Ok(parsed)
    }
}

/// The webhook client's resolver where private targets are refused: it refuses them again
/// when connecting, so a name that resolves elsewhere between the check and the connection
/// (DNS rebinding) cannot slip through.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The port is the URL's; the connector sets it on each address.
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(internal) = addresses.iter().find(|a| is_internal(a.ip())) {
                let refusal = Refusal::Internal { host, address: internal.ip() };
                return Err(Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Loopback, private, link-local, unspecified (and the like that no public receiver has).
fn is_internal(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(ip) => is_internal_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_internal_v4(v4),
            None => is_internal_v6(ip),
        },
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        // 100.64.0.0/10: carrier-grade NAT, private in practice.
        || (a == 100 && (64..128).contains(&b))
        // 0.0.0.0/8: "this network".
        || a == 0
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    ip.is_loopback() || ip.is_unspecified() || ip.is_unique_local() || ip.is_unicast_link_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_named_as_such() {
        for internal in
            ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1"]
        {
            assert!(is_internal(internal.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))), "{internal}");
        }
        for internal in ["::1", "::", "fd00::1", "fe80::1", "::ffff:10.0.0.1"] {
            assert!(is_internal(internal.parse().unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED))), "{internal}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_internal(public.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))), "{public}");
        }
    }

    #[tokio::test]
    async fn the_client_resolver_refuses_internal_addresses_when_connecting() {
        use reqwest::dns::Resolve;
        let Ok(name) = "localhost".parse::<reqwest::dns::Name>() else { panic!("a valid name") };
        let refused = PublicOnly.resolve(name).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.starts_with("the host `localhost` resolves to "), "{refused}");
    }
}
