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
