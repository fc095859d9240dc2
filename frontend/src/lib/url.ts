/**
 * A path with query parameters, leaving out empty ones so that links stay
 * short ("/accounts?page=2", not "/accounts?search=&page=2").
 */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') {
      query.set(key, String(value));
    }
  }
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** One path segment, for names put into URLs ("/accounts/<name>"). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
