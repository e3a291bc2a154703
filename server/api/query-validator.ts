/**
 * Validation for query strings: values arrive as text, so they are converted to the schema's types and
 * defaults are applied before the check. Bodies keep fastify's strict ajv (no coercion): an agent that
 * sends "ts": "123" has a bug worth a 400.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

export const queryValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema }) => {
  const check = Compile(schema);
  return (value: unknown) => {
    const converted = Value.Convert(schema, Value.Default(schema, Value.Clone(value)));
    if (check.Check(converted)) return { value: converted };
    // additionalProperties:false also reports each extra key as a "schema is false" entry; keep the summary.
    const errors = [...check.Errors(converted)].filter((e) => e.keyword !== 'boolean');
    return { error: errors as never };
  };
};

/**
 * For routes that take a body as well as params or a query string: text parts are converted as above,
 * the JSON body only gets its defaults — a wrong type in a body stays a 400, as with fastify's ajv.
 */
export const partAwareValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  if (route.httpPart !== 'body') return queryValidatorCompiler(route);
  const check = Compile(route.schema);
  return (value: unknown) => {
    const withDefaults = Value.Default(route.schema, Value.Clone(value));
    if (check.Check(withDefaults)) return { value: withDefaults };
    return { error: [...check.Errors(withDefaults)].filter((e) => e.keyword !== 'boolean') as never };
  };
};
