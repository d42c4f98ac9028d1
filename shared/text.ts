// User-controlled strings (names, tag values, ARNs from events) go into admin messages: they must not be able
// to forge lines or run on forever.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function safeText(value: string | undefined | null, maxLength = 200): string {
  if (value === undefined || value === null) return '';
  return truncate(value.replace(LINE_BREAKING, ' '), maxLength);
}

export function truncate(value: string, maxLength: number): string {
  return value.length > maxLength ? `${value.slice(0, maxLength - 1)}…` : value;
}
