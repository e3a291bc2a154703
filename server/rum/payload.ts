/**
 * The Faro web SDK's transport body (libraries.md §1.2), validated leniently like Grafana Alloy's
 * faro.receiver: `meta` must be an object, the item arrays arrays of objects of the right basic shape,
 * with caps on counts and string sizes; unknown keys (newer SDKs add `os`, `device`, `action`, …) are
 * accepted and ignored, never rejected.
 */
import Type, { type Static } from 'typebox';

const open = { additionalProperties: true } as const;
const Str = (max: number) => Type.String({ maxLength: max });
const Attrs = Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { maxProperties: 100 });

const Frame = Type.Object(
  {
    filename: Type.Optional(Str(2000)),
    function: Type.Optional(Str(1000)),
    lineno: Type.Optional(Type.Number()),
    colno: Type.Optional(Type.Number()),
  },
  open,
);

export const FaroPayload = Type.Object(
  {
    meta: Type.Object(
      {
        app: Type.Optional(
          Type.Object(
            {
              name: Type.Optional(Str(200)),
              version: Type.Optional(Str(100)),
              environment: Type.Optional(Str(100)),
              release: Type.Optional(Str(100)),
            },
            open,
          ),
        ),
        session: Type.Optional(Type.Object({ id: Type.Optional(Str(100)), attributes: Type.Optional(Attrs) }, open)),
        page: Type.Optional(Type.Object({ url: Type.Optional(Str(4000)), attributes: Type.Optional(Attrs) }, open)),
        user: Type.Optional(Type.Object({ attributes: Type.Optional(Attrs) }, open)),
        browser: Type.Optional(
          Type.Object(
            {
              name: Type.Optional(Str(100)),
              version: Type.Optional(Str(100)),
              os: Type.Optional(Str(200)),
              mobile: Type.Optional(Type.Boolean()),
            },
            open,
          ),
        ),
      },
      open,
    ),
    exceptions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Str(200),
            value: Str(8000),
            timestamp: Str(40),
            stacktrace: Type.Optional(Type.Object({ frames: Type.Array(Frame, { maxItems: 200 }) }, open)),
            context: Type.Optional(Attrs),
          },
          open,
        ),
        { maxItems: 500 },
      ),
    ),
    measurements: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Str(100),
            values: Type.Record(Type.String({ maxLength: 100 }), Type.Number(), { maxProperties: 50 }),
            timestamp: Str(40),
            context: Type.Optional(Attrs),
          },
          open,
        ),
        { maxItems: 500 },
      ),
    ),
    events: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Str(200), domain: Type.Optional(Str(200)), attributes: Type.Optional(Attrs), timestamp: Str(40) },
          open,
        ),
        { maxItems: 1000 },
      ),
    ),
    logs: Type.Optional(
      Type.Array(Type.Object({ message: Str(8000), level: Str(20), timestamp: Str(40) }, open), { maxItems: 1000 }),
    ),
    traces: Type.Optional(Type.Object({}, open)),
  },
  open,
);
export type FaroPayload = Static<typeof FaroPayload>;
