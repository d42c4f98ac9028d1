// A small EventBridge event-pattern matcher, enough to check the deployed rules against the sample events.
// Supported: exact values (string, number, boolean, null), prefix, suffix, equals-ignore-case, anything-but
// (a value, a list, or a prefix), exists (true/false), numeric comparisons, nested objects, $or, and arrays
// in the event (a field that is an array matches if any element does). Anything else throws, so a rule using
// an operator this does not know fails the tests instead of being judged wrongly.

export type EventPattern = { [key: string]: unknown };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isPrimitive = (v: unknown): v is string | number | boolean | null =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The leaf values of a field: an array is flattened (EventBridge matches if any element matches). */
function leaves(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(leaves) : [value];
}

function matchesNumeric(condition: unknown[], value: unknown): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < condition.length; i += 2) {
    const op = condition[i];
    const bound = condition[i + 1];
    if (typeof bound !== 'number') throw new Error(`numeric: bad bound ${JSON.stringify(bound)}`);
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : undefined;
    if (ok === undefined) throw new Error(`numeric: unknown operator ${JSON.stringify(op)}`);
    if (!ok) return false;
  }
  return true;
}

/** One matcher of a pattern list against one present leaf value. */
function matchesValue(matcher: unknown, value: unknown): boolean {
  if (isPrimitive(matcher)) return value === matcher;
  if (!isObject(matcher)) throw new Error(`unsupported matcher ${JSON.stringify(matcher)}`);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new Error(`a matcher has exactly one operator: ${JSON.stringify(matcher)}`);
  const [op] = keys as [string];
  const arg = matcher[op];
  switch (op) {
    case 'prefix':
      if (typeof arg !== 'string') throw new Error(`prefix takes a string: ${JSON.stringify(matcher)}`);
      return typeof value === 'string' && value.startsWith(arg);
    case 'suffix':
      if (typeof arg !== 'string') throw new Error(`suffix takes a string: ${JSON.stringify(matcher)}`);
      return typeof value === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      if (typeof arg !== 'string')
        throw new Error(`equals-ignore-case takes a string: ${JSON.stringify(matcher)}`);
      return typeof value === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'anything-but':
      if (isObject(arg)) return !matchesValue(arg, value);
      return !(Array.isArray(arg) ? arg : [arg]).some((excluded) => matchesValue(excluded, value));
    case 'numeric':
      if (!Array.isArray(arg)) throw new Error(`numeric takes a list: ${JSON.stringify(matcher)}`);
      return matchesNumeric(arg, value);
    default:
      throw new Error(`unsupported pattern operator "${op}"`);
  }
}

/** A list of matchers (ORed) against a field, present or not. */
function matchesField(matchers: unknown[], value: unknown): boolean {
  const present = value !== undefined;
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      if (typeof matcher.exists !== 'boolean')
        throw new Error(`exists takes a boolean: ${JSON.stringify(matcher)}`);
      return matcher.exists === present;
    }
    // Every other matcher needs the field (anything-but too: it does not match a missing field).
    return present && leaves(value).some((leaf) => matchesValue(matcher, leaf));
  });
}

/** Does the event match the pattern? Fields of the pattern are ANDed, a field's list of matchers ORed. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(pattern)) throw new Error('a pattern is an object');
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected)) throw new Error('$or takes a list of patterns');
      return expected.some((alternative) => matchesPattern(alternative as EventPattern, event));
    }
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(expected)) return matchesField(expected, value);
    if (isObject(expected)) {
      // A nested pattern: an array of objects in the event matches if any element does.
      if (Array.isArray(value)) return value.some((element) => matchesPattern(expected, element));
      return matchesPattern(expected, value);
    }
    throw new Error(`pattern field "${key}" must be a list of matchers or a nested pattern`);
  });
}
