/**
 * Raw HTTP/1.1 over a TCP socket, for what fetch cannot send or observe: WebSocket upgrade
 * requests, malformed requests, and whether the server closed the connection after answering.
 */
import { connect } from "node:net";

/** What came back on the socket. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server ended the connection (FIN) after answering. */
  closedByServer: boolean;
}

/**
 * Sends `request` (raw bytes) to `baseUrl`'s host and port. Resolves when the server closes the
 * connection, or — with `closedByServer: false` — when a complete answer has been received and
 * the server has not closed within `closeWithinMs` (a connection left open is the failure the
 * callers look for; waiting for ever would only turn it into a test timeout).
 */
export function rawRequest(
  baseUrl: string,
  request: string,
  closeWithinMs = 10_000,
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let data = "";
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(data, closedByServer));
    };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
      if (timer === undefined && complete(data))
        timer = setTimeout(() => finish(false), closeWithinMs);
    });
    socket.on("error", reject);
    socket.on("end", () => finish(true));
    socket.write(request);
  });
}

/** Whether `data` holds a whole answer (headers and Content-Length bytes of body). */
function complete(data: string): boolean {
  const split = data.indexOf("\r\n\r\n");
  if (split === -1) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.slice(0, split))?.[1];
  return length !== undefined && Buffer.byteLength(data.slice(split + 4)) >= Number(length);
}

/** A WebSocket upgrade request for `path` with extra header lines. */
export function upgradeRequest(path: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    "Host: localhost",
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

function parse(data: string, closedByServer: boolean): RawAnswer {
  const split = data.indexOf("\r\n\r\n");
  const head = split === -1 ? data : data.slice(0, split);
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: split === -1 ? "" : data.slice(split + 4),
    closedByServer,
  };
}
