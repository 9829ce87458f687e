/**
 * Request guard: what every HTTP request and WebSocket upgrade must pass before any handler runs.
 *
 * A server on loopback without a token is reachable from every web page the user opens: a page
 * can POST to `http://127.0.0.1:8000` (a "simple" `text/plain` request needs no CORS preflight),
 * open a WebSocket to it (browsers do not apply the same-origin policy to WebSockets), or rebind
 * its own DNS name to 127.0.0.1 and then read the answers (DNS rebinding). So:
 * - `Origin`, when present (browsers always send it on cross-origin requests and on WebSocket
 *   handshakes), must be a loopback origin or one on the allow-list;
 * - `Host` must be a loopback name or on the allow-list (a rebound name fails here);
 * - a POST body must be declared JSON, which a page cannot send cross-origin without a preflight
 *   that this server never approves.
 * Non-browser clients (Python adapters, curl, trainers) send no `Origin` and a `Host` naming the
 * address they connected to, so they pass unchanged.
 */
import { serverError, type ServerError } from "./errors.ts";

export interface GuardPolicy {
  /** Origins allowed besides loopback ones (`https://app.example:8443`); `*` allows any. */
  allowOrigins: readonly string[];
  /** Host names allowed besides loopback ones (`envtune.internal`, `10.0.0.5`); `*` allows any. */
  allowHosts: readonly string[];
}

/** Whether a host name (no port, IPv6 without brackets) is the loopback interface. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}

/** The host name of a `Host` header (`a.b:80` → `a.b`, `[::1]:80` → `::1`), or undefined when malformed. */
function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}

/** Why a request's `Origin` or `Host` is refused, or undefined when it may proceed. */
export function checkOriginAndHost(
  origin: string | null | undefined,
  host: string | null | undefined,
  policy: GuardPolicy,
): ServerError | undefined {
  if (host && !policy.allowHosts.includes("*")) {
    const name = hostnameOf(host);
    if (name === undefined || !(isLoopbackHost(name) || policy.allowHosts.some((a) => a.toLowerCase() === name.toLowerCase()))) {
      return serverError(
        "HOST_NOT_ALLOWED",
        `Requests for host \`${host.slice(0, 100)}\` are refused (DNS-rebinding protection).`,
        "Connect through a loopback address, or start the server with `--allow-host NAME` (`allowHosts`) for the name clients use.",
      );
    }
  }
  if (origin !== null && origin !== undefined && !policy.allowOrigins.includes("*")) {
    let ok = policy.allowOrigins.includes(origin);
    if (!ok && origin !== "null") {
      try {
        const u = new URL(origin);
        ok = (u.protocol === "http:" || u.protocol === "https:") && isLoopbackHost(u.hostname);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      return serverError(
        "ORIGIN_NOT_ALLOWED",
        `Requests from origin \`${origin.slice(0, 100)}\` are refused (a web page may not drive this server).`,
        "Call the server from a non-browser client, or start it with `--allow-origin ORIGIN` (`allowOrigins`) for a trusted web app.",
      );
    }
  }
  return undefined;
}

/** Whether request headers announce a body (HTTP/1.1: a non-zero `content-length` or a `transfer-encoding`). */
export function announcesBody(contentLength: string | null | undefined, transferEncoding: string | null | undefined): boolean {
  return (
    (transferEncoding !== null && transferEncoding !== undefined) ||
    (contentLength !== null && contentLength !== undefined && contentLength !== "0")
  );
}

/** Why a request's body is refused for its declared type: a body must be `application/json` (or `+json`). */
export function checkJsonContentType(contentType: string | null | undefined, hasBody: boolean): ServerError | undefined {
  // An empty body has no type to check (e.g. `POST /v1/sessions` with no parameters).
  if (!hasBody) return undefined;
  const mime = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (mime === "application/json" || /^application\/[a-z0-9.+-]*\+json$/.test(mime)) return undefined;
  return serverError(
    "UNSUPPORTED_MEDIA_TYPE",
    `The body's content-type is \`${mime.slice(0, 100) || "(none)"}\`, not application/json.`,
    "Send JSON with `content-type: application/json`.",
  );
}

/**
 * Whether JSON text nests arrays/objects deeper than `max`, found by one pass over the text
 * (strings skipped) before `JSON.parse`: a deep value would overflow the stack later, in
 * `JSON.stringify` or a schema check, far from where it came in.
 */
export function jsonTooDeep(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip a string, escapes included.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

export function tooDeepError(max: number): ServerError {
  return serverError(
    "VALIDATION_ERROR",
    `The JSON is nested more than ${max} levels deep.`,
    "Send flatter JSON, or start the server with a larger `--max-json-depth` (`maxJsonDepth`).",
  );
}
