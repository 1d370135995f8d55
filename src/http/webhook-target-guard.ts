/**
 * The SSRF guard of outgoing webhooks (subscriptions and per-job `webhook_url`): only http(s),
 * and no target whose address is loopback, private, link-local, unspecified or otherwise not
 * public, unless an operator allow-listed it (`spool serve --webhook-allow 10.0.0.0/8`). Checked
 * when the URL is given (400 naming the field) and again on every delivery, on the very address
 * the connection uses (`lookup` below is handed to the HTTP client), so a name that changes to
 * a private address later (DNS rebinding) is still refused.
 *
 * A name that does not resolve when the URL is given is accepted: it reaches nothing, and the
 * delivery-time check decides once it does resolve.
 */
import { lookup as dnsLookup, promises as dns } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { SpoolValidationError } from "../core/errors.js";

/** Address ranges that are not public (IANA special-purpose registries, v4 and v6). */
const NON_PUBLIC: readonly [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"], // "this network", unspecified
  ["10.0.0.0", 8, "ipv4"], // RFC 1918
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["127.0.0.0", 8, "ipv4"], // loopback
  ["169.254.0.0", 16, "ipv4"], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12, "ipv4"], // RFC 1918
  ["192.0.0.0", 24, "ipv4"], // IETF protocol assignments
  ["192.0.2.0", 24, "ipv4"], // documentation
  ["192.88.99.0", 24, "ipv4"], // 6to4 relay anycast
  ["192.168.0.0", 16, "ipv4"], // RFC 1918
  ["198.18.0.0", 15, "ipv4"], // benchmarking
  ["198.51.100.0", 24, "ipv4"], // documentation
  ["203.0.113.0", 24, "ipv4"], // documentation
  ["224.0.0.0", 4, "ipv4"], // multicast
  ["240.0.0.0", 4, "ipv4"], // reserved, broadcast
  ["::", 128, "ipv6"], // unspecified
  ["::1", 128, "ipv6"], // loopback
  ["64:ff9b::", 96, "ipv6"], // NAT64 (reaches IPv4 addresses)
  ["64:ff9b:1::", 48, "ipv6"], // local-use NAT64
  ["100::", 64, "ipv6"], // discard
  ["2001::", 23, "ipv6"], // IETF protocol assignments (Teredo included)
  ["2001:db8::", 32, "ipv6"], // documentation
  ["2002::", 16, "ipv6"], // 6to4 (embeds IPv4 addresses)
  ["fc00::", 7, "ipv6"], // unique local
  ["fe80::", 10, "ipv6"], // link-local
  ["fec0::", 10, "ipv6"], // site-local (deprecated)
  ["ff00::", 8, "ipv6"], // multicast
];

const BLOCKED = new BlockList();
for (const [network, prefix, family] of NON_PUBLIC) BLOCKED.addSubnet(network, prefix, family);

/** A target the guard refused (at delivery time: the attempt fails for good). */
export class WebhookTargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookTargetRefusedError";
  }
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; other addresses unchanged. */
function unmapped(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return { address: mapped[1]!, family: "ipv4" };
  return { address, family: isIP(address) === 4 ? "ipv4" : "ipv6" };
}

/** Parses allow-list entries (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`); throws naming `field`. */
export function parseAllowList(entries: readonly string[], field = "webhookAllow"): BlockList {
  const allowed = new BlockList();
  entries.forEach((entry, i) => {
    const [network = "", prefixText, extra] = entry.trim().split("/");
    const version = isIP(network);
    const max = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (
      version === 0 ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max
    )
      throw new SpoolValidationError(
        `${field}[${i}]`,
        "must be an IP address or a CIDR range (127.0.0.1, 10.0.0.0/8, ::1, fd00::/8)",
      );
    allowed.addSubnet(network, prefix, version === 4 ? "ipv4" : "ipv6");
  });
  return allowed;
}

/** See the module header. */
export class WebhookTargetGuard {
  private readonly allowed: BlockList;

  /** `allow`: IP addresses and CIDR ranges that may be targets even though they are not public. */
  constructor(allow: readonly string[] = []) {
    this.allowed = parseAllowList(allow);
  }

  /** Why `address` may not be a target, or null when it may. */
  refusal(address: string): string | null {
    const ip = unmapped(address);
    if (isIP(ip.address) === 0) return `${address} is not an IP address`;
    if (this.allowed.check(ip.address, ip.family)) return null;
    if (BLOCKED.check(ip.address, ip.family))
      return `${address} is not a public address (loopback, private, link-local or reserved); allow it with --webhook-allow`;
    return null;
  }

  /**
   * Checks a target URL when it is given: http(s) only; a literal address or every address its
   * host resolves to must be allowed. Throws `SpoolValidationError` naming `field`.
   */
  async checkUrl(url: string, field: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SpoolValidationError(field, "must be an absolute http(s) URL");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw new SpoolValidationError(field, "must be an absolute http(s) URL");
    const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    const addresses = isIP(host) !== 0 ? [host] : await resolveAll(host);
    for (const address of addresses) {
      const refusal = this.refusal(address);
      if (refusal !== null) throw new SpoolValidationError(field, `is refused: ${refusal}`);
    }
  }

  /**
   * A `lookup` for node:http(s) requests: resolves like the default and fails the connection
   * when an address the host resolves to is refused, so the address checked is the address
   * connected to. (Literal addresses skip lookup: `checkTarget` covers them.)
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, "", 0);
      const list = addresses as unknown as { address: string; family: number }[];
      for (const entry of list) {
        const refusal = this.refusal(entry.address);
        if (refusal !== null)
          return callback(new WebhookTargetRefusedError(`${hostname}: ${refusal}`), "", 0);
      }
      if (options.all === true) return (callback as unknown as AllCallback)(null, list);
      const first = list[0];
      if (first === undefined) return callback(new Error(`${hostname} has no address`), "", 0);
      callback(null, first.address, first.family);
    });
  };

  /** Throws `WebhookTargetRefusedError` for a URL that may not be delivered to (literal hosts). */
  checkTarget(url: URL): void {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new WebhookTargetRefusedError(`${url.protocol} is not http(s)`);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(host) === 0) return;
    const refusal = this.refusal(host);
    if (refusal !== null) throw new WebhookTargetRefusedError(refusal);
  }
}

type AllCallback = (error: null, addresses: { address: string; family: number }[]) => void;

/** Every address of `host`; none when it does not resolve (see the module header). */
async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await dns.lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}
