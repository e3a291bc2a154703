/**
 * Every error code a probe can report, in one place (CW_ERR_PROBE_*). Codes are stable: dashboards and
 * outage rules match on them; messages are for humans and may change.
 */
export const ProbeErrorCode = {
  /** The round's timeoutMs elapsed before the probe finished. */
  TIMEOUT: 'CW_ERR_PROBE_TIMEOUT',
  /** Name resolution failed (NXDOMAIN, SERVFAIL, no resolver). */
  DNS: 'CW_ERR_PROBE_DNS',
  /** TCP connection refused (RST): host up, nothing listening. */
  REFUSED: 'CW_ERR_PROBE_CONN_REFUSED',
  /** Host or network unreachable (ICMP unreachable, no route). */
  UNREACHABLE: 'CW_ERR_PROBE_UNREACHABLE',
  /** Connection reset or closed mid-exchange. */
  RESET: 'CW_ERR_PROBE_CONN_RESET',
  /** TLS handshake or certificate verification failed. */
  TLS: 'CW_ERR_PROBE_TLS',
  /** HTTP answered with a status outside the expected set. */
  HTTP_STATUS: 'CW_ERR_PROBE_HTTP_STATUS',
  /** HTTP body did not contain the expected keyword. */
  HTTP_KEYWORD: 'CW_ERR_PROBE_HTTP_KEYWORD',
  /** The body was not JSON, or the value at the step's jsonPath was missing, present when it must not be, or different. */
  HTTP_JSON: 'CW_ERR_PROBE_HTTP_JSON',
  /**
   * The agent's own secrets are unusable: credentials file unreadable, open to other users or not a JSON object of
   * strings, environment variable unset, or a `${name}` placeholder with no such credential. A fault on the agent
   * host, not in the service: the request that needed the secret was never sent.
   */
  CREDENTIALS: 'CW_ERR_PROBE_CREDENTIALS',
  /** Some other HTTP protocol error (malformed response, too many redirects). */
  HTTP_PROTOCOL: 'CW_ERR_PROBE_HTTP_PROTOCOL',
  /** All echo requests were lost. */
  ICMP_NO_REPLY: 'CW_ERR_PROBE_ICMP_NO_REPLY',
  /** The system ping program is missing or cannot run. */
  ICMP_NO_PING_BINARY: 'CW_ERR_PROBE_ICMP_NO_PING_BINARY',
  /** DNS answered but with no records of the requested type. */
  DNS_NO_ANSWER: 'CW_ERR_PROBE_DNS_NO_ANSWER',
  /**
   * DNS answered, but an answer listed in expectAnswers was missing: resolution works yet points somewhere else
   * (stale record, ISP redirection, hijack) — a different fault from CW_ERR_PROBE_DNS, so it gets its own code.
   */
  DNS_ANSWER_MISMATCH: 'CW_ERR_PROBE_DNS_ANSWER_MISMATCH',
  /** A bug: the probe threw instead of returning a result. */
  INTERNAL: 'CW_ERR_PROBE_INTERNAL',
} as const;
export type ProbeErrorCode = (typeof ProbeErrorCode)[keyof typeof ProbeErrorCode];
