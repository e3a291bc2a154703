/** The `web:` section of the server config: logins and sessions of the built-in UI. */
import Type, { type Static } from 'typebox';

const strict = { additionalProperties: false } as const;

export const WebConfigSchema = Type.Object(
  {
    /** A session unused this long ends (an office day plus a margin). */
    sessionIdleHours: Type.Number({ minimum: 0.1, maximum: 720, default: 12 }),
    /** A session ends this long after login, used or not. */
    sessionMaxDays: Type.Number({ minimum: 0.1, maximum: 90, default: 7 }),
    /**
     * `auto`: the cookie is Secure when the request came over HTTPS (directly, or through a proxy when
     * `trustProxy` is on). `always` behind a TLS proxy that does not say so; `never` only for plain-HTTP
     * tests, never in production.
     */
    secureCookie: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')], {
      default: 'auto',
    }),
    /** Failed or not, login attempts per client IP within the window; more get 429 with Retry-After. */
    loginAttempts: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
    loginWindowMinutes: Type.Number({ minimum: 1, maximum: 1440, default: 15 }),
    /** Trust X-Forwarded-For/-Proto from a reverse proxy (nginx in front of the server). */
    trustProxy: Type.Boolean({ default: false }),
  },
  { ...strict, default: {} },
);
export type WebConfig = Static<typeof WebConfigSchema>;
