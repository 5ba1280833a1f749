/** The URL as people may see it: scheme, user, host, port and database, never the password. */
export function urlWithoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = "";
  return parsed.toString();
}
