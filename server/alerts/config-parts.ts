/**
 * Pieces of the `alerts:` config that other modules share: a secret reference, label matchers and the SMTP
 * section. They live apart from alert-config.ts because that module assembles the receivers from the
 * notifier registry: a notifier (for its secret fields), the alert store (for silences' matchers) and the
 * notifier seam (for `smtp`) import these without importing the registry back, so no import cycle forms.
 */
import Type, { type Static } from 'typebox';

const strict = { additionalProperties: false } as const;

/** A secret is never written in the config: it names a file (owner-only) or an environment variable. */
export const Secret = Type.Object(
  {
    file: Type.Optional(
      Type.String({ minLength: 1, description: 'path of a file holding the secret (owner-only permissions)' }),
    ),
    env: Type.Optional(
      Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'environment variable holding the secret' }),
    ),
  },
  strict,
);
export type SecretRef = Static<typeof Secret>;

/** Label name → accepted values. An incident matches when, for every label named, one of its values is accepted. */
export const Matchers = Type.Record(
  Type.String({ pattern: '^(cause|service|severity|scope|commune|province|district)$' }),
  Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 5000 }),
);
export type Matchers = Static<typeof Matchers>;

/** `alerts.smtp`: the mail server the e-mail channel (and the monthly report) sends through. */
export const SmtpConfig = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
    /** true: TLS from the first byte (465); false: STARTTLS when offered (587, 25). */
    secure: Type.Boolean({ default: false }),
    requireTls: Type.Boolean({
      default: true,
      description: 'refuse to send without STARTTLS on a non-secure port',
    }),
    user: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Secret),
    from: Type.String({ minLength: 3, description: 'e.g. "CommuneWatch <giamsat@laocai.gov.vn>"' }),
    caFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "PEM file of the CA that signed the mail server's certificate (a provincial private CA); relative to the config file",
      }),
    ),
    timeoutMs: Type.Integer({ minimum: 1000, maximum: 120_000, default: 20_000 }),
  },
  strict,
);
export type SmtpConfig = Static<typeof SmtpConfig>;
