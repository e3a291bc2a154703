/**
 * Loading a YAML config file against a strict TypeBox schema, with errors a person can act on:
 * every problem names the file, the key path (`targets[2].timeoutMs`), the line, and what is wrong.
 * Shared by the agent and the server so both speak about their config the same way.
 */
import { readFileSync } from 'node:fs';
import { parseDocument, isNode, LineCounter } from 'yaml';
import Type, { type TSchema, type Static } from 'typebox';
import { Value } from 'typebox/value';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** pino log level, shared by the agent and server configs. */
export const LogLevel = Type.Unsafe<(typeof LOG_LEVELS)[number]>({
  type: 'string',
  enum: [...LOG_LEVELS],
  default: 'info',
});

export interface ConfigProblem {
  /** Dotted key path, e.g. `targets[2].url`; empty for the document root. */
  path: string;
  message: string;
  line?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `invalid config ${file}:\n` +
        problems
          .map((p) => `  - ${p.path || '(top level)'}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`)
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** `/targets/2/url` → `targets[2].url` */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function pathSegments(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** Human wording for the validator's terse messages. */
export function describeError(error: { keyword: string; message: string; params: Record<string, unknown> }): string {
  if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[] | undefined) ?? [];
    return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.keyword === 'required') {
    const keys = (error.params.requiredProperties as string[] | undefined) ?? [];
    return `missing required key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return error.message;
}

/** Schema problems of `value`, with their paths; empty when valid. Skips the validator's duplicate noise. */
export function schemaProblems(schema: TSchema, value: unknown, prefix = ''): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const e of Value.Errors(schema, value)) {
    // additionalProperties:false reports each extra key twice (a "schema is false" entry, then a summary).
    if (e.keyword === 'boolean') continue;
    const path = joinPath(prefix, pointerToPath(e.instancePath));
    if (e.keyword === 'additionalProperties') {
      // One problem per unknown key, located at the key itself (where the typo is).
      for (const key of (e.params as { additionalProperties?: string[] }).additionalProperties ?? []) {
        problems.push({ path: joinPath(path, key), message: 'unknown key (not allowed here; check the spelling)' });
      }
      continue;
    }
    problems.push({ path, message: describeError(e as never) });
  }
  return dedupe(problems);
}

export function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ParsedConfig {
  file: string;
  data: unknown;
  /** Line of a key path in the source, for error messages raised after schema validation. */
  lineOf(path: string): number | undefined;
}

/** Reads and parses YAML; syntax errors and an unreadable file become ConfigErrors. */
export function readYamlConfig(file: string): ParsedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  const lineOf = (path: string): number | undefined => {
    const segments = pathSegments(path);
    // Walk up to the nearest existing node: a missing key is best located at its parent.
    for (let n = segments.length; n >= 0; n--) {
      const node = segments.length === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { file, data: doc.toJS() ?? {}, lineOf };
}

/** Applies schema defaults and validates; the value is only typed correctly when `problems` is empty. */
export function checkConfig<S extends TSchema>(
  parsed: ParsedConfig,
  schema: S,
): { value: Static<S>; problems: ConfigProblem[] } {
  const value = Value.Default(schema, Value.Clone(parsed.data)) as Static<S>;
  return { value, problems: schemaProblems(schema, value) };
}

/** Throws a ConfigError listing every problem, each located at its line in the file. */
export function throwIfProblems(parsed: ParsedConfig, problems: ConfigProblem[]): void {
  if (problems.length > 0)
    throw new ConfigError(
      parsed.file,
      problems.map((p) => ({ ...p, line: p.line ?? parsed.lineOf(p.path) })),
    );
}

/** Applies schema defaults and validates; throws a ConfigError listing every problem. */
export function validateConfig<S extends TSchema>(parsed: ParsedConfig, schema: S): Static<S> {
  const { value, problems } = checkConfig(parsed, schema);
  throwIfProblems(parsed, problems);
  return value;
}
